"""Writing the roll-ups at the database's speed. On PostgreSQL, the parts of a build (one
``ParkSummary`` a park) and the summaries of a full rebuild (``Summary``, one a city and the
province) are each written by ONE statement whose rows travel as one JSON document: encoded by
orjson exactly as the models' ``DjangoJSONEncoder`` would store them (decimals as exact strings),
not quoted value by value by the driver. Elsewhere (SQLite) ``bulk_create`` / ``bulk_update``."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from portal import generation
from reports.summaries.models import ParkSummary, Summary

_DJANGO = DjangoJSONEncoder().default


def _default(value: Any) -> Any:
    """``DjangoJSONEncoder``'s encoding, decimals (most values here) first."""
    return str(value) if type(value) is Decimal else _DJANGO(value)


_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def json_text(value: Any) -> str:
    """``value`` as the JSON text a ``JSONField(encoder=DjangoJSONEncoder)`` stores (its decimals,
    dates and times through the encoder's own ``default``)."""
    return orjson.dumps(value, default=_default, option=_OPTIONS).decode()


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def park_summaries_write(*, period_id: int, entries: dict[int, dict[str, Any]], now: dt.datetime) -> None:
    """Upsert the parts of these parks (park id → part, in its stored form) and mark them clean."""
    if not entries:
        return
    if not _postgres():
        ParkSummary.objects.bulk_create([ParkSummary(park_id=pid, period_id=period_id, data=entry, dirty=False, built_at=now) for pid, entry in entries.items()],
                                        update_conflicts=True, unique_fields=["park", "period"], update_fields=["data", "dirty", "built_at"], batch_size=1000)
        return
    table = connection.ops.quote_name(ParkSummary._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (park_id, period_id, data, dirty, built_at) "
            "SELECT (e->>0)::bigint, %s, e->1, false, %s FROM jsonb_array_elements(%s::jsonb) AS e "
            "ON CONFLICT (park_id, period_id) DO UPDATE SET data = EXCLUDED.data, dirty = false, built_at = EXCLUDED.built_at",
            [period_id, now, json_text([[pid, entry] for pid, entry in entries.items()])])


@dataclass
class Built:
    """One summary's new content (``summaries_write``)."""

    summary: Summary
    data: dict[str, Any]
    versions: dict[str, int]
    parts: dict[str, Any]
    build_ms: int


def summaries_write(built: list[Built], *, now: dt.datetime) -> list[Summary]:
    """Store these summaries' data, versions and parts (one statement), counting one more build of
    each; the callers hold their rows locked. The dashboards' prepared pages become unreachable."""
    for b in built:
        s = b.summary
        s.data, s.source_versions, s.parts, s.built_at, s.build_ms = b.data, b.versions, b.parts, now, b.build_ms
        s.builds += 1
    if not built:
        return []
    if not _postgres():
        Summary.objects.bulk_update([b.summary for b in built], ["data", "source_versions", "parts", "built_at", "build_ms", "builds"])
    else:
        table = connection.ops.quote_name(Summary._meta.db_table)
        rows = [{"id": b.summary.pk, "data": b.data, "versions": b.versions, "parts": b.parts, "ms": b.build_ms} for b in built]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS s SET data = e->'data', source_versions = e->'versions', parts = e->'parts', "
                "built_at = %s, build_ms = (e->>'ms')::integer, builds = s.builds + 1 "
                "FROM jsonb_array_elements(%s::jsonb) AS e WHERE s.id = (e->>'id')::bigint",
                [now, json_text(rows)])
    generation.bump()  # no post_save: the prepared pages built from the old summaries are unreachable now
    return [b.summary for b in built]
