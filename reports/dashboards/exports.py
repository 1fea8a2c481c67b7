"""The xlsx exports of the dashboards (``?format=xlsx``: every table of the page, one sheet each;
``&table=<key>``: one table), written through ``reports.filings.xlsx.writer``."""
from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.utils import timezone

from reports.dashboards.tables import NUMERIC_KINDS, Freshness, Table
from reports.filings.models import Period
from reports.filings.xlsx.writer import (
    CENTER_WRAP,
    LIGHT_FILL,
    append_header,
    append_rows,
    append_title,
    cell_value,
    column_widths,
    new_workbook,
    number_format,
    workbook_bytes,
    xlsx_response,
)

NUMBER_FORMATS = {"pct": "#,##0.00", "amount": "#,##0.00", "rate": "0.0000"}  # by column kind


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


def _cell(row: dict[str, Any], kind: str, key: str) -> Any:
    kind = row.get("kind", kind) if kind == "num" else kind
    return cell_value(row.get(key), numeric=kind in NUMERIC_KINDS)


def _write_table(ws, table: Table, *, heading: str, subtitle: str) -> None:
    append_title(ws, heading)
    append_rows(ws, [[subtitle]])
    append_header(ws, [c.label for c in table.columns], fill=LIGHT_FILL, alignment=CENTER_WRAP)
    for row in table.rows:
        ws.append([_cell(row, c.kind, c.key) for c in table.columns])
    if table.note:
        ws.append([])
        append_rows(ws, [[f"注：{table.note}"]])
    column_widths(ws, [30 if col.kind in ("text", "link") else 14 for col in table.columns])
    last = 3 + len(table.rows)
    for i, col in enumerate(table.columns, start=1):
        if col.kind in NUMBER_FORMATS:
            number_format(ws, i, 4, last, NUMBER_FORMATS[col.kind])
    ws.freeze_panes = "B4"
