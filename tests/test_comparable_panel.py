"""Like-for-like comparisons (issue 11): every 比年初 change and growth over a set of filers is
computed on the filers with an approved 附表4 in BOTH periods (the comparable panel) and shown with
its coverage; new filers are shown apart; a period half reviewed never reads as a decline; one
rounding rule (half-up: 1/800 = 0.13 %) everywhere. Every expected figure below is written by hand."""
from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports.filings.choices import FilingStatus
from reports.filings.models import Filing, Period, T4Record
from reports.summaries import rollups
from reports.targets.models import TargetResult
from tests import factories as f

NOW, BASE = "2020Q3", "2019Q4"


def t4(branch, code: str, status: str = FilingStatus.APPROVED, **values) -> Filing:
    """A bank branch's 附表4 for one period, as the workflow leaves it (approved unless told)."""
    filing = Filing.objects.create(schedule="T4", period=Period.objects.get(code=code), branch=branch, status=status,
                                   approved_at=timezone.now() if status == FilingStatus.APPROVED else None)
    T4Record.objects.create(filing=filing, **{k: D(str(v)) for k, v in values.items()})
    return filing


def rebuild(code: str = NOW) -> None:
    rollups.summaries_rebuild_all(period=Period.objects.get(code=code))


def result(code: str, scope: str = "330000:excl", period: str = NOW) -> TargetResult:
    return TargetResult.objects.get(target__code=code, period__code=period, scope_code=scope)


# --- banks enter and leave between the year-end and now -----------------------------------------

@pytest.fixture
def churn(world):
    """Hangzhou: banks A and B approved at 2019Q4; B and C (a new filer) approved at 2020Q3.

    A 2019Q4: 普惠型 10,000 / 各项 50,000 万元;  B 2019Q4: 20,000 / 100,000;
    B 2020Q3: 23,000 / 104,000;  C 2020Q3: 5,000 / 30,000.
    Whole sets: 28,000 − 30,000 = −2,000 (a fall that is not there). Like for like (B only):
    +3,000 (+15.00 %), 各项 +4,000 (+4.00 %); C's 5,000 shown apart; coverage 1 / 2 (2 at the year-end)."""
    w = world
    w.bank_c_hz = f.bank_branch("330100", f.InstitutionFactory(name="丙银行股份有限公司", short_name="丙银行"), name="丙银行杭州分行")
    t4(w.bank_a_hz, BASE, inclusive_loan_balance=10000, all_loan_balance=50000, parks_served=4)
    t4(w.bank_b_hz, BASE, inclusive_loan_balance=20000, all_loan_balance=100000, parks_served=5)
    t4(w.bank_b_hz, NOW, inclusive_loan_balance=23000, all_loan_balance=104000, parks_served=6)
    t4(w.bank_c_hz, NOW, inclusive_loan_balance=5000, all_loan_balance=30000, parks_served=2)
    rebuild()
    return w


def test_the_summary_api_holds_the_comparable_panel_with_its_coverage(client, churn):
    client.force_login(churn.users["province"])
    body = client.get("/api/v1/summaries/province/", {"period": NOW}).json()
    [province] = body["results"]
    banks = province["data"]["banks"]["excl_ningbo"]
    assert banks["total"]["inclusive_loan_balance"] == "28000.00"  # every approved filer now: a level, not a change
    assert banks["change"]["inclusive_loan_balance"] == {"delta": "3000.00", "growth": "15.00"}
    assert banks["change"]["all_loan_balance"] == {"delta": "4000.00", "growth": "4.00"}
    assert banks["change"]["parks_served"] == {"delta": 1, "growth": "20.00"}
    assert banks["comparable"]["current"]["inclusive_loan_balance"] == "23000.00"
    assert banks["comparable"]["baseline"]["inclusive_loan_balance"] == "20000.00"
    assert {k: banks["coverage"][k] for k in ("comparable", "current", "baseline")} == {"comparable": 1, "current": 2, "baseline": 2}
    assert banks["new_filers"] == [{"name": "丙银行杭州分行", "city": "330100"}]
    assert banks["new_filers_total"]["inclusive_loan_balance"] == "5000.00"
    city = client.get("/api/v1/summaries/cities/", {"period": NOW, "code": "330100"}).json()["results"][0]["data"]["banks"]
    assert city["change"]["inclusive_loan_balance"]["delta"] == "3000.00"
    # expected 附表4 packages in Hangzhou: A and B (partner links) and C (filed) — approved now: B and C
    assert (city["coverage"]["current"], city["coverage"]["expected"]) == (2, 3)


