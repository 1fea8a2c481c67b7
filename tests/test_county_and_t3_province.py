"""Issue 13 C: the county dashboard, completeness by county inside a city, the province's 附表3
inbox and the province-wide 附表3 (含 / 不含宁波). Every figure here is written by hand from the
small world built below, never read back from the portal's own functions."""
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from parks.models import Park
from reports.filings import services
from reports.filings.models import Filing, Period
from reports.summaries import rollups
from reports.summaries.t3 import t3_generate
from reports.workflow import services as workflow
from reports.workflow.transitions import lead_bank_id
from tests import factories as f
from tests.test_t1_t2 import raw_row

PERIOD = "2020Q3"


def approve(park, op_user, credits, period, reviewer, bank_users=()):
    """Tenants enough for ``credits`` (one 附表1 row each: credit amount, "0" = none); submit,
    转报 by the lead bank if any, approve by ``reviewer``."""
    have = list(park.tenancies.select_related("enterprise"))
    for _ in range(len(credits) - len(have)):
        f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(uscc=f.next_uscc(park.county.code)))
    tenants = list(park.tenancies.select_related("enterprise").order_by("pk"))
    filing = services.filing_open(actor=op_user, schedule="T1", period=period, park=park)
    rows = [raw_row(i, t.enterprise.uscc, c) for i, (t, c) in enumerate(zip(tenants, credits))]
    assert services.filing_rows_replace(actor=op_user, filing=filing, raw_rows=rows).saved
    workflow.filing_submit(actor=op_user, filing=filing)
    lead = lead_bank_id(filing)
    if lead:
        workflow.filing_confirm(actor=next(u for u in bank_users if u.organisation_id == lead), filing=filing)
    workflow.filing_approve(actor=reviewer, filing=filing)


@pytest.fixture
def xihu(world):
    """西湖区 (330106): p_hz 四星 10 tenants, 7 credited 100 each; 西湖三星园 三星 4 tenants, 1 credited
    50; 西湖五星园 五星 2 tenants, no 附表1 (未报送). 余杭 (330110): p_hz2 1 tenant credited 10."""
    period = Period.objects.get(code=PERIOD)
    banks = [world.users["bank_a_hz"], world.users["bank_b_hz"]]
    Park.objects.filter(pk=world.p_hz.pk).update(star_rating=4)
    world.p_hz.refresh_from_db()
    approve(world.p_hz, world.users["op_hz"], ["100"] * 7 + ["0"] * 3, period, world.users["hz_branch"], banks)
    three = f.ParkFactory(code="330106002", name="西湖三星园", county=f.region("330106"), operator=world.op_hz, star_rating=3)
    approve(three, world.users["op_hz"], ["50", "0", "0", "0"], period, world.users["hz_branch"], banks)
    five = f.ParkFactory(code="330106003", name="西湖五星园", county=f.region("330106"), operator=world.op_hz, star_rating=5)
    for _ in range(2):
        f.TenancyFactory(park=five, enterprise=f.EnterpriseFactory(uscc=f.next_uscc("330106")))
    approve(world.p_hz2, world.users["op_hz2"], ["10"], period, world.users["hz_branch"], banks)
    rollups.summaries_rebuild_all(period=period)
    return period


def county_url(code):
    return reverse("dashboards:county", args=[code])


