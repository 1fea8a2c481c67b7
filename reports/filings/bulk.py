"""Writing a whole row set at the database's speed: one DELETE and, on PostgreSQL, one
``COPY … FROM STDIN`` of every row (``bulk_create`` in batches elsewhere). The values are the
ones ``services._row_instance`` gives a model instance (a missing or empty cell of a NOT NULL
column takes the field's default); nothing here validates — the caller has."""
from __future__ import annotations

from typing import Any

from django.db import connection, models

from reports.filings.models import Filing

BATCH = 1000
_PLANS: dict[type, tuple[tuple[str, str, bool, Any], ...]] = {}


def _plan(model: type[models.Model]) -> tuple[tuple[str, str, bool, Any], ...]:
    """(attribute, column, nullable, default) of every stored field but the primary key."""
    plan = _PLANS.get(model)
    if plan is None:
        plan = _PLANS[model] = tuple(
            (f.attname, f.column, f.null, None if f.null else f.get_default())
            for f in model._meta.concrete_fields if not f.primary_key
        )
    return plan


def _records(plan, filing_id: int, rows: list[dict[str, Any]], first_row_no: int) -> list[list[Any]]:
    """One list of column values per row, in ``plan``'s order: every attribute read in one
    comprehension, then the filing, the row number and the defaults of NOT NULL columns put in."""
    attnames = [p[0] for p in plan]
    at_filing, at_row = attnames.index("filing_id"), attnames.index("row_no")
    defaults = [(i, default) for i, (_a, _c, null, default) in enumerate(plan) if not null and default is not None]
    records = []
    for row_no, values in enumerate(rows, start=first_row_no):
        get = values.get
        record = [get(a) for a in attnames]
        record[at_filing] = filing_id
        record[at_row] = row_no
        for i, default in defaults:
            if record[i] is None:
                record[i] = default
        records.append(record)
    return records


def rows_write(model: type[models.Model], filing: Filing, rows: list[dict[str, Any]]) -> None:
    """Replace every stored row of ``filing`` by ``rows`` (numbered from 1 in this order)."""
    model.objects.filter(filing=filing).delete()
    rows_insert(model, filing, rows)


def rows_insert(model: type[models.Model], filing: Filing, rows: list[dict[str, Any]], *, first_row_no: int = 1) -> None:
    """Add ``rows`` to ``filing``, numbered from ``first_row_no``: one COPY on PostgreSQL."""
    plan = _plan(model)
    records = _records(plan, filing.pk, rows, first_row_no)
    if not records:
        return
    if connection.vendor == "postgresql":
        _copy(model, plan, records)
        return
    attnames = [p[0] for p in plan]
    model.objects.bulk_create([model(**dict(zip(attnames, r))) for r in records], batch_size=BATCH)


_SIMPLE = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.DecimalField,
           models.ForeignKey, models.DateField)  # values psycopg takes as they are (DateTimeField is a DateField: see below)


def values_create(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """New rows of ``model`` given as dicts of attribute → value (a missing one takes the field's
    default), their primary keys not needed: on PostgreSQL one COPY, without a model instance per
    row; elsewhere (or for a model with fields that need preparing) ``bulk_create``."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    simple = all(isinstance(f, _SIMPLE) and not isinstance(f, models.DateTimeField)
                 and not getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False) for f in fields)
    if connection.vendor != "postgresql" or not simple:
        model.objects.bulk_create([model(**r) for r in rows], batch_size=BATCH)
        return
    plan = tuple((f.attname, f.column, f.null, None) for f in fields)
    defaults = [(f.attname, f.get_default()) for f in fields]
    _copy(model, plan, [[r[a] if a in r else d for a, d in defaults] for r in rows])


def _copy(model: type[models.Model], plan, records: list[list[Any]]) -> None:
    qn = connection.ops.quote_name
    columns = ", ".join(qn(p[1]) for p in plan)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for record in records:
                copy.write_row(record)


def same_value(a: Any, b: Any) -> bool:
    """THE rule for "this cell did not change": equal values (``Decimal`` by value), empty text and
    None alike. Saves (updated / unchanged), 附表4 and the version diff all ask here."""
    return a == b or ((a is None or a == "") and (b is None or b == ""))


def same_row(schedule, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Every column of the schedule holds the same value (``same_value``), stopping at the first difference."""
    return all(same_value(old.get(c.key), new.get(c.key)) for c in schedule.columns)


def count_changes(schedule, before: dict[Any, dict[str, Any]], rows: list[dict[str, Any]]) -> tuple[int, int]:
    """(updated, unchanged) of ``rows`` against the stored rows ``before`` (natural key → values)."""
    natural_key = schedule.natural_key
    updated = unchanged = 0
    for r in rows:
        old = before.get(r.get(natural_key))
        if old is None:
            continue
        if same_row(schedule, old, r):
            unchanged += 1
        else:
            updated += 1
    return updated, unchanged
