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

A row set is parsed column by column (``parse_columns``): each column's parser over the whole
column at once (``column_vector``: a few C-level passes when every cell has one plain type) or
in one comprehension, an empty cell skipped without a call, the rows then zipped together; a
column with a bad cell is read again cell by cell for its errors. The checks then run row by row
(``Schedule.required_issues``, cheap when every required cell is there, then the schedule's
``quiet_row`` — one flat look — and only when it finds something, ``rule_issues``).

Proven equal to ``Column.parse`` on every kind of cell in ``tests/test_compiled_parsers.py``."""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from itertools import repeat
from operator import itemgetter
from typing import Any, Callable

from portal.uscc import uscc_normalise
from reports.schedules.base import AMOUNT, BOOL, CHOICE, COUNT, INDUSTRY, LIMITS, RATE, TEXT, USCC, Column, Context, Issue, Schedule
from reports.schedules.column_vectors import column_vector
from reports.schedules.parsing import CENT, RATE_STEP, ParseError, normalise_text, text_as_typed

Parser = Callable[[Any], Any]
Vector = Callable[[list[Any]], "list[Any] | None"]
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
        if type(raw) is str and raw.isascii() and raw.isalnum():  # letters and digits only: nothing to normalise
            return raw.upper()
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


_COMPILED: dict[str, tuple[tuple[str, Parser, Any, Callable[[list[Any]], list[Any] | None]], ...]] = {}


def compiled_columns(schedule: Schedule) -> tuple[tuple[str, Parser, Any, Callable[[list[Any]], list[Any] | None]], ...]:
    """(key, parser, default, whole-column reader) of every column, compiled once per schedule."""
    compiled = _COMPILED.get(schedule.code)
    if compiled is None:
        parsers = [(c, column_parser(c)) for c in schedule.columns]
        compiled = _COMPILED[schedule.code] = tuple((c.key, p, c.default, column_vector(c, p)) for c, p in parsers)
    return compiled


def parse_row(schedule: Schedule, raw: dict[str, Any], row: int) -> tuple[dict[str, Any], list[Issue]]:
    """``Schedule.parse_row`` with the compiled parsers (one row; a row set: ``parse_columns``)."""
    values, issues = parse_columns(schedule, [raw], first_row=row)
    return values[0], issues.get(0, [])


def _column(parse: Parser, cells: list[Any]) -> list[Any]:
    """``parse`` over a whole column at once; an empty cell (None) is None in every kind of
    column, without a call. Raises the first ParseError (then ``_column_issues`` reads it cell by cell)."""
    return [None if cell is None else parse(cell) for cell in cells]


def _column_issues(key: str, parse: Parser, cells: list[Any], issues: dict[int, list[Issue]], first_row: int) -> list[Any]:
    out: list[Any] = []
    for i, cell in enumerate(cells):
        value = None
        if cell is not None:
            try:
                value = parse(cell)
            except ParseError as exc:
                issues.setdefault(i, []).append(Issue("error", key, str(exc), "parse", row=first_row + i, value=cell))
        out.append(value)
    return out


def _cells_by_column(keys: list[str], raw_rows: list[dict[str, Any]]) -> list[Any]:
    """The cells of every column (``raw.get(key)`` of every row, column after column): one C-level
    pass when every row has every key (an xlsx read), else key by key."""
    if not raw_rows:
        return [[] for _ in keys]
    try:
        return list(zip(*map(itemgetter(*keys), raw_rows))) if len(keys) > 1 else [[raw[keys[0]] for raw in raw_rows]]
    except KeyError:
        return [[raw.get(key) for raw in raw_rows] for key in keys]


def _parse_columns(schedule: Schedule, raw_rows: list[dict[str, Any]], first_row: int,
                   ) -> tuple[list[str], list[list[Any]], dict[int, list[Issue]]]:
    """The keys, the parsed columns and the parse errors by row index (``parse_columns``)."""
    compiled = compiled_columns(schedule)
    keys = [c[0] for c in compiled]
    columns: list[list[Any]] = []
    issues: dict[int, list[Issue]] = {}
    for (key, parse, default, vector), cells in zip(compiled, _cells_by_column(keys, raw_rows)):
        cells = list(cells)
        values = vector(cells)
        if values is None:
            try:
                values = _column(parse, cells)
            except ParseError:
                values = _column_issues(key, parse, cells, issues, first_row)
        if default is not None and None in values:
            values = [default if v is None else v for v in values]
        columns.append(values)
    return keys, columns, issues


def _rows_of(keys: list[str], columns: list[list[Any]], count: int) -> list[dict[str, Any]]:
    return list(map(dict, map(zip, repeat(keys), zip(*columns)))) if columns else [{} for _ in range(count)]


def parse_columns(schedule: Schedule, raw_rows: list[dict[str, Any]], *, first_row: int = 1,
                  ) -> tuple[list[dict[str, Any]], dict[int, list[Issue]]]:
    """Every row parsed column by column (a column's compiled parser over the whole column), and
    the parse errors by row index (0-based), each row's in the order of the columns (found column after column)."""
    keys, columns, issues = _parse_columns(schedule, raw_rows, first_row)
    return _rows_of(keys, columns, len(raw_rows)), issues


def validate_rows(schedule: Schedule, raw_rows: list[dict[str, Any]], ctx: Context) -> tuple[list[dict[str, Any]], list[Issue]]:
    """``Schedule.validate``: the same rows and issues, parsed column by column by the compiled parsers."""
    keys, columns, parse_issues = _parse_columns(schedule, raw_rows, 1)
    rows = _rows_of(keys, columns, len(raw_rows))
    issues: list[Issue] = []
    compute = schedule.compute
    required, rules, quiet = schedule.required_issues, schedule.rule_issues, schedule.quiet_row
    # the rows with a required cell empty, column by column (the others have no required issue)
    incomplete: set[int] = set()
    for key in schedule.required_keys:
        values = columns[keys.index(key)]
        if None in values or "" in values:
            incomplete.update(i for i, v in enumerate(values) if v is None or v == "")
    for i, (values, raw) in enumerate(zip(rows, raw_rows)):
        found = parse_issues.get(i)
        bad = {x.column for x in found} if found else frozenset()
        if found:
            issues.extend(found)
        if i in incomplete:
            issues.extend(required(values, row=i + 1, parsed_bad=bad))
        if quiet is None or not quiet(values, ctx):  # the usual row: nothing to find, the rules not run
            issues.extend(rules(values, ctx, row=i + 1, parsed_bad=bad, raw=raw))
        if compute:
            values.update(compute(values))
    for rule in schedule.set_rules:
        issues.extend(rule(rows, ctx))
    return rows, schedule.named(issues, dict(enumerate(rows, start=1)), ctx)
