"""A bank's figures are read by exactly the people who may read its 附表4 (the filing rule of
``portal.access``): the bank itself, its city's branch regulator and the province — on the
dashboard page, in its xlsx exports and over the API. Everyone else (经信 bureaus of every level,
park operators, other banks, the branch of another city) gets 404. A park's figures likewise
follow its 附表1."""
from __future__ import annotations

import pytest
from django.urls import reverse

from reports.filings.models import Filing
from reports.targets.models import TargetResult
from tests.test_api_helpers import api

pytestmark = pytest.mark.usefixtures("_api_throttle_rates")  # generous API throttle rates (conftest.py)

PERIOD = "2020Q3"
READERS = ("bank_a_hz", "hz_branch", "province")  # of 甲银行杭州分行's 附表4
OTHERS = ("jxt", "hz_jxj", "xihu_jxj", "op_hz", "bank_b_hz", "bank_a_wz", "wz_branch", "wz_jxj")


def _bank_urls(w, bank) -> dict[str, tuple[str, str]]:
    """name -> (kind, url): web pages / exports and API endpoints that show ``bank``'s figures."""
    t4 = Filing.objects.get(branch=bank, schedule="T4", period__code=PERIOD)
    result = TargetResult.objects.filter(scope_code=f"org:{bank.pk}", period__code=PERIOD).exclude(actual=None).first()
    assert result is not None
    page = reverse("dashboards:bank", args=[bank.pk])
    return {
        "dashboard": ("web", f"{page}?period={PERIOD}"),
        "dashboard xlsx": ("web", f"{page}?period={PERIOD}&format=xlsx"),
        "dashboard xlsx t4": ("web", f"{page}?period={PERIOD}&format=xlsx&table=t4"),
        "dashboard xlsx targets": ("web", f"{page}?period={PERIOD}&format=xlsx&table=targets"),
        "filing page": ("web", t4.get_absolute_url()),
        "filing export": ("web", reverse("reports:filing_export", args=[t4.pk])),
        "api filing": ("api", f"/api/v1/filings/{t4.pk}/"),
        "api filing rows": ("api", f"/api/v1/filings/{t4.pk}/rows/"),
        "api target result": ("api", f"/api/v1/target-results/{result.pk}/"),
    }


@pytest.mark.parametrize("who", READERS + OTHERS)
def test_a_banks_figures_follow_its_filings_on_every_page_export_and_endpoint(client, scenario, who):
    w = scenario
    user = w.users[who]
    client.force_login(user)
    rest = api(user)
    expected = 200 if who in READERS else 404
    problems = []
    for name, (kind, url) in _bank_urls(w, w.bank_a_hz).items():
        status = (client.get(url) if kind == "web" else rest.get(url)).status_code
        if status != expected:
            problems.append(f"{name}: {status}, expected {expected}")
    # lists never contain the bank's per-institution results
    listed = rest.get("/api/v1/target-results/", {"scope_kind": "institution", "page_size": 1000}).json()["results"]
    shown = {r["scope_code"] for r in listed}
    if (f"org:{w.bank_a_hz.pk}" in shown) != (who in READERS):
        problems.append(f"target-results list: {sorted(shown)}")
    assert not problems, "\n".join(problems)


def test_the_province_bureau_sees_no_banks_results_on_the_targets_page(client, scenario):
    w = scenario
    client.force_login(w.users["jxt"])
    page = client.get(reverse("dashboards:targets"), {"period": PERIOD})
    assert page.status_code == 200
    rows = {r["code"]: r for block in page.context["blocks"] for r in block["rows"]}
    assert not any(rows["JY2022-01"]["counts"].values())  # a per-institution target: nothing of any bank
    client.force_login(w.users["province"])
    rows = {r["code"]: r for block in client.get(reverse("dashboards:targets"), {"period": PERIOD}).context["blocks"]
            for r in block["rows"]}
    assert any(rows["JY2022-01"]["counts"].values())


def test_a_partner_bank_does_not_read_the_figures_of_a_park_it_does_not_lead(client, scenario):
    w = scenario
    client.force_login(w.users["bank_b_hz"])  # partner of 西湖 (led by 甲银行), lead bank of 余杭
    rows = {r["code"]: r for r in client.get(reverse("dashboards:bank", args=[w.bank_b_hz.pk]), {"period": PERIOD}).context["parks"].rows}
    assert rows[w.p_hz.code]["credit_coverage"] is None and rows[w.p_hz.code]["enterprises_total"] is None
    assert rows[w.p_hz2.code]["credit_coverage"] is not None
    assert client.get(reverse("dashboards:park", args=[w.p_hz.code]), {"period": PERIOD}).status_code == 404
    listed = api(w.users["bank_b_hz"]).get("/api/v1/summaries/parks/", {"period": PERIOD}).json()["results"]
    assert {r["park"]["code"] for r in listed} == {w.p_hz2.code}
    # the branch regulator of the city reads them all on the same page
    client.force_login(w.users["hz_branch"])
    rows = {r["code"]: r for r in client.get(reverse("dashboards:bank", args=[w.bank_b_hz.pk]), {"period": PERIOD}).context["parks"].rows}
    assert rows[w.p_hz.code]["credit_coverage"] is not None