def test_the_targets_use_the_panel_and_say_so(client, churn):
    increase = result("ZJ2020-06")
    assert increase.actual == D("0.3000")  # 3,000 万元 = 0.3 亿元, not −0.2
    assert "1 / 2 家机构可比" in increase.note and "新填报机构 1 家" in increase.note
    growth = result("ZJ2020-07")
    assert (growth.actual, growth.threshold, growth.status) == (D("15.00"), D("4.00"), "met")
    city = result("ZJ2020-07", "330100")
    assert (city.actual, city.threshold) == (D("15.00"), D("4.00"))
    client.force_login(churn.users["province"])
    rows = client.get("/api/v1/target-results/", {"period": NOW, "target": "ZJ2020-06", "scope_code": "330000:excl"}).json()["results"]
    assert rows[0]["actual"] == "0.3000" and "1 / 2 家机构可比" in rows[0]["note"]


def test_the_dashboards_show_the_panel_the_new_filer_apart_and_export_it(client, churn):
    client.force_login(churn.users["province"])
    page = client.get(reverse("dashboards:province"), {"period": NOW, "ningbo": "excl"})
    html = page.content.decode()
    lines = {r["key"]: r for r in page.context["bank_lines"].rows}
    inc = lines["inclusive_loan_balance"]
    assert (inc["now"], inc["panel_now"], inc["base"], inc["delta"], inc["growth"], inc["new"]) == (
        D("28000"), D("23000"), D("20000"), D("3000"), D("15.00"), D("5000"))
    assert lines["all_loan_balance"]["growth"] == D("4.00")
    assert page.context["kpi"]["inclusive_growth"] == D("15.00") and page.context["kpi"]["inclusive_increase_yi"] == D("0.30")
    assert "1 / 2 家机构可比" in html and "丙银行杭州分行" in html
    types = {r["label"]: r for r in page.context["types"].rows}
    assert (types["股份制商业银行"]["filers"], types["股份制商业银行"]["comparable"], types["股份制商业银行"]["inclusive_growth"]) == (2, 1, D("15.00"))
    ws = load_workbook(io.BytesIO(client.get(reverse("dashboards:province"),
                                             {"period": NOW, "ningbo": "excl", "format": "xlsx", "table": "banks"}).content)).worksheets[0]
    row = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[0] == "普惠型小微企业贷款余额")
    assert row == ("普惠型小微企业贷款余额", 28000, 23000, 20000, 3000, 15, 5000)
    notes = [r[0] for r in ws.iter_rows(values_only=True) if r[0] and str(r[0]).startswith("注：")]
    assert "1 家机构" in notes[0] and "新填报机构 1 家" in notes[0]
    client.force_login(churn.users["hz_branch"])
    city = client.get(reverse("dashboards:city", args=["330100"]), {"period": NOW})
    assert {r["key"]: r for r in city.context["bank_lines"].rows}["parks_served"]["delta"] == 1
    assert "1 / 2 家机构可比" in city.content.decode()


