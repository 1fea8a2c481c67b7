"""``demo_build``: the demo registers, then (unless ``filings=False``) the 2019Q2–2020Q4 filings
with their timelines, the latest period kept open with its quality warnings against history
(``quality``), and the city and province summaries."""
from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from reports.demo.filings import demo_filings_build
from reports.demo.helpers import write
from reports.demo.monitoring import demo_monitoring_build
from reports.demo.quality import demo_quality_build
from reports.demo.registers import registers_build
from reports.filings.models import Period
from reports.summaries.rollups import summaries_rebuild_all


def demo_build(
    *, scale: float = 1.0, seed: int = 2020, stdout: IO[str] | None = None, filings: bool = True,
) -> dict[str, Any]:
    """Fill an empty database with demo data; returns the counts and the demo logins. With
    ``filings`` it also writes the 2019Q2–2020Q4 filings (附表1/2/4/5 and the 2018Q4 附表4 baseline)."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    with transaction.atomic():
        result = registers_build(scale=scale, seed=seed, stdout=stdout)
        if filings:
            result["filings"] = demo_filings_build(seed=seed, scale=scale, stdout=stdout)
            result["open_period"] = _demo_open_latest_period()
            result["quality"] = demo_quality_build(stdout=stdout)  # on filings in review: the roll-ups are untouched
    if filings:
        _demo_rollups(stdout=stdout)
        # after every earlier step, with its own random generator (earlier figures unchanged)
        result["monitoring"] = demo_monitoring_build(seed=seed, stdout=stdout)
    return result


def _demo_open_latest_period() -> str:
    """The demo's latest period (2020Q4, mid-review) stays open for filers: its lock date moves to
    90 days from today, so the demo logins can file, submit and review."""
    period = Period.objects.filter(is_baseline=False).order_by("-year", "-quarter").first()
    Period.objects.filter(pk=period.pk).update(lock_date=timezone.localdate() + dt.timedelta(days=90))
    return period.code


def _demo_rollups(*, stdout: IO[str] | None) -> None:
    """Build the city and province summaries the dashboards read (bulk inserts skip the approval hook)."""
    for period in Period.objects.filter(is_baseline=False).order_by("year", "quarter"):
        summaries_rebuild_all(period=period)
    write(stdout, "已生成各报送期的地市及全省汇总。")
