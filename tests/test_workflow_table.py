"""One transition table: the buttons a user is offered are exactly the workflow steps that would
succeed for that user, in every state — and reopening is the regulators' exception after the lock
date only. The expectations below are written out by hand from DESIGN.md ('The reporting cycle')."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from reports.filings import services
from reports.filings.models import Filing, Period
from reports.workflow import services as workflow
from reports.workflow.models import FilingTransition
from tests.test_t1_t2 import raw_row
from tests.workflow_helpers import bank_package_drafted

USERS = ("op_hz", "bank_a_hz", "bank_b_hz", "hz_branch", "wz_branch", "province", "xihu_jxj", "root")
ACTIONS = ("submit", "confirm", "approve", "return", "amend", "reopen")
LOCK_PASSED = dt.date(2020, 11, 29)  # 2020Q3's lock date, long past

# state -> user -> the buttons offered (= the steps that succeed); users not listed: none.
# Park 西湖智造 (operator op_hz, lead bank 甲银行杭州分行, reviewer 杭州银保监分局); the superuser
# ("root") may act for anyone but is never locked out.
EXPECTED = {
    "t1 draft": {"op_hz": {"submit"}, "root": {"submit"}},
    "t1 submitted": {"bank_a_hz": {"confirm", "return"}, "root": {"confirm", "return"}},  # not yet forwarded: not the branch's
    "t1 confirmed": {"hz_branch": {"approve", "return"}, "province": {"approve", "return"}, "root": {"approve", "return"}},
    "t1 returned": {"op_hz": {"submit"}, "root": {"submit"}},
    "t1 resubmitted": {"bank_a_hz": {"confirm", "return"}, "hz_branch": {"approve", "return"}, "province": {"approve", "return"},
                       "root": {"confirm", "approve", "return"}},  # after the branch returned it: straight back to the branch
    "t1 approved": {"op_hz": {"amend"}, "root": {"amend"}},
    "t1 draft locked": {"hz_branch": {"reopen"}, "province": {"reopen"}, "root": {"submit", "reopen"}},
    "t1 draft locked reopened": {"op_hz": {"submit"}, "root": {"submit"}},
    "t1 submitted locked": {"bank_a_hz": {"confirm", "return"}, "hz_branch": {"reopen"}, "province": {"reopen"},
                            "root": {"confirm", "return", "reopen"}},
    "t1 approved locked": {"hz_branch": {"reopen"}, "province": {"reopen"}, "root": {"amend", "reopen"}},
    # the bank package (附表4 + 附表5 of 甲银行杭州分行)
    "t4 draft": {"bank_a_hz": {"submit"}, "root": {"submit"}},
    "t4 submitted": {"hz_branch": {"approve", "return"}, "province": {"approve", "return"}, "root": {"approve", "return"}},
    "t4 approved": {"bank_a_hz": {"amend"}, "root": {"amend"}},
    "t4 draft locked": {"hz_branch": {"reopen"}, "province": {"reopen"}, "root": {"submit", "reopen"}},
    # 杭州's 附表3: the branch files it, the province accepts it; regulators are never locked out
    "t3 draft": {"hz_branch": {"submit"}, "root": {"submit"}},
    "t3 submitted": {"province": {"approve", "return"}, "root": {"approve", "return"}},
    "t3 draft locked": {"hz_branch": {"submit"}, "root": {"submit"}},
}


@pytest.fixture
def period(world):
    return Period.objects.get(code="2020Q3")


def _user(world, who):
    return world.admin if who == "root" else world.users[who]


def _t1(world, period):
    op = world.users["op_hz"]
    filing = services.filing_open(actor=op, schedule="T1", period=period, park=world.p_hz)
    assert services.filing_rows_replace(actor=op, filing=filing, raw_rows=[raw_row(0, world.e_hz.uscc, "100")]).saved
    return filing


def _t4(world, period):
    t4, _t5 = bank_package_drafted(world, period)
    return t4


def _t3(world, period):
    from reports.summaries.t3 import t3_generate

    branch = world.users["hz_branch"]
    t3 = t3_generate(actor=branch, period=period)
    return services.filing_explanation_save(actor=branch, filing=t3, explanation="辖内园区尚在建档", expected_lock_version=t3.lock_version)


def build(state: str, world, period) -> Filing:
    u = world.users
    kind = state.split()[0]
    filing = {"t1": _t1, "t4": _t4, "t3": _t3}[kind](world, period)
    filer = {"t1": u["op_hz"], "t4": u["bank_a_hz"], "t3": u["hz_branch"]}[kind]
    reviewer = u["province"] if kind == "t3" else u["hz_branch"]
    if "submitted" in state or "confirmed" in state or "returned" in state or "resubmitted" in state or "approved" in state:
        workflow.filing_submit(actor=filer, filing=filing)
        if kind == "t1" and "submitted" != state.split()[1]:
            workflow.filing_confirm(actor=u["bank_a_hz"], filing=filing)
        if "returned" in state or "resubmitted" in state:
            workflow.filing_return(actor=reviewer, filing=filing, comment="请核实")
        if "resubmitted" in state:
            workflow.filing_submit(actor=filer, filing=filing)
        if "approved" in state:
            workflow.filing_approve(actor=reviewer, filing=filing)
    if "locked" in state:
        Period.objects.filter(pk=period.pk).update(lock_date=LOCK_PASSED)
    if "reopened" in state:
        workflow.filing_reopen(actor=u["hz_branch"], filing=filing, reason="经批准补报")
    return Filing.objects.select_related("period").get(pk=filing.pk)


class _Undo(Exception):
    pass


def succeeds(action: str, user, filing: Filing) -> bool:
    """Perform ``action`` for real (with a comment / reason, as the page sends it), then undo it."""
    step = {"submit": workflow.filing_submit, "confirm": workflow.filing_confirm, "approve": workflow.filing_approve,
            "return": workflow.filing_return, "amend": workflow.filing_amend, "reopen": workflow.filing_reopen}[action]
    kw = {"reason": "经批准补报"} if action == "reopen" else {"comment": "意见"}
    try:
        with transaction.atomic():
            step(actor=user, filing=Filing.objects.get(pk=filing.pk), **kw)
            raise _Undo
    except _Undo:
        return True
    except (PermissionDenied, ValidationError):
        return False


@pytest.mark.parametrize("state", list(EXPECTED))
def test_the_buttons_are_exactly_the_steps_that_succeed(world, period, state):
    filing = build(state, world, period)
    problems = []
    for who in USERS:
        user = _user(world, who)
        offered = set(workflow.filing_actions_for(user=user, filing=Filing.objects.get(pk=filing.pk)))
        if offered != EXPECTED[state].get(who, set()):
            problems.append(f"{who}: offered {sorted(offered)}, expected {sorted(EXPECTED[state].get(who, set()))}")
        for action in ACTIONS:
            ok = succeeds(action, user, filing)
            if ok != (action in offered):
                problems.append(f"{who} {action}: {'succeeds' if ok else 'refused'} but {'offered' if action in offered else 'not offered'}")
    assert not problems, "\n".join(problems)


def test_reopen_before_the_lock_date_is_refused_and_offers_no_button(world, period):
    filing = build("t1 approved", world, period)
    for who in ("hz_branch", "province"):
        assert "reopen" not in workflow.filing_actions_for(user=world.users[who], filing=filing)
        with pytest.raises(ValidationError) as exc:
            workflow.filing_reopen(actor=world.users[who], filing=filing, reason="企业名单更正")
        assert "锁定" in exc.value.messages[0]
    filing.refresh_from_db()
    assert not filing.reopened and not FilingTransition.objects.filter(filing=filing, action="reopen").exists()


def test_reopen_before_the_lock_date_is_refused_through_the_page(client, world, period):
    filing = build("t1 draft", world, period)
    client.force_login(world.users["hz_branch"])
    assert 'data-action="reopen"' not in client.get(filing.get_absolute_url()).content.decode()
    response = client.post(reverse("reports:filing_action", args=[filing.pk, "reopen"]), {"comment": "补报"}, follow=True)
    assert "锁定" in response.content.decode()
    filing.refresh_from_db()
    assert not filing.reopened and not FilingTransition.objects.filter(filing=filing, action="reopen").exists()


@pytest.mark.parametrize("reopener", ["hz_branch", "province"])
def test_after_the_lock_date_the_reviewer_or_province_reopens_with_a_reason_and_it_is_logged(world, period, reopener):
    filing = build("t1 draft locked", world, period)
    op = world.users["op_hz"]
    with pytest.raises(ValidationError):
        workflow.filing_submit(actor=op, filing=filing)
    for who in ("op_hz", "bank_a_hz", "xihu_jxj", "wz_branch"):
        with pytest.raises(PermissionDenied):
            workflow.filing_reopen(actor=world.users[who], filing=filing, reason="补报")
    with pytest.raises(ValidationError):
        workflow.filing_reopen(actor=world.users[reopener], filing=filing, reason="  ")
    assert "reopen" in workflow.filing_actions_for(user=world.users[reopener], filing=filing)
    workflow.filing_reopen(actor=world.users[reopener], filing=filing, reason="企业名单更正，经批准补报")
    step = FilingTransition.objects.get(filing=filing, action="reopen")
    assert (step.actor, step.comment) == (world.users[reopener], "企业名单更正，经批准补报")
    filing.refresh_from_db()
    assert filing.reopened and "reopen" not in workflow.filing_actions_for(user=world.users[reopener], filing=filing)
    assert workflow.filing_actions_for(user=op, filing=filing) == ["submit"]
    workflow.filing_submit(actor=op, filing=filing)
    assert Filing.objects.get(pk=filing.pk).status == "submitted"


def test_the_t3_regenerate_button_follows_the_same_table(client, world, period):
    from reports.summaries.t3 import t3_generate

    t3 = build("t3 draft", world, period)
    client.force_login(world.users["hz_branch"])
    assert "重新生成" in client.get(t3.get_absolute_url()).content.decode()
    workflow.filing_submit(actor=world.users["hz_branch"], filing=t3)
    assert "重新生成" not in client.get(t3.get_absolute_url()).content.decode()
    with pytest.raises(ValidationError):
        t3_generate(actor=world.users["hz_branch"], period=period)