def test_the_t3_export_shows_the_panel_its_coverage_and_the_completeness(churn):
    from reports.summaries.t3 import t3_export, t3_generate

    t3 = t3_generate(actor=churn.users["hz_branch"], period=Period.objects.get(code=NOW))
    wb = load_workbook(io.BytesIO(t3_export(filing=t3)))
    ws = wb["辖内附表4汇总"]
    assert [c.value for c in ws[3]] == ["指标", "本季末（全部已审核机构）", "可比机构本季末", "可比机构上年末", "比年初增减（可比口径）", "增速(%)",
                                        "新填报机构本季末（单列）"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=4, values_only=True) if r and r[0]}
    assert rows["普惠型小微企业贷款余额"][1:] == (28000, 23000, 20000, 3000, 15, 5000)
    assert rows["各项贷款余额"][4:6] == (4000, 4)
    note = next(v for v in rows if v.startswith("注："))
    assert "1 家机构" in note and "本期已审核 2 家，上年末 2 家" in note and "附表4已审核 2 / 应报 3" in note
    texts = [r[0] for r in wb["附表3"].iter_rows(values_only=True) if r[0]]
    assert any("附表4/5 已审核 2 / 应报 3" in str(t) for t in texts)


# --- a period half reviewed ----------------------------------------------------------------------

@pytest.fixture
def half_reviewed(world):
    """A and B approved at 2019Q4 (10,000 and 20,000); at 2020Q3 A is approved (11,000) and B's
    附表4 (25,000) still waits for review. Whole sets: 11,000 − 30,000 = −19,000; like for like
    (A): +1,000 (+10.00 %), 1 of 1 approved filers comparable, 已审核 1 / 应报 2."""
    w = world
    t4(w.bank_a_hz, BASE, inclusive_loan_balance=10000, all_loan_balance=40000)
    t4(w.bank_b_hz, BASE, inclusive_loan_balance=20000, all_loan_balance=60000)
    t4(w.bank_a_hz, NOW, inclusive_loan_balance=11000, all_loan_balance=42000)
    t4(w.bank_b_hz, NOW, status=FilingStatus.SUBMITTED, inclusive_loan_balance=25000, all_loan_balance=61000)
    rebuild()
    return w


def test_a_period_half_reviewed_shows_no_decline_and_says_how_complete_it_is(client, half_reviewed):
    client.force_login(half_reviewed.users["hz_branch"])
    page = client.get(reverse("dashboards:city", args=["330100"]), {"period": NOW})
    inc = {r["key"]: r for r in page.context["bank_lines"].rows}["inclusive_loan_balance"]
    assert (inc["delta"], inc["growth"]) == (D("1000"), D("10.00"))
    assert page.context["kpi"]["inclusive_growth"] == D("10.00")
    html = page.content.decode()
    assert "1 / 1 家机构可比" in html and "附表4已审核 1 / 应报 2" in html
    assert result("ZJ2020-06", "330000:excl").actual == D("0.1000")  # +1,000 万元, not −1.9 亿元
    assert result("ZJ2020-07", "330100").actual == D("10.00")  # not −63.33 %
    assert "本期附表4已审核 1 / 应报 2" in result("ZJ2020-07", "330100").note


# --- one rounding rule ---------------------------------------------------------------------------

def test_one_over_800_is_0_13_everywhere(client, world):
    """附表2: 1 credited of 800 tenants; 附表4: 信用贷款 200 of 160,000 小微企业贷款 (0.125 %) and
    普惠型 80,000 → 80,100 (+0.125 %), 各项 800,000 → 801,001 (+0.125125 %)."""
    from reports.schedules.numbers import ratio
    from reports.schedules.t2 import t2_ratios

    assert ratio(1, 800) == D("0.13")
    t2 = t2_ratios({"filed_count": 1, "enterprises_total": 800, "credited_count": 1, "rate_weighted_sum": 0, "rate_weight": 0,
                    "cost_weighted_sum": 0, "cost_weight": 0}, star_rating=3)
    assert (t2["filing_coverage"], t2["credit_coverage"]) == (D("0.13"), D("0.13"))
    w = world
    t4(w.bank_a_hz, BASE, inclusive_loan_balance=80000, all_loan_balance=800000, sme_loan_balance=160000, sme_credit_loan_balance=200)
    t4(w.bank_a_hz, NOW, inclusive_loan_balance=80100, all_loan_balance=801001, sme_loan_balance=160000, sme_credit_loan_balance=200)
    rebuild()
    client.force_login(w.users["province"])
    banks = client.get("/api/v1/summaries/province/", {"period": NOW}).json()["results"][0]["data"]["banks"]["excl_ningbo"]
    assert banks["total"]["credit_loan_share"] == "0.13"  # the roll-up
    assert banks["change"]["inclusive_loan_balance"]["growth"] == "0.13"
    assert banks["change"]["all_loan_balance"]["growth"] == "0.13"
    assert result("ZJ2020-14").actual == D("0.13")  # the target
    growth = result("ZJ2020-07")  # 0.125 % against 0.125125 %: both read 0.13, the status is judged unrounded
    assert (growth.actual, growth.threshold, growth.gap, growth.status) == (D("0.13"), D("0.13"), D("0"), "unmet")
    page = client.get(reverse("dashboards:province"), {"period": NOW, "ningbo": "excl"})
    row = {r["code"]: r for r in page.context["targets"].rows}["ZJ2020-07"]
    assert row["gap_text"] == "尚差 0.00 个百分点" and row["status"]["label"] == "未达标"
    assert {r["key"]: r for r in page.context["bank_lines"].rows}["credit_loan_share"]["now"] == D("0.13")


