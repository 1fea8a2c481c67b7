"""Roll-ups: equal to figures computed here, ratios from sums, idempotent, coalesced."""
import datetime as dt
import json
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from reports.filings import services
from reports.filings.models import Filing, Period
from reports.summaries import rollups
from reports.summaries.models import Summary
from reports.workflow import services as workflow
from reports.workflow.transitions import lead_bank_id
from tests import factories as f
from tests.test_t1_t2 import raw_row


def approve_t1(world, park, op_key, rows, period):
    op = world.users[op_key]
    filing = services.filing_open(actor=op, schedule="T1", period=period, park=park)
    assert services.filing_rows_replace(actor=op, filing=filing, raw_rows=rows).saved
    workflow.filing_submit(actor=op, filing=filing)
    lead = lead_bank_id(filing)
    if lead:
        bank_user = next(u for u in world.users.values() if u.organisation_id == lead)
        workflow.filing_confirm(actor=bank_user, filing=filing)
    reviewer = world.users["hz_branch"] if park.county.city_code == "330100" else world.users["wz_branch"]
    workflow.filing_approve(actor=reviewer, filing=filing)
    return Filing.objects.get(pk=filing.pk)


@pytest.fixture
def two_parks(world):
    """A big park (100 tenants, 90 credited) and a small one (2 tenants, 0 credited) in Hangzhou.
    Averaging their coverages gives 45%; the sum gives 90/102 = 88.24%."""
    period = Period.objects.get(code="2020Q3")
    big = world.p_hz
    for _ in range(99):
        f.TenancyFactory(park=big, enterprise=f.EnterpriseFactory(uscc=f.next_uscc("330106")))
    tenants = list(big.tenancies.select_related("enterprise"))
    rows = [raw_row(i, t.enterprise.uscc, "100" if i < 90 else "0") for i, t in enumerate(tenants)]
    approve_t1(world, big, "op_hz", rows, period)
    small = world.p_hz2
    f.TenancyFactory(park=small, enterprise=f.EnterpriseFactory(uscc=f.next_uscc("330110")))
    small_rows = [raw_row(i, t.enterprise.uscc, "0") for i, t in enumerate(small.tenancies.select_related("enterprise"))]
    approve_t1(world, small, "op_hz2", small_rows, period)
    return period


def test_city_ratios_are_recomputed_from_sums_not_averaged(world, two_parks):
    s = rollups.summary_rebuild(scope="city", code="330100", period_id=two_parks.pk)
    total = s.data["total"]
    assert total["enterprises_total"] == 102 and total["credited_count"] == 90
    assert Decimal(total["credit_coverage"]) == Decimal("88.24")
    coverages = [Decimal(p["credit_coverage"]) for p in s.data["parks"] if p["filed"]]
    assert sorted(coverages) == [Decimal("0.00"), Decimal("90.00")]  # the average would be 45.00
    assert Decimal(total["credit_amount"]) == Decimal("9000.00")
    county = {c["code"]: c for c in s.data["counties"]}
    assert county["330106"]["credited_count"] == 90 and county["330110"]["credited_count"] == 0


def test_city_summary_lists_unfiled_parks_and_counts_them_in_no_total(world, two_parks):
    extra = f.ParkFactory(code="330106099", name="未报送园区", county=f.region("330106"), operator=world.op_hz)
    f.TenancyFactory(park=extra, enterprise=f.EnterpriseFactory(uscc=f.next_uscc("330106")))
    s = rollups.summary_rebuild(scope="city", code="330100", period_id=two_parks.pk)
    assert [p["code"] for p in s.data["not_filed"]] == ["330106099"]
    assert s.data["total"]["enterprises_total"] == 102  # the unfiled park's tenant is in no total
    assert "不计入" in s.data["not_filed_note"]
    star = {b["key"]: b for b in s.data["by_star"]}
    assert star["other"]["enterprises_total"] == 102 and Decimal(star["other"]["coverage_target"]) == 50


def test_summary_records_source_versions_and_build_time(world, two_parks):
    s = rollups.summary_rebuild(scope="city", code="330100", period_id=two_parks.pk)
    approved = Filing.objects.filter(period=two_parks, status="approved", schedule="T1")
    assert s.source_versions == {str(x.pk): x.version for x in approved}
    assert s.built_at is not None and s.builds == 1 and not s.is_stale


