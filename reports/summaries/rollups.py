"""Roll-ups: a city's 附表3 with its banks' 附表4/5 totals, and the province summary.

Every build recomputes from the approved source versions (the latest approved version of each
subject's filing): one SQL aggregate over the approved ledger rows gives each park's T2 figures;
sums by county, city, star level, batch and province follow, and every ratio is recomputed from
the sums (never averaged). A build runs under a row lock on its Summary (one per scope and
period) and writes in one transaction, recording when it ran and which filing versions it used.
Running it twice, or twice at once, gives the same answer."""
from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from portal import generation
from portal.choices import NINGBO_CODE, ZHEJIANG_CODE
from portal.models import Region
from reports.filings.kinds import BANK_PACKAGE
from reports.filings.models import Filing, Period
from reports.filings.periods import shift_code
from reports.filings.selectors import filings_approved_versions
from reports.summaries.bank_figures import banks_block, partner_checks, t4_records
from reports.summaries.completeness import completeness_by_city, completeness_by_county, completeness_items, completeness_rows_data
from reports.summaries.models import Summary
from reports.summaries.park_figures import (
    NOT_FILED_NOTE,
    PARK_PANEL_KINDS,
    Groups,
    _register_block,
    group_finish,
    group_merge,
    group_raw,
    park_figures_earlier,
    parks_figures,
    register_park_counts,
)
from reports.summaries.signals import province_summary_built

log = logging.getLogger(__name__)






# --- builds ----------------------------------------------------------------------------------

@dataclass
class Prepared:
    """What a full rebuild computes once and shares between the city and province builds."""

    parks: list
    versions: dict
    groups: Groups | None = None
    t4_now: list | None = None
    t4_base: list | None = None
    earlier: dict | None = None  # park_figures_earlier
    register: dict | None = None  # register_park_counts



def _earlier_codes(period: Period) -> dict[str, str]:
    return {kind: shift_code(period.code, kind) for kind in PARK_PANEL_KINDS}


def _expected_banks(completeness: list[dict[str, Any]], exclude: str | None = None) -> int:
    return sum(r.get("banks_expected", 0) for r in completeness if r["code"] != exclude)


def city_data(*, city_code: str, period: Period, prepared: Prepared | None = None) -> tuple[dict[str, Any], dict[str, int]]:
    city = Region.objects.get(code=city_code)
    if prepared is None:
        parks, versions = parks_figures(period=period, city_code=city_code)
        earlier = park_figures_earlier(period=period, city_code=city_code)
        prepared = Prepared(parks, versions, group_raw(parks, earlier, _earlier_codes(period)),
                            t4_records(period_code=period.code, city_code=city_code),
                            t4_records(period_code=period.previous_year_end_code, city_code=city_code), earlier,
                            register_park_counts(city_code=city_code))
    parks, versions = prepared.parks, prepared.versions
    register = prepared.register if prepared.register is not None else register_park_counts(city_code=city_code)
    data = {"city": {"code": city.code, "name": city.name, "separately_planned": city.separately_planned},
            "period": period.code, "parks": parks,
            **group_finish(prepared.groups or group_raw(parks, prepared.earlier, _earlier_codes(period))),
            "register": _register_block(register, [city_code]),
            "not_filed": [{"code": p["code"], "name": p["name"], "county": p["county"]} for p in parks if not p["filed"]],
            "not_filed_note": NOT_FILED_NOTE}
    items = completeness_items(period=period, today=timezone.localdate(), city_code=city_code)
    data["completeness"] = completeness_rows_data(completeness_by_city(period=period, today=timezone.localdate(), city_code=city_code, items=items))
    data["county_blocks"] = county_blocks(parks, completeness_by_county(period=period, today=timezone.localdate(), city_code=city_code, items=items))
    data["banks"] = banks_block([r for r in prepared.t4_now if r["city"] == city_code], [r for r in prepared.t4_base if r["city"] == city_code],
                                baseline_code=period.previous_year_end_code, expected=_expected_banks(data["completeness"]))
    data["partners"] = partner_checks(period=period, parks=parks, city_code=city_code)
    versions = dict(versions)
    versions.update({str(k): v for k, v in _t4_t5_versions(period, city_code).items()})
    return data, versions


