"""The one xlsx writer of the portal: workbook creation, the shared styles, formula-safe cell
values, header and title rows, number formats, the bytes of a workbook and the HTTP response
that downloads it.

Every workbook the portal hands out is written through here: the upload templates and exports
of filings (``template.py``, ``exporter.py``, write-only sheets built from :func:`styled` cells),
附表3 (``reports.summaries.t3``), the completeness lists (``reports.workflow.views``) and the
dashboard tables (``reports.dashboards.exports``). Every string goes through :func:`safe_cell`
(formula injection).

Numbers stay numbers: a figure is written as a numeric cell with the number format of its kind
(:data:`FORMAT_BY_KIND`): amounts ``#,##0.00``, counts ``#,##0``, ratios and growth rates stored
as the portal shows them (41.51 for 41.51 %) with ``0.00"%"``, rates ``0.0000"%"``, a change of a
ratio or rate ``0.00" 个百分点"``. Negatives are negative numbers; a status (达标 / 未达标) has its own
column, never glued to a figure as text."""
from __future__ import annotations

import datetime as dt
import io
import tempfile
from decimal import Decimal
from typing import IO, Any, Iterable

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

__all__ = [
    "XLSX", "TITLE_FONT", "PAGE_TITLE_FONT", "BOLD", "HEADER_FILL", "LIGHT_FILL", "COMPUTED_FILL", "SECTION_FILL", "BORDER",
    "CENTER_WRAP", "TOP_WRAP", "MIDDLE_WRAP",
    "new_workbook", "workbook_bytes", "workbook_file", "xlsx_response", "xlsx_file_response", "STREAM_ABOVE", "styled", "cell_value", "append_title", "append_header", "append_rows",
    "style_row", "number_format", "column_widths",
    "UNSAFE_PREFIXES", "safe_cell", "AMOUNT_FORMAT", "COUNT_FORMAT", "PCT_FORMAT", "RATE_FORMAT", "PP_FORMAT", "FORMAT_BY_KIND",
    "format_of", "figure_format", "append_figures", "RATIO_KEYS",
]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TITLE_FONT = Font(name="宋体", bold=True, size=14)  # the title row of the official layout
PAGE_TITLE_FONT = Font(bold=True, size=14)  # the title row of a report sheet (dashboards, 附表3, completeness)
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
LIGHT_FILL = PatternFill("solid", fgColor="EEF2F7")  # dashboard headers, 附表3 subtotals
COMPUTED_FILL = PatternFill("solid", fgColor="EDEDED")
SECTION_FILL = PatternFill("solid", fgColor="FFF2CC")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER_WRAP = Alignment(horizontal="center", vertical="center", wrap_text=True)
TOP_WRAP = Alignment(vertical="top", wrap_text=True)
MIDDLE_WRAP = Alignment(wrap_text=True, vertical="center")


AMOUNT_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
PCT_FORMAT = '0.00"%"'  # ratios, shares, coverages and growth rates, stored ×100 as the pages show them
RATE_FORMAT = '0.0000"%"'  # interest rates and financing costs (年化 %)
PP_FORMAT = '0.00" 个百分点"'  # the change of a ratio or a rate
FORMAT_BY_KIND = {"amount": AMOUNT_FORMAT, "int": COUNT_FORMAT, "count": COUNT_FORMAT, "pct": PCT_FORMAT, "ratio": PCT_FORMAT,
                  "rate": RATE_FORMAT, "pp": PP_FORMAT}  # report kinds (dashboards) and schedule kinds (amount, rate, count)
RATIO_KEYS = ("coverage", "coverage_target", "share", "ratio", "growth")  # a schedule “rate” that is a ratio ×100

