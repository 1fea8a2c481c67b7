"""The regulators' review inbox (/inbox/): exactly the filings the transition table lets the user
approve or return now, the ones waiting for a lead bank apart (with the bank's name), filters;
approving several at once (never one with warnings, never one the user may not approve), returning
with a required comment; the filing page's reason when a reviewer has no button; the landing count
is the inbox's; the page's query count is flat."""
import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from parks.models import Park, PartnerLink
from portal.choices import OrgKind
from portal.models import Organisation
from reports.filings import services
from reports.filings.models import Filing, Period
from reports.workflow import services as workflow
from reports.workflow.bulk import filings_approve_bulk
from reports.workflow.inbox import review_inbox
from reports.workflow.models import FilingTransition
from reports.workflow.transitions import A, allowed
from tests import factories as f
from tests.inbox_helpers import park_t1_submitted
from tests.test_filing_pages import t1_raw
from tests.workflow_helpers import bank_package_drafted

APPROVE = FilingTransition.Action.APPROVE


@pytest.fixture
def scene(world):
    """2020Q3 in Hangzhou: a park's 附表1 at its lead bank (丙银行杭州分行), one forwarded by its lead
    bank (乙银行), one of a park without a lead bank, one with an explained warning, 甲银行杭州分行's
    package (附表4+5), an approved and a returned 附表1 (not in any inbox); in Wenzhou one 附表1; and
    Hangzhou's 附表3, submitted to the province."""
    period = Period.objects.get(code="2020Q3")
    s = SimpleNamespace(period=period)
    s.lead = f.bank_branch("330100", f.InstitutionFactory(name="丙银行股份有限公司", short_name="丙银行"), name="丙银行杭州分行")
    s.at_bank = park_t1_submitted(period, code="330106201", name="西湖待转报园", lead=s.lead)
    s.forwarded = park_t1_submitted(period, code="330106202", name="西湖已转报园", lead=world.bank_b_hz, forward_by=world.users["bank_b_hz"])
    s.direct = park_t1_submitted(period, code="330110201", name="余杭直报园", county="330110")
    s.warned = park_t1_submitted(period, code="330110202", name="余杭提示园", county="330110", warnings=True)
    s.approved = park_t1_submitted(period, code="330110203", name="余杭已审园", county="330110")
    workflow.filing_approve(actor=world.users["hz_branch"], filing=s.approved)
    s.returned = park_t1_submitted(period, code="330110204", name="余杭退回园", county="330110")
    workflow.filing_return(actor=world.users["hz_branch"], filing=s.returned, comment="请补充")
    s.t4, s.t5 = bank_package_drafted(world, period)
    workflow.filing_submit(actor=world.users["bank_a_hz"], filing=s.t4)
    s.wz = park_t1_submitted(period, code="330302201", name="鹿城直报园", county="330302")
    s.t3 = Filing.objects.create(schedule="T3", period=period, city=f.region("330100"), status="submitted", submitted_at=timezone.now())
    return s


def pks(entries):
    return {e.pk for e in entries}


def test_the_inbox_lists_exactly_what_each_regulator_may_act_on(world, scene):
    s = scene
    hz = review_inbox(user=world.users["hz_branch"])
    assert pks(hz.mine) == {s.forwarded.pk, s.direct.pk, s.warned.pk, s.t4.pk, s.t5.pk}
    assert [(e.pk, e.waiting_for) for e in hz.waiting] == [(s.at_bank.pk, "丙银行杭州分行")]
    assert "等待主办行 丙银行杭州分行 确认转报" in hz.waiting[0].reason
    wz = review_inbox(user=world.users["wz_branch"])
    assert pks(wz.mine) == {s.wz.pk} and wz.waiting == []
    # the province accepts the 附表3 (and may act for any branch)
    province = review_inbox(user=world.users["province"])
    assert pks(province.mine) == pks(hz.mine) | {s.wz.pk, s.t3.pk}
    assert pks(province.waiting) == {s.at_bank.pk}
    # the same answer as asking the transition table one fresh filing at a time
    for key, box in (("hz_branch", hz), ("wz_branch", wz), ("province", province)):
        user = world.users[key]
        for filing in Filing.objects.filter(is_current=True):
            fresh = Filing.objects.get(pk=filing.pk)
            may = allowed(A.APPROVE, user=user, filing=fresh) or allowed(A.RETURN, user=user, filing=fresh)
            assert (filing.pk in pks(box.mine)) == may, (key, filing)


