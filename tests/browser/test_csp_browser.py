"""The Content-Security-Policy in a real browser (issue 10): Swagger UI at /api/docs/ renders every
operation, a confirmation (data-confirm) and the period picker (data-autosubmit) work from
static/js/portal.js, and Chromium reports no policy violation — while an injected inline script is
refused, which shows the policy is really enforced."""
import datetime as dt

import pytest

from reports.filings import services
from reports.filings.models import Filing, Period
from tests import factories as f
from tests.test_t1_t2 import raw_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""


def login(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_swagger_ui_and_page_scripts_work_under_the_policy(page, live_server):
    Period.objects.filter(code="2020Q3").update(lock_date=dt.date.today() + dt.timedelta(days=30))
    period = Period.objects.get(code="2020Q3")
    op = f.park_operator("330106", name="西湖园运营公司")
    park = f.ParkFactory(code="330106001", name="西湖智造小微企业园", county=f.region("330106"), operator=op)
    tenancy = f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(uscc=f.next_uscc("330106")))
    user = f.UserFactory(username="op", organisation=op)
    filing = services.filing_open(actor=user, schedule="T1", period=period, park=park)
    services.filing_rows_replace(actor=user, filing=filing, raw_rows=[raw_row(0, tenancy.enterprise.uscc, "100"),
                                                                      raw_row(1, f.next_uscc("330106"), "0")])
    page.add_init_script(RECORD_VIOLATIONS)
    login(page, live_server, "op")

    # Swagger UI: the init script comes from /api/docs/?script=, the schema over the session
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() >= 30
    assert "小微企业园金融服务监测报送平台 API" in page.inner_text(".info")

    # data-confirm: dismissing keeps the row, accepting deletes it
    page.goto(f"{live_server.url}/filings/{filing.pk}/rows/")
    rows_before = Filing.objects.get(pk=filing.pk).t1_rows.count()
    page.once("dialog", lambda d: d.dismiss())
    page.locator("form[data-confirm] button[type=submit]").first.click()
    page.wait_for_timeout(300)
    assert Filing.objects.get(pk=filing.pk).t1_rows.count() == rows_before
    page.once("dialog", lambda d: d.accept())
    page.locator("form[data-confirm] button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    assert Filing.objects.get(pk=filing.pk).t1_rows.count() == rows_before - 1

    # data-autosubmit: the dashboard's period picker reloads the page for the chosen period
    page.goto(f"{live_server.url}/dashboards/parks/{park.code}/")
    page.select_option("[data-testid=period-select]", "2020Q2")
    page.wait_for_url("**period=2020Q2**")

    assert page.evaluate("window.__csp") == []
    assert page.console_errors == []

    # the policy is enforced: an inline script injected into the page does not run
    page.evaluate("""() => { const s = document.createElement("script"); s.textContent = "window.__ran = 1";
                             document.body.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__ran") is None
    assert any(v.startswith("script-src") for v in page.evaluate("window.__csp"))
