"""The xlsx exports of the dashboards (``?format=xlsx``: every table of the page, one sheet each;
``&table=<key>``: one table), written through ``reports.filings.xlsx.writer``."""
from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.utils import timezone

from reports.dashboards.tables import NUMERIC_KINDS, Column, Freshness, Table
from reports.filings.models import Period
from reports.filings.xlsx.writer import (
    CENTER_WRAP,
    LIGHT_FILL,
    append_header,
    append_rows,
    append_title,
    cell_value,
    column_widths,
    format_of,
    new_workbook,
    workbook_bytes,
    xlsx_response,
)


def export_response(tables: list[Table], *, key: str | None, title: str, subtitle: str, filename: str, period: Period,
                    freshness: Freshness | None = None) -> HttpResponse:
    """The download of a page's tables (or of the one table ``key``)."""
    tables = [t for t in tables if not key or t.key == key]
    if not tables:
        raise Http404("没有这张表。")
    name = f"{filename}_{tables[0].title}" if key else filename
    return xlsx_response(workbook(title=title, subtitle=subtitle, tables=tables, freshness=freshness), f"{name}_{period.code}.xlsx")


def workbook(*, title: str, subtitle: str, tables: list[Table], freshness: Freshness | None = None) -> bytes:
    """One sheet per table in the portal's export layout: title, filer/period/unit line, header, rows
    (numbers stay numbers; text formula-safe)."""
    wb = new_workbook()
    used: set[str] = set()
    stamp = ""
    if freshness and freshness.built_at:
        stamp = f"  数据更新于 {timezone.localtime(freshness.built_at):%Y-%m-%d %H:%M}"
    for table in tables:
        ws = wb.create_sheet(_sheet_name(table, used))
        _write_table(ws, table, heading=f"{title} — {table.title}", subtitle=f"{subtitle}  {table.unit}{stamp}".strip())
    return workbook_bytes(wb)


def _sheet_name(table: Table, used: set[str]) -> str:
    """The table's title as a sheet name (no ``[]:*?/\\``, at most 28 characters, unique)."""
    name = "".join(ch for ch in table.title if ch not in "[]:*?/\\")[:28] or table.key
    while name in used:
        name = name[:26] + "_2"
    used.add(name)
    return name


def _kind(row: dict[str, Any], col: Column) -> str:
    """A cell's kind: the column's, or for a ``num`` column the row's (附表4 lines mix amounts and rates)."""
    return row.get("kind", "amount") if col.kind == "num" else col.kind


def _write_table(ws, table: Table, *, heading: str, subtitle: str) -> None:
    """Title, subtitle, header, then the rows: figures as numeric cells with the format of their
    kind (a status in its own column, as text)."""
    append_title(ws, heading)
    append_rows(ws, [[subtitle]])
    append_header(ws, [c.label for c in table.columns], fill=LIGHT_FILL, alignment=CENTER_WRAP)
    for row in table.rows:
        kinds = [_kind(row, c) for c in table.columns]
        ws.append([cell_value(row.get(c.key), numeric=k in NUMERIC_KINDS) for c, k in zip(table.columns, kinds)])
        for i, (col, kind) in enumerate(zip(table.columns, kinds), start=1):
            fmt = format_of(kind, signed=col.signed)
            if fmt and kind in NUMERIC_KINDS:
                ws.cell(ws.max_row, i).number_format = fmt
    if table.note:
        ws.append([])
        append_rows(ws, [[f"注：{table.note}"]])
    column_widths(ws, [30 if col.kind in ("text", "link") else 14 for col in table.columns])
    ws.freeze_panes = "B4"
