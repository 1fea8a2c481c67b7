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
        values = list(self.rhs)
        joined = _joined(values)
        if joined is not None:  # a long list as one text the server splits: the driver need not build an array
            text, separator = joined
            return f"{lhs} = ANY(string_to_array(%s, {separator})::{db_type}[])", [*lhs_params, text]
        return f"{lhs} = ANY(%s::{db_type}[])", [*lhs_params, values]


JOIN_FROM = 100  # values: below this, the array parameter as it is
_UNIT_SEPARATOR = "\x1f"


def _joined(values: list[Any]) -> tuple[str, str] | None:
    """A long list of plain integers or texts as one text and the SQL of its separator (what
    ``string_to_array`` splits back into exactly these values), or None for anything else (short,
    mixed, a text holding the separator)."""
    if len(values) < JOIN_FROM:
        return None
    if all(type(v) is int for v in values):
        return ",".join(map(str, values)), "','"
    if all(type(v) is str and _UNIT_SEPARATOR not in v for v in values):
        return _UNIT_SEPARATOR.join(values), "chr(31)"
    return None


def values_in(lookup: str, values: Sequence[Any]) -> Iterator[Q]:
    """The filters that together select ``lookup`` in ``values`` (an empty list: none)."""
    if not values:
        return
    if connection.vendor == "postgresql":
        yield Q(**{f"{lookup}__any_of": list(values)})
        return
    for i in range(0, len(values), CHUNK):
        yield Q(**{f"{lookup}__in": list(values[i:i + CHUNK])})


def values_in_q(lookup: str, values: Sequence[Any]) -> Q:
    """``values_in`` as one filter (OR of its parts; an empty list selects nothing)."""
    cond = Q(pk__in=[])
    for where in values_in(lookup, values):
        cond |= where
    return cond