def county_blocks(parks: list[dict[str, Any]], completeness: list) -> dict[str, dict[str, Any]]:
    """What the county dashboards read beyond the county rows: each county's coverage by star
    level (its parks only) and its parks' 附表1/2 completeness (filed / approved / late)."""
    by_county: dict[str, list] = defaultdict(list)
    for p in parks:
        by_county[p["county_code"]].append(p)
    rows = {r["code"]: r for r in completeness_rows_data(completeness)}
    return {code: {"by_star": group_finish(group_raw(members))["by_star"], "completeness": rows.get(code)}
            for code, members in sorted(by_county.items())}


def _t4_t5_versions(period: Period, city_code: str | None) -> dict[int, int]:
    out = {}
    for schedule in BANK_PACKAGE:
        filters = {"branch__region__code": city_code} if city_code else {}
        out.update({pk: version for pk, version in filings_approved_versions(schedule=schedule, period=period, **filters).values()})
    return out


def province_data(*, period: Period, prepared: Prepared | None = None, city_groups: dict[str, Groups] | None = None) -> tuple[dict[str, Any], dict[str, int]]:
    if prepared is None:
        parks, versions = parks_figures(period=period, city_code=None)
        prepared = Prepared(parks, versions, None, t4_records(period_code=period.code), t4_records(period_code=period.previous_year_end_code),
                            park_figures_earlier(period=period, city_code=None), register_park_counts())
    parks, versions = prepared.parks, dict(prepared.versions)
    register = prepared.register if prepared.register is not None else register_park_counts()
    cities = list(Region.objects.filter(level="city", province_code=ZHEJIANG_CODE).order_by("code"))
    if city_groups is None:
        by_city = defaultdict(list)
        for p in parks:
            by_city[p["city_code"]].append(p)
        city_groups = {c.code: group_raw(by_city[c.code], prepared.earlier, _earlier_codes(period)) for c in cities}
    codes = [c.code for c in cities]
    data = {
        "period": period.code,
        "cities": [{"code": c.code, "name": c.name, "separately_planned": c.separately_planned, **group_finish(city_groups[c.code]),
                    "register": _register_block(register, [c.code])} for c in cities],
        "incl_ningbo": {**group_finish(group_merge(city_groups.values())), "register": _register_block(register, codes)},
        "excl_ningbo": {**group_finish(group_merge(g for code, g in city_groups.items() if code != NINGBO_CODE)),
                        "register": _register_block(register, [c for c in codes if c != NINGBO_CODE])},
        "not_filed_count": sum(1 for p in parks if not p["filed"]),
        "not_filed_note": NOT_FILED_NOTE,
    }
    data["completeness"] = completeness_rows_data(completeness_by_city(period=period, today=timezone.localdate()))
    data["banks"] = {}
    for key, exclude in (("incl_ningbo", None), ("excl_ningbo", NINGBO_CODE)):
        data["banks"][key] = banks_block([r for r in prepared.t4_now if r["city"] != exclude], [r for r in prepared.t4_base if r["city"] != exclude],
                                         baseline_code=period.previous_year_end_code, expected=_expected_banks(data["completeness"], exclude))
    data["partners"] = partner_checks(period=period, parks=parks)
    versions.update({str(k): v for k, v in _t4_t5_versions(period, None).items()})
    return data, versions


