"""The demo's 园区大脑 readings and what the monitoring stage derives from them — a step run after
every earlier demo step, with its own random generator (the earlier steps' draws, and so the
figures ``tests/test_seed_demo.py`` pins, are untouched).

``demo_readings_build`` writes 24 months (2019-01 … 2020-12) of power, water and gas readings for
the tenants of the given parks; about one in twelve enterprises with a loan uses 35–55 % less power
in Nov and Dec 2020 than a year before, and one park's tenants fall together. Then the risk signals
of those parks and the reconciliation of every period are rebuilt (the stored tables the desk reads)."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import IO, Iterable

from django.db.models import Q
from django.utils import timezone

from parks.models import BrainReading, Park, Tenancy
from portal.models import User
from reports.demo.helpers import write
from reports.filings.choices import FilingStatus
from reports.filings.models import Period, T1Row
from reports.monitoring.reconciliation import reconciliation_rebuild
from reports.monitoring.risk import risk_signals_rebuild

SEED_OFFSET = 1616  # the step's own generator: random.Random(seed + SEED_OFFSET)
MONTHS = [dt.date(y, m, 1) for y in (2019, 2020) for m in range(1, 13)]
DROP_MONTHS = (dt.date(2020, 11, 1), dt.date(2020, 12, 1))


def demo_parks(*, count: int = 6) -> list[int]:
    """The demo login's park first, then the Hangzhou parks with the most approved ledger rows."""
    login = User.objects.filter(username="park").values_list("organisation_id", flat=True).first()
    first = list(Park.objects.filter(operator_id=login).order_by("code").values_list("pk", flat=True)) if login else []
    others = (Park.objects.filter(county__city_code="330100").exclude(pk__in=first).order_by("code").values_list("pk", flat=True))
    return (first + list(others))[:count]


def demo_readings_build(*, seed: int, park_ids: Iterable[int], falling_park: int | None = None) -> int:
    """Readings of the parks' current tenants; returns how many were written."""
    rng = random.Random(seed + SEED_OFFSET)
    park_ids = list(park_ids)
    indebted = set(T1Row.objects.filter(filing__status=FilingStatus.APPROVED, loan_balance__gt=0).values_list("uscc", flat=True).distinct())
    pusher = User.objects.filter(username="park").first()
    now = timezone.now()
    tenants = (Tenancy.objects.filter(park_id__in=park_ids).filter(Q(left_on__isnull=True) | Q(left_on__gte=dt.date(2020, 12, 31)))
               .order_by("park_id", "enterprise_id").values_list("park_id", "enterprise_id", "enterprise__uscc"))
    rows: list[BrainReading] = []
    for park_id, enterprise_id, uscc in tenants:
        base = Decimal(rng.randrange(3_000, 80_000))
        falls = park_id == falling_park or (uscc in indebted and rng.random() < 1 / 12)
        depth = Decimal(rng.randrange(35, 56)) / 100
        for month in MONTHS:
            kwh = base * Decimal(rng.randrange(95, 106)) / 100
            if falls and month in DROP_MONTHS:
                kwh *= 1 - depth
            rows.append(BrainReading(enterprise_id=enterprise_id, park_id=park_id, month=month, electricity_kwh=kwh.quantize(Decimal("0.01")),
                                     water_t=Decimal(rng.randrange(20, 900)), gas_m3=Decimal(rng.randrange(0, 400)),
                                     pushed_by=pusher, pushed_at=now))
    BrainReading.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return len(rows)


def demo_monitoring_build(*, seed: int, stdout: IO[str] | None = None) -> dict[str, int]:
    parks = demo_parks()
    written = demo_readings_build(seed=seed, park_ids=parks, falling_park=parks[-1] if len(parks) > 1 else None)
    signals = sum(risk_signals_rebuild(park_id=p)["active"] for p in parks)
    items = sum(reconciliation_rebuild(period_id=p)["open"] for p in Period.objects.filter(is_baseline=False).values_list("pk", flat=True))
    write(stdout, f"已生成园区大脑读数 {written} 条、经营风险信号 {signals} 条、园区与银行对账差异 {items} 项。")
    return {"readings": written, "risk_signals": signals, "reconciliation_items": items}
