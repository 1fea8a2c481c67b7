"""从上期带入 in a real browser: the operator starts 2020Q4's 附表1 from the approved 2020Q3 one after one
入园 and one 退园 recorded through parks.services; and 附表4's 比上期 / 比年初 follow the typing (static/js/t4.js,
under the strict CSP)."""
import datetime as dt

import pytest

from parks import services as park_services
from reports.filings import services
from reports.filings.models import Filing, Period, T1Row
from reports.workflow import services as workflow
from tests import factories as f
from tests.browser.test_workflow_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAYS, LEAVES, ENTERS = "91330106MA2H00010C", "91330106MA2H00020D", "91330106MA2H00030E"


def _open_periods(*codes):
    Period.objects.filter(code__in=codes).update(lock_date=dt.date.today() + dt.timedelta(days=30))
    return [Period.objects.get(code=c) for c in codes]


def test_the_operator_starts_2020q4_from_2020q3_with_one_arrival_and_one_departure(page, live_server):
    q3, q4 = _open_periods("2020Q3", "2020Q4")
    bank_org = f.bank_branch("330100", f.InstitutionFactory(name="中国工商银行股份有限公司", short_name="工商银行"), name="工商银行杭州分行")
    park = f.ParkFactory(code="330106001", name="西湖智造小微企业园", county=f.region("330106"))
    f.PartnerLinkFactory(park=park, branch=bank_org, role="lead")
    operator = f.UserFactory(username="park", organisation=park.operator)
    bank = f.UserFactory(username="bank", organisation=bank_org)
    branch = f.UserFactory(username="hzbranch", organisation=f.branch_regulator("330100", name="杭州银保监分局"))
    for code, name in ((STAYS, "杭州留园科技有限公司"), (LEAVES, "杭州离园贸易有限公司")):
        park_services.tenancy_create(actor=operator, park=park, uscc=code, enterprise_name=name, industry="C", entered_on=dt.date(2019, 3, 1))
    ledger = services.filing_open(actor=operator, schedule="T1", period=q3, park=park)
    rows = [f.t1_cells(STAYS, enterprise_name="杭州留园科技有限公司", employees=66, main_bank="工商银行"),
            f.t1_cells(LEAVES, enterprise_name="杭州离园贸易有限公司", main_bank="工商银行")]
    assert services.filing_rows_replace(actor=operator, filing=ledger, raw_rows=rows).saved
    workflow.filing_submit(actor=operator, filing=ledger)
    workflow.filing_confirm(actor=bank, filing=Filing.objects.get(pk=ledger.pk))
    workflow.filing_approve(actor=branch, filing=Filing.objects.get(pk=ledger.pk))
    # one 退园 and one 入园 during 2020Q4, through the register's services
    leaving = park.tenancies.get(enterprise__uscc=LEAVES)
    park_services.tenancy_update(actor=operator, tenancy=leaving, data={"left_on": dt.date(2020, 11, 30)})
    park_services.tenancy_create(actor=operator, park=park, uscc=ENTERS, enterprise_name="杭州新园智能有限公司", industry="I",
                                 entered_on=dt.date(2020, 10, 12))

    login(page, live_server, "park")
    page.goto(f"{live_server.url}/filings/new/")
    page.select_option("#id_period", str(q4.pk))
    page.check("#id_start_from_previous")
    page.click("button:has-text('进入填报')")
    page.wait_for_selector("[data-testid=started-summary]")
    assert page.inner_text("[data-testid=departed]") == f"已退园，未带入：杭州离园贸易有限公司（{LEAVES}）"
    assert "杭州新园智能有限公司" in page.inner_text("[data-testid=added]")
    page.click("[data-testid=to-grid]")
    page.wait_for_selector("[data-testid=grid]")
    grid = page.inner_text("[data-testid=grid]")
    assert "杭州留园科技有限公司" in grid and "杭州新园智能有限公司" in grid and "杭州离园贸易有限公司" not in grid
    assert page.console_errors == []

    filing = Filing.objects.get(schedule="T1", period=q4, park=park, is_current=True)
    assert set(T1Row.objects.filter(filing=filing).values_list("uscc", flat=True)) == {"91330106MA2H00010C", "91330106MA2H00030E"}
    assert T1Row.objects.get(filing=filing, uscc=STAYS).employees == 66


def test_t4_changes_follow_the_typing(page, live_server):
    q3, q4, _ = _open_periods("2020Q3", "2020Q4", "2019Q4")
    bank_org = f.bank_branch("330100", f.InstitutionFactory(name="中国工商银行股份有限公司", short_name="工商银行"), name="工商银行杭州分行")
    bank = f.UserFactory(username="bank", organisation=bank_org)
    assert services.filing_t4_save(actor=bank, filing=services.filing_open(actor=bank, schedule="T4", period=q3),
                                   raw_values={"ent_credit_amount": "1200.5", "parks_served": "3", "partner_parks": "2"}).saved
    base = services.filing_open(actor=bank, schedule="T4", period=Period.objects.get(code="2019Q4"))
    assert services.filing_t4_save(actor=bank, filing=base, raw_values={"ent_credit_amount": "1000", "parks_served": "2"}).saved
    t4 = services.filing_open(actor=bank, schedule="T4", period=q4)

    login(page, live_server, "bank")
    page.goto(f"{live_server.url}/filings/{t4.pk}/t4/")
    assert page.inner_text("[data-testid=previous-ent_credit_amount]") == "1,200.50"
    page.fill("#id_ent_credit_amount", "1,500")
    assert page.inner_text("[data-testid=change-prev-ent_credit_amount]") == "+299.50"
    assert page.inner_text("[data-testid=change-ent_credit_amount]") == "+500.00"
    page.fill("#id_parks_served", "1")
    assert page.inner_text("[data-testid=change-prev-parks_served]") == "\u22122"
    assert page.inner_text("[data-testid=change-parks_served]") == "\u22121"
    page.click("[data-testid=t4-fill-previous]")  # 从上期带入: only the inputs still empty
    assert (page.input_value("#id_partner_parks"), page.input_value("#id_parks_served")) == ("2", "1")
    assert page.inner_text("[data-testid=change-prev-partner_parks]") == "0"
    assert page.console_errors == []
