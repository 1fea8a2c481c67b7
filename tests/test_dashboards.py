"""Dashboards: who sees which page (403 / 404 otherwise), what the pages show, xlsx exports of
every table (formula-safe), and the query count of every page pinned — the same on a small and a
large demo."""
from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from portal import generation
from reports.filings.models import Filing, Period, T2Summary
from reports.summaries.models import Summary

PERIOD = "2020Q3"


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, {"period": PERIOD, **params})


def province_url():
    return reverse("dashboards:province")


def city_url(code):
    return reverse("dashboards:city", args=[code])


def bank_url(org):
    return reverse("dashboards:bank", args=[org.pk])


def park_url(park):
    return reverse("dashboards:park", args=[park.code])


# --- access ------------------------------------------------------------------------------------

def test_who_sees_which_dashboard(client, scenario):
    w = scenario
    u = w.users
    cases = [
        # (user, url, expected status)
        ("province", province_url(), 200), ("province", city_url("330200"), 200), ("province", bank_url(w.bank_nb), 200),
        ("province", park_url(w.p_nb), 200), ("province", reverse("dashboards:targets"), 200),
        ("jxt", province_url(), 200), ("hz_jxj", city_url("330100"), 200), ("hz_jxj", city_url("330300"), 403),
        ("hz_branch", province_url(), 403), ("hz_branch", city_url("330100"), 200), ("hz_branch", city_url("330200"), 403),
        ("hz_branch", bank_url(w.bank_a_hz), 200), ("hz_branch", bank_url(w.bank_nb), 404), ("hz_branch", park_url(w.p_hz), 200),
        ("hz_branch", park_url(w.p_nb), 404), ("hz_branch", reverse("dashboards:targets"), 403),
        # a bank: its own page and the parks it leads, nothing else
        ("bank_a_hz", province_url(), 403), ("bank_a_hz", city_url("330100"), 403), ("bank_a_hz", reverse("dashboards:targets"), 403),
        ("bank_a_hz", bank_url(w.bank_a_hz), 200), ("bank_a_hz", bank_url(w.bank_b_hz), 404), ("bank_a_hz", bank_url(w.bank_a_wz), 404),
        ("bank_a_hz", park_url(w.p_hz), 200), ("bank_a_hz", park_url(w.p_hz2), 404),
        ("bank_b_hz", park_url(w.p_hz), 404),  # a partner, not the lead bank
        ("bank_b_hz", park_url(w.p_hz2), 200),
        # park operators and county bureaus: their parks
        ("op_hz", park_url(w.p_hz), 200), ("op_hz", park_url(w.p_hz2), 404), ("op_hz", province_url(), 403),
        ("op_hz", bank_url(w.bank_a_hz), 404), ("op_hz", city_url("330100"), 403),
        ("xihu_jxj", park_url(w.p_hz), 200), ("xihu_jxj", park_url(w.p_hz2), 404), ("xihu_jxj", city_url("330100"), 403),
    ]
    for who, url, status in cases:
        assert get(client, u[who], url).status_code == status, (who, url)
    # the same holds for the exports
    assert get(client, u["bank_a_hz"], province_url(), format="xlsx").status_code == 403
    assert get(client, u["bank_a_hz"], bank_url(w.bank_b_hz), format="xlsx").status_code == 404


def test_each_role_lands_on_its_dashboard(client, scenario):
    u, w = scenario.users, scenario
    expect = {"province": province_url(), "jxt": province_url(), "hz_branch": city_url("330100"), "hz_jxj": city_url("330100"),
              "bank_a_hz": bank_url(w.bank_a_hz), "op_hz": park_url(w.p_hz)}
    for who, url in expect.items():
        client.force_login(u[who])
        assert client.get(reverse("dashboards:index"))["Location"] == url, who
    client.force_login(u["xihu_jxj"])  # a county bureau: its county's dashboard
    assert client.get(reverse("dashboards:index"))["Location"] == reverse("dashboards:county", args=["330106"])
    page = client.get(reverse("dashboards:index"), {"period": "2020Q3"}, follow=True)
    assert page.status_code == 200 and w.p_hz.name in page.content.decode() and w.p_hz2.name not in page.content.decode()


def test_anonymous_users_go_to_login(client, scenario):
    assert client.get(province_url())["Location"].startswith("/login/")


# --- content -----------------------------------------------------------------------------------

