import pytest

from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bank_filer_logs_in_and_sees_its_landing_page(page, live_server):
    inst = f.InstitutionFactory(name="中国工商银行股份有限公司", short_name="工商银行")
    branch = f.bank_branch("330100", inst, name="工商银行杭州分行")
    park = f.ParkFactory(code="330106001", name="西湖智造小微企业园", county=f.region("330106"))
    f.PartnerLinkFactory(park=park, branch=branch, role="lead")
    f.UserFactory(username="bank", organisation=branch, first_name="王晓明")

    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    page.fill("#id_username", "bank")
    page.fill("#id_password", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "您需要完成的工作" in page.content()
    duties = page.inner_text("[data-testid=duties]")
    assert "附表4" in duties and "附表5" in duties
    assert "工商银行杭州分行" in page.inner_text("[data-testid=whoami]")
    assert "有效伙伴园区 1 个" in page.inner_text("main")
    assert page.console_errors == []


def test_wrong_password_shows_the_chinese_error(page, live_server):
    f.UserFactory(username="op", organisation=f.park_operator())
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "op")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.inner_text("[role=alert]")
