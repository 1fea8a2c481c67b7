"""``column IN (…)`` over thousands of values: on PostgreSQL one ``= ANY(%s)`` with the list as a
single array parameter (no statement with thousands of placeholders for the driver to split and
the server to plan), elsewhere bounded ``IN`` lists (SQLite's parameter limit)."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import Lookup, Q

CHUNK = 5000


@models.Field.register_lookup
class AnyOf(Lookup):
    """``field__any_of=[…]``: ``field = ANY(%s)``, the list one array parameter (PostgreSQL only)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # the array typed as the column (a list of ints would be numeric[]: no index, a cast per row)
        db_type = self.lhs.output_field.cast_db_type(connection)
        values = self.rhs.values if isinstance(self.rhs, _Values) else list(self.rhs)
        return f"{lhs} = ANY(%s::{db_type}[])", [*lhs_params, array_literal(values)]


class _Values:
    """The values of an ``any_of`` look-up as one object: Django walks a list value by value
    (``Query.resolve_lookup_value``, for expressions among them); these are plain values."""

    __slots__ = ("values",)

    def __init__(self, values: list[Any]) -> None:
        self.values = values


_ARRAY_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"'})


def array_literal(values: list[Any]) -> "str | list[Any]":
    """A list of texts (or of whole numbers) as PostgreSQL's text form of an array, built by a few
    C-level joins (every text quoted, ``\\`` and ``"`` escaped) instead of the driver dumping and
    quoting value after value; any other list as it is (the driver's)."""
    kinds = set(map(type, values))
    if kinds == {str}:
        joined = "\x00".join(values)  # no text holds a NUL (PostgreSQL refuses one anyway): else the driver's
        if joined.count("\x00") == len(values) - 1:
            return '{"' + joined.translate(_ARRAY_ESCAPES).replace("\x00", '","') + '"}'
    elif kinds == {int}:
        return "{" + ",".join(map(str, values)) + "}"
    return values


def values_in(lookup: str, values: Sequence[Any]) -> Iterator[Q]:
    """The filters that together select ``lookup`` in ``values`` (an empty list: none)."""
    if not values:
        return
    if connection.vendor == "postgresql":
        yield Q(**{f"{lookup}__any_of": _Values(list(values))})
        return
    for i in range(0, len(values), CHUNK):
        yield Q(**{f"{lookup}__in": list(values[i:i + CHUNK])})


def values_in_q(lookup: str, values: Sequence[Any]) -> Q:
    """``values_in`` as one filter (OR of its parts; an empty list selects nothing)."""
    cond = Q(pk__in=[])
    for where in values_in(lookup, values):
        cond |= where
    return cond
