"""Roll-ups: when they run, and the full rebuild.

An approval, any workflow step or a register change marks the parks whose figures it moved dirty
(``ParkSummary``) and requests, on commit, the refresh of their city; the city's build reads again
only its dirty parks and then requests the province, which sums the cities' parts. Requests
coalesce: while one is queued (``Summary.queued``) later ones enqueue nothing, and the task waits
``ROLLUP_COALESCE_SECONDS`` before it starts, so a burst of approvals costs one refresh per scope.
Under eager Celery a request never waits for them (``portal.deferred``). The full rebuild (nightly,
``rebuild_summaries``) recomputes every park's part in one pass and runs the same builds."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, Iterable

from celery import shared_task
from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from parks.models import Park, PartnerLink
from portal import deferred, generation
from portal.choices import ZHEJIANG_CODE, OrgKind
from portal.models import Region
from reports.filings.models import Filing, Period
from reports.summaries.bank_figures import banks_block  # noqa: F401  (a name of this module for callers)
from reports.summaries.builds import Prepared, cities, city_data, province_data, summaries_rebuild_prepared, summary_rebuild  # noqa: F401
from reports.summaries.models import Summary
from reports.summaries.park_summaries import parks_mark_dirty, periods_referring
from reports.summaries.signals import province_summary_built
from reports.workflow.transitions import subject_city_code

log = logging.getLogger(__name__)


# --- triggering and coalescing ---------------------------------------------------------------

def summary_request(*, scope: str, code: str, period_id: int, countdown: float | None = None) -> bool:
    """Ask for a rebuild. Only the first request while none is queued enqueues a task (on commit);
    the task clears the flag when it starts, so a burst of approvals costs a few rebuilds."""
    now = timezone.now()
    Summary.objects.get_or_create(scope=scope, code=code, period_id=period_id)
    claimed = Summary.objects.filter(scope=scope, code=code, period_id=period_id, queued=False).update(queued=True, queued_at=now, requested_at=now)
    Summary.objects.filter(scope=scope, code=code, period_id=period_id).update(requested_at=now)
    generation.bump()  # the pages reading it show “更新中”
    if claimed:
        wait = settings.ROLLUP_COALESCE_SECONDS if countdown is None else countdown
        deferred.enqueue_on_commit(summary_rebuild_task, (scope, code, period_id), countdown=wait)
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


def park_changed(*, park_id: int, city_code: str, period_ids: Iterable[int], refresh: bool = True) -> None:
    """The figures of the park's approved 附表1 in these periods changed: its parts are marked dirty
    there and in the later periods that compare with them, and the refresh of its city (then the
    province) is requested, on commit and coalesced, for these periods (unless ``refresh`` is
    False: the caller requests them) and for the later ones whose summary exists."""
    periods = list(Period.objects.filter(pk__in=set(period_ids)))
    referring = {pk for p in periods for pk in periods_referring(period=p)} - {p.pk for p in periods}
    parks_mark_dirty(park_ids=[park_id], period_ids=[*(p.pk for p in periods), *referring])
    for period_id in sorted(({p.pk for p in periods} if refresh else set()) | set(_built_periods(city_code, referring))):
        summary_request(scope=Summary.Scope.CITY, code=city_code, period_id=period_id)


def _built_periods(city_code: str, period_ids: Iterable[int]) -> list[int]:
    return list(Summary.objects.filter(scope=Summary.Scope.CITY, code=city_code, period_id__in=list(period_ids)).values_list("period_id", flat=True))


def filing_transitioned_receiver(sender, *, filing: Filing, **kwargs) -> None:
    """Every workflow step (on commit) refreshes the filing's city (figures and completeness), then
    (from that task) the province. A 附表1 approved, or no longer the approved version, has marked
    its park dirty already, in the step's transaction (``approved_figures_changed``)."""
    summary_request(scope=Summary.Scope.CITY, code=subject_city_code(filing), period_id=filing.period_id)


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
    """Rebuild every city (or one) and the province: every park's part is recomputed first, with
    one query per figure family for the whole province, then the cities and the province are built
    from them as the incremental path builds them."""
    if city_code:
        built = [summary_rebuild(scope=Summary.Scope.CITY, code=city_code, period_id=period.pk,
                                 prepared=Prepared.read(period=period, city_code=city_code, full=True))]
        built.append(summary_rebuild(scope=Summary.Scope.PROVINCE, code=ZHEJIANG_CODE, period_id=period.pk))
        _province_built(period_id=period.pk)
        return built
    built = summaries_rebuild_prepared(period=period, prepared=Prepared.read(period=period, city_code=None, full=True))
    _province_built(period_id=period.pk)
    return built


def approved_figures_changed_receiver(sender, *, park_id: int, city_code: str, period_ids, refresh: bool = True, **kwargs) -> None:
    """An approval (or a return, an amendment replacing the approved version), a register change or
    a 附表1 save that registered new tenants moved the figures of the park's approved 附表1 in these
    periods."""
    park_changed(park_id=park_id, city_code=city_code, period_ids=period_ids, refresh=refresh)


def register_changed_receiver(sender, *, park_id: int, dates=(), **kwargs) -> None:
    """A park's register changed (tenancies, partner links …): its tenants and partner banks at
    the end of every period from the earliest date touched may differ, filed or not. Its parts
    there are dirty, and the summaries of those periods that exist are refreshed."""
    periods = Period.objects.filter(end__gte=min(dates)) if dates else Period.objects.all()
    period_ids = list(periods.values_list("pk", flat=True))
    parks_mark_dirty(park_ids=[park_id], period_ids=period_ids)
    city = Park.objects.filter(pk=park_id).values_list("county__city_code", flat=True).first()
    for period_id in _built_periods(city, period_ids) if city else ():
        summary_request(scope=Summary.Scope.CITY, code=city, period_id=period_id)
    # a partner link also decides which bank branches a period expects (completeness, kept in the
    # parts of the branch's city): a branch of another city has its city refreshed too
    others = set(PartnerLink.objects.filter(park_id=park_id, branch__kind=OrgKind.BANK_BRANCH).exclude(branch__region__code=city)
                 .values_list("branch__region__code", flat=True))
    for other in sorted(others):
        for period_id in _built_periods(other, period_ids):
            summary_request(scope=Summary.Scope.CITY, code=other, period_id=period_id)
