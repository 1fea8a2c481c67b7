"""The review workflow: every path, and every forbidden transition refused for every wrong role
and organisation (nothing changes)."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reports.filings import services
from reports.filings.models import Filing, Period, T1Row
from reports.workflow import services as workflow
from reports.workflow.diff import filing_diff
from reports.workflow.models import FilingTransition
from tests import factories as f
from tests.test_t1_t2 import raw_row
from tests.workflow_helpers import bank_package_drafted

ALL = ("province", "hz_branch", "wz_branch", "jxt", "hz_jxj", "xihu_jxj", "wz_jxj", "bank_a_hz", "bank_b_hz", "bank_a_wz", "op_hz", "op_hz2", "op_wz")


@pytest.fixture
def period(world):
    return Period.objects.get(code="2020Q3")


@pytest.fixture
def t1(world, period):
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=period, park=world.p_hz)
    res = services.filing_rows_replace(actor=world.users["op_hz"], filing=filing, raw_rows=[raw_row(0, world.e_hz.uscc, "100")])
    assert res.saved
    return Filing.objects.get(pk=filing.pk)


@pytest.fixture
def bank_package(world, period):
    t4, t5 = bank_package_drafted(world, period)
    return Filing.objects.get(pk=t4.pk), Filing.objects.get(pk=t5.pk)


def status(filing):
    return Filing.objects.get(pk=filing.pk).status


def steps(filing):
    return list(FilingTransition.objects.filter(filing=filing).values_list("action", "from_status", "to_status"))


def test_park_path_submit_confirm_approve_with_timeline(world, t1):
    workflow.filing_submit(actor=world.users["op_hz"], filing=t1)
    workflow.filing_confirm(actor=world.users["bank_a_hz"], filing=t1, comment="已核对")
    workflow.filing_approve(actor=world.users["hz_branch"], filing=t1)
    assert status(t1) == "approved"
    assert steps(t1) == [("submit", "draft", "submitted"), ("confirm", "submitted", "confirmed"), ("approve", "confirmed", "approved")]
    actors = list(FilingTransition.objects.filter(filing=t1).values_list("actor__username", flat=True))
    assert actors == ["op_hz", "bank_a_hz", "hz_branch"]


def test_return_and_resubmit(world, t1):
    workflow.filing_submit(actor=world.users["op_hz"], filing=t1)
    workflow.filing_confirm(actor=world.users["bank_a_hz"], filing=t1)
    workflow.filing_return(actor=world.users["hz_branch"], filing=t1, comment="授信金额请核实")
    assert status(t1) == "returned"
    filing = Filing.objects.get(pk=t1.pk)
    services.filing_row_save(actor=world.users["op_hz"], filing=filing, row_no=1, raw_row=raw_row(0, world.e_hz.uscc, "120"),
                             expected_lock_version=filing.lock_version)
    workflow.filing_submit(actor=world.users["op_hz"], filing=t1)
    workflow.filing_confirm(actor=world.users["bank_a_hz"], filing=t1)
    workflow.filing_approve(actor=world.users["hz_branch"], filing=t1)
    assert [s[0] for s in steps(t1)] == ["submit", "confirm", "return", "submit", "confirm", "approve"]
    assert FilingTransition.objects.get(filing=t1, action="return").comment == "授信金额请核实"


def test_lead_bank_may_return_before_forwarding(world, t1):
    workflow.filing_submit(actor=world.users["op_hz"], filing=t1)
    workflow.filing_return(actor=world.users["bank_a_hz"], filing=t1, comment="缺少企业")
    assert status(t1) == "returned"


def test_a_park_without_lead_bank_goes_straight_to_the_branch(world, period):
    filing = services.filing_open(actor=world.users["op_wz"], schedule="T1", period=period, park=world.p_wz)
    world.link_a_wz.role = "partner"
    world.link_a_wz.save()
    assert services.filing_rows_replace(actor=world.users["op_wz"], filing=filing, raw_rows=[raw_row(0, world.e_wz.uscc, "5")]).saved
    workflow.filing_submit(actor=world.users["op_wz"], filing=filing)
    workflow.filing_approve(actor=world.users["wz_branch"], filing=filing)
    assert status(filing) == "approved"


def test_a_park_with_a_lead_bank_cannot_skip_the_forwarding(world, t1):
    workflow.filing_submit(actor=world.users["op_hz"], filing=t1)
    with pytest.raises(ValidationError) as exc:
        workflow.filing_approve(actor=world.users["hz_branch"], filing=t1)
    assert "等待主办行 甲银行杭州分行 确认转报" in exc.value.messages[0]
    assert status(t1) == "submitted"


def test_bank_package_is_submitted_and_approved_together(world, bank_package):
    t4, t5 = bank_package
    workflow.filing_submit(actor=world.users["bank_a_hz"], filing=t4)
    assert status(t4) == status(t5) == "submitted"
    workflow.filing_approve(actor=world.users["hz_branch"], filing=t5)
    assert status(t4) == status(t5) == "approved"


def test_a_bank_with_partner_parks_cannot_submit_t4_without_t5(world, period):
    user = world.users["bank_a_hz"]
    t4 = services.filing_open(actor=user, schedule="T4", period=period)
    services.filing_t4_save(actor=user, filing=t4, raw_values={"parks_served": "1"})
    with pytest.raises(ValidationError) as exc:
        workflow.filing_submit(actor=user, filing=t4)
    assert "附表5尚未填报" in exc.value.messages[0]


def test_amendment_after_approval_is_a_new_version_reviewed_again(world, t1):
    workflow.filing_submit(actor=world.users["op_hz"], filing=t1)
    workflow.filing_confirm(actor=world.users["bank_a_hz"], filing=t1)
    workflow.filing_approve(actor=world.users["hz_branch"], filing=t1)
    v2 = workflow.filing_amend(actor=world.users["op_hz"], filing=t1)
    old = Filing.objects.get(pk=t1.pk)
    assert (old.status, old.is_current, v2.version, v2.status, v2.is_current) == ("approved", False, 2, "draft", True)
    assert T1Row.objects.filter(filing=v2).count() == 1 and v2.t2.filed_count == 1
    with pytest.raises(ValidationError):  # the approved version stays read-only
        services.filing_rows_replace(actor=world.users["op_hz"], filing=old, raw_rows=[])
    services.filing_rows_replace(actor=world.users["op_hz"], filing=v2, raw_rows=[
        raw_row(0, world.e_hz.uscc, "150", employees="31"), raw_row(1, f.next_uscc("330106"), "0")])
    diff = filing_diff(old=old, new=Filing.objects.get(pk=v2.pk))
    assert len(diff.added) == 1 and diff.removed == []
    assert {(c.label, c.old, c.new) for c in diff.changed} == {
        ("从业人员(人)", "30", "31"), ("授信金额", "100.00", "150.00"), ("贷款余额", "80.00", "120.00")}
    workflow.filing_submit(actor=world.users["op_hz"], filing=v2)
    workflow.filing_confirm(actor=world.users["bank_a_hz"], filing=v2)
    workflow.filing_approve(actor=world.users["hz_branch"], filing=v2)
    assert status(v2) == "approved"


def test_reopen_after_lock_lets_the_filer_work_again(world, t1, period):
    Period.objects.filter(pk=period.pk).update(lock_date=dt.date(2020, 11, 29))
    with pytest.raises(ValidationError) as exc:
        workflow.filing_submit(actor=world.users["op_hz"], filing=t1)
    assert "锁定" in exc.value.messages[0]
    with pytest.raises(PermissionDenied):
        workflow.filing_reopen(actor=world.users["bank_a_hz"], filing=t1, reason="x")
    with pytest.raises(ValidationError):
        workflow.filing_reopen(actor=world.users["hz_branch"], filing=t1, reason="  ")
    workflow.filing_reopen(actor=world.users["hz_branch"], filing=t1, reason="企业名单更正，经批准补报")
    assert FilingTransition.objects.get(filing=t1, action="reopen").comment == "企业名单更正，经批准补报"
    workflow.filing_submit(actor=world.users["op_hz"], filing=t1)
    assert status(t1) == "submitted"


def test_late_submission_is_marked_with_days_late(world, t1, period):
    workflow.filing_submit(actor=world.users["op_hz"], filing=t1)
    filing = Filing.objects.get(pk=t1.pk)
    assert filing.days_late == (timezone.localdate() - period.filer_due).days > 0


def test_return_without_comment_is_refused(world, t1):
    workflow.filing_submit(actor=world.users["op_hz"], filing=t1)
    with pytest.raises(ValidationError) as exc:
        workflow.filing_return(actor=world.users["bank_a_hz"], filing=t1, comment="  ")
    assert "退回意见" in exc.value.messages[0]
    assert status(t1) == "submitted"


def test_unexplained_warnings_block_submission_and_approval(world, period):
    user = world.users["op_hz"]
    filing = services.filing_open(actor=user, schedule="T1", period=period, park=world.p_hz)
    services.filing_rows_replace(actor=user, filing=filing, raw_rows=[raw_row(0, world.e_hz.uscc, "100", loan_rate="16")])
    with pytest.raises(ValidationError) as exc:
        workflow.filing_submit(actor=user, filing=filing)
    assert "书面说明" in exc.value.messages[0]
    filing.refresh_from_db()
    services.filing_explanation_save(actor=user, filing=filing, explanation="该企业为高风险行业，利率经审批", expected_lock_version=filing.lock_version)
    workflow.filing_submit(actor=user, filing=filing)
    workflow.filing_confirm(actor=world.users["bank_a_hz"], filing=filing)
    Filing.objects.filter(pk=filing.pk).update(explanation="")  # e.g. cleared by a bad import
    with pytest.raises(ValidationError) as exc:
        workflow.filing_approve(actor=world.users["hz_branch"], filing=filing)
    assert "未作说明的提示" in exc.value.messages[0]
    assert status(filing) == "confirmed"


def _attempt(action, user, filing, **kw):
    fn = {"submit": workflow.filing_submit, "confirm": workflow.filing_confirm, "approve": workflow.filing_approve,
          "return": workflow.filing_return, "amend": workflow.filing_amend}[action]
    if action == "return":
        kw.setdefault("comment", "意见")
    with pytest.raises((PermissionDenied, ValidationError)):
        fn(actor=user, filing=filing, **kw)


@pytest.mark.parametrize("who", ALL)
def test_every_wrong_role_and_organisation_is_refused_every_park_step(world, t1, who):
    users = world.users
    if who != "op_hz":
        _attempt("submit", users[who], t1)
        assert status(t1) == "draft"
    workflow.filing_submit(actor=users["op_hz"], filing=t1)
    if who != "bank_a_hz":
        _attempt("confirm", users[who], t1)
        if who not in ("hz_branch", "province"):
            _attempt("return", users[who], t1)
    if who not in ("hz_branch", "province"):
        _attempt("approve", users[who], t1)  # wrong role/org, and (for everyone) not yet forwarded
    assert status(t1) == "submitted"
    workflow.filing_confirm(actor=users["bank_a_hz"], filing=t1)
    if who not in ("hz_branch", "province"):
        _attempt("approve", users[who], t1)
        _attempt("return", users[who], t1)
    assert status(t1) == "confirmed"
    workflow.filing_approve(actor=users["hz_branch"], filing=t1)
    if who != "op_hz":
        _attempt("amend", users[who], t1)
    for action in ("submit", "confirm", "approve", "return"):  # wrong state for everyone
        _attempt(action, users[who], t1)
    assert status(t1) == "approved" and Filing.objects.filter(park=world.p_hz, schedule="T1").count() == 1


@pytest.mark.parametrize("who", ALL)
def test_every_wrong_role_and_organisation_is_refused_every_bank_step(world, bank_package, who):
    t4, t5 = bank_package
    users = world.users
    if who != "bank_a_hz":
        _attempt("submit", users[who], t4)
        _attempt("submit", users[who], t5)
    assert status(t4) == "draft"
    workflow.filing_submit(actor=users["bank_a_hz"], filing=t4)
    _attempt("confirm", users[who], t4)  # banks' own filings have no forwarding step
    if who not in ("hz_branch", "province"):
        _attempt("approve", users[who], t4)
        _attempt("return", users[who], t5)
    assert status(t4) == status(t5) == "submitted"


def test_actions_offered_match_the_rules(world, t1):
    assert workflow.filing_actions_for(user=world.users["op_hz"], filing=t1) == ["submit"]
    assert workflow.filing_actions_for(user=world.users["bank_a_hz"], filing=t1) == []
    workflow.filing_submit(actor=world.users["op_hz"], filing=t1)
    t1.refresh_from_db()
    assert workflow.filing_actions_for(user=world.users["bank_a_hz"], filing=t1) == ["confirm", "return"]
    assert workflow.filing_actions_for(user=world.users["hz_branch"], filing=t1) == []


def test_each_step_tells_the_next_actor_in_app(world, t1):
    from portal.models import Notification

    workflow.filing_submit(actor=world.users["op_hz"], filing=t1)
    assert Notification.objects.filter(user=world.users["bank_a_hz"], title__contains="请审核转报").count() == 1
    workflow.filing_confirm(actor=world.users["bank_a_hz"], filing=t1)
    assert Notification.objects.filter(user=world.users["hz_branch"], title__contains="待审核").count() == 1
    workflow.filing_return(actor=world.users["hz_branch"], filing=t1, comment="请补充")
    note = Notification.objects.get(user=world.users["op_hz"], title__contains="被退回")
    assert note.body == "请补充" and note.url == t1.get_absolute_url()
    assert not Notification.objects.filter(user=world.users["op_wz"]).exists()


def test_a_resubmission_after_the_branch_returned_goes_straight_back_to_the_branch(world, t1):
    workflow.filing_submit(actor=world.users["op_hz"], filing=t1)
    workflow.filing_confirm(actor=world.users["bank_a_hz"], filing=t1)
    workflow.filing_return(actor=world.users["hz_branch"], filing=t1, comment="请核实")
    workflow.filing_submit(actor=world.users["op_hz"], filing=t1)
    t1.refresh_from_db()
    assert "approve" in workflow.filing_actions_for(user=world.users["hz_branch"], filing=t1)
    workflow.filing_approve(actor=world.users["hz_branch"], filing=t1)
    assert [s[0] for s in steps(t1)] == ["submit", "confirm", "return", "submit", "approve"]
