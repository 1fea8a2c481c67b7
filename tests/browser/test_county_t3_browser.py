"""Issue 13 C in a real browser: a county 经信局 opens its county dashboard from its landing page
and sees its parks; the province opens its 附表3 inbox and downloads the province-wide 附表3, which
opens with openpyxl with numeric cells."""
import pytest
from openpyxl import load_workbook

from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def demo():
    from reports.demo.build import demo_build
    from reports.demo.catalogue import DEMO_PASSWORD
    from reports.targets.catalogue import target_sets_load
    from reports.targets.models import TargetSet

    if not TargetSet.objects.exists():  # a transactional test before this one flushed the data migration's rows
        target_sets_load()
    demo_build(scale=0.02, seed=2020)
    return DEMO_PASSWORD


def login(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_county_bureau_opens_its_county_dashboard_from_its_landing_page(page, live_server):
    from parks.models import Park
    from portal.models import User

    password = demo()
    county = User.objects.select_related("organisation__region").get(username="county_jxj").organisation.region
    names = set(Park.objects.filter(county=county, status="active").values_list("name", flat=True))
    assert names
    login(page, live_server, "county_jxj", password)
    page.click("[data-testid=home-county-dashboard]")
    page.wait_for_url(f"**/dashboards/counties/{county.code}/")
    page.select_option("[data-testid=period-select]", "2020Q3")
    page.wait_for_url("**period=2020Q3**")
    page.wait_for_load_state("networkidle")
    assert county.name in page.inner_text("[data-testid=dash-title]")
    rows = page.locator("[data-testid=table-parks] tbody tr")
    assert rows.count() == len(names)
    shown = set(page.locator("[data-testid=table-parks] tbody tr td:nth-child(2)").all_inner_texts())
    assert shown == names
    assert page.locator("canvas").count() >= 2  # the star and park charts drew (scripts from static/, strict CSP)
    assert not page.console_errors
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "county_dashboard.png"), full_page=True)
    # a park on it opens the park page (the same drill-down as the city page)
    first = page.locator("[data-testid=table-parks] tbody tr td:nth-child(2) a").first
    first.click()
    page.wait_for_url("**/dashboards/parks/**")


def test_province_downloads_the_province_wide_t3(page, live_server, tmp_path):
    from django.utils import timezone

    from portal.models import User
    from reports.filings.models import Filing, Period
    from reports.summaries.t3 import t3_generate

    password = demo()
    period = Period.objects.get(code="2020Q3")
    t3 = t3_generate(actor=User.objects.get(username="hz_branch"), period=period)
    Filing.objects.filter(pk=t3.pk).update(status="approved", approved_at=timezone.now())  # as accepted by the province
    login(page, live_server, "province", password)
    page.goto(f"{live_server.url}/t3/?period=2020Q3")
    page.click("[data-testid=t3-province-link]")
    page.wait_for_url("**/t3/province/**")
    assert page.locator("[data-testid=t3-inbox] tbody tr").count() == 11
    assert page.locator("[data-testid=t3-inbox] tr[data-code='330100'][data-status=approved]").count() == 1
    assert "宁波市" in page.inner_text("[data-testid=t3-not-accepted]")
    with page.expect_download() as info:
        page.click("[data-testid=t3-province-export]")
    download = info.value
    assert download.suggested_filename == "附表3_全省_2020Q3.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    ws = load_workbook(path)["附表3"]
    header = [c.value for c in ws[3]]
    rows = {r[1]: r for r in ws.iter_rows(min_row=4, values_only=True) if r[1]}
    hz, incl = rows["杭州市合计（第1版）"], rows["全省合计（含宁波）"]
    ent, cov = header.index("入园企业数"), header.index("授信覆盖率(%)")
    assert isinstance(hz[ent], (int, float)) and hz[ent] > 0 and isinstance(hz[cov], (int, float))
    assert incl[ent] == hz[ent] == rows["全省合计（不含宁波）"][ent]  # only Hangzhou is accepted
    assert not page.console_errors