def test_province_page_targets_switch_and_freshness(client, scenario):
    page = get(client, scenario.users["province"], province_url(), ningbo="excl")
    html = page.content.decode()
    ctx = page.context
    rows = {r["code"]: r for r in ctx["targets"].rows}
    assert rows["ZJ2020-08"]["status"]["label"] == "未达标" and rows["ZJ2020-08"]["actual"] == D("5.4256")
    assert rows["ZJ2020-16"]["status"]["label"] == "不适用" and "未采集" in rows["ZJ2020-16"]["note"]
    assert "宁波市" not in [c["name"] for c in ctx["cities"].rows]
    assert "数据更新于" in html and "浙银保监发〔2020〕15号" in html
    incl = get(client, scenario.users["province"], province_url(), ningbo="incl").context
    assert {r["code"]: r for r in incl["targets"].rows}["ZJ2020-08"]["status"]["label"] == "达标"
    assert "宁波市" in [c["name"] for c in incl["cities"].rows]
    stars = {r["label"]: r for r in incl["stars"].rows}
    assert stars["四星、五星合计"]["credit_coverage"] == D("83.33") and stars["三星"]["met"] is False
    assert {c["name"]: c for c in incl["multi"].rows}  # 垒小户 per city
    assert incl["completeness"].rows and incl["partners"].rows  # parks outside 3–5 partner banks are listed
    Summary.objects.filter(scope="province", period__code=PERIOD).update(queued=True)
    assert "更新中…" in get(client, scenario.users["province"], province_url()).content.decode()


def test_city_park_table_filters_and_sorts(client, scenario):
    user = scenario.users["hz_branch"]
    ctx = get(client, user, city_url("330100"), star="3").context
    assert [p["code"] for p in ctx["parks"].rows] == [scenario.p_hz2.code]
    ctx = get(client, user, city_url("330100"), sort="credit_coverage", dir="desc").context
    assert [p["code"] for p in ctx["parks"].rows] == [scenario.p_hz.code, scenario.p_hz2.code]
    ctx = get(client, user, city_url("330100"), met="unmet").context
    assert [p["code"] for p in ctx["parks"].rows] == [scenario.p_hz2.code]
    ctx = get(client, user, city_url("330100"), county="330106").context
    assert [p["code"] for p in ctx["parks"].rows] == [scenario.p_hz.code]
    html = get(client, user, city_url("330100")).content.decode()
    assert park_url(scenario.p_hz) in html  # drill down to the park page


def test_park_page_coverage_problem_list_and_ledger_link(client, scenario):
    from reports.filings import services

    w = scenario
    filing = Filing.objects.get(park=w.p_hz2, period__code=PERIOD, schedule="T1")
    page = get(client, w.users["op_hz2"], park_url(w.p_hz2))
    ctx = page.context
    assert ctx["coverage"]["actual"] == D("50.00") and ctx["coverage"]["target"] == 60 and ctx["coverage"]["met"] is False
    assert ctx["coverage"]["needed"] == 1
    assert len(ctx["missing"].rows) == 1  # one of the two tenants is not in the ledger
    assert reverse("reports:filing_detail", args=[filing.pk]) in page.content.decode()
    assert ctx["problems"].rows == []
    # an amended ledger with a category B row (need not met, with its solution) shows in 重点问题清单
    from reports.workflow import services as workflow
    from tests.test_t1_t2 import raw_row

    v2 = workflow.filing_amend(actor=w.users["op_hz2"], filing=filing)
    uscc = list(w.p_hz2.tenancies.values_list("enterprise__uscc", flat=True))
    rows = [raw_row(0, uscc[0], "50"), raw_row(1, uscc[1], "0", has_demand="是", demand_amount="120", demand_purpose="购置设备",
                                                 demand_status="未满足", unmet_reason="银行服务原因", unmet_detail="抵押物不足",
                                                 solution="乙银行拟以厂房按揭方式支持")]
    assert services.filing_rows_replace(actor=w.users["op_hz2"], filing=v2, raw_rows=rows).saved
    assert get(client, w.users["op_hz2"], park_url(w.p_hz2)).context["problems"].rows == []  # v2 is not approved yet
    workflow.filing_submit(actor=w.users["op_hz2"], filing=v2)
    workflow.filing_confirm(actor=w.users["bank_b_hz"], filing=v2)
    workflow.filing_approve(actor=w.users["hz_branch"], filing=v2)
    ctx = get(client, w.users["bank_b_hz"], park_url(w.p_hz2)).context
    [problem] = ctx["problems"].rows
    assert problem["solution"] == "乙银行拟以厂房按揭方式支持" and problem["unmet_reason_label"] == "银行服务原因"
    assert ctx["coverage"]["met"] is False and ctx["missing"].rows == []


def test_bank_page_t4_against_last_quarter_and_year_end(client, scenario):
    ctx = get(client, scenario.users["bank_a_hz"], bank_url(scenario.bank_a_hz)).context
    lines = {r["key"]: r for r in ctx["t4"].rows}
    inc = lines["inclusive_loan_balance"]
    assert (inc["now"], inc["prev_ye"], inc["ye_delta"]) == (D("23000"), D("20000"), D("3000"))
    assert inc["ye_growth"] == D("15.00") and inc["prev_q"] is None  # no 2020Q2 filing
    assert [p["code"] for p in ctx["parks"].rows] == [scenario.p_hz.code]
    assert ctx["parks"].rows[0]["role"] == "主办行" and ctx["parks"].rows[0]["credit_coverage"] == D("75.00")
    assert {r["code"] for r in ctx["targets"].rows} >= {"JY2022-01", "JY2022-02", "JY2022-04"}
    assert {r["period"] for r in ctx["filings"].rows} == {"2019Q3", "2019Q4", "2020Q3"}