def test_county_dashboard_figures_equal_hand_computed_values(client, world, xihu):
    client.force_login(world.users["xihu_jxj"])
    page = client.get(county_url("330106"), {"period": PERIOD})
    assert page.status_code == 200
    ctx = page.context
    # 3 operating parks, 2 approved; 14 enterprises (the unfiled park's 2 tenants in no total)
    assert (ctx["kpi"]["park_count"], ctx["kpi"]["filed_parks"], ctx["kpi"]["enterprises_total"]) == (3, 2, 14)
    assert ctx["kpi"]["credited_count"] == 8 and ctx["kpi"]["credit_coverage"] == Decimal("57.14")  # 8 / 14
    assert ctx["kpi"]["filing_coverage"] == Decimal("100.00") and ctx["kpi"]["credit_amount"] == Decimal("750.00")
    assert ctx["kpi"]["loan_balance"] == Decimal("600.00")  # 7 × 80 + 40
    parks = {r["code"]: r for r in ctx["parks"].rows}
    assert set(parks) == {"330106001", "330106002", "330106003"}  # 余杭's park is not on it
    assert parks["330106001"]["credit_coverage"] == Decimal("70.00") and parks["330106001"]["met_label"] == "达标"
    assert parks["330106002"]["credit_coverage"] == Decimal("25.00") and parks["330106002"]["met_label"] == "未达标"
    assert parks["330106003"]["met_label"] == "未报送"
    assert parks["330106001"]["name_url"].startswith(reverse("dashboards:park", args=["330106001"]))  # drill-down
    stars = {r["label"]: r for r in ctx["stars"].rows}
    assert (stars["四星"]["enterprises_total"], stars["四星"]["credited_count"], stars["四星"]["credit_coverage"]) == (10, 7, Decimal("70.00"))
    assert stars["四星"]["met_label"] == "达标" and stars["三星"]["credit_coverage"] == Decimal("25.00") and stars["三星"]["met_label"] == "未达标"
    assert (stars["五星"]["park_count"], stars["五星"]["filed_parks"], stars["五星"]["enterprises_total"]) == (1, 0, 0)
    (comp,) = ctx["completeness"].rows
    # the 2020Q3 deadline is long past: the two approvals came late, the unfiled park is overdue
    assert (comp["expected"], comp["approved"], comp["not_filed"], comp["late"], comp["awaiting"]) == (3, 2, 1, 3, 0)
    html = page.content.decode()
    assert "西湖三星园" in html and "余杭数字小微企业园" not in html


def test_county_dashboard_access(client, world, xihu):
    expect = {("xihu_jxj", "330106"): 200, ("xihu_jxj", "330110"): 404, ("xihu_jxj", "330302"): 404,
              ("hz_jxj", "330110"): 200, ("hz_branch", "330106"): 200, ("province", "330302"): 200, ("jxt", "330106"): 200,
              ("wz_jxj", "330106"): 404, ("wz_branch", "330106"): 404, ("bank_a_hz", "330106"): 404, ("op_hz", "330106"): 404,
              ("hz_branch", "330100"): 404}  # a city code is not a county
    for (who, code), status in expect.items():
        client.force_login(world.users[who])
        assert client.get(county_url(code), {"period": PERIOD}).status_code == status, (who, code)
    client.logout()
    assert client.get(county_url("330106")).status_code == 302


