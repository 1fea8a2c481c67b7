"""Reads of the monitoring lists, always through ``portal.access``."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from parks.models import BrainReading
from portal import access
from reports.filings.choices import FilingStatus, ScheduleCode
from reports.filings.models import Period, T1Row
from reports.monitoring.models import ReconciliationItem, RiskSignal
from reports.monitoring.risk import month_add, park_readings_drop


def reconciliation_items(*, user: Any, period: Period | None = None, open_only: bool = True) -> QuerySet:
    qs = access.restrict(user, ReconciliationItem.objects.select_related("period", "park", "branch"))
    if period is not None:
        qs = qs.filter(period=period)
    return qs.filter(is_open=True) if open_only else qs


def risk_signals(*, user: Any, period: Period | None = None, active_only: bool = True) -> QuerySet:
    qs = access.restrict(user, RiskSignal.objects.select_related("enterprise", "park", "branch", "acknowledged_by"))
    if period is not None:
        qs = qs.filter(month__gte=period.start, month__lte=period.end)
    return qs.filter(is_active=True) if active_only else qs


def open_counts(*, user: Any) -> dict[str, int]:
    """Open differences and unacknowledged signals the user sees (landing page, dashboards)."""
    return {"reconciliation": reconciliation_items(user=user).count(),
            "risk": risk_signals(user=user).filter(acknowledged_at__isnull=True).count()}


def _num(v: Any) -> float | None:
    return None if v is None else float(v)


def risk_chart(*, signal: RiskSignal) -> dict[str, Any]:
    """The enterprise's monthly power use (and last year's) over the 12 months to the signal,
    beside the loan balance of each approved 附表1 (at its quarter's months)."""
    months = [month_add(signal.month, -k) for k in range(11, -1, -1)]
    kwh = dict(BrainReading.objects.filter(enterprise=signal.enterprise, month__gte=month_add(months[0], -12), month__lte=months[-1])
               .values_list("month", "electricity_kwh"))
    loans: dict[tuple[int, int], Any] = {}
    for year, quarter, balance in (T1Row.objects.filter(uscc=signal.enterprise.uscc, filing__schedule=ScheduleCode.T1,
                                                        filing__status=FilingStatus.APPROVED)
                                   .order_by("filing__period__year", "filing__period__quarter", "filing__version")
                                   .values_list("filing__period__year", "filing__period__quarter", "loan_balance")):
        loans[(year, quarter)] = balance
    return {"categories": [f"{m:%Y-%m}" for m in months],
            "series": [{"name": "用电量（千瓦时）", "data": [_num(kwh.get(m)) for m in months]},
                       {"name": "上年同月用电量", "data": [_num(kwh.get(month_add(m, -12))) for m in months], "dashed": True},
                       {"name": "贷款余额（万元）", "data": [_num(loans.get((m.year, (m.month - 1) // 3 + 1))) for m in months], "axis": 1}]}


def desk_links(*, user: Any, branch_id: int | None = None, park_id: int | None = None) -> dict[str, Any]:
    """The open items of one bank or one park that ``user`` sees (a link with the count on the bank
    dashboard and the park page), and for a park whether its summed readings fall."""
    items, signals = reconciliation_items(user=user), risk_signals(user=user).filter(acknowledged_at__isnull=True)
    if branch_id is not None:
        items, signals = items.filter(branch_id=branch_id), signals.filter(branch_id=branch_id)
    if park_id is not None:
        items, signals = items.filter(park_id=park_id), signals.filter(park_id=park_id)
    out: dict[str, Any] = {"reconciliation": items.count(), "risk": signals.count()}
    if park_id is not None:
        out["park_drop"] = park_readings_drop(park_id=park_id)
    return out
