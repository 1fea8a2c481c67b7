"""Whole columns read at once (``column_vector``), for ``reports.schedules.compiled``: a column
whose cells are all of one plain type by a few C-level passes, a column mixing types part by part.
Proven equal to the compiled parser cell by cell in tests/test_compiled_parsers.py and
tests/test_compiled_mixed_columns.py."""
from __future__ import annotations

import math
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any, Callable

from reports.schedules.base import AMOUNT, BOOL, COUNT, LIMITS, RATE, TEXT, USCC, Column
from reports.schedules.parsing import CENT, EMPTY_MARKERS, RATE_STEP, ParseError, clean_text

Parser = Callable[[Any], Any]
Vector = Callable[[list[Any]], "list[Any] | None"]


# A column whose every cell is of one plain type (what a JSON body or a calamine read holds: all
# numbers, all booleans, all texts) is read by a few passes of C-level builtins over the column
# (``map``, ``min`` / ``max``, a table of its distinct strings) instead of a call per cell; a column
# of several types part by part (``_mixed``); a value out of range or an unreadable cell gives None
# and the column is read cell by cell as before. The same values either way.

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
