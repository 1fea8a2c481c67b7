"""In a real browser: the lead bank selects all clean 附表1 on the bulk 转报 page (the one with
warnings stays unselectable) and forwards them; the printable filing hides the portal's navigation
when printed and keeps the signature block and the timeline."""
import datetime as dt

import pytest

from reports.filings import services
from reports.filings.models import Filing, Period
from reports.workflow import services as workflow
from tests import factories as f
from tests.browser.test_workflow_browser import login
from tests.test_t1_t2 import raw_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submitted(operator_user, park, period, *, warn=False) -> Filing:
    tenant = f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(uscc=f.next_uscc("330106")))
    filing = services.filing_open(actor=operator_user, schedule="T1", period=period, park=park)
    extra = {"main_bank": "工商银行"} | ({"loan_rate": "16"} if warn else {})
    assert services.filing_rows_replace(actor=operator_user, filing=filing, raw_rows=[raw_row(0, tenant.enterprise.uscc, "100", **extra)]).saved
    if warn:
        filing.refresh_from_db()
        services.filing_explanation_save(actor=operator_user, filing=filing, explanation="利率经审批", expected_lock_version=filing.lock_version)
    workflow.filing_submit(actor=operator_user, filing=filing)
    return Filing.objects.get(pk=filing.pk)


def test_a_lead_bank_forwards_all_clean_t1_at_once_and_prints_one(page, live_server):
    Period.objects.filter(code="2020Q3").update(lock_date=dt.date.today() + dt.timedelta(days=30))
    period = Period.objects.get(code="2020Q3")
    bank_org = f.bank_branch("330100", f.InstitutionFactory(name="中国工商银行股份有限公司", short_name="工商银行"), name="工商银行杭州分行")
    operator = f.park_operator("330106", name="西湖园运营公司")
    op_user = f.UserFactory(username="park", organisation=operator)
    f.UserFactory(username="bank", organisation=bank_org, first_name="王行")
    filings = []
    for i, warn in enumerate((False, False, True), start=1):
        park = f.ParkFactory(code=f"33010600{i}", name=f"西湖{i}号小微企业园", county=f.region("330106"), operator=operator)
        f.PartnerLinkFactory(park=park, branch=bank_org, role="lead")
        filings.append(_submitted(op_user, park, period, warn=warn))

    login(page, live_server, "bank")
    page.click("[data-testid=home-forward]")
    page.wait_for_selector("[data-testid=forward-table]")
    page.check("input[data-check-all]")
    assert page.is_checked(f"input[name=filing][value='{filings[0].pk}']")
    assert page.is_checked(f"input[name=filing][value='{filings[1].pk}']")
    assert not page.is_checked(f"input[name=filing][value='{filings[2].pk}']")
    assert page.is_disabled(f"input[name=filing][value='{filings[2].pk}']")
    page.once("dialog", lambda d: d.accept())
    page.click("[data-testid=forward-submit]")
    page.wait_for_selector("text=已转报 2 份附表1")
    assert [Filing.objects.get(pk=x.pk).status for x in filings] == ["confirmed", "confirmed", "submitted"]
    assert "西湖3号小微企业园" in page.inner_text("[data-testid=forward-table]")

    page.goto(f"{live_server.url}{filings[0].get_absolute_url()}")
    href = page.get_attribute("[data-testid=print-link]", "href")
    page.goto(f"{live_server.url}{href}")
    page.emulate_media(media="print")
    assert not page.is_visible("nav.navbar") and not page.is_visible("[data-testid=print-now]")
    assert page.is_visible("[data-testid=signature-block]") and "主办行确认转报" in page.inner_text("[data-testid=print-timeline]")
    assert page.console_errors == []
