"""The monitoring lists (reconciliation items, risk signals): django-filter filters (period, city,
park, bank, figure, state, search), 50 a page, an xlsx download of the whole filtered list through
the portal's one xlsx writer (figures as numbers, text formula-safe), and a query count that does
not grow with the rows. Worlds built here, counts written by hand."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal.models import Region
from reports.filings.models import Period
from reports.monitoring.models import ReconciliationItem, RiskSignal

FIGURES = ("count", "credit", "balance")
RECON_URL, RISK_URL = reverse("monitoring:reconciliation_list"), reverse("monitoring:risk_list")


def _items(w, periods, parks, banks, *, closed_period: str = "") -> None:
    """One item per period × park × bank × figure: the park says 10, the bank 4 (difference 6); the
    items of ``closed_period``'s 授信金额 are closed."""
    ReconciliationItem.objects.bulk_create(
        ReconciliationItem(period=p, park=park, branch=bank, figure=fig, park_value=D(10), park_value_max=D(12), bank_value=D(4),
                           difference=D(6), is_open=not (p.code == closed_period and fig == "credit"))
        for p in periods for park in parks for bank in banks for fig in FIGURES)


@pytest.fixture
def recon_world(world):
    """Hangzhou: 7 periods (2019Q2–2020Q4) × 2 parks × 2 banks × 3 figures = 84 items, the 4 of
    2019Q2 授信金额 closed. Wenzhou: 2020Q3 × 1 park × 1 bank × 3 = 3 items; its park is named like a
    formula."""
    w = world
    w.periods = list(Period.objects.filter(is_baseline=False).order_by("year", "quarter"))
    assert [p.code for p in w.periods] == ["2019Q2", "2019Q3", "2019Q4", "2020Q1", "2020Q2", "2020Q3", "2020Q4"]
    _items(w, w.periods, [w.p_hz, w.p_hz2], [w.bank_a_hz, w.bank_b_hz], closed_period="2019Q2")
    w.p_wz.name = "=HYPERLINK(\"http://x\")园"
    w.p_wz.save()
    _items(w, [p for p in w.periods if p.code == "2020Q3"], [w.p_wz], [w.bank_a_wz])
    return w


def listed(client, url, **params) -> list:
    response = client.get(url, params)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def test_the_reconciliation_list_filters_by_period_bank_park_figure_state_and_search(client, recon_world):
    w = recon_world
    client.force_login(w.users["hz_branch"])
    assert len(listed(client, RECON_URL)) == 50 and client.get(RECON_URL).context["page"].paginator.count == 80  # open only
    assert {(i.period.code, i.park.county.city_code) for i in listed(client, RECON_URL, period="2020Q3")} == {("2020Q3", "330100")}
    assert len(listed(client, RECON_URL, period="2020Q3")) == 12
    assert {i.branch for i in listed(client, RECON_URL, period="2020Q3", bank=w.inst_b.pk)} == {w.bank_b_hz}
    assert len(listed(client, RECON_URL, period="2020Q3", bank=w.inst_b.pk)) == 6
    picked = listed(client, RECON_URL, period="2020Q4", park="330110001", figure="balance")
    assert [(i.park, i.figure) for i in picked] == [(w.p_hz2, "balance")] * 2
    assert len(listed(client, RECON_URL, status="closed")) == 4
    assert client.get(RECON_URL, {"status": "all"}).context["page"].paginator.count == 84
    assert len(listed(client, RECON_URL, period="2020Q4", q="余杭")) == 6
    assert len(listed(client, RECON_URL, period="2020Q4", q="乙银行")) == 6
    # a branch regulator has no city filter (its own city); an unknown period lists nothing and says why
    page = client.get(RECON_URL, {"period": "1999Q1"})
    assert "city" not in page.context["filter"].form.fields and list(page.context["page"].object_list) == []
    assert page.context["filter"].form.errors["period"]


