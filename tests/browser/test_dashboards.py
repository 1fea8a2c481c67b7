"""The dashboards in a real browser: a province user opens the province dashboard, switches the
period and 含宁波 / 不含宁波, drills from a city to a park and on to its ledger; the charts render
from static/ (no CDN) and the console stays clean. A screenshot of each page is kept in
tests/browser/screenshots/."""
import pytest

from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"dashboards_{name}.png"), full_page=True)


def charts_rendered(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function("document.querySelectorAll('[data-chart]').length > 0 && "
                           "[...document.querySelectorAll('[data-chart]')].every(el => el.dataset.rendered || el.textContent.trim())")


def test_province_user_switches_period_and_ningbo_and_drills_down_to_a_ledger(page, live_server):
    from reports.demo.build import demo_build
    from reports.demo.catalogue import DEMO_PASSWORD
    from reports.targets.catalogue import target_sets_load
    from reports.targets.engine import target_results_rebuild_all
    from reports.targets.models import TargetSet

    if not TargetSet.objects.exists():  # a transactional test before this one flushed the data migration's rows
        target_sets_load()
    demo_build(scale=0.02, seed=2020)
    target_results_rebuild_all()

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "province")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.click("[data-testid=nav-dashboards]")
    page.wait_for_url("**/dashboards/province/")
    charts_rendered(page)
    assert "全省小微企业园金融服务监测看板" in page.inner_text("[data-testid=dash-title]")
    assert page.locator("[data-testid=table-targets] tbody tr").count() >= 15
    assert page.locator("canvas").count() >= 4  # ECharts drew the charts (served from static/)
    shot(page, "1_province")

    # the period picker
    page.select_option("[data-testid=period-select]", "2020Q3")
    page.wait_for_url("**period=2020Q3**")
    charts_rendered(page)
    assert "2020Q3" in page.inner_text(".dash-head .sub")

    # 含宁波 / 不含宁波
    page.click("[data-testid=side-excl]")
    page.wait_for_url("**ningbo=excl**")
    charts_rendered(page)
    cities = page.inner_text("[data-testid=table-cities]")
    assert "宁波市" not in cities and "杭州市" in cities
    assert "不含宁波" in page.inner_text(".dash-head .sub")
    shot(page, "2_province_2020Q3_excl_ningbo")
    page.click("[data-testid=side-incl]")
    page.wait_for_url("**ningbo=incl**")
    assert "宁波市" in page.inner_text("[data-testid=table-cities]")

    # a city …
    page.click("[data-testid=table-cities] a:text-is('杭州市')")
    page.wait_for_url("**/dashboards/cities/330100/**")
    charts_rendered(page)
    assert "杭州市小微企业园金融服务监测看板" in page.inner_text("[data-testid=dash-title]")
    shot(page, "3_city_hangzhou")

    # … one of its parks (a filed one: its row says 达标 or 未达标) …
    row = page.locator("[data-testid=table-parks] tbody tr", has=page.locator(".badge:text-matches('^(达标|未达标)$')")).first
    park_name = row.locator("a").first.inner_text()
    row.locator("a").first.click()
    page.wait_for_url("**/dashboards/parks/**")
    charts_rendered(page)
    assert park_name in page.inner_text("[data-testid=dash-title]")
    assert "授信覆盖率" in page.inner_text("[data-testid=kpis]")
    shot(page, "4_park")

    # … and its ledger (附表1)
    page.click("[data-testid=ledger-link]")
    page.wait_for_url("**/filings/**")
    page.wait_for_load_state("networkidle")
    assert "分类建档基础台帐" in page.inner_text("main")
    shot(page, "5_ledger")
    assert page.console_errors == []
