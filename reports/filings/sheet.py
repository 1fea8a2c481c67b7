"""The spreadsheet (表格编辑) of a multi-row schedule (附表1, 附表5), as JSON for ``static/js/sheet.js``.

The grid holds no copy of the columns: their keys, labels, types, choices and help come from the
schedule's definition (``reports/schedules/t1.py``, ``t5.py``) here. Stored rows go out as the
text a filer would type (labels for choices, 是/否, plain numbers), which the columns' own parsers
read back to the same values; the grid sends cells as typed to the rows API
(``POST /api/v1/filings/{id}/rows/``), i.e. to ``services.filing_rows_replace`` — the path of the
xlsx upload — so the server alone parses, checks and saves."""
from __future__ import annotations

from typing import Any

from django.urls import reverse

from reports.filings import selectors
from reports.filings.models import Filing
from reports.schedules.base import AMOUNT, BOOL, CHOICE, COUNT, INDUSTRY, MULTI, RATE, Column, Schedule

NUMERIC = (AMOUNT, RATE, COUNT)


def sheet_column(col: Column) -> dict[str, Any]:
    """What the grid needs of one column (its editor, alignment, the required mark, the tooltip)."""
    if col.kind in (CHOICE, INDUSTRY):
        choices = [str(label) for _, label in col.choices]
    elif col.kind == BOOL:
        choices = ["是", "否"]
    else:
        choices = []
    return {
        "key": col.key, "label": col.header, "kind": col.kind, "required": col.required, "help": col.help,
        "choices": choices, "options": list(col.options) if col.kind == MULTI else [],
        "numeric": col.kind in NUMERIC, "width": col.width,
    }


def cell_text(col: Column, value: Any) -> str:
    """A stored value as the filer types it; ``col.parse(cell_text(col, v)) == v``."""
    if value is None or value == "":
        return ""
    if col.kind in (CHOICE, INDUSTRY):
        return str(dict(col.choices).get(value, value))
    return str(col.form_initial(value))


def sheet_rows(schedule: Schedule, filing: Filing) -> list[dict[str, str]]:
    rows = selectors.filing_row_values(filing=filing)
    return [{col.key: cell_text(col, row.get(col.key)) for col in schedule.columns} for row in rows]


def sheet_data(*, schedule: Schedule, filing: Filing, can_edit: bool) -> dict[str, Any]:
    return {
        "schedule": filing.schedule,
        "title": schedule.full_title,
        "natural_key": schedule.natural_key,
        "columns": [sheet_column(c) for c in schedule.columns],
        "rows": sheet_rows(schedule, filing),
        "lock_version": filing.lock_version,
        "can_edit": can_edit,
        "api": reverse("api:filing-rows", args=[filing.pk]),
        "page": reverse("reports:filing_rows", args=[filing.pk]),
    }