def test_the_province_filters_by_city_and_a_bank_sees_only_its_own_items(client, recon_world):
    w = recon_world
    client.force_login(w.users["province"])
    wenzhou = Region.objects.get(code="330300")
    assert {(i.park, i.branch) for i in listed(client, RECON_URL, city=wenzhou.pk)} == {(w.p_wz, w.bank_a_wz)}
    assert len(listed(client, RECON_URL, city=wenzhou.pk)) == 3
    client.force_login(w.users["bank_a_wz"])
    assert client.get(RECON_URL, {"status": "all"}).context["page"].paginator.count == 3
    assert listed(client, RECON_URL, bank=w.inst_b.pk) == []


def test_pages_of_50_keep_the_filters_in_their_links(client, recon_world):
    w = recon_world
    client.force_login(w.users["hz_branch"])
    first = client.get(RECON_URL, {"bank": w.inst_a.pk, "status": "all"})  # 42 items: one page
    assert first.context["page"].paginator.num_pages == 1 and 'data-testid="pager"' not in first.content.decode()
    everything = client.get(RECON_URL, {"status": "all"})
    html = everything.content.decode()
    assert everything.context["page"].paginator.num_pages == 2 and "共 84 条，第 1 / 2 页" in html
    assert 'href="?status=all&amp;page=2"' in html
    second = client.get(RECON_URL, {"status": "all", "page": 2})
    assert len(second.context["page"].object_list) == 34
    assert not {i.pk for i in second.context["page"].object_list} & {i.pk for i in everything.context["page"].object_list}


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


# session, user, filter choices (periods, banks), the count, the page's rows, the unread notifications
RECON_QUERIES = 7


def test_the_reconciliation_page_query_count_is_pinned_and_does_not_grow_with_the_rows(client, world, django_assert_num_queries):
    w = world
    periods = list(Period.objects.filter(is_baseline=False))
    client.force_login(w.users["hz_branch"])
    _items(w, periods[:1], [w.p_hz], [w.bank_a_hz])
    assert _count(client, RECON_URL) == RECON_QUERIES
    _items(w, periods[1:], [w.p_hz, w.p_hz2], [w.bank_a_hz, w.bank_b_hz])
    with django_assert_num_queries(RECON_QUERIES):
        client.get(RECON_URL, {"status": "all", "page": 2, "q": "园"})
    assert _count(client, RECON_URL, {"page": 2, "bank": w.inst_a.pk, "period": "2020Q3"}) == RECON_QUERIES + 2  # + the chosen bank and period
    client.force_login(w.users["province"])
    assert _count(client, RECON_URL, {"page": 2}) == RECON_QUERIES + 1  # + the city choices


