"""The tolerant xlsx upload reader, built on python-calamine.

It turns the first sheet of a workbook into raw rows keyed by column key; parsing and checking the
values is the schedule's job (``Schedule.validate`` through ``reports.filings.services``). The reader
finds the header row within the first 10 rows by the official labels (trimmed, full/half width
unified, a unit suffix such as ``(万元)`` dropped; the printed header and the key are accepted
too), accepts columns in any order and extra columns, skips the hidden row of keys of the
portal's own templates and exports, skips empty rows, and remembers the Excel row number of every
data row and the column letter of every column for the messages and the annotated copy.

T4 is vertical: every row whose label (or key) names an indicator gives that indicator's value
from the ``本季末`` column; the ``推进情况`` sheet gives the narrative.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, Callable

from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from portal.gcpause import gc_paused
from reports.filings.choices import ScheduleCode
from reports.filings.xlsx import NARRATIVE_SHEET
from reports.schedules import Schedule
from reports.schedules.base import Issue
from reports.schedules.parsing import normalise_header
from reports.schedules.t4 import INSURER_NARRATIVE, NARRATIVE

__all__ = ["ReadResult", "read_rows", "HEADER_SCAN_ROWS", "PROGRESS_EVERY"]

HEADER_SCAN_ROWS = 10
PROGRESS_EVERY = 2000
_ESCAPED = frozenset("=+-@\t\r")

Progress = Callable[[int, int], None]


@dataclass
class ReadResult:
    schedule: Schedule
    raw_rows: list[dict[str, Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)  # 1-based Excel row of each raw row
    issues: list[Issue] = field(default_factory=list)  # problems of the file itself (header, no rows)
    column_letters: dict[str, str] = field(default_factory=dict)  # key -> Excel column letter
    header_row: int | None = None
    sheet_name: str = ""
    narrative: dict[str, str] | None = None  # T4 only: None when the workbook has no 推进情况 sheet
    key_rows: dict[str, int] = field(default_factory=dict)  # T4 only: key -> Excel row of the indicator

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def issue_dicts(self) -> list[dict[str, Any]]:
        return [i.as_dict(self.schedule) for i in self.issues]


def _file_error(message: str, code: str, column: str = "") -> Issue:
    return Issue("error", column, message, code)


def _header_index(columns) -> dict[str, str]:
    """normalised header text -> column key (label, printed header and key all accepted)."""
    index: dict[str, str] = {}
    for col in columns:
        for text in (col.label, getattr(col, "header", col.label), col.key):
            index.setdefault(normalise_header(text), col.key)
    return index


def _match_row(row: list[Any], index: dict[str, str]) -> dict[str, int]:
    """key -> column index of the header cells of ``row`` (first occurrence wins)."""
    found: dict[str, int] = {}
    for i, cell in enumerate(row):
        if isinstance(cell, str) and cell:
            key = index.get(normalise_header(cell))
            if key is not None and key not in found:
                found[key] = i
    return found


def _open(data: bytes):
    return CalamineWorkbook.from_filelike(io.BytesIO(data))


def _sheet_rows(workbook, *, index: int | None = None, name: str | None = None) -> list[list[Any]]:
    sheet = workbook.get_sheet_by_name(name) if name is not None else workbook.get_sheet_by_index(index or 0)
    # skip_empty_area=False: row i of the list is Excel row i + 1 and column j is Excel column j + 1.
    return sheet.to_python(skip_empty_area=False)


def clean_text(value: Any) -> Any:
    if value is None or value == "":
        return None
    if value.__class__ is str:
        if value[0] == "'" and len(value) > 1 and value[1] in _ESCAPED:
            return value[1:]  # safe_cell() escaping of the portal's own exports
        if value.isspace():
            return None
    return value


@gc_paused()  # a whole sheet of cells alive till the end (portal.gcpause)
def read_rows(*, schedule: Schedule, data: bytes, progress: Progress | None = None) -> ReadResult:
    """Read the first sheet of an uploaded workbook for ``schedule``. Never raises on bad content:
    problems of the file come back as error issues (``result.errors``)."""
    result = ReadResult(schedule=schedule)
    try:
        workbook = _open(data)
        names = list(workbook.sheet_names)
        if not names:
            result.issues.append(_file_error("工作簿中没有工作表", "no_sheet"))
            return result
        result.sheet_name = names[0]
        rows = _sheet_rows(workbook, index=0)
        narrative_rows = _sheet_rows(workbook, name=NARRATIVE_SHEET) if schedule.code == ScheduleCode.T4 and NARRATIVE_SHEET in names else None
    except Exception as exc:  # calamine raises its own error types for corrupt or non-xlsx content
        result.issues.append(_file_error(f"文件无法读取，请确认是有效的 .xlsx 工作簿（{type(exc).__name__}）", "unreadable"))
        return result
    if not any(any(cell != "" for cell in row) for row in rows):
        result.issues.append(_file_error("工作表为空：没有找到表头和数据行", "empty_sheet"))
        return result
    if schedule.code == ScheduleCode.T4:
        _read_t4(result, rows, narrative_rows)
    else:
        _read_grid(result, rows, progress=progress)
    return result


def _find_header(schedule: Schedule, rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    index = _header_index(schedule.columns)
    best: tuple[int, dict[str, int]] | None = None
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = _match_row(row, index)
        if found and (best is None or len(found) > len(best[1])):
            best = (r, found)
    needed = 1 if len(schedule.columns) == 1 else 2
    if best is None or len(best[1]) < needed:
        return None
    return best


def _is_key_row(row: list[Any], mapping: dict[str, int]) -> bool:
    hits = sum(1 for key, i in mapping.items() if i < len(row) and row[i] == key)
    return hits >= max(1, len(mapping) // 2)


def _read_grid(result: ReadResult, rows: list[list[Any]], *, progress: Progress | None) -> None:
    schedule = result.schedule
    found = _find_header(schedule, rows)
    if found is None:
        result.issues.append(_file_error(f"未找到表头：前{HEADER_SCAN_ROWS}行中没有找到附表{schedule.number}的列标题", "no_header"))
        return
    header, mapping = found
    result.header_row = header + 1
    result.column_letters = {key: get_column_letter(i + 1) for key, i in mapping.items()}
    for col in schedule.columns:
        if col.required and col.key not in mapping:
            result.issues.append(_file_error(f"缺少必填列“{col.label}”", "missing_column", column=col.key))
    if result.errors:
        return
    start = header + 1
    if start < len(rows) and _is_key_row(rows[start], mapping):
        start += 1
    pairs = sorted(mapping.items(), key=lambda kv: kv[1])
    width = max(i for _, i in pairs) + 1
    missing = [col.key for col in schedule.columns if col.key not in mapping]
    raw_rows = result.raw_rows
    numbers = result.row_numbers
    total = len(rows) - start
    for r in range(start, len(rows)):
        row = rows[r]
        if len(row) < width:
            row = row + [""] * (width - len(row))
        raw: dict[str, Any] = {}
        empty = True
        for key, i in pairs:
            value = row[i]
            if value == "" or value is None:
                raw[key] = None
                continue
            if value.__class__ is str and (value[0] == "'" or value.isspace()):  # what clean_text changes
                value = clean_text(value)
                if value is None:
                    raw[key] = None
                    continue
            raw[key] = value
            empty = False
        if empty:
            continue
        for key in missing:
            raw[key] = None
        raw_rows.append(raw)
        numbers.append(r + 1)
        if progress is not None and len(raw_rows) % PROGRESS_EVERY == 0:
            progress(r - start + 1, total)
    if not raw_rows:
        result.issues.append(_file_error("工作表没有数据行", "no_rows"))


# --- T4 -----------------------------------------------------------------------------------------

def _read_t4(result: ReadResult, rows: list[list[Any]], narrative_rows: list[list[Any]] | None) -> None:
    schedule = result.schedule
    index = _header_index(schedule.columns)
    value_col = None
    header_row = None
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        for c, cell in enumerate(row):
            if isinstance(cell, str) and normalise_header(cell).startswith("本季末"):
                value_col, header_row = c, r
                break
        if value_col is not None:
            break
    values: dict[str, Any] = {}
    for r, row in enumerate(rows):
        if header_row is not None and r <= header_row:
            continue
        limit = value_col if value_col is not None else len(row)
        for c in range(min(limit, len(row))):
            cell = row[c]
            if not (isinstance(cell, str) and cell):
                continue
            key = index.get(normalise_header(cell))
            if key is None:
                continue
            vc = value_col if value_col is not None else c + 1
            if key not in values:
                values[key] = clean_text(row[vc]) if vc < len(row) else None
                result.key_rows[key] = r + 1
                result.column_letters[key] = get_column_letter(vc + 1)
            break
    if len(values) < 2:
        # Not vertical: accept a horizontal sheet (header row of labels, one data row) as well.
        probe = ReadResult(schedule=schedule)
        _read_grid(probe, rows, progress=None)
        if probe.header_row is not None and probe.raw_rows:
            result.raw_rows = probe.raw_rows[:1]
            result.row_numbers = probe.row_numbers[:1]
            result.header_row = probe.header_row
            result.column_letters = probe.column_letters
            result.key_rows = {key: probe.row_numbers[0] for key in probe.column_letters}
            if len(probe.raw_rows) > 1:
                result.issues.append(Issue("error", "", "附表4只能填报一行数据", "too_many_rows", row=probe.row_numbers[1]))
            result.narrative = _read_narrative(narrative_rows)
            return
        if not values:
            result.issues.append(_file_error(f"未找到表头：前{HEADER_SCAN_ROWS}行中没有找到附表4的指标名称", "no_header"))
            return
    result.header_row = (header_row + 1) if header_row is not None else None
    for col in schedule.columns:
        values.setdefault(col.key, None)
    result.raw_rows = [values]
    result.row_numbers = [min(result.key_rows.values())]
    result.narrative = _read_narrative(narrative_rows)


def _read_narrative(rows: list[list[Any]] | None) -> dict[str, str] | None:
    if rows is None:
        return None
    index = _header_index(NARRATIVE + INSURER_NARRATIVE)  # bank or insurer headings, the same six fields
    texts: dict[str, str] = {}
    for row in rows:
        for c, cell in enumerate(row):
            if not (isinstance(cell, str) and cell):
                continue
            key = index.get(normalise_header(cell))
            if key is None:
                continue
            if key not in texts:
                rest = [v for v in row[c + 1:] if v != "" and v is not None]
                text = clean_text(rest[0]) if rest else None
                texts[key] = "" if text is None else str(text).strip()
            break
    return texts