def test_province_totals_with_and_without_ningbo(world, two_parks):
    nb_park = f.ParkFactory(code="330203001", name="宁波园", county=f.region("330203"), operator=f.park_operator("330203"))
    nb_user = f.UserFactory(username="nbop", organisation=nb_park.operator)
    nb_reg = f.UserFactory(username="nbreg", organisation=f.branch_regulator("330200", name="宁波银保监局"))
    t = f.TenancyFactory(park=nb_park, enterprise=f.EnterpriseFactory(uscc=f.next_uscc("330203")))
    filing = services.filing_open(actor=nb_user, schedule="T1", period=two_parks, park=nb_park)
    services.filing_rows_replace(actor=nb_user, filing=filing, raw_rows=[raw_row(0, t.enterprise.uscc, "50")])
    workflow.filing_submit(actor=nb_user, filing=filing)
    workflow.filing_approve(actor=nb_reg, filing=filing)
    s = rollups.summary_rebuild(scope="province", code="330000", period_id=two_parks.pk)
    incl, excl = s.data["incl_ningbo"]["total"], s.data["excl_ningbo"]["total"]
    assert (incl["enterprises_total"], incl["credited_count"]) == (103, 91)
    assert (excl["enterprises_total"], excl["credited_count"]) == (102, 90)
    assert Decimal(incl["credit_coverage"]) == (Decimal(91) * 100 / 103).quantize(Decimal("0.01"))
    cities = {c["code"]: c for c in s.data["cities"]}
    assert cities["330200"]["total"]["credited_count"] == 1 and cities["330100"]["total"]["credited_count"] == 90


def test_the_same_rebuild_twice_gives_identical_summaries(world, two_parks):
    first = rollups.summary_rebuild(scope="city", code="330100", period_id=two_parks.pk)
    data, versions = first.data, first.source_versions
    second = rollups.summary_rebuild(scope="city", code="330100", period_id=two_parks.pk)
    assert second.data == data and second.source_versions == versions and second.builds == 2


def test_only_the_latest_approved_version_counts(world, two_parks):
    v1 = Filing.objects.get(park=world.p_hz2, period=two_parks, schedule="T1")
    v2 = workflow.filing_amend(actor=world.users["op_hz2"], filing=v1)
    tenants = list(world.p_hz2.tenancies.select_related("enterprise"))
    services.filing_rows_replace(actor=world.users["op_hz2"], filing=v2,
                                 raw_rows=[raw_row(i, t.enterprise.uscc, "20") for i, t in enumerate(tenants)])
    s = rollups.summary_rebuild(scope="city", code="330100", period_id=two_parks.pk)
    assert s.data["total"]["credited_count"] == 90  # v2 is a draft: v1 still counts
    workflow.filing_submit(actor=world.users["op_hz2"], filing=v2)
    workflow.filing_confirm(actor=world.users["bank_b_hz"], filing=v2)
    workflow.filing_approve(actor=world.users["hz_branch"], filing=v2)
    s = rollups.summary_rebuild(scope="city", code="330100", period_id=two_parks.pk)
    assert s.data["total"]["credited_count"] == 92 and s.source_versions[str(v2.pk)] == 2


def test_a_burst_of_requests_enqueues_one_rebuild(world, two_parks, django_capture_on_commit_callbacks):
    with mock.patch.object(rollups.summary_rebuild_task, "apply_async") as enqueue:
        with django_capture_on_commit_callbacks(execute=True):
            claimed = [rollups.summary_request(scope="city", code="330100", period_id=two_parks.pk) for _ in range(100)]
    assert claimed.count(True) == 1 and enqueue.call_count == 1
    assert Summary.objects.get(scope="city", code="330100", period=two_parks).is_stale


def test_an_approval_rebuilds_its_city_then_the_province(world, eager_celery, django_capture_on_commit_callbacks):
    period = Period.objects.get(code="2020Q3")
    with django_capture_on_commit_callbacks(execute=True):
        approve_t1(world, world.p_wz, "op_wz", [raw_row(0, world.e_wz.uscc, "30")], period)
    city = Summary.objects.get(scope="city", code="330300", period=period)
    province = Summary.objects.get(scope="province", code="330000", period=period)
    assert city.data["total"]["credited_count"] == 1 and province.data["incl_ningbo"]["total"]["credited_count"] == 1
    assert not city.is_stale and not province.is_stale