def _sheet(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    return [list(r) for r in ws.iter_rows(values_only=True)], ws


def test_the_reconciliation_export_is_the_whole_filtered_list_formula_safe(client, recon_world):
    w = recon_world
    client.force_login(w.users["province"])
    rows, ws = _sheet(client.get(RECON_URL, {"status": "all", "page": 2, "format": "xlsx"}))
    assert rows[0][0].startswith("园区与银行对账差异") and rows[1][:5] == ["报送期", "园区编码", "园区", "银行", "项目"]
    assert len(rows) == 2 + 87  # every page of it
    rows, ws = _sheet(client.get(RECON_URL, {"city": Region.objects.get(code="330300").pk, "figure": "credit", "format": "xlsx"}))
    assert rows[2:] == [["2020Q3", "330302001", "'=HYPERLINK(\"http://x\")园", "甲银行温州分行", "授信金额（万元）", 10, 12, 4, 6, "待核实", 0]]
    assert ws.cell(3, 6).number_format == "#,##0.00"
    client.force_login(w.users["hz_branch"])  # a branch's export is its own city's
    rows, _ = _sheet(client.get(RECON_URL, {"period": "2020Q3", "format": "xlsx"}))
    assert len(rows) == 2 + 12 and {r[1] for r in rows[2:]} == {"330106001", "330110001"}


# --- risk signals --------------------------------------------------------------------------------------

def _signals(w, enterprises, months, *, acknowledged_months=()) -> None:
    now = timezone.now()
    RiskSignal.objects.bulk_create(
        RiskSignal(enterprise=e, park=park, month=m, kwh=D(600), kwh_last_year=D(1000), drop=D(40), previous_drop=D(36), loan_balance=D(300),
                   credit_amount=D(500), main_bank=bank.institution.short_name, lending_bank_count=1, branch=bank,
                   acknowledged_at=now if m in acknowledged_months else None, acknowledged_by=w.users["hz_branch"] if m in acknowledged_months else None,
                   note="已约谈" if m in acknowledged_months else "")
        for e, park, bank in enterprises for m in months)


@pytest.fixture
def risk_world(world):
    """24 months (2019-01 … 2020-12) of signals of 西湖甲企业 (甲银行) and 余杭乙企业 (乙银行): 48
    signals; those of 2020-12 acknowledged."""
    w = world
    w.months = [dt.date(y, m, 1) for y in (2019, 2020) for m in range(1, 13)]
    _signals(w, [(w.e_hz, w.p_hz, w.bank_a_hz), (w.e_hz2, w.p_hz2, w.bank_b_hz)], w.months, acknowledged_months=(dt.date(2020, 12, 1),))
    return w


def test_the_risk_list_filters_by_period_bank_park_state_and_search(client, risk_world):
    w = risk_world
    client.force_login(w.users["hz_branch"])
    assert client.get(RISK_URL).context["page"].paginator.count == 48
    assert {s.month for s in listed(client, RISK_URL, period="2020Q4")} == {dt.date(2020, m, 1) for m in (10, 11, 12)}
    assert len(listed(client, RISK_URL, period="2020Q4")) == 6
    assert [s.enterprise for s in listed(client, RISK_URL, period="2020Q4", bank=w.inst_a.pk)] == [w.e_hz] * 3
    assert len(listed(client, RISK_URL, park="330110001")) == 24
    assert [(s.enterprise, s.month) for s in listed(client, RISK_URL, status="acknowledged")] == [
        (w.e_hz, dt.date(2020, 12, 1)), (w.e_hz2, dt.date(2020, 12, 1))]
    assert client.get(RISK_URL, {"status": "pending"}).context["page"].paginator.count == 46
    assert len(listed(client, RISK_URL, q=w.e_hz2.uscc, period="2020Q1")) == 3


RISK_QUERIES = 7  # session, user, filter choices (periods, banks), the count, the page's rows, the unread notifications


def test_the_risk_page_query_count_is_pinned_and_does_not_grow_with_the_rows(client, world, django_assert_num_queries):
    w = world
    months = [dt.date(y, m, 1) for y in (2019, 2020) for m in range(1, 13)]
    client.force_login(w.users["hz_branch"])
    _signals(w, [(w.e_hz, w.p_hz, w.bank_a_hz)], months[:2], acknowledged_months=months[:1])
    assert _count(client, RISK_URL) == RISK_QUERIES
    _signals(w, [(w.e_hz, w.p_hz, w.bank_a_hz)], months[2:], acknowledged_months=months[2:])
    _signals(w, [(w.e_hz2, w.p_hz2, w.bank_b_hz)], months, acknowledged_months=months)
    with django_assert_num_queries(RISK_QUERIES):
        client.get(RISK_URL, {"page": 1, "status": "all"})


def test_the_risk_export_is_the_filtered_list_with_its_acknowledgements(client, risk_world):
    w = risk_world
    client.force_login(w.users["hz_branch"])
    rows, ws = _sheet(client.get(RISK_URL, {"period": "2020Q4", "bank": w.inst_b.pk, "format": "xlsx"}))
    assert rows[1][:3] == ["月份", "企业", "统一社会信用代码"]
    assert [r[:3] for r in rows[2:]] == [["2020-12", "余杭乙企业有限公司", w.e_hz2.uscc], ["2020-11", "余杭乙企业有限公司", w.e_hz2.uscc],
                                         ["2020-10", "余杭乙企业有限公司", w.e_hz2.uscc]]
    assert rows[2][5:14] == [600, 1000, 36, 40, 300, 500, "乙银行", 1, "已确认"] and rows[2][16] == "已约谈"
    assert rows[3][13] == "待确认" and ws.cell(3, 8).number_format == '0.00"%"'
    client.force_login(w.users["bank_a_hz"])  # a bank exports its own signals only
    rows, _ = _sheet(client.get(RISK_URL, {"status": "all", "format": "xlsx"}))
    assert len(rows) == 2 + 24 and {r[1] for r in rows[2:]} == {"西湖甲企业有限公司"}
