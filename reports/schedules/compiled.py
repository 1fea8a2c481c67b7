"""A schedule's row set checked fast: the same results as ``Schedule.validate`` (same values, same
issues in the same order), with one parser per column compiled from its definition instead of
``Column.parse`` dispatching on the kind for every cell.

Each compiled parser takes the common, already-typed cells (what a JSON body or a calamine read
holds) straight to the canonical value the column's own parser would give, and hands everything
else to ``Column.parse`` itself:

- amounts and rates given as ``int`` / ``float``: the same ``Decimal(repr())`` + half-up rounding;
- counts given as ``int`` (or a whole ``float``), yes/no given as ``bool``; an empty cell (None)
  is None in every kind of column;
- text cells kept as typed (``text_as_typed``), codes normalised (``normalise_text``);
- any ``str`` of a low-cardinality column (options, industries, yes/no, counts, rates) looked up in
  a per-column memo of what ``Column.parse`` answered for that very string (parsing is a pure
  function of the cell), errors included.

Proven equal to ``Column.parse`` on every kind of cell in ``tests/test_compiled_parsers.py``."""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable

from portal.uscc import uscc_normalise
from reports.schedules.base import AMOUNT, BOOL, CHOICE, COUNT, INDUSTRY, LIMITS, RATE, TEXT, USCC, Column, Context, Issue, Schedule
from reports.schedules.parsing import CENT, RATE_STEP, ParseError, normalise_text, text_as_typed

Parser = Callable[[Any], Any]
_MEMO_KINDS = (CHOICE, INDUSTRY, BOOL, COUNT, RATE)
_MEMO_MAX = 4096  # distinct strings remembered per column


def _memo(col: Column, fallback: Parser) -> Parser:
    """``fallback`` for anything but a ``str``; a ``str`` parsed once per distinct value."""
    seen: dict[str, tuple[bool, Any]] = {}

    def parse(raw: Any) -> Any:
        if type(raw) is not str:
            return fallback(raw)
        hit = seen.get(raw)
        if hit is None:
            try:
                hit = (True, col.parse(raw))
            except ParseError as exc:
                hit = (False, exc.message)
            if len(seen) < _MEMO_MAX:
                seen[raw] = hit
        if hit[0]:
            return hit[1]
        raise ParseError(hit[1])

    return parse


def _decimal_parser(col: Column, step: Decimal) -> Parser:
    limit = LIMITS[col.kind]
    fmax = float(limit)

    def parse(raw: Any) -> Any:
        kind = type(raw)
        if raw is None:
            return None
        if (kind is float and math.isfinite(raw)) or kind is int:
            if 0 <= raw < fmax:
                value = (Decimal(repr(raw)) if kind is float else Decimal(raw)).quantize(step, rounding=ROUND_HALF_UP)
                if value < limit:
                    return abs(value) if value.is_zero() else value
        return col.parse(raw)

    return parse


def _count_parser(col: Column) -> Parser:
    limit = LIMITS[COUNT]

    def parse(raw: Any) -> Any:
        kind = type(raw)
        if kind is int and 0 <= raw < limit:
            return raw
        if kind is float and raw.is_integer() and 0 <= raw < limit:  # an xlsx number
            return int(raw)
        return col.parse(raw)

    return parse


def _bool_parser(col: Column) -> Parser:
    def parse(raw: Any) -> Any:
        if raw is None or type(raw) is bool:
            return raw
        return col.parse(raw)

    return parse


def _text_parser(col: Column) -> Parser:
    if col.normalise:
        return col.parse
    max_length = col.max_length

    def parse(raw: Any) -> Any:
        if type(raw) is not str:
            return col.parse(raw)
        value = text_as_typed(raw)
        if value is not None and len(value) > max_length:
            raise ParseError(f"长度不能超过{max_length}个字符")
        return value

    return parse


def _uscc_parser(col: Column) -> Parser:
    def parse(raw: Any) -> Any:
        text = normalise_text(raw)
        return uscc_normalise(text) if text else None

    return parse


def column_parser(col: Column) -> Parser:
    """The compiled parser of one column (see the module's docstring)."""
    if col.kind == AMOUNT:
        fast = _decimal_parser(col, CENT)
    elif col.kind == RATE:
        fast = _decimal_parser(col, RATE_STEP)
    elif col.kind == COUNT:
        fast = _count_parser(col)
    elif col.kind == BOOL:
        fast = _bool_parser(col)
    elif col.kind == TEXT:
        return _text_parser(col)
    elif col.kind == USCC:
        return _uscc_parser(col)
    else:
        fast = col.parse
    return _memo(col, fast) if col.kind in _MEMO_KINDS else fast


_COMPILED: dict[str, tuple[tuple[str, Parser, Any], ...]] = {}


def compiled_columns(schedule: Schedule) -> tuple[tuple[str, Parser, Any], ...]:
    """(key, parser, default) of every column, compiled once per schedule."""
    compiled = _COMPILED.get(schedule.code)
    if compiled is None:
        compiled = _COMPILED[schedule.code] = tuple((c.key, column_parser(c), c.default) for c in schedule.columns)
    return compiled


def parse_row(schedule: Schedule, raw: dict[str, Any], row: int) -> tuple[dict[str, Any], list[Issue]]:
    """``Schedule.parse_row`` with the compiled parsers."""
    values: dict[str, Any] = {}
    issues: list[Issue] = []
    get = raw.get
    for key, parse, default in compiled_columns(schedule):
        raw_value = get(key)
        if raw_value is None:  # an empty cell: None in every kind of column
            value = None
        else:
            try:
                value = parse(raw_value)
            except ParseError as exc:
                issues.append(Issue("error", key, str(exc), "parse", row=row, value=raw_value))
                value = None
        if value is None and default is not None:
            value = default
        values[key] = value
    return values, issues


def validate_rows(schedule: Schedule, raw_rows: list[dict[str, Any]], ctx: Context) -> tuple[list[dict[str, Any]], list[Issue]]:
    """``Schedule.validate``: the same rows and issues, parsed by the compiled parsers."""
    rows: list[dict[str, Any]] = []
    issues: list[Issue] = []
    compute = schedule.compute
    for i, raw in enumerate(raw_rows, start=1):
        values, parse_issues = parse_row(schedule, raw, i)
        if parse_issues:
            issues.extend(parse_issues)
        issues.extend(schedule.check_row(values, ctx, row=i, parsed_bad={x.column for x in parse_issues}, raw=raw))
        if compute:
            values.update(compute(values))
        rows.append(values)
    for rule in schedule.set_rules:
        issues.extend(rule(rows, ctx))
    return rows, schedule.named(issues, dict(enumerate(rows, start=1)), ctx)
