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
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from itertools import repeat
from operator import itemgetter
from typing import Any, Callable

from portal.uscc import uscc_normalise
from reports.schedules.base import AMOUNT, BOOL, CHOICE, COUNT, INDUSTRY, LIMITS, RATE, TEXT, USCC, Column, Context, Issue, Schedule
from reports.schedules.parsing import CENT, EMPTY_MARKERS, RATE_STEP, ParseError, clean_text, normalise_text, text_as_typed

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


# --- whole columns at once ----------------------------------------------------------------------
# A column whose every cell is of one plain type (what a JSON body or a calamine read holds: all
# numbers, all booleans, all texts) is read by a few passes of C-level builtins over the column
# (``map``, ``min`` / ``max``, a table of its distinct strings) instead of a call per cell; anything
# else (another type, a value out of range, an unreadable cell) gives None and the column is read
# cell by cell as before. The same values either way (tests/test_compiled_parsers.py).

_NONE = type(None)
_NUMBERS = frozenset({int, float})
_is_nfkc = partial(unicodedata.is_normalized, "NFKC")


def _kinds(cells: list[Any]) -> set[type]:
    kinds = set(map(type, cells))
    kinds.discard(_NONE)
    return kinds


def _present(cells: list[Any]) -> list[Any]:
    return [c for c in cells if c is not None] if None in cells else cells


def _in_place(cells: list[Any], values: list[Any]) -> list[Any]:
    """``values`` of the non-empty ``cells`` put back at their places (None elsewhere)."""
    if len(values) == len(cells):
        return values
    it = iter(values)
    return [None if c is None else next(it) for c in cells]


def _table(parse: Parser, cells: list[Any]) -> list[Any] | None:
    """Texts by a table of the distinct ones (each parsed once); None when one is unreadable."""
    table: dict[Any, Any] = {}
    try:
        for text in set(cells):
            if text is not None:
                table[text] = parse(text)
    except ParseError:
        return None
    return list(map(table.get, cells))


def _decimal_vector(col: Column, step: Decimal) -> Vector:
    limit = LIMITS[col.kind]
    fmax = float(limit)

    def vector(cells: list[Any]) -> list[Any] | None:
        nums = _present(cells)
        if not nums:
            return list(cells)
        if not (min(nums) >= 0 and max(nums) < fmax and math.isfinite(math.fsum(nums))):
            return None
        values = [d.quantize(step, ROUND_HALF_UP) for d in map(Decimal, map(repr, nums))]  # repr(int): Decimal(int)'s digits
        if max(values) >= limit:
            return None
        if 0 in nums:  # -0.0 reads as 0.00
            values = [v if v else abs(v) for v in values]
        return _in_place(cells, values)

    return vector


def _count_vector(cells: list[Any]) -> list[Any] | None:
    nums = _present(cells)
    if not nums:
        return list(cells)
    try:
        whole = list(map(int, nums))
    except (ValueError, OverflowError):  # nan, inf
        return None
    if whole != nums or min(whole) < 0 or max(whole) >= LIMITS[COUNT]:
        return None
    return _in_place(cells, whole)


def _text_vector(col: Column) -> Vector:
    """Texts ``text_as_typed`` keeps as they are: printable (no invisible character), nothing to
    trim, not too long; a placeholder (``-``, empty, after NFKC) is None."""
    max_length = col.max_length

    def vector(cells: list[Any]) -> list[Any] | None:
        texts = _present(cells)
        if not texts:
            return list(cells)
        if (max(map(len, texts)) > max_length or not all(map(str.isprintable, texts))
                or list(map(str.strip, texts)) != texts):
            return None
        if all(map(_is_nfkc, texts)):  # then clean_text(text) is the text itself
            return list(cells) if EMPTY_MARKERS.isdisjoint(texts) else [None if c in EMPTY_MARKERS else c for c in cells]
        return [None if c is None or clean_text(c) in EMPTY_MARKERS else c for c in cells]

    return vector


def _uscc_vector(cells: list[Any]) -> list[Any] | None:
    codes = _present(cells)
    if not codes:
        return list(cells)
    if not (all(map(str.isascii, codes)) and all(map(str.isalnum, codes))):
        return None
    return _in_place(cells, list(map(str.upper, codes)))


def column_vector(col: Column, parse: Parser) -> Callable[[list[Any]], list[Any] | None]:
    """The whole-column reader of ``col`` (``parse``: its compiled parser, for a table of texts).

    A column of one plain type is read at once (below); a column mixing types (numbers typed as
    text beside numbers, dates as texts and as dates ...) is split by type, each part read at once
    when its type can be (``single``) and cell by cell by ``parse`` otherwise, and put back together:
    every cell's value is what ``parse`` gives for it alone. A cell ``parse`` cannot read gives None
    (the column is then read again cell by cell for its errors)."""
    numbers = _decimal_vector(col, CENT if col.kind == AMOUNT else RATE_STEP) if col.kind in (AMOUNT, RATE) else None
    texts = _text_vector(col) if col.kind == TEXT and not col.normalise else _uscc_vector if col.kind == USCC else None

    def single(cells: list[Any], kinds: set[type]) -> list[Any] | None:
        """``cells`` (None or of ``kinds``: one plain type, or numbers) at once, or None."""
        if kinds == _STR:  # names and codes by a few passes; options, numbers, dates as texts by a table
            values = texts(cells) if texts is not None else None
            return values if values is not None else _table(parse, cells)
        if kinds <= _NUMBERS:
            if numbers is not None:
                return numbers(cells)
            return _count_vector(cells) if col.kind == COUNT else None
        if kinds == _BOOL and col.kind == BOOL:
            return list(cells)
        return None

    def vector(cells: list[Any]) -> list[Any] | None:
        kinds = _kinds(cells)
        if not kinds:
            return list(cells)
        if len(kinds) == 1 or kinds <= _NUMBERS:
            return single(cells, kinds)
        return _mixed(cells, kinds, single, parse)

    return vector


_STR = frozenset({str})
_BOOL = frozenset({bool})
_PLAIN_COLUMN_KINDS = (_NUMBERS, _STR, _BOOL)


def _mixed(cells: list[Any], kinds: set[type], single, parse: Parser) -> list[Any] | None:
    """A column of several types: each part (numbers, texts, booleans, any other type) read by
    ``single`` or else cell by cell by ``parse``, then put back at its places; None when a cell
    cannot be read."""
    types = list(map(type, cells))
    out: list[Any] = [None] * len(cells)
    groups = [g for g in ((k & kinds) for k in _PLAIN_COLUMN_KINDS) if g]
    groups += [frozenset({k}) for k in kinds if not any(k in g for g in groups)]
    for group in groups:
        where = [i for i, t in enumerate(types) if t in group]
        part = [cells[i] for i in where]
        values = single(part, set(group))
        if values is None:
            try:
                values = [parse(c) for c in part]
            except ParseError:
                return None
        for i, value in zip(where, values):
            out[i] = value
    return out


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