def test_an_inbox_entry_carries_what_the_reviewer_sorts_on(world, scene):
    hz = {e.pk: e for e in review_inbox(user=world.users["hz_branch"]).mine}
    direct, warned, t4 = hz[scene.direct.pk], hz[scene.warned.pk], hz[scene.t4.pk]
    today = timezone.localdate()
    assert (direct.subject_name, direct.subject_code, direct.schedule, direct.city_name, direct.county_name) == (
        "余杭直报园", "330110201", "附表1", "杭州市", "余杭区")
    assert direct.days_left == (scene.period.filer_due - today).days < 0  # 2020's deadline: overdue
    assert direct.submitted_at is not None and direct.version == 1 and direct.bulk_approvable
    assert warned.warnings == 1 and warned.can_approve and not warned.bulk_approvable
    assert (t4.subject_name, t4.schedule, t4.city_name) == ("甲银行杭州分行", "附表4", "杭州市")


def test_the_inbox_page_filters_and_lists_the_waiting_apart(client, world, scene):
    client.force_login(world.users["hz_branch"])
    response = client.get(reverse("reports:inbox"))
    assert response.status_code == 200
    rows = {r.pk for r in response.context["table"].data}
    assert rows == {scene.forwarded.pk, scene.direct.pk, scene.warned.pk, scene.t4.pk, scene.t5.pk}
    html = response.content.decode()
    assert f'name="filing" value="{scene.direct.pk}"' in html and f'name="filing" value="{scene.warned.pk}"' not in html
    assert "有提示的报表不能批量审核通过" in html
    assert "等待主办行 丙银行杭州分行 确认转报" in html and "西湖待转报园" in html
    filtered = client.get(reverse("reports:inbox"), {"schedule": "T1", "warnings": "yes"})
    assert [r.pk for r in filtered.context["table"].data] == [scene.warned.pk]
    assert [r.pk for r in client.get(reverse("reports:inbox"), {"q": "余杭直报"}).context["table"].data] == [scene.direct.pk]
    assert {r.pk for r in client.get(reverse("reports:inbox"), {"status": "confirmed"}).context["table"].data} == {scene.forwarded.pk}
    county = f.region("330110")
    assert {r.pk for r in client.get(reverse("reports:inbox"), {"county": county.pk}).context["table"].data} == {
        scene.direct.pk, scene.warned.pk}
    ordered = client.get(reverse("reports:inbox"), {"sort": "-warnings"}).context["table"].page.object_list.data
    assert ordered[0].pk == scene.warned.pk
    # the inbox is the regulators'
    client.force_login(world.users["bank_a_hz"])
    assert client.get(reverse("reports:inbox")).status_code == 403


def test_the_filing_page_says_why_a_branch_has_no_button_on_a_filing_at_the_bank(client, world, scene):
    client.force_login(world.users["hz_branch"])
    html = client.get(scene.at_bank.get_absolute_url()).content.decode()
    assert 'data-action="approve"' not in html and 'data-action="return"' not in html
    assert 'data-testid="workflow-waiting"' in html and "等待主办行 丙银行杭州分行 确认转报" in html
    # once it may act, the buttons and no reason
    html = client.get(scene.direct.get_absolute_url()).content.decode()
    assert 'data-action="approve"' in html and 'data-testid="workflow-waiting"' not in html
    # the filer sees no such reason (it is not the reviewer)
    client.force_login(scene.at_bank.park.operator.users.first())
    assert 'data-testid="workflow-waiting"' not in client.get(scene.at_bank.get_absolute_url()).content.decode()


def approvals(filing) -> int:
    return FilingTransition.objects.filter(filing=filing, action=APPROVE).count()


def status(filing) -> str:
    return Filing.objects.get(pk=filing.pk).status