def test_growth_and_amount_rounding_is_half_up():
    from reports.schedules.numbers import change, growth, rounded, weighted

    assert growth(801, 800) == D("0.13") and growth(799, 800) == D("-0.13")
    assert change(D("100.5"), D("100")) == (D("0.5"), D("0.50"))
    assert rounded(D("0.125")) == D("0.13") and rounded(D("2.5"), 0) == D("3")
    assert weighted(D("1.00005"), 1) == D("1.0001")


# --- partner banks: the register's links in force (the ZJ2020-05 definition) ----------------------

def test_parks_outside_3_to_5_partner_banks_are_the_parks_failing_zj2020_05(client, world):
    import datetime as dt

    from parks.choices import LinkStatus, PartnerRole

    w = world
    # 西湖: A (lead) + B in force, + C confirmed → 3; a proposed and an ended link do not count
    f.PartnerLinkFactory(park=w.p_hz, branch=f.bank_branch("330100"))
    f.PartnerLinkFactory(park=w.p_hz, branch=f.bank_branch("330100"), status=LinkStatus.PROPOSED)
    f.PartnerLinkFactory(park=w.p_hz, branch=f.bank_branch("330100"), until=dt.date(2020, 6, 30))
    # 余杭: B (lead) only → 1;  鹿城: A (lead) only → 1;  a new park with 3 partners and no lead
    extra = f.ParkFactory(code="330110009", name="余杭新园", county=f.region("330110"), operator=w.op_hz2)
    for _ in range(3):
        f.PartnerLinkFactory(park=extra, branch=f.bank_branch("330100"), role=PartnerRole.PARTNER)
    rebuild()
    client.force_login(w.users["province"])
    page = client.get(reverse("dashboards:province"), {"period": NOW})
    rows = page.context["partners"].rows
    outside = {(r["code"], r["count"]) for r in rows if r["issue"].startswith("伙伴银行")}
    assert outside == {(w.p_hz2.code, 1), (w.p_wz.code, 1)}  # no 附表5 is approved: the register decides
    assert {r["code"] for r in rows if r["issue"] == "无主办行"} == {"330110009"}
    failing = result("ZJ2020-05", "330000:incl")
    assert failing.actual == D("50.00")  # 2 of 4 parks have 3–5 partner banks: the same two parks fail
    assert "登记" in page.context["partners"].note


# --- which parks a page counts; the star block; the dashboards' query string -------------------------

def test_pages_say_which_parks_they_count(client, world):
    from parks.choices import ParkStatus

    f.ParkFactory(code="330106098", name="建设中园区", county=f.region("330106"), operator=world.op_hz, status=ParkStatus.BUILDING)
    rebuild()
    client.force_login(world.users["hz_branch"])
    home = client.get("/").content.decode()
    assert "辖内运营中小微企业园 <b>2</b> 个（名单共 3 个" in home
    city = client.get(reverse("dashboards:city", args=["330100"]), {"period": NOW}).content.decode()
    assert "运营中园区 2 个（名单共 3 个，其中建设中 1 个）" in city