def test_rebuild_summaries_command(world, two_parks, capsys):
    call_command("rebuild_summaries", period="2020q3", city="330100")
    assert "2020Q3: 重建 2 个汇总" in capsys.readouterr().out
    built = Summary.objects.filter(period=two_parks, built_at__isnull=False)
    assert set(built.filter(code__in=("330100", "330000")).values_list("code", flat=True)) == {"330100", "330000"}
    # the province sums every city's parts: the cities never built are built first (the others once)
    assert set(built.filter(builds__gt=1).values_list("code", flat=True)) == set()


def test_t3_is_generated_by_the_branch_submitted_and_accepted_by_the_province(world, two_parks):
    import io

    from django.core.exceptions import PermissionDenied, ValidationError
    from openpyxl import load_workbook

    from reports.summaries.t3 import t3_export, t3_generate

    for who in ("bank_a_hz", "op_hz", "xihu_jxj", "wz_branch"):
        with pytest.raises(PermissionDenied):
            t3_generate(actor=world.users[who], period=two_parks, city=f.region("330100"))
    t3 = t3_generate(actor=world.users["hz_branch"], period=two_parks)
    assert t3.schedule == "T3" and t3.city.code == "330100" and t3.snapshot["data"]["total"]["credited_count"] == 90
    wb = load_workbook(io.BytesIO(t3_export(filing=t3)))
    ws = wb["附表3"]
    assert ws["A1"].value == "杭州市小微企业园融资需求及融资成本情况汇总表"
    labels = [c.value for c in ws[3]]
    assert "授信覆盖率(%)" in labels and "入园企业数" in labels
    texts = [r[1] for r in ws.iter_rows(values_only=True)]
    assert "西湖区小计" in texts and "杭州市合计" in texts and "五星" in texts
    for who in ("op_hz", "bank_a_hz", "wz_branch", "province"):
        with pytest.raises((PermissionDenied, ValidationError)):
            workflow.filing_submit(actor=world.users[who], filing=t3)
    workflow.filing_submit(actor=world.users["hz_branch"], filing=t3)
    for who in ("hz_branch", "wz_branch", "bank_a_hz"):
        with pytest.raises((PermissionDenied, ValidationError)):
            workflow.filing_approve(actor=world.users[who], filing=t3)
    workflow.filing_approve(actor=world.users["province"], filing=t3)
    t3.refresh_from_db()
    assert t3.status == "approved" and t3.days_late == (timezone.localdate() - two_parks.branch_due).days


def test_t3_with_unfiled_parks_needs_an_explanation(world, two_parks):
    from django.core.exceptions import ValidationError

    from reports.summaries.t3 import t3_generate

    f.ParkFactory(code="330106099", name="未报送园区", county=f.region("330106"), operator=world.op_hz)
    t3 = t3_generate(actor=world.users["hz_branch"], period=two_parks)
    assert t3.warning_count == 1
    with pytest.raises(ValidationError) as exc:
        workflow.filing_submit(actor=world.users["hz_branch"], filing=t3)
    assert "书面说明" in exc.value.messages[0]


def test_full_rebuild_equals_city_by_city_rebuilds(world, two_parks):
    one_by_one = {c: rollups.summary_rebuild(scope="city", code=c, period_id=two_parks.pk).data for c in ("330100", "330300")}
    province = rollups.summary_rebuild(scope="province", code="330000", period_id=two_parks.pk).data
    rollups.summaries_rebuild_all(period=two_parks)
    for code, data in one_by_one.items():
        stored = Summary.objects.get(scope="city", code=code, period=two_parks).data
        assert stored == json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    stored = Summary.objects.get(scope="province", code="330000", period=two_parks).data
    assert stored == json.loads(json.dumps(province, cls=DjangoJSONEncoder))


def test_a_province_rebuild_recomputes_the_target_results(world, two_parks):
    from reports.targets.models import TargetResult

    assert not TargetResult.objects.filter(period=two_parks).exists()
    rollups.summaries_rebuild_all(period=two_parks)
    result = TargetResult.objects.get(period=two_parks, target__code="ZJ2020-04", ningbo="incl", is_official=True)
    assert result.actual == Decimal("88.24")  # 90 credited of 102 tenants in the "other stars" parks
    assert result.threshold == Decimal("50") and result.get_status_display() == "达标"


