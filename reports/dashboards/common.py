"""What every dashboard page shares: the period picker, the links between pages, the 含宁波 /
不含宁波 sides and the small figure helpers."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, Value
from django.urls import reverse
from django.utils import timezone

from portal import access
from reports.filings.models import Period
from reports.schedules.numbers import ratio, rounded
from reports.targets.indicators import dec

SIDES = (("incl", "含宁波"), ("excl", "不含宁波"))


def periods_for_picker() -> list[Period]:
    return list(Period.objects.filter(is_baseline=False).order_by("-year", "-quarter"))


def period_pick(periods: list[Period], code: str | None, today: dt.date) -> Period | None:
    """The requested period, or the latest quarter that has ended."""
    if code:
        for p in periods:
            if p.code == code.upper():
                return p
    ended = [p for p in periods if p.end < today]
    return (ended or periods or [None])[0]


def period_codes(periods: list[Period]) -> list[str]:
    """The codes of ``periods`` in time order (the categories of the trend charts)."""
    return [p.code for p in sorted(periods, key=lambda p: (p.year, p.quarter))]


def yi(value: Any) -> Decimal | None:
    """万元 → 亿元 (2 decimals, half-up)."""
    v = dec(value)
    return None if v is None else rounded(v / 10000)


def share(a: Any, b: Any) -> Decimal | None:
    return ratio(a, b)


def local(value: dt.datetime | None) -> str:
    return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def park_url(code: str, period: Period | None = None) -> str:
    url = reverse("dashboards:park", args=[code])
    return f"{url}?period={period.code}" if period else url


def city_url(code: str, period: Period, **params: str) -> str:
    query = "&".join([f"period={period.code}"] + [f"{k}={v}" for k, v in params.items()])
    return f"{reverse('dashboards:city', args=[code])}?{query}"


def holds(q: Q):
    """``q`` as a boolean column (for ``annotate``)."""
    if q == access.ALL:
        return Value(True)
    if q == access.NONE:
        return Value(False)
    return ExpressionWrapper(q, output_field=BooleanField())
