"""Small helpers shared by the demo builders: rounding, apportioning, weighted draws, dates, names,
bulk writes and progress messages."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import IO, Any, TypeVar

from django.db import connection, models

from reports.demo.calibration import GIVEN_NAME_CHARS, LAST, SURNAME_CHARS, TZ
from reports.demo.catalogue import BATCH_SIZE

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")


def round_half_up(x: float) -> int:
    """Round half up (``round`` rounds half to even)."""
    return int(x + 0.5)


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder; ties go to the earlier)."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def weighted_sample(rng: random.Random, items: Sequence[T], weights: Sequence[float], k: int) -> list[T]:
    """``k`` distinct items drawn with probability proportional to their weight."""
    pool, pool_weights, chosen = list(items), list(weights), []
    while pool and len(chosen) < k:
        i = rng.choices(range(len(pool)), weights=pool_weights)[0]
        chosen.append(pool.pop(i))
        pool_weights.pop(i)
    return chosen


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def short_name(name: str) -> str:
    """西湖区 → 西湖, 义乌市 → 义乌, 景宁畲族自治县 → 景宁, 杭州市 → 杭州."""
    if name.endswith("自治县"):
        return name[:2]
    if len(name) > 2 and name[-1] in "市区县":
        return name[:-1]
    return name


def quotas(shares: Sequence[tuple[Any, float]], total: int) -> list[Any]:
    counts = apportion(total, [share for _, share in shares])
    return [value for (value, _), n in zip(shares, counts) for _ in range(n)]


def write(stdout: IO[str] | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message if message.endswith("\n") else message + "\n")


def bulk_insert(model: type[M], objs: list[M], key: str) -> list[M]:
    """``bulk_create`` in batches; fetch the primary keys by ``key`` where the backend returns none."""
    created = model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
    if created and any(obj.pk is None for obj in created):
        ids = dict(model.objects.values_list(key, "pk"))
        for obj in created:
            obj.pk = ids[getattr(obj, key)]
    return created



def as_money(x: float) -> Decimal:
    return Decimal(f"{x:.2f}")


def as_rate(x: float) -> Decimal:
    return Decimal(f"{x:.2f}")


def clamp(x: float, low: float, high: float) -> float:
    return low if x < low else high if x > high else x


def round_credit(x: float) -> float:
    """Credit lines are round numbers."""
    if x < 10:
        return float(max(1, round(x)))
    if x < 100:
        return float(round(x / 5) * 5)
    if x < 1000:
        return float(round(x / 10) * 10)
    return float(round(x / 50) * 50)


def curve_at(start: float, end: float, i: int, power: float = 0.8) -> float:
    return start + (end - start) * (i / LAST) ** power


def moment(day: dt.date, rng: random.Random) -> dt.datetime:
    """A working-hours moment of ``day``."""
    return dt.datetime(day.year, day.month, day.day, rng.randint(8, 19), rng.randint(0, 59), rng.randint(0, 59), tzinfo=TZ)


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN_NAME_CHARS) + (rng.choice(GIVEN_NAME_CHARS) if rng.random() < 0.7 else "")
    return rng.choice(SURNAME_CHARS) + given



def update_many(model: type[models.Model], objs: list[models.Model], fields: tuple[str, ...]) -> None:
    """``UPDATE … WHERE id = %s`` for every object, values prepared by the fields themselves."""
    if not objs:
        return
    model_fields = [model._meta.get_field(name) for name in fields]
    qn = connection.ops.quote_name
    sql = (f"UPDATE {qn(model._meta.db_table)} SET " + ", ".join(f"{qn(f.column)} = %s" for f in model_fields)
           + f" WHERE {qn(model._meta.pk.column)} = %s")
    params = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in model_fields] + [obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        for start in range(0, len(params), 2000):
            cursor.executemany(sql, params[start:start + 2000])


def pick_weighted(choices: tuple[tuple[str, float], ...], roll: float) -> str:
    total = sum(w for _, w in choices)
    acc = 0.0
    for value, weight in choices:
        acc += weight / total
        if roll < acc:
            return value
    return choices[-1][0]

