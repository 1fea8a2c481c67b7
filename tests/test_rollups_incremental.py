"""Incremental roll-ups: after any sequence of approvals, returns, amendments and register changes,
the summaries the incremental path left (each park's part, its city, the province) equal what the
full rebuild computes from the ledger. Plus: a burst of approvals costs one refresh per scope, and a
request does not wait for its roll-ups under eager Celery (they run after the response)."""
import datetime as dt
import os
import time
from unittest import mock

import pytest
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from parks import services as parks_services
from portal import deferred
from reports.filings import services
from reports.filings.models import Filing, Period
from reports.monitoring import receivers as monitoring
from reports.summaries import builds, rollups
from reports.summaries.models import ParkSummary, Summary
from reports.workflow import services as workflow
from reports.workflow.signals import filing_transitioned
from reports.workflow.transitions import lead_bank_id
from tests import factories as f
from tests.test_t1_t2 import raw_row

PERIODS = ("2020Q2", "2020Q3")  # 2020Q2 is 2020Q3's previous quarter: its approvals move Q3's comparable panels


def _users(world, park):
    op = next(u for u in world.users.values() if u.organisation_id == park.operator_id)
    reviewer = world.users["hz_branch"] if park.county.city_code == "330100" else world.users["wz_branch"]
    return op, reviewer


def _draft(world, park, period):
    """The park's current 附表1 as an editable draft (a new version when the current one is approved)."""
    op, _ = _users(world, park)
    filing = services.filing_open(actor=op, schedule="T1", period=period, park=park)
    if filing.status == "approved":
        filing = workflow.filing_amend(actor=op, filing=filing)
    elif filing.status in ("submitted", "confirmed"):
        return None
    return filing


def _submit(world, park, period, seed):
    op, _ = _users(world, park)
    filing = _draft(world, park, period)
    if filing is None:
        return None
    tenants = list(park.tenancies.select_related("enterprise").order_by("pk"))[:4]
    rows = [raw_row(i, t.enterprise.uscc, str((seed * (i + 3)) % 7 * 50)) for i, t in enumerate(tenants)]
    assert services.filing_rows_replace(actor=op, filing=filing, raw_rows=rows).saved
    filing = services.filing_explanation_save(actor=op, filing=Filing.objects.get(pk=filing.pk), explanation="部分企业未建档，已说明。")
    workflow.filing_submit(actor=op, filing=filing)
    lead = lead_bank_id(filing)
    if lead:
        bank_user = next(u for u in world.users.values() if u.organisation_id == lead)
        workflow.filing_confirm(actor=bank_user, filing=filing)
    return Filing.objects.get(pk=filing.pk)


def approve(world, park, period, seed):
    filing = _submit(world, park, period, seed)
    if filing is not None:
        workflow.filing_approve(actor=_users(world, park)[1], filing=filing)


def submit_and_return(world, park, period, seed):
    filing = _submit(world, park, period, seed)
    if filing is not None:
        workflow.filing_return(actor=_users(world, park)[1], filing=filing, comment="请核对授信金额")


def amend(world, park, period, seed):
    op, _ = _users(world, park)
    filing = Filing.objects.filter(schedule="T1", park=park, period=period, is_current=True).first()
    if filing is not None and filing.status == "approved":
        workflow.filing_amend(actor=op, filing=filing)


def tenant_enters(world, park, period, seed):
    op, _ = _users(world, park)
    parks_services.tenancy_create(actor=op, park=park, uscc=f.next_uscc(park.county.code), enterprise_name=f"新入园企业{seed}有限公司",
                                  industry="C", entered_on=period.start + dt.timedelta(days=seed % 80))


def tenant_leaves(world, park, period, seed):
    op, _ = _users(world, park)
    tenancy = park.tenancies.filter(left_on__isnull=True).order_by("pk").first()
    if tenancy is not None:
        parks_services.tenancy_update(actor=op, tenancy=tenancy, data={"left_on": period.start + dt.timedelta(days=seed % 80)})


def partner_ends(world, park, period, seed):
    op, _ = _users(world, park)
    link = park.partner_links.filter(status="confirmed", until__isnull=True).order_by("pk").first()
    if link is not None:
        parks_services.partner_link_end(actor=op, link=link, until=period.start + dt.timedelta(days=seed % 80))


EVENTS = (approve, approve, submit_and_return, amend, tenant_enters, tenant_leaves, partner_ends)


def summaries(periods):
    return {(s.scope, s.code, s.period_id): s.data for s in Summary.objects.filter(period__in=periods)}


def _differences(a: dict, b: dict) -> list:
    """Where two summaries differ (scope, code, period, top-level key), for the failure message."""
    return [(key, k) for key in a.keys() | b.keys() for k in (a.get(key) or {}).keys() | (b.get(key) or {}).keys()
            if (a.get(key) or {}).get(k) != (b.get(key) or {}).get(k)][:10]


def _setup(world):
    """Small world: three parks, two cities, a few tenants each; both periods built once."""
    periods = [Period.objects.get(code=c) for c in PERIODS]
    for park in (world.p_hz, world.p_hz2, world.p_wz):
        for _ in range(2):
            f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(uscc=f.next_uscc(park.county.code)))
    f.PartnerLinkFactory(park=world.p_hz2, branch=world.bank_a_hz)
    for period in periods:
        rollups.summaries_rebuild_all(period=period)
    return periods


