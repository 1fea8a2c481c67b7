"""The park path in a real browser: the operator uploads 附表1 and submits; the lead bank confirms;
the branch returns it with a comment; the operator fixes and resubmits; the branch approves; the
timeline shows all five steps."""
import datetime as dt
import io

import pytest
from openpyxl import Workbook

from reports.filings.models import Filing, Period
from reports.schedules import T1
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def t1_workbook(rows) -> bytes:
    """A sheet with only the official header labels (no title rows), as banks' own tools produce."""
    wb = Workbook()
    ws = wb.active
    keys = list(rows[0])
    ws.append([T1.by_key[k].label for k in keys])
    for r in rows:
        ws.append([r[k] for k in keys])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def act(page, action, comment=""):
    if comment:
        page.fill("#wf-comment", comment)
    if action in ("return", "amend", "reopen"):  # these ask for confirmation
        page.once("dialog", lambda d: d.accept())
    page.click(f"button[data-action={action}]")
    page.wait_for_load_state("networkidle")


def test_park_path_upload_submit_confirm_return_fix_resubmit_approve(page, live_server, tmp_path):
    Period.objects.filter(code="2020Q3").update(lock_date=dt.date.today() + dt.timedelta(days=30))
    period = Period.objects.get(code="2020Q3")
    bank_org = f.bank_branch("330100", f.InstitutionFactory(name="中国工商银行股份有限公司", short_name="工商银行"), name="工商银行杭州分行")
    park = f.ParkFactory(code="330106001", name="西湖智造小微企业园", county=f.region("330106"))
    f.PartnerLinkFactory(park=park, branch=bank_org, role="lead")
    tenant = f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(name="杭州测试科技有限公司", uscc=f.next_uscc("330106")))
    f.UserFactory(username="park", organisation=park.operator, first_name="李园")
    f.UserFactory(username="bank", organisation=bank_org, first_name="王行")
    f.UserFactory(username="hzbranch", organisation=f.branch_regulator("330100", name="杭州银保监分局"), first_name="赵审")
    from reports.filings import services

    filing = services.filing_open(actor=park.operator.users.first(), schedule="T1", period=period, park=park)
    url = f"{live_server.url}{filing.get_absolute_url()}"

    # 1. the operator uploads the ledger and submits
    login(page, live_server, "park")
    page.goto(f"{live_server.url}/filings/{filing.pk}/upload/")
    xlsx = tmp_path / "附表1.xlsx"
    xlsx.write_bytes(t1_workbook([f.t1_cells(tenant.enterprise.uscc, employees=50, main_bank="工商银行")]))
    page.set_input_files("input[type=file]", str(xlsx))
    page.click("button:has-text('上传并导入')")
    page.wait_for_selector("text=已导入", timeout=15000)
    page.screenshot(path=str(tmp_path.parent / "upload.png"))
    page.goto(url)
    assert "杭州测试科技有限公司" in page.inner_text("main")
    act(page, "submit")
    assert page.inner_text("[data-testid=filing-status]") == "已提交"

    # 2. the lead bank confirms and forwards
    login(page, live_server, "bank")
    page.goto(url)
    act(page, "confirm", "已核对")
    assert page.inner_text("[data-testid=filing-status]") == "主办行已转报"

    # 3. the branch returns it with a comment
    login(page, live_server, "hzbranch")
    page.goto(url)
    act(page, "return", "从业人员数请核实")
    assert page.inner_text("[data-testid=filing-status]") == "已退回"

    # 4. the operator fixes the row and resubmits
    login(page, live_server, "park")
    page.goto(url)
    assert "从业人员数请核实" in page.inner_text("[data-testid=timeline]")
    page.click(f"a[href$='/filings/{filing.pk}/rows/1/edit/']")
    page.fill("input[name=employees]", "55")
    page.click("button:has-text('保存') >> nth=0")
    page.wait_for_load_state("networkidle")
    page.goto(url)
    act(page, "submit")
    assert page.inner_text("[data-testid=filing-status]") == "已提交"

    # 5. the branch approves
    login(page, live_server, "hzbranch")
    page.goto(url)
    act(page, "approve")
    assert page.inner_text("[data-testid=filing-status]") == "已审核通过"
    timeline = page.inner_text("[data-testid=timeline]")
    for step in ("提交", "主办行确认转报", "退回", "审核通过"):
        assert step in timeline
    assert timeline.count("提交（") == 2 and len(page.locator("[data-testid=timeline] li").all()) == 5
    assert Filing.objects.get(pk=filing.pk).t1_rows.get().employees == 55
    assert page.console_errors == []