def test_the_star_block_counts_the_same_parks_in_every_figure(world):
    from reports.summaries.t3 import t3_export, t3_generate
    from tests.test_rollups import approve_t1
    from tests.test_t1_t2 import raw_row

    period = Period.objects.get(code=NOW)
    approve_t1(world, world.p_hz, "op_hz", [raw_row(0, world.e_hz.uscc, "100")], period)  # 余杭 (p_hz2) does not report
    t3 = t3_generate(actor=world.users["hz_branch"], period=period)
    other = next(b for b in t3.snapshot["data"]["by_star"] if b["key"] == "other")
    assert (other["park_count"], other["filed_parks"], other["enterprises_total"], other["credited_count"]) == (2, 1, 1, 1)
    ws = load_workbook(io.BytesIO(t3_export(filing=t3)))["附表3"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(r for r in rows if r[1] == "按星级")
    assert header[6:10] == ("运营中园区数", "其中：附表1已审核园区数", "入园企业数（已审核园区）", "获得授信企业数（已审核园区）")
    assert next(r for r in rows if r[1] == "其他")[6:10] == (2, 1, 1, 1)


def test_the_dashboards_index_keeps_its_query_string(client, world):
    client.force_login(world.users["province"])
    response = client.get(reverse("dashboards:index"), {"period": "2020Q3", "ningbo": "excl"})
    assert response["Location"] == f"{reverse('dashboards:province')}?period=2020Q3&ningbo=excl"
    client.force_login(world.users["hz_branch"])
    assert client.get(reverse("dashboards:index"), {"period": "2020Q3"})["Location"] == f"{reverse('dashboards:city', args=['330100'])}?period=2020Q3"


# --- the branch's review queue: the landing count and the inbox agree -------------------------------

def test_the_branch_landing_counts_its_queue_and_lists_the_filings_at_the_banks_apart(client, world):
    from reports.filings import services
    from reports.workflow import services as workflow
    from tests.test_t1_t2 import raw_row

    period = Period.objects.filter(is_baseline=False).order_by("-year", "-quarter").first()  # the landing's (open) period
    for park, op, uscc in ((world.p_hz, "op_hz", world.e_hz.uscc), (world.p_hz2, "op_hz2", world.e_hz2.uscc)):
        filing = services.filing_open(actor=world.users[op], schedule="T1", period=period, park=park)
        assert services.filing_rows_replace(actor=world.users[op], filing=filing, raw_rows=[raw_row(0, uscc, "10")]).saved
        workflow.filing_submit(actor=world.users[op], filing=filing)
    # 余杭's lead bank (乙银行) forwards it; 西湖's lead bank (甲银行) has not yet
    workflow.filing_confirm(actor=world.users["bank_b_hz"], filing=Filing.objects.get(park=world.p_hz2, period=period))
    client.force_login(world.users["hz_branch"])
    todo = {t["text"]: t["url"] for t in client.get("/").context["todo"]}
    assert "1 份报表待审核" in todo
    assert "1 份园区附表1待主办行审核转报（转报后进入本局待审核）" in todo
    page = client.get(todo["1 份报表待审核"])  # the review inbox
    assert [e.subject_name for e in page.context["table"].data] == [world.p_hz2.name]
    assert [(e.subject_name, e.waiting_for) for e in page.context["waiting"].data] == [(world.p_hz.name, "甲银行杭州分行")]
    assert "等待主办行 甲银行杭州分行 确认转报" in page.content.decode()
    # the completeness list still splits its awaiting filings the same way
    queue = client.get(f"/completeness/list/?period={period.code}&state=awaiting")
    assert [i.name for i in queue.context["page"]] == [world.p_hz2.name]
    assert [(i.name, i.waiting_for_name) for i in queue.context["at_banks"]] == [(world.p_hz.name, "甲银行杭州分行")]