# A cell whose text starts with one of these is read by spreadsheet programs as a formula.
UNSAFE_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value to write into a cell: TEXT that a spreadsheet would run as a formula (starting
    with ``= + - @``, tab or CR) gets a leading ``'``; characters XML cannot hold are dropped.
    Numbers (negative ones too), dates and booleans pass through unchanged."""
    if isinstance(value, str):
        if ILLEGAL_CHARACTERS_RE.search(value):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(UNSAFE_PREFIXES):
            return "'" + value
    return value


def format_of(kind: str, *, signed: bool = False) -> str | None:
    """The number format of a figure of ``kind`` (a ``signed`` change of a ratio or rate: 个百分点)."""
    if signed and kind in ("ratio", "rate"):
        return PP_FORMAT
    return FORMAT_BY_KIND.get(kind)


def figure_format(kind: str, key: str = "") -> str | None:
    """The number format of a schedule column or a computed figure (附表2's coverages are ratios)."""
    if kind == "rate" and key.endswith(RATIO_KEYS):
        return PCT_FORMAT
    return FORMAT_BY_KIND.get(kind)


def append_figures(ws, cells: Iterable[tuple[Any, str | None]], *, font=None, fill=None) -> None:
    """A row of ``(value, kind)``: a figure (``kind`` in :data:`FORMAT_BY_KIND`) as a numeric cell
    with its format, anything else (kind None) as formula-safe text."""
    cells = list(cells)
    ws.append([cell_value(v, numeric=k in FORMAT_BY_KIND) for v, k in cells])
    r = ws.max_row
    for i, (_, kind) in enumerate(cells, start=1):
        if kind in FORMAT_BY_KIND and isinstance(ws.cell(r, i).value, (int, float)):
            ws.cell(r, i).number_format = FORMAT_BY_KIND[kind]
    style_row(ws, r, font=font, fill=fill)


def new_workbook(*, write_only: bool = False) -> Workbook:
    """An empty workbook: sheets are added with ``create_sheet`` (no default sheet to rename)."""
    wb = Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def workbook_file(wb: Workbook) -> IO[bytes]:
    """The workbook saved to a temporary file (deleted when closed), open at its start."""
    f = tempfile.TemporaryFile()
    try:
        wb.save(f)
    except BaseException:
        f.close()
        raise
    f.seek(0)
    return f


STREAM_ABOVE = 1024 * 1024  # bytes: a bigger workbook is streamed from its file, a smaller one sent at once


def xlsx_file_response(f: IO[bytes], filename: str) -> HttpResponse:
    """The download of a workbook written to a file (:func:`workbook_file`): streamed in chunks
    (``FileResponse``, which closes and so deletes the file) when it is big, else sent as one body."""
    size = f.seek(0, io.SEEK_END)
    f.seek(0)
    if size <= STREAM_ABOVE:
        with f:
            return xlsx_response(f.read(), filename)
    response = FileResponse(f, content_type=XLSX, as_attachment=True, filename=filename)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """The download of a workbook (never cached: exports carry scoped data)."""
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def styled(ws, value: Any, *, font=None, fill=None, alignment=None, border=None, number_format=None) -> WriteOnlyCell:
    """A formula-safe cell of a write-only sheet with the given style."""
    cell = WriteOnlyCell(ws, value=safe_cell(value))
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    if border is not None:
        cell.border = border
    if number_format is not None:
        cell.number_format = number_format
    return cell


def cell_value(value: Any, *, numeric: bool = True) -> Any:
    """A figure as a report cell: blanks empty, booleans 是/否, Decimals (and, when ``numeric``,
    numeric strings) as numbers, datetimes in local time, any other string formula-safe."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "是" if value else "否"
    if numeric and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    return safe_cell(value)


def style_row(ws, row: int, *, font=None, fill=None, alignment=None) -> None:
    for cell in ws[row]:
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if alignment is not None:
            cell.alignment = alignment


def append_title(ws, text: str, *, font=PAGE_TITLE_FONT) -> None:
    """A title row (its first cell in ``font``)."""
    ws.append([safe_cell(text)])
    ws.cell(ws.max_row, 1).font = font


def append_header(ws, labels: Iterable[Any], *, fill=None, alignment=None) -> None:
    """A header row in bold (optionally filled and aligned)."""
    ws.append([safe_cell(label) for label in labels])
    style_row(ws, ws.max_row, font=BOLD, fill=fill, alignment=alignment)


def append_rows(ws, rows: Iterable[Iterable[Any]]) -> None:
    """Rows of values, every string formula-safe."""
    for row in rows:
        ws.append([safe_cell(v) for v in row])


def number_format(ws, column: int, first_row: int, last_row: int, fmt: str) -> None:
    """``fmt`` on the cells of ``column`` from ``first_row`` to ``last_row`` (inclusive)."""
    for r in range(first_row, last_row + 1):
        ws.cell(r, column).number_format = fmt


def column_widths(ws, widths: Iterable[float]) -> None:
    """Widths of the columns A, B, … in order."""
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
