"""Operating-risk signals from the monthly 园区大脑 readings.

An enterprise whose power use (用电量) falls more than ``RISK_DROP`` against the same month last
year in ``RISK_MONTHS`` consecutive months, while its latest approved 附表1 row shows a loan
balance, is a ``RiskSignal`` (per enterprise and month — the last month of the run) on the desk
of its 主要授信银行 and of the city's branch regulator. ``risk_signals_rebuild`` recomputes a park's
signals from scratch and upserts them (idempotent; an acknowledged signal keeps its note); it runs
in a Celery task enqueued on commit whenever readings of the park are saved
(``parks.signals.readings_changed``) or a 附表1 of the park changes state. A park whose summed
readings fall the same way is flagged on its page (``park_readings_drop``, read live)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterable

from celery import shared_task
from django.db import OperationalError, transaction
from django.db.models import Sum

from parks.models import BrainReading, Enterprise, Park
from reports.filings.choices import FilingStatus, ScheduleCode
from reports.filings.models import T1Row
from reports.monitoring.banks import BankNames
from reports.monitoring.models import RiskSignal
from reports.monitoring.upsert import upsert_closing
from reports.schedules.numbers import rounded

RISK_DROP = Decimal("0.30")  # a fall of more than 30 % …
RISK_MONTHS = 2  # … in this many consecutive months, each against the same month last year


def month_add(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def drop_of(now: Decimal | None, base: Decimal | None) -> Decimal | None:
    """The fall against last year as a fraction (0.35 = 35 % lower); None without a base."""
    if now is None or base is None or base <= 0:
        return None
    return 1 - now / base


def falling_months(series: dict[dt.date, Decimal]) -> list[tuple[dt.date, list[Decimal]]]:
    """The months closing a run of ``RISK_MONTHS`` months each down more than ``RISK_DROP`` year on
    year, with the falls (oldest first)."""
    out = []
    for month in sorted(series):
        drops = [drop_of(series.get(month_add(month, -k)), series.get(month_add(month, -k - 12))) for k in range(RISK_MONTHS - 1, -1, -1)]
        if all(d is not None and d > RISK_DROP for d in drops):
            out.append((month, drops))
    return out


def latest_loans(*, usccs: Iterable[str]) -> dict[str, dict[str, Any]]:
    """uscc → its row in the latest approved 附表1 (any park), with the filing's id."""
    rows = (T1Row.objects.filter(filing__schedule=ScheduleCode.T1, filing__status=FilingStatus.APPROVED, uscc__in=list(usccs))
            .values("uscc", "loan_balance", "credit_amount", "main_bank", "lending_bank_count", "filing_id", "filing__park__county__city_code")
            .order_by("uscc", "filing__period__year", "filing__period__quarter", "filing__version"))
    return {r["uscc"]: r for r in rows}  # the last (latest) row of each uscc wins


def _pct(fraction: Decimal) -> Decimal:
    return rounded(fraction * 100, 2)


def risk_signals_compute(*, park_id: int) -> list[dict[str, Any]]:
    """Every signal of the park's enterprises as it stands now."""
    series: dict[int, dict[dt.date, Decimal]] = {}
    for ent, month, kwh in (BrainReading.objects.filter(park_id=park_id, electricity_kwh__isnull=False)
                            .values_list("enterprise_id", "month", "electricity_kwh")):
        series.setdefault(ent, {})[month] = kwh
    runs = {ent: found for ent, s in series.items() if (found := falling_months(s))}
    if not runs:
        return []
    usccs = dict(Enterprise.objects.filter(pk__in=list(runs)).values_list("pk", "uscc"))
    loans = latest_loans(usccs=usccs.values())
    city = Park.objects.filter(pk=park_id).values_list("county__city_code", flat=True).first()
    names = BankNames()
    out = []
    for ent, found in runs.items():
        loan = loans.get(usccs[ent])
        if not loan or not loan["loan_balance"] or loan["loan_balance"] <= 0:
            continue
        for month, drops in found:
            out.append({"enterprise_id": ent, "park_id": park_id, "month": month, "kwh": series[ent][month],
                        "kwh_last_year": series[ent][month_add(month, -12)], "drop": _pct(drops[-1]), "previous_drop": _pct(drops[-2]),
                        "loan_balance": loan["loan_balance"], "credit_amount": loan["credit_amount"] or 0, "main_bank": loan["main_bank"],
                        "lending_bank_count": loan["lending_bank_count"] or 0, "t1_filing_id": loan["filing_id"],
                        "branch_id": names.branch(loan["main_bank"], city or "")})
    return out


SIGNAL_FIELDS = ["kwh", "kwh_last_year", "drop", "previous_drop", "loan_balance", "credit_amount", "main_bank",
                 "lending_bank_count", "t1_filing_id", "branch_id", "is_active"]


@transaction.atomic
def risk_signals_rebuild(*, park_id: int) -> dict[str, int]:
    """Recompute the park's signals and upsert them: running it twice changes nothing; a signal
    that no longer holds is kept inactive (with its acknowledgement)."""
    computed = {(r["enterprise_id"], r["month"]): r | {"is_active": True} for r in risk_signals_compute(park_id=park_id)}
    existing = {(s.enterprise_id, s.month): s for s in RiskSignal.objects.select_for_update().filter(park_id=park_id)}
    # (enterprise, month) is unique: a signal already stored under another park is left alone
    created, updated = upsert_closing(model=RiskSignal, existing=existing, computed=computed, fields=SIGNAL_FIELDS, flag="is_active",
                                      ignore_conflicts=True)
    return {"created": created, "updated": updated, "active": len(computed)}


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def risk_signals_task(park_id: int) -> dict[str, int]:
    return risk_signals_rebuild(park_id=park_id)


def park_readings_drop(*, park_id: int) -> dict[str, Any] | None:
    """The park's summed power use by month; flagged when its latest months fall like an
    enterprise's would. None without readings."""
    totals = {m: v for m, v in BrainReading.objects.filter(park_id=park_id, electricity_kwh__isnull=False)
              .values_list("month").annotate(total=Sum("electricity_kwh")).values_list("month", "total")}
    if not totals:
        return None
    latest = max(totals)
    drops = [drop_of(totals.get(month_add(latest, -k)), totals.get(month_add(latest, -k - 12))) for k in range(RISK_MONTHS - 1, -1, -1)]
    flagged = all(d is not None and d > RISK_DROP for d in drops)
    return {"latest": latest, "flagged": flagged, "drops": [None if d is None else _pct(d) for d in drops],
            "months": [month_add(latest, -k) for k in range(RISK_MONTHS - 1, -1, -1)]}