def summary_rebuild(*, scope: str, code: str, period_id: int, prepared: Prepared | None = None,
                   city_groups: dict[str, Groups] | None = None) -> Summary:
    """Recompute one summary under a row lock, in one transaction (idempotent)."""
    period = Period.objects.get(pk=period_id)
    Summary.objects.get_or_create(scope=scope, code=code, period=period)
    started = time.perf_counter()
    with transaction.atomic():
        summary = Summary.objects.select_for_update().get(scope=scope, code=code, period=period)
        if scope == Summary.Scope.CITY:
            data, versions = city_data(city_code=code, period=period, prepared=prepared)
        else:
            data, versions = province_data(period=period, prepared=prepared, city_groups=city_groups)
        if settings.ROLLUP_BUILD_DELAY:
            time.sleep(settings.ROLLUP_BUILD_DELAY)
        summary.data = data
        summary.source_versions = versions
        summary.built_at = timezone.now()
        summary.build_ms = int((time.perf_counter() - started) * 1000)
        summary.builds += 1
        summary.save()
    return summary


# --- triggering and coalescing ---------------------------------------------------------------

def summary_request(*, scope: str, code: str, period_id: int, countdown: float = 3.0) -> bool:
    """Ask for a rebuild. Only the first request while none is queued enqueues a task (on commit);
    the task clears the flag when it starts, so a burst of approvals costs a few rebuilds."""
    now = timezone.now()
    Summary.objects.get_or_create(scope=scope, code=code, period_id=period_id)
    claimed = Summary.objects.filter(scope=scope, code=code, period_id=period_id, queued=False).update(queued=True, queued_at=now, requested_at=now)
    Summary.objects.filter(scope=scope, code=code, period_id=period_id).update(requested_at=now)
    generation.bump()  # the pages reading it show “更新中”
    if claimed:
        transaction.on_commit(lambda: summary_rebuild_task.apply_async((scope, code, period_id), countdown=countdown))
    return bool(claimed)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, autoretry_for=(OperationalError,),
             retry_backoff=True, retry_backoff_max=60, max_retries=5)
def summary_rebuild_task(self, scope: str, code: str, period_id: int) -> dict[str, Any]:
    Summary.objects.filter(scope=scope, code=code, period_id=period_id).update(queued=False, queued_at=None)
    generation.bump()
    summary = summary_rebuild(scope=scope, code=code, period_id=period_id)
    if scope == Summary.Scope.CITY:
        summary_request(scope=Summary.Scope.PROVINCE, code=ZHEJIANG_CODE, period_id=period_id)
    else:
        _province_built(period_id=period_id)
    return {"scope": scope, "code": code, "period_id": period_id, "build_ms": summary.build_ms}


def summaries_stuck(*, now=None) -> QuerySet:
    """Summaries whose roll-up was lost: queued longer than settings.ROLLUP_STUCK_MINUTES without a
    task starting (the message was lost: broker restarted empty, enqueue failed after commit), or
    started (flag cleared) but never finished and nothing newer was requested since (the worker
    died and the message is gone). The threshold exceeds the task time limit and the broker's
    visibility timeout, so a task that is running, or that Redis will redeliver, is never counted."""
    cutoff = (now or timezone.now()) - timedelta(minutes=settings.ROLLUP_STUCK_MINUTES)
    queued_too_long = Q(queued=True) & (Q(queued_at__lt=cutoff) | Q(queued_at__isnull=True))
    started_never_built = (Q(queued=False, requested_at__lt=cutoff)
                           & (Q(built_at__isnull=True) | Q(built_at__lt=F("requested_at"))))
    return Summary.objects.filter(queued_too_long | started_never_built)


def summaries_requeue_stuck(*, now=None) -> list[Summary]:
    """Enqueue the rebuild of every stuck summary again (idempotent builds make a duplicate
    harmless); its queued flag restarts the clock, so one lost task costs one more try per
    threshold, not one per beat."""
    now = now or timezone.now()
    requeued = []
    for summary in summaries_stuck(now=now).select_related("period"):
        with transaction.atomic():
            # claim it again only if nothing else did meanwhile (a request, a task, another beat)
            if not summaries_stuck(now=now).filter(pk=summary.pk).update(queued=True, queued_at=now):
                continue
            args = (summary.scope, summary.code, summary.period_id)
            transaction.on_commit(lambda args=args: summary_rebuild_task.apply_async(args))
        log.warning("roll-up %s %s %s was stuck (queued at %s, requested at %s, built at %s): enqueued again",
                    summary.scope, summary.code, summary.period.code, summary.queued_at, summary.requested_at, summary.built_at)
        requeued.append(summary)
    return requeued