def test_bulk_approve_takes_each_clean_filing_as_its_own_step_and_refuses_the_others(client, world, scene):
    s = scene
    client.force_login(world.users["hz_branch"])
    chosen = [s.direct, s.forwarded, s.warned, s.at_bank, s.wz, s.t4, s.t5]
    response = client.post(reverse("reports:inbox_approve"), {"filing": [x.pk for x in chosen]}, follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    # the clean ones — the bank package once, both members logged
    for filing in (s.direct, s.forwarded, s.t4, s.t5):
        assert status(filing) == "approved" and approvals(filing) == 1
    assert "已审核通过 4 份报表" in text
    # a warning: opened one by one; at the bank: not yet the branch's; another city: not visible
    assert status(s.warned) == "submitted" and approvals(s.warned) == 0
    assert "余杭提示园" in text and "不能批量审核通过" in text
    assert status(s.at_bank) == "submitted" and "等待主办行 丙银行杭州分行 确认转报" in text
    assert status(s.wz) == "submitted" and approvals(s.wz) == 0 and f"编号 {s.wz.pk}" in text
    assert FilingTransition.objects.filter(action=APPROVE, actor=world.users["hz_branch"]).count() == 1 + 4  # scene's own + 4


def test_bulk_approve_refuses_a_filing_the_user_may_not_approve(world, scene):
    outcome = filings_approve_bulk(actor=world.users["hz_branch"], filings=[scene.wz, scene.direct])
    assert [f.pk for f in outcome.approved] == [scene.direct.pk]
    assert [(f.pk, reason) for f, reason in outcome.refused] == [(scene.wz.pk, "只有属地银保监分局可以审核此报表。")]
    assert status(scene.wz) == "submitted" and approvals(scene.wz) == 0
    # the bank may see its package but never approve it
    outcome = filings_approve_bulk(actor=world.users["bank_a_hz"], filings=[scene.t4])
    assert outcome.approved == [] and status(scene.t4) == "submitted"


def test_bulk_approve_refuses_a_package_whose_other_member_has_warnings(world, scene):
    Filing.objects.filter(pk=scene.t5.pk).update(warning_count=2)
    entries = {e.pk: e for e in review_inbox(user=world.users["hz_branch"]).mine}
    t4 = entries[scene.t4.pk]
    assert (t4.warnings, t4.package_warnings, t4.can_approve, t4.bulk_approvable) == (0, 2, True, False)
    assert entries[scene.direct.pk].package_warnings == 0  # a park's filing has no package
    outcome = filings_approve_bulk(actor=world.users["hz_branch"], filings=[scene.t4])
    assert outcome.approved == [] and "附表5" in outcome.refused[0][1] and "不能批量审核通过" in outcome.refused[0][1]
    assert status(scene.t4) == status(scene.t5) == "submitted"


def test_bulk_approve_posts_only_to_regulators_and_needs_a_choice(client, world, scene):
    client.force_login(world.users["bank_a_hz"])
    assert client.post(reverse("reports:inbox_approve"), {"filing": [scene.t4.pk]}).status_code == 403
    client.force_login(world.users["hz_branch"])
    response = client.post(reverse("reports:inbox_approve"), {}, follow=True)
    assert "请先勾选" in response.content.decode()


def test_return_from_the_inbox_needs_a_comment(client, world, scene):
    client.force_login(world.users["hz_branch"])
    url = reverse("reports:inbox_return", args=[scene.direct.pk])
    response = client.post(url, {"comment": "  ", "next": "/inbox/?schedule=T1"})
    assert response.status_code == 302 and response["Location"] == "/inbox/?schedule=T1"
    assert "退回时必须填写退回意见" in client.get(response["Location"]).content.decode()
    assert status(scene.direct) == "submitted"
    client.post(url, {"comment": "请补充企业信息", "next": "https://evil.example/"})
    assert status(scene.direct) == "returned"
    step = FilingTransition.objects.get(filing=scene.direct, action=FilingTransition.Action.RETURN)
    assert step.comment == "请补充企业信息" and step.actor == world.users["hz_branch"]
    # another city's filing: not even visible
    assert client.post(reverse("reports:inbox_return", args=[scene.wz.pk]), {"comment": "x"}).status_code == 404


def test_the_landing_counts_are_the_inbox(client, world, scene):
    for key in ("hz_branch", "wz_branch", "province"):
        client.force_login(world.users[key])
        box = review_inbox(user=world.users[key])
        todo = {t["text"]: t["url"] for t in client.get("/").context["todo"]}
        assert f"{len(box.mine)} 份报表待审核" in todo, (key, todo)
        page = client.get(todo[f"{len(box.mine)} 份报表待审核"])
        assert page.context["table"].paginator.count == len(box.mine)
        waiting = [t for t in todo if "待主办行审核转报" in t]
        assert waiting == ([f"{len(box.waiting)} 份园区附表1待主办行审核转报（转报后进入本局待审核）"] if box.waiting else [])
        assert page.context["waiting"].paginator.count == len(box.waiting)
        t3 = [t for t in todo if "份附表3待省局审核" in t]
        assert t3 == (["1 份附表3待省局审核"] if key == "province" else [])
        if t3:
            assert [e.pk for e in client.get(todo[t3[0]]).context["table"].data] == [scene.t3.pk]


# --- the page's query count: the same for 10 filings and for many more --------------------------------

def _grow(world, period, n: int, start: int) -> None:
    """n Hangzhou parks with a submitted 附表1 (bulk): every third waits for its lead bank."""
    county = f.region("330106")
    ops = Organisation.objects.bulk_create(
        Organisation(name=f"批量运营{start + i}", kind=OrgKind.PARK_OPERATOR, region=county) for i in range(n))
    parks = Park.objects.bulk_create(
        Park(code=f"Q{start + i:07d}", name=f"批量园区{start + i}", county=county, operator=ops[i], batch=1, park_type="service")
        for i in range(n))
    PartnerLink.objects.bulk_create(PartnerLink(park=p, branch=world.bank_a_hz, role="lead", sub_branch="支行", since=dt.date(2019, 7, 1),
                                                status="confirmed") for p in parks[::3])
    now = timezone.now()
    jump = {"level": "warning", "code": "history_loan_jump", "message": "贷款余额较上期变动"}
    Filing.objects.bulk_create(Filing(schedule="T1", period=period, park=p, status="submitted", submitted_at=now,
                                      warning_count=i % 2, issues=[jump] if i % 2 and i % 3 == 1 else [], row_count=1)
                               for i, p in enumerate(parks))


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


INBOX_QUERIES = 7  # session, user (with org and region), city names, the filings, unread count, filter choices (period, county)


def test_the_inbox_query_count_is_pinned_and_flat(client, world, django_assert_num_queries):
    period = Period.objects.get(code="2020Q3")
    client.force_login(world.users["hz_branch"])
    url = reverse("reports:inbox")
    _grow(world, period, 10, 0)
    small = _count(client, url)
    _grow(world, period, 290, 1000)
    box = review_inbox(user=world.users["hz_branch"])
    assert len(box.waiting) == 4 + 97 and len(box.mine) == 300 - 101
    with django_assert_num_queries(INBOX_QUERIES):
        response = client.get(url)
    assert response.status_code == 200 and small == INBOX_QUERIES
    assert _count(client, url + "?schedule=T1&warnings=no&q=批量&page=2&sort=-days_left&w-page=2") == INBOX_QUERIES
    assert _count(client, url + "?warnings=history&sort=-quality_warnings") == INBOX_QUERIES
    client.force_login(world.users["province"])
    assert _count(client, url) <= INBOX_QUERIES + 1  # + the city choices


# --- quality warnings against history (issue 16): the reviewer sees them first ---------------------------

def _t1_filed(operator, park, period, uscc: str, loan: str) -> Filing:
    filing = services.filing_open(actor=operator, schedule="T1", period=period, park=park)
    assert services.filing_rows_replace(actor=operator, filing=filing, raw_rows=[t1_raw(uscc, "骤降企业有限公司", loan_balance=loan)]).saved
    return Filing.objects.get(pk=filing.pk)


@pytest.fixture
def dropped(world, scene):
    """余杭骤降园: its approved 2020Q2 附表1 lends 80 万元 to its one tenant, its submitted 2020Q3
    one 20 万元 (−75 %, a 贷款余额 warning against history), explained."""
    park = f.ParkFactory(code="330110209", name="余杭骤降园", county=f.region("330110"))
    operator = f.UserFactory(organisation=park.operator)
    tenant = f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(uscc=f.next_uscc("330110")))
    before = _t1_filed(operator, park, Period.objects.get(code="2020Q2"), tenant.enterprise.uscc, "80")
    workflow.filing_submit(actor=operator, filing=before)
    workflow.filing_approve(actor=world.users["hz_branch"], filing=before)
    now = _t1_filed(operator, park, scene.period, tenant.enterprise.uscc, "20")
    services.filing_explanation_save(actor=operator, filing=now, explanation="企业归还部分贷款。")
    workflow.filing_submit(actor=operator, filing=now)
    return Filing.objects.get(pk=now.pk)


