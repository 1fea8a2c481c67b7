"""Writing a whole row set at the database's speed: the rows a full replace would write exactly as
they are stored (same content digest, ``row_hash``) are left untouched, the others deleted and, on
PostgreSQL, written by one ``COPY … FROM STDIN`` (``bulk_create`` in batches elsewhere). The values
are the ones ``services._row_instance`` gives a model instance (a missing or empty cell of a NOT
NULL column takes the field's default); nothing here validates — the caller has."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import connection, models

from reports.filings.inlists import values_in
from reports.filings.models import Filing

BATCH = 1000
_PLANS: dict[type, tuple[tuple[str, str, bool, Any], ...]] = {}
_POSITION = ("filing_id", "row_no", "row_hash")  # where a row is and its digest: not its content


def _plan(model: type[models.Model]) -> tuple[tuple[str, str, bool, Any], ...]:
    """(attribute, column, nullable, default) of every stored field but the primary key."""
    plan = _PLANS.get(model)
    if plan is None:
        plan = _PLANS[model] = tuple(
            (f.attname, f.column, f.null, None if f.null else f.get_default())
            for f in model._meta.concrete_fields if not f.primary_key
        )
    return plan


def row_hash(record: list[Any]) -> int:
    """THE digest of a row's content: every stored value but the filing, the row number and the
    digest itself (``None`` at those places), as written — equal digests, equal rows in the database
    (a signed 64-bit ``BigIntegerField``)."""
    data = orjson.dumps(record, default=str)  # Decimal as its text: 1.50 is not 1.5 — a rewrite at worst
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big", signed=True)


def _records(plan, filing_id: int, rows: list[dict[str, Any]], first_row_no: int) -> list[list[Any]]:
    """One list of column values per row, in ``plan``'s order: every attribute read in one
    comprehension, the defaults of NOT NULL columns put in, the digest of that content taken
    (``row_hash``, when the model keeps one), then the filing and the row number put in."""
    attnames = [p[0] for p in plan]
    at_filing, at_row = attnames.index("filing_id"), attnames.index("row_no")
    at_hash = attnames.index("row_hash") if "row_hash" in attnames else None
    positions = [attnames.index(a) for a in _POSITION if a in attnames]
    defaults = [(i, default) for i, (_a, _c, null, default) in enumerate(plan) if not null and default is not None]
    records = []
    for row_no, values in enumerate(rows, start=first_row_no):
        record = list(map(values.get, attnames))
        for i in positions:
            record[i] = None
        for i, default in defaults:
            if record[i] is None:
                record[i] = default
        if at_hash is not None:
            record[at_hash] = row_hash(record)
        record[at_filing] = filing_id
        record[at_row] = row_no
        records.append(record)
    return records


@dataclass
class ReplacePlan:
    """A full replace of a filing's rows against what it stores now (``replace_plan``): the
    answer's counts, and the least write that gets there (``replace_apply``)."""

    model: type[models.Model]
    filing_id: int
    write: list[list[Any]] = field(default_factory=list)  # records to insert
    remove: list[int] = field(default_factory=list)  # stored rows (pk) to delete
    renumber: list[tuple[int, int]] = field(default_factory=list)  # stored rows kept as they are but moved: (pk, row_no)
    remove_all: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


def replace_plan(model: type[models.Model], schedule, filing: Filing, rows: list[dict[str, Any]]) -> ReplacePlan:
    """Replace every stored row of ``filing`` by ``rows`` (numbered from 1 in this order): the
    counts by natural key (created, updated / unchanged by ``same_row``, deleted) and the rows
    to write. A stored row whose digest (``row_hash``) is the new one's is unchanged without a look
    at its values, and is kept (its primary key too; renumbered in place when it moved, on
    PostgreSQL); a row whose digest differs (or is unknown) is compared value by value for the
    count (one query for all of them) and written anew."""
    plan = _plan(model)
    records = _records(plan, filing.pk, rows, 1)
    attnames = [p[0] for p in plan]
    at_hash, at_row = attnames.index("row_hash"), attnames.index("row_no")
    natural_key = schedule.natural_key
    stored = {k: (pk, n, h) for pk, k, n, h in
              model.objects.filter(filing=filing).order_by().values_list("pk", natural_key, "row_no", "row_hash")}
    out = ReplacePlan(model=model, filing_id=filing.pk)
    keys = [r.get(natural_key) for r in rows]
    out.created = sum(1 for k in keys if k not in stored)
    sent = set(keys)
    out.deleted = sum(1 for k in stored if k not in sent)
    moves = connection.vendor == "postgresql"
    kept: set[int] = set()
    doubtful: list[int] = []
    for i, (key, record) in enumerate(zip(keys, records)):
        old = stored.get(key)
        if old is None:
            continue
        pk, row_no, digest = old
        if digest is None or digest != record[at_hash]:
            doubtful.append(i)
            continue
        out.unchanged += 1
        if pk not in kept and (row_no == record[at_row] or moves):
            kept.add(pk)
            records[i] = None  # not written
            if row_no != i + 1:
                out.renumber.append((pk, i + 1))
    if doubtful:
        old_values = _values_of(model, schedule, [stored[keys[i]][0] for i in doubtful])
        for i in doubtful:
            if same_row(schedule, old_values[keys[i]], rows[i]):
                out.unchanged += 1
            else:
                out.updated += 1
    out.write = [r for r in records if r is not None]
    out.remove = [pk for pk, _n, _h in stored.values() if pk not in kept]
    out.remove_all = not kept
    return out


def _values_of(model: type[models.Model], schedule, pks: list[int]) -> dict[Any, dict[str, Any]]:
    """Stored rows ``pks`` by natural key: their values of the schedule's columns."""
    keys = [c.key for c in schedule.columns]
    out: dict[Any, dict[str, Any]] = {}
    for where in values_in("pk", pks):
        out.update((r[schedule.natural_key], r) for r in model.objects.filter(where).order_by().values(*keys))
    return out


def replace_apply(plan: ReplacePlan) -> int:
    """Write ``plan``: the rows to remove deleted (all of the filing's in one statement when none
    is kept), the kept ones that moved renumbered, the new records inserted. Returns the rows written."""
    stored = plan.model.objects.filter(filing_id=plan.filing_id)
    if plan.remove_all:
        stored.delete()
    else:
        for where in values_in("pk", plan.remove):
            stored.filter(where).delete()
    if plan.renumber:  # PostgreSQL only (replace_plan)
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {qn(plan.model._meta.db_table)} AS t SET {qn('row_no')} = v.row_no "
                           f"FROM unnest(%s::bigint[], %s::integer[]) AS v(id, row_no) WHERE t.{qn('id')} = v.id",
                           [[pk for pk, _n in plan.renumber], [n for _pk, n in plan.renumber]])
    _insert(plan.model, _plan(plan.model), plan.write)
    return len(plan.write)


def rows_insert(model: type[models.Model], filing: Filing, rows: list[dict[str, Any]], *, first_row_no: int = 1) -> None:
    """Add ``rows`` to ``filing``, numbered from ``first_row_no``: one COPY on PostgreSQL."""
    plan = _plan(model)
    _insert(model, plan, _records(plan, filing.pk, rows, first_row_no))


def _insert(model: type[models.Model], plan, records: list[list[Any]]) -> None:
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
