"""In a real browser: the branch regulator goes from its desk (the navigation) to the reconciliation
list, filters it and downloads the filtered list, opens an item and comments on it, then to a risk signal, sees its chart drawn and acknowledges it."""
import pytest

from reports.filings.models import Period
from reports.monitoring import reconciliation, risk
from reports.monitoring.models import ReconciliationItem, RiskSignal
from tests import factories as f
from tests.browser.test_workflow_browser import login
from tests.test_monitoring import readings, t1_filing, t5_filing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_branch_walks_from_its_desk_to_a_difference_and_a_risk_signal(page, live_server):
    period = Period.objects.get(code="2020Q3")
    bank = f.bank_branch("330100", f.InstitutionFactory(name="中国工商银行股份有限公司", short_name="工商银行"), name="工商银行杭州分行")
    operator = f.park_operator("330106", name="西湖园运营公司")
    park = f.ParkFactory(code="330106001", name="西湖智造小微企业园", county=f.region("330106"), operator=operator)
    f.PartnerLinkFactory(park=park, branch=bank, role="lead")
    ent = f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(name="西湖精密机械有限公司", uscc=f.next_uscc("330106"))).enterprise
    f.UserFactory(username="hz_branch", organisation=f.branch_regulator("330100", name="杭州银保监分局"))
    op_user = f.UserFactory(username="park", organisation=operator)
    t1_filing(park, period, [(ent.uscc, "工商银行", 800, 600)])
    t5_filing(bank, period, park, 1, 800, 200)  # 余额 600 against 200: a difference
    readings(ent, park, op_user, **{"2020-11": 600, "2020-12": 620})
    reconciliation.reconciliation_rebuild(period_id=period.pk)
    risk.risk_signals_rebuild(park_id=park.pk)
    item, signal = ReconciliationItem.objects.get(), RiskSignal.objects.get()

    login(page, live_server, "hz_branch")
    page.click("[data-testid=nav-reconciliation]")
    page.select_option("[data-testid=period-select]", "2020Q3")
    page.wait_for_url("**period=2020Q3**")
    assert "西湖智造小微企业园" in page.inner_text("[data-testid=reconciliation-table]")
    # the list's filters and its download: the filtered list as a workbook
    page.select_option("[data-testid=status-select]", "closed")
    page.wait_for_url("**status=closed**")
    assert "暂无超出容差的差异" in page.inner_text("[data-testid=reconciliation-table]")
    page.select_option("[data-testid=status-select]", "open")
    page.wait_for_url("**status=open**")
    assert "共 1 条" in page.inner_text("[data-testid=list-count] >> nth=0")
    with page.expect_download() as download:
        page.click("[data-testid=reconciliation-export]")
    assert download.value.suggested_filename.startswith("园区与银行对账差异") and "format=xlsx" in download.value.url
    assert "period=2020Q3" in download.value.url and "status=open" in download.value.url
    page.click("[data-testid=reconciliation-open]")
    assert "贷款余额" in page.inner_text("[data-testid=reconciliation-title]")
    page.fill("[data-testid=comment-text]", "请工商银行核实附表5贷款余额")
    page.click("[data-testid=comment-submit]")
    assert "请工商银行核实" in page.inner_text("[data-testid=reconciliation-comments]")
    assert item.comments.count() == 1

    page.click("[data-testid=nav-risk]")
    assert "西湖精密机械有限公司" in page.inner_text("[data-testid=risk-table]")
    page.click("[data-testid=risk-open]")
    page.wait_for_selector("[data-testid=risk-chart][data-rendered='1'] canvas")
    page.fill("[data-testid=ack-note]", "已约谈银行，企业设备检修")
    page.click("[data-testid=ack-submit]")
    assert "已确认" in page.inner_text("[data-testid=risk-state]")
    signal.refresh_from_db()
    assert signal.note == "已约谈银行，企业设备检修"
    assert page.console_errors == []
