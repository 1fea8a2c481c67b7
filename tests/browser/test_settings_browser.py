"""The province's settings in a real browser: the province user opens the next period, moves a
deadline with a reason, reopens a locked filing with a reason, then finds both in the audit log
(filtered by action and by user)."""
import datetime as dt

import pytest

from portal.models import AuditEvent
from reports.filings import services
from reports.filings.models import Filing, Period
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_province_opens_a_period_moves_a_deadline_reopens_a_locked_filing_and_finds_them_in_the_audit_log(page, live_server):
    period = Period.objects.get(code="2020Q3")
    Period.objects.filter(pk=period.pk).update(lock_date=dt.date(2099, 12, 31))
    park = f.ParkFactory(code="330106001", name="西湖智造小微企业园", county=f.region("330106"))
    f.UserFactory(username="park", organisation=park.operator, first_name="李园")
    filing = services.filing_open(actor=park.operator.users.first(), schedule="T1", period=period, park=park)
    Period.objects.filter(pk=period.pk).update(lock_date=dt.date(2020, 11, 30))  # now locked for its filers
    f.UserFactory(username="prov", organisation=f.province_regulator(name="浙江银保监局"), first_name="钱省")
    latest = Period.objects.filter(is_baseline=False).order_by("-year", "-quarter").first()
    next_code = f"{latest.year + 1}Q1" if latest.quarter == 4 else f"{latest.year}Q{latest.quarter + 1}"

    login(page, live_server, "prov")
    page.click("[data-testid=nav-settings]")
    page.once("dialog", lambda d: d.accept())  # opening a period asks first
    page.click("[data-testid=open-period]")
    page.wait_for_url(f"{live_server.url}/settings/periods/*/")
    new = Period.objects.get(code=next_code)
    assert page.locator("#id_filer_due").input_value() == f"{new.filer_due:%Y-%m-%d}"

    # move the filer deadline by five days, with a reason
    moved = new.filer_due + dt.timedelta(days=5)
    page.fill("#id_filer_due", f"{moved:%Y-%m-%d}")
    page.fill("#id_reason", "春节假期顺延")
    page.click("[data-testid=save-period]")
    page.wait_for_load_state("networkidle")
    assert "春节假期顺延" in page.locator("[data-testid=period-changes]").inner_text()
    new.refresh_from_db()
    assert new.filer_due == moved

    # reopen the locked 附表1 of 2020Q3 with a reason
    page.goto(f"{live_server.url}/settings/periods/{period.pk}/filings/")
    page.click(f"[data-testid=reopen-{filing.pk}]")
    page.fill("#id_reason", "园区补报入园企业")
    page.once("dialog", lambda d: d.accept())
    page.click("[data-testid=confirm-reopen]")
    page.wait_for_url(f"{live_server.url}/settings/periods/{period.pk}/filings/")
    assert Filing.objects.get(pk=filing.pk).reopened

    # both are in the audit log: by action, then by user
    page.click("[data-testid=nav-audit]")
    page.select_option("#id_action", "period_change")
    page.click("[data-testid=audit-filter] button[type=submit]")
    page.wait_for_load_state("networkidle")
    table = page.locator("[data-testid=audit-table]").inner_text()
    assert "春节假期顺延" in table and next_code in table and "园区补报入园企业" not in table
    page.select_option("#id_action", "")
    page.fill("#id_user", "prov")
    page.click("[data-testid=audit-filter] button[type=submit]")
    page.wait_for_load_state("networkidle")
    table = page.locator("[data-testid=audit-table]").inner_text()
    assert "春节假期顺延" in table and "园区补报入园企业" in table and "重新打开报表" in table
    assert "127.0.0.1" in table  # from where
    event = AuditEvent.objects.get(action="reopen")
    assert (event.actor.username, event.ip) == ("prov", "127.0.0.1")
    assert page.console_errors == []