def test_incremental_rollups_equal_the_full_rebuild_after_random_event_sequences(world, eager_celery, django_capture_on_commit_callbacks):
    parks = [world.p_hz, world.p_hz2, world.p_wz]
    # (event, park, period, seed, commit after it): events between commits are one burst (coalesced)
    event = st.tuples(st.sampled_from(EVENTS), st.integers(0, 2), st.integers(0, 1), st.integers(0, 999), st.booleans())
    runs, periods = [], []

    @settings(max_examples=int(os.environ.get("ROLLUP_EXAMPLES", 200)), deadline=None, database=None, derandomize=True,
              phases=(Phase.explicit, Phase.generate), suppress_health_check=list(HealthCheck))  # no shrinking: the failing sequence is printed
    @given(st.lists(event, min_size=1, max_size=4))
    def sequence(events):
        with transaction.atomic():
            bursts, burst = [], []
            for i, e in enumerate(events):
                burst.append(e)
                if e[4] or i == len(events) - 1:
                    bursts.append(burst)
                    burst = []
            for burst in bursts:
                with django_capture_on_commit_callbacks(execute=True):  # the burst commits: its roll-ups run
                    for action, park, period, seed, _ in burst:
                        action(world, parks[park].__class__.objects.get(pk=parks[park].pk), periods[period], seed)
            incremental = summaries(periods)
            for period in periods:
                rollups.summaries_rebuild_all(period=period)
            full = summaries(periods)
            runs.append(len(events))
            transaction.set_rollback(True)
        assert incremental == full, (f"incremental != full after {[(e[0].__name__, *e[1:]) for e in events]}: "
                                     f"{_differences(incremental, full)}")

    # a small world: the two cities with parks (the nine empty ones add the same nothing to both paths);
    # the target results and the reconciliations that follow a step are not what is compared here
    two = [c for c in builds.cities() if c.code in ("330100", "330300")]
    filing_transitioned.disconnect(dispatch_uid="reports.monitoring.filing_transitioned")
    try:
        with mock.patch.object(rollups, "_province_built"), mock.patch.object(builds, "cities", return_value=two), \
                mock.patch.object(rollups, "cities", return_value=two):
            periods.extend(_setup(world))
            sequence()
    finally:
        filing_transitioned.connect(monitoring.filing_transitioned_receiver, dispatch_uid="reports.monitoring.filing_transitioned")
    assert len(runs) >= int(os.environ.get("ROLLUP_EXAMPLES", 200))


def test_a_burst_of_approvals_refreshes_each_scope_once(world, eager_celery, django_capture_on_commit_callbacks, settings):
    settings.ROLLUP_COALESCE_SECONDS = 0.5
    period = Period.objects.get(code="2020Q3")
    built = []
    real = rollups.summary_rebuild

    def spy(**kwargs):
        built.append((kwargs["scope"], kwargs["code"]))
        return real(**kwargs)

    with mock.patch.object(rollups.summary_rebuild_task, "apply_async") as enqueue:
        with django_capture_on_commit_callbacks(execute=True):
            for seed in range(3):  # three approvals of Hangzhou's two parks in one transaction, within a second
                approve(world, world.p_hz, period, seed)
                approve(world, world.p_hz2, period, seed)
    assert [c.args[0] for c in enqueue.call_args_list] == [("city", "330100", period.pk)]
    assert enqueue.call_args.kwargs["countdown"] == 0.5
    assert set(ParkSummary.objects.filter(period=period, dirty=True).values_list("park_id", flat=True)) == {world.p_hz.pk, world.p_hz2.pk}
    with mock.patch.object(rollups, "summary_rebuild", side_effect=spy), django_capture_on_commit_callbacks(execute=True):
        rollups.summary_rebuild_task.apply(("city", "330100", period.pk))  # the one task; it asks for the province
    assert built == [("city", "330100"), ("province", "330000")]
    city = Summary.objects.get(scope="city", code="330100", period=period)
    assert city.data["filed_parks"] == 2 and not ParkSummary.objects.filter(period=period, dirty=True).exists()


def test_an_eager_rollup_enqueued_during_a_request_runs_after_the_response(eager_celery):
    ran = []
    task = mock.Mock(app=mock.Mock(conf=mock.Mock(task_always_eager=True)))
    task.name = "reports.summaries.rollups.summary_rebuild_task"
    task.apply_async.side_effect = lambda args, **kw: ran.append((args, deferred.running_after_response()))
    request_started.send(sender=None)
    deferred.enqueue(task, ("city", "330100", 1))
    deferred.enqueue(task, ("city", "330100", 1))  # the same refresh twice in one request: once
    deferred.enqueue(task, ("province", "330000", 1))
    assert ran == []  # the view is still producing its response
    request_finished.send(sender=None)
    assert ran == [(("city", "330100", 1), True), (("province", "330000", 1), True)]
    deferred.enqueue(task, ("city", "330300", 1))  # outside a request: at once
    assert ran[-1] == (("city", "330300", 1), False)


@pytest.mark.django_db(transaction=True)
def test_an_approval_request_returns_before_its_rollups_run(world, eager_celery, client):
    period = Period.objects.get(code="2020Q3")
    filing = _submit(world, world.p_wz, period, seed=3)
    client.force_login(world.users["wz_branch"])
    order = []
    real = rollups.summary_rebuild

    def spy(**kwargs):
        order.append(("build", kwargs["scope"], deferred.running_after_response()))
        return real(**kwargs)

    started = time.perf_counter()
    with mock.patch.object(rollups, "summary_rebuild", side_effect=spy):
        response = client.post(reverse("reports:filing_action", args=[filing.pk, "approve"]), {"comment": ""})
    assert response.status_code in (200, 302), response.content[:300]
    assert Filing.objects.get(pk=filing.pk).status == "approved"
    assert order and all(after for _, _, after in order), order  # every build ran after the response was out
    assert ("build", "city", True) in order and ("build", "province", True) in order
    city = Summary.objects.get(scope="city", code="330300", period=period)
    assert city.data["filed_parks"] == 1 and not city.is_stale and time.perf_counter() - started < 60