@shared_task(acks_late=True, reject_on_worker_lost=True)
def summaries_requeue_stuck_task() -> int:
    """Beat (every few minutes): re-enqueue roll-ups left “更新中” too long."""
    return len(summaries_requeue_stuck())


def _province_built(*, period_id: int) -> None:
    """Later stages follow the province summary (the target results of this period)."""
    province_summary_built.send(sender=Summary, period_id=period_id)


def filing_transitioned_receiver(sender, *, filing: Filing, **kwargs) -> None:
    """Every workflow step: rebuild the filing's city (figures and completeness), then (from that
    task) the province."""
    if filing.park_id:
        city = filing.park.county.city_code
    elif filing.branch_id:
        city = filing.branch.region.code
    else:
        city = filing.city.code
    summary_request(scope=Summary.Scope.CITY, code=city, period_id=filing.period_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def summaries_refresh_open_periods() -> int:
    """Daily (beat): 逾期 counts change with the date alone, so open periods are rebuilt."""
    today = timezone.localdate()
    n = 0
    for period in Period.objects.filter(is_baseline=False, filer_due__lte=today, lock_date__gte=today):
        for code in Region.objects.filter(level="city", province_code=ZHEJIANG_CODE).values_list("code", flat=True):
            n += summary_request(scope=Summary.Scope.CITY, code=code, period_id=period.pk, countdown=0)
    return n


def summaries_rebuild_all(*, period: Period, city_code: str | None = None) -> list[Summary]:
    """Rebuild every city (or one) and the province; the ledger rows are scanned once."""
    if city_code:
        built = [summary_rebuild(scope=Summary.Scope.CITY, code=city_code, period_id=period.pk)]
        built.append(summary_rebuild(scope=Summary.Scope.PROVINCE, code=ZHEJIANG_CODE, period_id=period.pk))
        _province_built(period_id=period.pk)
        return built
    parks, versions = parks_figures(period=period, city_code=None)
    t4_now, t4_base = t4_records(period_code=period.code), t4_records(period_code=period.previous_year_end_code)
    earlier, codes, register = park_figures_earlier(period=period, city_code=None), _earlier_codes(period), register_park_counts()
    by_city: dict[str, list] = defaultdict(list)
    for p in parks:
        by_city[p["city_code"]].append(p)
    built, city_groups = [], {}
    for code in Region.objects.filter(level="city", province_code=ZHEJIANG_CODE).order_by("code").values_list("code", flat=True):
        subset = by_city.get(code, [])
        city_groups[code] = group_raw(subset, earlier, codes)
        ids = {str(p["filing_id"]) for p in subset if p["filed"]}
        prepared = Prepared(subset, {k: v for k, v in versions.items() if k in ids}, city_groups[code], t4_now, t4_base, earlier, register)
        built.append(summary_rebuild(scope=Summary.Scope.CITY, code=code, period_id=period.pk, prepared=prepared))
    built.append(summary_rebuild(scope=Summary.Scope.PROVINCE, code=ZHEJIANG_CODE, period_id=period.pk,
                                 prepared=Prepared(parks, versions, None, t4_now, t4_base, earlier, register), city_groups=city_groups))
    _province_built(period_id=period.pk)
    return built


def approved_figures_changed_receiver(sender, *, city_code: str, period_ids, **kwargs) -> None:
    """A register change moved figures of approved 附表1: rebuild the city for those periods."""
    for period_id in period_ids:
        summary_request(scope=Summary.Scope.CITY, code=city_code, period_id=period_id)