def test_every_workflow_step_refreshes_the_completeness_kept_in_the_summaries(world, eager_celery, django_capture_on_commit_callbacks):
    period = Period.objects.get(code="2020Q3")
    op = world.users["op_wz"]
    filing = services.filing_open(actor=op, schedule="T1", period=period, park=world.p_wz)
    services.filing_rows_replace(actor=op, filing=filing, raw_rows=[raw_row(0, world.e_wz.uscc, "30")])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.filing_submit(actor=op, filing=filing)
    city = Summary.objects.get(scope="city", code="330300", period=period).data["completeness"]
    province = {c["code"]: c for c in Summary.objects.get(scope="province", code="330000", period=period).data["completeness"]}
    assert city == [province["330300"]]
    assert (city[0]["expected"], city[0]["awaiting"], city[0]["not_filed"]) == (2, 1, 1)  # the park submitted; its bank not
    with django_capture_on_commit_callbacks(execute=True):
        workflow.filing_confirm(actor=world.users["bank_a_wz"], filing=filing)
        workflow.filing_approve(actor=world.users["wz_branch"], filing=filing)
    city = Summary.objects.get(scope="city", code="330300", period=period).data["completeness"][0]
    assert (city["awaiting"], city["approved"]) == (0, 1)


# --- lost roll-ups (issue 10): the beat job enqueues again what stayed “更新中” too long -----------

def _age(scope, code, period, **minutes_ago):
    """Move a summary's timestamps back in time (the test's stand-in for waiting)."""
    now = timezone.now()
    Summary.objects.filter(scope=scope, code=code, period=period).update(
        **{field: now - dt.timedelta(minutes=m) for field, m in minutes_ago.items()})


def test_a_rollup_queued_longer_than_the_threshold_is_rebuilt_by_the_beat_job_and_a_fresh_one_is_not(
        world, settings, eager_celery, django_capture_on_commit_callbacks):
    settings.ROLLUP_STUCK_MINUTES = 10
    period = Period.objects.get(code="2020Q3")
    # requests whose tasks are never sent: the test transaction never commits, as if the message was lost
    assert rollups.summary_request(scope="city", code="330100", period_id=period.pk)
    assert rollups.summary_request(scope="city", code="330300", period_id=period.pk)
    _age("city", "330100", period, queued_at=11, requested_at=1)  # later requests moved requested_at on
    _age("city", "330300", period, queued_at=9, requested_at=9)
    with django_capture_on_commit_callbacks(execute=True):
        assert rollups.summaries_requeue_stuck_task.delay().get() == 1
    stuck = Summary.objects.get(scope="city", code="330100", period=period)
    fresh = Summary.objects.get(scope="city", code="330300", period=period)
    assert stuck.builds == 1 and stuck.built_at is not None and not stuck.is_stale
    assert stuck.queued is False and stuck.queued_at is None
    assert fresh.builds == 0 and fresh.queued and fresh.is_stale  # its task may still come
    # the rebuilt city asked for its province in turn (and that ran too)
    assert Summary.objects.get(scope="province", code="330000", period=period).builds == 1


def test_a_rollup_started_but_never_finished_is_enqueued_again_and_a_finished_one_is_not(world, settings):
    settings.ROLLUP_STUCK_MINUTES = 10
    period = Period.objects.get(code="2020Q3")
    now = timezone.now()
    # the worker cleared the flag, then died; nothing newer was asked for since
    Summary.objects.create(scope="city", code="330100", period=period, queued=False,
                           requested_at=now - dt.timedelta(minutes=30), built_at=now - dt.timedelta(minutes=40))
    Summary.objects.create(scope="city", code="330300", period=period, queued=False,
                           requested_at=now - dt.timedelta(minutes=30), built_at=now - dt.timedelta(minutes=29))
    Summary.objects.create(scope="province", code="330000", period=period, queued=False,
                           requested_at=now - dt.timedelta(minutes=5), built_at=None)  # may still be building
    assert [(s.scope, s.code) for s in rollups.summaries_stuck()] == [("city", "330100")]


def test_the_beat_job_enqueues_a_stuck_rollup_once_per_threshold(world, settings, django_capture_on_commit_callbacks):
    settings.ROLLUP_STUCK_MINUTES = 10
    period = Period.objects.get(code="2020Q3")
    rollups.summary_request(scope="city", code="330100", period_id=period.pk)
    _age("city", "330100", period, queued_at=15)
    with mock.patch.object(rollups.summary_rebuild_task, "apply_async") as enqueue:
        with django_capture_on_commit_callbacks(execute=True):
            first = rollups.summaries_requeue_stuck()
            second = rollups.summaries_requeue_stuck()  # the next beat, before the task ran
    assert len(first) == 1 and second == [] and enqueue.call_count == 1
    assert enqueue.call_args.args[0] == ("city", "330100", period.pk)
    assert Summary.objects.get(scope="city", code="330100", period=period).queued  # still “更新中” until it runs