def test_a_filing_with_a_warning_against_history_comes_first_in_the_inbox_with_its_count(world, scene, dropped):
    box = review_inbox(user=world.users["hz_branch"])
    assert box.mine[0].pk == dropped.pk and box.mine[0].quality_warnings == 1
    assert [e.quality_warnings for e in box.mine[1:]] == [0] * (len(box.mine) - 1)
    # without it, the same filings keep their order by deadline and submission
    assert [e.pk for e in box.mine[1:]] == [e.pk for e in review_inbox(user=world.users["hz_branch"],
                                                                        filings=Filing.objects.exclude(pk=dropped.pk)).mine]
    assert scene.warned.pk in pks(box.mine[1:])  # a warning of the register only is not one against history


def test_the_inbox_page_shows_the_history_column_and_filters_on_it(client, world, scene, dropped):
    client.force_login(world.users["hz_branch"])
    page = client.get(reverse("reports:inbox"))
    html = page.content.decode()
    assert "历史比对预警" in html and html.count('data-testid="inbox-history"') == 1
    assert page.context["table"].page.object_list.data[0].pk == dropped.pk
    filtered = client.get(reverse("reports:inbox"), {"warnings": "history"})
    assert [r.pk for r in filtered.context["table"].data] == [dropped.pk]
    assert "有历史比对预警" in filtered.content.decode()
    assert [r.pk for r in client.get(reverse("reports:inbox"), {"warnings": "yes"}).context["table"].data] == [dropped.pk, scene.warned.pk]