# --- xlsx ----------------------------------------------------------------------------------------

def test_every_table_exports_to_xlsx_and_cells_are_formula_safe(client, scenario):
    w = scenario
    w.p_hz.name = "=HYPERLINK(\"http://evil\",\"点我\")"
    w.p_hz.save()
    from reports.summaries import rollups

    rollups.summaries_rebuild_all(period=Period.objects.get(code=PERIOD))
    pages = [(w.users["province"], province_url()), (w.users["province"], city_url("330100")),
             (w.users["bank_a_hz"], bank_url(w.bank_a_hz)), (w.users["op_hz"], park_url(w.p_hz)),
             (w.users["province"], reverse("dashboards:targets"))]
    for user, url in pages:
        page = get(client, user, url)
        tables = page.context["tables"]
        whole = get(client, user, url, format="xlsx")
        assert whole["Content-Type"].startswith("application/vnd.openxmlformats")
        wb = load_workbook(io.BytesIO(whole.content))
        assert len(wb.sheetnames) == len(tables), url
        for table in tables:
            one = load_workbook(io.BytesIO(get(client, user, url, format="xlsx", table=table.key).content))
            ws = one.worksheets[0]
            assert [c.value for c in ws[3]] == [c.label for c in table.columns], (url, table.key)
            assert ws.max_row >= 3 + len(table.rows)
    ws = load_workbook(io.BytesIO(get(client, w.users["province"], city_url("330100"), format="xlsx", table="parks").content)).worksheets[0]
    names = [ws.cell(r, 2).value for r in range(4, ws.max_row + 1)]
    assert "'=HYPERLINK(\"http://evil\",\"点我\")" in names
    coverage = {ws.cell(r, 1).value: ws.cell(r, 8).value for r in range(4, ws.max_row + 1)}
    assert coverage[w.p_hz.code] == 75.0  # numbers stay numbers


# --- query counts: the same on a small and a large demo ------------------------------------------

# bank and park pages: + the open reconciliation items and risk signals of that bank / park (2), the park: + its readings trend (1)
PINNED = {"province": 8, "province_excl": 8, "city": 8, "bank": 11, "park": 15, "targets": 6}  # session, unread count: cached


@pytest.mark.parametrize("scale", [0.02, 0.1])
def test_dashboard_query_counts_are_pinned_and_do_not_grow_with_the_data(db, client, django_assert_num_queries, scale):
    from parks.models import Park
    from portal.models import User
    from reports.demo.build import demo_build
    from reports.targets.engine import target_results_rebuild_all

    demo_build(scale=scale, seed=2020)
    target_results_rebuild_all()
    users = {u.username: u for u in User.objects.filter(username__in=["province", "hz_branch", "bank"])}
    park = Park.objects.filter(t2_summaries__period__code=PERIOD, t2_summaries__filing__status="approved").order_by("code").first()
    bank = users["bank"].organisation
    assert T2Summary.objects.filter(period__code=PERIOD).count() > (10 if scale == 0.02 else 60)
    pages = {
        "province": (users["province"], province_url(), {}),
        "province_excl": (users["province"], province_url(), {"ningbo": "excl"}),
        "city": (users["hz_branch"], city_url("330100"), {}),
        "bank": (users["bank"], bank_url(bank), {}),
        "park": (users["province"], park_url(park), {}),
        "targets": (users["province"], reverse("dashboards:targets"), {}),
    }
    for key, (user, url, params) in pages.items():
        client.force_login(user)
        client.get(reverse("notifications"))  # warm: the unread count in the cache
        cache.delete(generation.KEY)  # built afresh: nothing prepared (a served body: test_dashboard_cache.py)
        with django_assert_num_queries(PINNED[key]):
            assert client.get(url, {"period": PERIOD, **params}).status_code == 200, key


def test_park_dashboard_shows_the_park_brain_readings_beside_the_ledger(client, world):
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from parks.models import BrainReading

    for month in (7, 8, 9):
        BrainReading.objects.create(enterprise=world.e_hz, park=world.p_hz, month=dt.date(2020, month, 1),
                                    electricity_kwh=Decimal("1000.50"), water_t=Decimal("20"), pushed_at=timezone.now())
    BrainReading.objects.create(enterprise=world.e_hz, park=world.p_hz, month=dt.date(2020, 10, 1), electricity_kwh=Decimal("9"),
                                pushed_at=timezone.now())
    client.force_login(world.users["op_hz"])
    response = client.get(reverse("dashboards:park", args=[world.p_hz.code]) + "?period=2020Q3")
    table = response.context["brain"]
    assert [(r["enterprise__uscc"], r["last_month"], r["electricity"]) for r in table.rows] == [(world.e_hz.uscc, "2020-09", Decimal("3001.50"))]
    assert "园区大脑读数" in response.content.decode()