def test_county_user_lands_on_its_county_and_city_page_links_its_counties(client, world, xihu):
    client.force_login(world.users["xihu_jxj"])
    assert client.get(reverse("dashboards:index"))["Location"] == county_url("330106")
    home = client.get("/").content.decode()
    assert f'href="{county_url("330106")}"' in home and "home-county-dashboard" in home
    client.force_login(world.users["hz_branch"])
    city = client.get(reverse("dashboards:city", args=["330100"]), {"period": PERIOD}).content.decode()
    assert f"{county_url('330106')}?period={PERIOD}" in city and f"{county_url('330110')}?period={PERIOD}" in city
    export = client.get(county_url("330106"), {"period": PERIOD, "format": "xlsx", "table": "parks"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_completeness_by_county_equals_an_independent_count(client, world, xihu):
    client.force_login(world.users["province"])
    page = client.get(reverse("reports:completeness"), {"period": PERIOD, "city": "330100"})
    rows = {r.city.code: r for r in page.context["county_rows"]}
    period = Period.objects.get(code=PERIOD)
    for code in ("330106", "330110"):
        parks = Park.objects.filter(county__code=code, status="active")
        approved = Filing.objects.filter(period=period, schedule="T1", is_current=True, status="approved", park__in=parks).count()
        assert rows[code].expected == parks.count() and rows[code].counts["approved"] == approved
        assert rows[code].counts["not_filed"] == parks.count() - approved
    assert (rows["330106"].expected, rows["330106"].counts["approved"], rows["330106"].counts["not_filed"]) == (3, 2, 1)
    assert (rows["330110"].expected, rows["330110"].counts["approved"]) == (1, 1)
    # bank branches file per city: the two Hangzhou branches with partner links, apart, none filed
    assert (rows["banks"].expected, rows["banks"].counts["not_filed"]) == (2, 2)
    city = next(r for r in page.context["rows"] if r.city.code == "330100")
    assert sum(r.expected for r in rows.values()) == city.expected == 6
    assert "330302" not in rows  # Wenzhou's county is not in Hangzhou
    # the branch sees its own city's counties without asking; the list drills into one county
    client.force_login(world.users["hz_branch"])
    page = client.get(reverse("reports:completeness"), {"period": PERIOD})
    assert {r.city.code for r in page.context["county_rows"]} == {"330106", "330110", "banks"}
    listing = client.get(reverse("reports:completeness_list"), {"period": PERIOD, "county": "330106", "state": "not_filed"})
    assert [i.code for i in listing.context["page"]] == ["330106003"]
    client.force_login(world.users["xihu_jxj"])
    assert client.get(reverse("reports:completeness"), {"period": PERIOD, "city": "330100"}).status_code == 403


@pytest.fixture
def t3_world(world):
    """杭州 (approved 附表3): p_hz 10 tenants, 7 credited 100; p_hz2 1 tenant credited 10 → 11 / 8 / 710.
    宁波 (approved): one park, 2 tenants, 1 credited 200 → 2 / 1 / 200. 温州: 附表3 submitted, not
    accepted (its park 1 tenant credited 30). The other 8 cities: no 附表3."""
    period = Period.objects.get(code=PERIOD)
    banks = [world.users["bank_a_hz"], world.users["bank_b_hz"], world.users["bank_a_wz"]]
    approve(world.p_hz, world.users["op_hz"], ["100"] * 7 + ["0"] * 3, period, world.users["hz_branch"], banks)
    approve(world.p_hz2, world.users["op_hz2"], ["10"], period, world.users["hz_branch"], banks)
    approve(world.p_wz, world.users["op_wz"], ["30"], period, world.users["wz_branch"], banks)
    nb_branch = f.UserFactory(username="nb_branch", organisation=f.branch_regulator("330200", name="宁波银保监局"))
    nb_op = f.UserFactory(username="op_nb", organisation=f.park_operator("330203", name="海曙园运营公司"))
    nb_park = f.ParkFactory(code="330203001", name="海曙小微企业园", county=f.region("330203"), operator=nb_op.organisation)
    approve(nb_park, nb_op, ["200", "0"], period, nb_branch)
    for user in (world.users["hz_branch"], nb_branch, world.users["wz_branch"]):
        t3 = t3_generate(actor=user, period=period)
        workflow.filing_submit(actor=user, filing=t3)
        if user is not world.users["wz_branch"]:
            workflow.filing_approve(actor=world.users["province"], filing=t3)
    return period


def test_province_t3_totals_are_the_sums_of_the_approved_city_sheets(client, world, t3_world):
    client.force_login(world.users["province"])
    page = client.get(reverse("reports:t3_province"), {"period": PERIOD})
    assert page.status_code == 200
    rows = {r["code"]: r for r in page.context["rows"]}
    assert len(rows) == 11
    assert (rows["330100"]["status"], rows["330200"]["status"], rows["330300"]["status"]) == ("approved", "approved", "submitted")
    assert rows["330100"]["current"]["version"] == 1 and rows["330300"]["current"]["submitted_at"] is not None
    assert rows["330500"]["status"] == "not_filed" and rows["330500"]["current"] is None
    data = page.context["data"]
    incl, excl = data["incl_ningbo"]["total"], data["excl_ningbo"]["total"]
    assert (incl["enterprises_total"], incl["credited_count"], incl["credit_amount"]) == (13, 9, Decimal("910.00"))
    assert incl["credit_coverage"] == Decimal("69.23") and incl["filing_coverage"] == Decimal("100.00")  # 9 / 13, from the sums
    assert (excl["enterprises_total"], excl["credited_count"], excl["credit_amount"]) == (11, 8, Decimal("710.00"))
    assert excl["credit_coverage"] == Decimal("72.73")  # 8 / 11
    assert [c["name"] for c in data["cities"]] == ["杭州市", "宁波市"]
    assert {c["code"] for c in data["not_accepted"]} == {"330300", "330400", "330500", "330600", "330700", "330800", "330900",
                                                          "331000", "331100"}
    html = page.content.decode()
    assert "温州市（已提交）" in html  # listed apart, with its state
    # the second version of an accepted sheet, still in draft, leaves the accepted one in force
    hz = Filing.objects.get(schedule="T3", period=t3_world, city__code="330100", is_current=True)
    workflow.filing_amend(actor=world.users["hz_branch"], filing=hz)
    page = client.get(reverse("reports:t3_province"), {"period": PERIOD})
    assert page.context["data"]["incl_ningbo"]["total"]["enterprises_total"] == 13
    assert "采用第1版" in {r["code"]: r for r in page.context["rows"]}["330100"]["status_label"]


def test_province_t3_export_in_the_official_layout(client, world, t3_world):
    client.force_login(world.users["province"])
    resp = client.get(reverse("reports:t3_province"), {"period": PERIOD, "format": "xlsx"})
    assert resp.status_code == 200 and "%E9%99%84%E8%A1%A83_%E5%85%A8%E7%9C%81_2020Q3.xlsx" in resp["Content-Disposition"]
    ws = load_workbook(io.BytesIO(resp.content))["附表3"]
    assert ws["A1"].value == "浙江省小微企业园融资需求及融资成本情况汇总表"
    header = [c.value for c in ws[3]]
    by_label = {r[1]: r for r in ws.iter_rows(min_row=4, values_only=True) if r[1]}
    ent, cred, cov = header.index("入园企业数"), header.index("获得授信企业数"), header.index("授信覆盖率(%)")
    assert by_label["全省合计（含宁波）"][ent] == 13 and by_label["全省合计（含宁波）"][cov] == 69.23
    assert by_label["全省合计（不含宁波）"][ent] == 11 and by_label["全省合计（不含宁波）"][cred] == 8
    assert by_label["杭州市合计（第1版）"][ent] == 11 and by_label["宁波市合计（第1版）"][ent] == 2
    assert by_label["西湖区"][ent] == 10 and by_label["海曙区"][2] == "宁波市"  # counties inside each city block
    assert not any("温州" in str(label) for label in by_label)  # not accepted: no block, in no total
    note = next(r[0] for r in ws.iter_rows(values_only=True) if str(r[0] or "").startswith("注"))
    assert "温州市（已提交）" in note
    assert "按星级（含宁波）" in by_label and "按星级（不含宁波）" in by_label


def test_province_t3_inbox_is_the_province_s_alone(client, world, t3_world):
    for who in ("hz_branch", "jxt", "xihu_jxj", "bank_a_hz"):
        client.force_login(world.users[who])
        assert client.get(reverse("reports:t3_province"), {"period": PERIOD}).status_code == 403, who


@pytest.mark.parametrize("extra", [2, 25])
def test_county_dashboard_and_t3_inbox_query_counts_do_not_grow(client, world, django_assert_num_queries, extra):
    period = Period.objects.get(code=PERIOD)
    for i in range(extra):
        park = f.ParkFactory(code=f"330106{100 + i}", name=f"西湖扩展园{i}", county=f.region("330106"), operator=world.op_hz, star_rating=i % 6)
        f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(uscc=f.next_uscc("330106")))
    approve(world.p_hz, world.users["op_hz"], ["100", "0"], period, world.users["hz_branch"], [world.users["bank_a_hz"]])
    rollups.summaries_rebuild_all(period=period)
    t3 = t3_generate(actor=world.users["hz_branch"], period=period)
    Filing.objects.filter(pk=t3.pk).update(status="approved")  # as accepted (the workflow is tested above)
    client.force_login(world.users["xihu_jxj"])
    client.get(reverse("notifications"))  # warm: the unread count in the cache (the dashboard itself would be prepared)
    with django_assert_num_queries(PINNED["county"]):
        assert client.get(county_url("330106"), {"period": PERIOD}).status_code == 200
    client.force_login(world.users["province"])
    client.get(reverse("notifications"))
    with django_assert_num_queries(PINNED["t3_inbox"]):
        assert client.get(reverse("reports:t3_province"), {"period": PERIOD}).status_code == 200


PINNED = {"county": 6, "t3_inbox": 6}
