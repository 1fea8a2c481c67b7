"""The checks of a rows POST body before the service sees it (``FilingViewSet.rows``): each row an
object, only the schedule's keys (unknown keys are one error each, the read-only ones ignored),
every cell a scalar without NUL and small enough for its database column; 附表4's six 推进情况
texts taken apart from its values. The service's own parsers then read every cell."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from reports.filings.api.serializers import ROW_IGNORED_KEYS, ROW_KEYS
from reports.schedules import SCHEDULES
from reports.schedules.base import AMOUNT, COUNT, RATE, Column
from reports.schedules.parsing import ParseError
from reports.schedules.t4 import NARRATIVE

NARRATIVE_KEYS = {c.key: c for c in NARRATIVE}


def _api_issue(row: int | None, key: str, code: str, message: str, value: Any = None, label: str = "") -> dict[str, Any]:
    return {"row": row, "field": key, "label": label, "code": code, "message": message, "value": "" if value is None else str(value),
            "name": ""}


SCALARS = (str, int, float, bool, type(None))
# What the database columns hold (PositiveIntegerField, DecimalField(16, 2), DecimalField(9, 4)):
# a bigger number is an error here rather than an overflow at save time.
COLUMN_LIMITS = {COUNT: Decimal(2**31 - 1), AMOUNT: Decimal("1e14"), RATE: Decimal("1e5")}


def _too_large(col: Column, raw: Any) -> bool:
    limit = COLUMN_LIMITS.get(col.kind)
    if limit is None or raw is None or isinstance(raw, bool):
        return False
    if isinstance(raw, (int, float)):
        return abs(Decimal(raw)) >= limit
    if isinstance(raw, str) and sum(ch.isdigit() for ch in raw) >= 6:
        try:
            value = col.parse(raw)
        except ParseError:
            return False
        return value is not None and abs(Decimal(value)) >= limit
    return False


def _label(schedule, key: str) -> str:
    return NARRATIVE_KEYS[key].label if key in NARRATIVE_KEYS else schedule.label_of(key)


def _cell_error(schedule, n: int, key: str, value: Any) -> dict[str, Any] | None:
    """The error of one allowed cell, if any (its label looked up only then)."""
    if not isinstance(value, SCALARS):
        label = _label(schedule, key)
        return _api_issue(n, key, "invalid_type", f"{label}应为文本、数值或布尔值", label=label)
    if isinstance(value, str) and "\x00" in value:
        label = _label(schedule, key)
        return _api_issue(n, key, "invalid_character", f"{label}含有非法字符（\\u0000）", label=label)
    col = schedule.by_key.get(key)
    if col is not None and _too_large(col, value):
        label = _label(schedule, key)
        return _api_issue(n, key, "too_large", f"{label}数值过大", value, label)
    return None


_SMALL = float(2**31 - 1)  # below every COLUMN_LIMITS: a number this small is never too large


def _plain(raw: dict[str, Any], keys: frozenset[str], limited: frozenset[str]) -> bool:
    """A row that passes as it is (the usual case, looked at without building it again): only
    writable keys; every cell null, a boolean, a number too small to be too large, or a text
    without NUL (a longer one of a number column may be too large: looked at cell by cell)."""
    if not raw.keys() <= keys:
        return False
    for key, value in raw.items():
        kind = type(value)
        if kind is str:
            if "\x00" in value or (len(value) >= 6 and key in limited):
                return False
        elif kind is int or kind is float:
            if not -_SMALL < value < _SMALL:
                return False
        elif not (value is None or kind is bool):
            return False
    return True


def rows_check(*, schedule_code: str, rows: list[Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows with unknown keys dropped (each reported as an error) and non-object rows replaced by an
    empty one (numbering is kept), plus the errors found here."""
    allowed, ignored = ROW_KEYS[schedule_code], ROW_IGNORED_KEYS[schedule_code]
    schedule = SCHEDULES[schedule_code]
    plain_keys = frozenset(allowed) - frozenset(ignored)
    limited = frozenset(k for k in plain_keys if k in schedule.by_key and schedule.by_key[k].kind in COLUMN_LIMITS)
    errors: list[dict[str, Any]] = []
    clean: list[dict[str, Any]] = []
    for n, raw in enumerate(rows, start=1):
        if type(raw) is dict and _plain(raw, plain_keys, limited):
            clean.append(dict(raw))
            continue
        if not isinstance(raw, dict):
            errors.append(_api_issue(n, "", "invalid_row", "每一行应为一个对象（JSON object）"))
            clean.append({})
            continue
        row: dict[str, Any] = {}
        for key, value in raw.items():
            if key in ignored:
                continue
            if key not in allowed:
                errors.append(_api_issue(n, str(key), "unknown_field", f"未知字段“{key}”"))
                continue
            kind = type(value)
            # the usual cells (short text without NUL, small numbers, booleans, null) need no further look
            if not (value is None or kind is bool or (kind is str and len(value) < 6 and "\x00" not in value)
                    or ((kind is int or kind is float) and -_SMALL < value < _SMALL)):
                problem = _cell_error(schedule, n, key, value)
                if problem is not None:
                    errors.append(problem)
                    if problem["code"] != "too_large":
                        continue
            row[key] = value
        clean.append(row)
    return clean, errors


def narrative_split(*, row: dict[str, Any]) -> tuple[dict[str, str] | None, list[dict[str, Any]]]:
    """附表4's 推进情况 texts taken out of ``row`` (checked: text, not too long), and their errors."""
    narrative: dict[str, str] = {}
    errors: list[dict[str, Any]] = []
    for key, col in NARRATIVE_KEYS.items():
        if key not in row:
            continue
        value = row.pop(key)
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors.append(_api_issue(1, key, "invalid_type", f"{col.label}应为文本", value, col.label))
        elif len(value.strip()) > col.max_length:
            errors.append(_api_issue(1, key, "max_length", f"{col.label}不能超过{col.max_length}个字符", label=col.label))
        else:
            narrative[key] = value
    return (narrative or None), errors
