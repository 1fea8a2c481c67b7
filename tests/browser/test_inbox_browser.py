"""The branch's review inbox in a real browser: filter to 附表1 with warnings, clear the filter, tick
three clean filings and approve them at once (after the confirmation), return a fourth with a
comment; the database holds one approve step per filing and the return with its comment."""
import datetime as dt

import pytest

from reports.filings.models import Filing, Period
from reports.workflow.models import FilingTransition
from tests import factories as f
from tests.browser.test_workflow_browser import login
from tests.inbox_helpers import park_t1_submitted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def rows(page) -> set[int]:
    return {int(pk) for pk in page.locator("[data-testid=inbox-table] tbody tr[data-filing]").evaluate_all(
        "trs => trs.map(tr => tr.dataset.filing)")}


def test_branch_filters_bulk_approves_three_and_returns_one(page, live_server):
    Period.objects.filter(code="2020Q3").update(lock_date=dt.date.today() + dt.timedelta(days=30))
    period = Period.objects.get(code="2020Q3")
    branch = f.UserFactory(username="hzbranch", organisation=f.branch_regulator("330100", name="杭州银保监分局"), first_name="赵审")
    clean = [park_t1_submitted(period, code=f"33011040{i}", name=f"余杭第{i}小微企业园", county="330110") for i in range(1, 5)]
    warned = park_t1_submitted(period, code="330110409", name="余杭提示小微企业园", county="330110", warnings=True)
    lead = f.bank_branch("330100", f.InstitutionFactory(name="中国工商银行股份有限公司", short_name="工商银行"), name="工商银行杭州分行")
    at_bank = park_t1_submitted(period, code="330106409", name="西湖待转报小微企业园", lead=lead)

    login(page, live_server, "hzbranch")
    page.click("[data-testid=nav-inbox]")
    page.wait_for_selector("[data-testid=inbox-table]")
    assert rows(page) == {x.pk for x in clean} | {warned.pk}
    waiting = page.inner_text("#waiting")
    assert "西湖待转报小微企业园" in waiting and "等待主办行 工商银行杭州分行 确认转报" in waiting
    assert page.locator(f"[data-testid=inbox-table] tr[data-filing='{at_bank.pk}']").count() == 0

    # 1. 附表1 with warnings: the one filing, to be opened (no checkbox)
    page.select_option("#id_schedule", "T1")
    page.select_option("#id_warnings", "yes")
    page.click("[data-testid=inbox-filter] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert rows(page) == {warned.pk}
    row = page.locator(f"tr[data-filing='{warned.pk}']")
    assert row.locator("input[name=filing]").count() == 0 and row.locator("[data-testid=inbox-open]").count() == 1
    assert "有提示的报表不能批量审核通过" in page.inner_text("main")

    # 2. clear the filter; “select all” ticks only the clean ones
    page.click("[data-testid=inbox-clear]")
    page.wait_for_load_state("networkidle")
    assert rows(page) == {x.pk for x in clean} | {warned.pk}
    page.check("input[data-check-all=filing]")
    assert page.locator("input[name=filing]:checked").count() == 4
    page.uncheck("input[data-check-all=filing]")
    assert page.locator("input[name=filing]:checked").count() == 0
    for filing in clean[:3]:
        page.check(f"tr[data-filing='{filing.pk}'] input[name=filing]")
    page.once("dialog", lambda d: d.accept())
    page.click("[data-testid=inbox-bulk-approve]")
    page.wait_for_load_state("networkidle")
    assert "已审核通过 3 份报表" in page.inner_text("main")
    assert rows(page) == {clean[3].pk, warned.pk}

    # 3. return the fourth with a comment
    page.click(f"tr[data-filing='{clean[3].pk}'] [data-testid=inbox-return-toggle]")
    page.fill(f"tr[data-filing='{clean[3].pk}'] input[name=comment]", "从业人员数请核实")
    page.click(f"tr[data-filing='{clean[3].pk}'] [data-testid=inbox-return-submit]")
    page.wait_for_load_state("networkidle")
    assert "已退回 余杭第4小微企业园" in page.inner_text("main")
    assert rows(page) == {warned.pk}

    # the database: one approve step per filing, by the branch; the return with its comment
    for filing in clean[:3]:
        assert Filing.objects.get(pk=filing.pk).status == "approved"
        steps = FilingTransition.objects.filter(filing=filing, action="approve")
        assert [(s.from_status, s.to_status, s.actor_id) for s in steps] == [("submitted", "approved", branch.pk)]
    assert Filing.objects.get(pk=clean[3].pk).status == "returned"
    assert FilingTransition.objects.get(filing=clean[3], action="return").comment == "从业人员数请核实"
    assert Filing.objects.get(pk=warned.pk).status == "submitted" and Filing.objects.get(pk=at_bank.pk).status == "submitted"
    assert FilingTransition.objects.filter(action="approve").count() == 3
    assert page.console_errors == []
