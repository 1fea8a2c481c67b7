"""Every refusal is the portal's own Chinese page in the portal layout — also with DEBUG=True,
where Django would otherwise answer with its English debug page listing every URL. The API keeps
answering JSON."""
import pytest
from django.urls import reverse

from reports.filings import services
from reports.filings.models import Period
from tests.test_api_helpers import api

pytestmark = pytest.mark.usefixtures("_api_throttle_rates")  # generous API throttle rates (conftest.py)

NAV = 'data-testid="nav-dashboards"'


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.fixture
def t1(world):
    return services.filing_open(actor=world.users["op_hz"], schedule="T1", period=Period.objects.get(code="2020Q3"), park=world.p_hz)


def assert_portal_404(response):
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html and NAV in html, html[:500]
    assert "Using the URLconf" not in html and "Page not found" not in html


def test_an_out_of_scope_filing_shows_the_chinese_404_page(client, world, t1, debug):
    client.force_login(world.users["op_wz"])
    assert_portal_404(client.get(t1.get_absolute_url()))
    assert_portal_404(client.get(reverse("reports:filing_export", args=[t1.pk])))
    assert_portal_404(client.get(reverse("dashboards:bank", args=[world.bank_a_hz.pk])))


def test_a_url_that_does_not_exist_shows_the_chinese_404_page(client, world, debug):
    client.force_login(world.users["op_hz"])
    assert_portal_404(client.get("/no-such-page/"))
    assert_portal_404(client.get("/filings/999999/"))
    assert client.get("/filings")["Location"] == "/filings/"  # APPEND_SLASH still redirects


def test_a_refusal_shows_the_chinese_403_page(client, world, debug):
    client.force_login(world.users["op_hz"])
    response = client.get(reverse("reports:completeness"))
    html = response.content.decode()
    assert response.status_code == 403 and "无权访问" in html and "只有监管部门可以查看报送完整性" in html and NAV in html


def test_anonymous_visitors_get_the_chinese_404_page_too(client, db, debug):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_api_refusals_stay_json(world, t1, debug):
    client = api(world.users["op_wz"])
    for url in (f"/api/v1/filings/{t1.pk}/", "/api/v1/no-such-endpoint/"):
        response = client.get(url)
        assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
        assert set(response.json()) == {"code", "message", "errors"}


def test_a_failed_csrf_check_is_a_chinese_403_page(world, debug):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["op_hz"])
    response = client.post(reverse("notifications"))
    html = response.content.decode()
    assert response.status_code == 403 and "无权访问" in html and "刷新页面" in html and "CSRF verification failed" not in html
