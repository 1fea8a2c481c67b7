"""表格编辑 (the 附表1 / 附表5 spreadsheet): its JSON comes from the schedule's definition, stored rows
go out as typed text that the server reads back to the same values, the pages link both ways, access
is the filing's, and the grid's dry runs (session) do not use up the bulk budget of saves."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from reports.filings import selectors, services
from reports.schedules import SCHEDULES, T1, T5
from tests import factories as f
from tests.test_api_helpers import api, token_for


def saved_t1(world, t1, n: int = 2):
    usccs = [world.e_hz.uscc] + [f.next_uscc("330106") for _ in range(n - 1)]
    raw = [f.t1_cells(u, enterprise_name=f"表格企业{i}有限公司", revenue="1,200.5万元", employees="５０") for i, u in enumerate(usccs)]
    result = services.filing_rows_replace(actor=world.users["op_hz"], filing=t1, raw_rows=raw, expected_lock_version=t1.lock_version)
    assert result.saved, result.errors
    t1.refresh_from_db()
    return t1


def data_of(client, filing) -> dict:
    response = client.get(f"/filings/{filing.pk}/sheet/data/")
    assert response.status_code == 200, response.content[:300]
    return response.json()


@pytest.mark.parametrize("code", ["T1", "T5"])
def test_the_columns_are_the_schedules_definition(world, t1, t5, client, code):
    filing, user = (t1, "op_hz") if code == "T1" else (t5, "bank_a_hz")
    client.force_login(world.users[user])
    data = data_of(client, filing)
    schedule = SCHEDULES[code]
    assert [c["key"] for c in data["columns"]] == [c.key for c in schedule.columns]
    assert [c["label"] for c in data["columns"]] == [c.header for c in schedule.columns]
    assert [c["required"] for c in data["columns"]] == [c.required for c in schedule.columns]
    by_key = {c["key"]: c for c in data["columns"]}
    if code == "T1":
        assert by_key["operating_status"]["choices"] == [label for _, label in T1.by_key["operating_status"].choices]
        assert by_key["has_demand"]["choices"] == ["是", "否"] and by_key["revenue"]["numeric"]
    else:
        assert by_key["role"]["choices"] == [label for _, label in T5.by_key["role"].choices]
        assert by_key["services"]["options"] == ["规划", "建设", "招商", "运营"]
    assert data["lock_version"] == filing.lock_version and data["can_edit"] is True
    assert data["api"] == f"/api/v1/filings/{filing.pk}/rows/"


def test_stored_rows_go_out_as_typed_and_come_back_unchanged(world, t1, client):
    t1 = saved_t1(world, t1)
    client.force_login(world.users["op_hz"])
    data = data_of(client, t1)
    assert data["rows"][0]["operating_status"] == "良好" and data["rows"][0]["industry"] == "制造业"
    assert data["rows"][0]["employees"] == "50" and data["rows"][0]["revenue"] == "1200.50"
    before = selectors.filing_row_values(filing=t1)
    # what the grid sends back untouched (blank cells left out) replaces nothing
    rows = [{k: v for k, v in r.items() if v != ""} for r in data["rows"]]
    result = services.filing_rows_replace(actor=world.users["op_hz"], filing=t1, raw_rows=rows, expected_lock_version=t1.lock_version)
    assert result.saved and result.created == result.updated == result.deleted == 0 and result.unchanged == 2
    assert selectors.filing_row_values(filing=t1) == before


def test_pages_link_both_ways_and_the_row_form_stays(world, t1, client):
    client.force_login(world.users["op_hz"])
    grid = client.get(f"/filings/{t1.pk}/rows/").content.decode()
    assert f'href="/filings/{t1.pk}/sheet/"' in grid and "表格编辑" in grid
    page = client.get(f"/filings/{t1.pk}/sheet/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="/filings/{t1.pk}/rows/"' in html and f'href="/filings/{t1.pk}/rows/add/"' in html
    assert "<script>" not in html and "tabulator.min.js" in html and "js/sheet.js" in html
    assert f'data-sheet-src="/filings/{t1.pk}/sheet/data/"' in html


def test_access_is_the_filings(world, t1, client):
    client.force_login(world.users["hz_branch"])  # the city's regulator reads, never edits
    assert client.get(f"/filings/{t1.pk}/sheet/").status_code == 200
    data = data_of(client, t1)
    assert data["can_edit"] is False
    assert 'data-sheet-action="save"' not in client.get(f"/filings/{t1.pk}/sheet/").content.decode()
    client.force_login(world.users["op_wz"])  # another city's park
    assert client.get(f"/filings/{t1.pk}/sheet/").status_code == 404
    assert client.get(f"/filings/{t1.pk}/sheet/data/").status_code == 404
    client.logout()
    assert client.get(f"/filings/{t1.pk}/sheet/data/").status_code == 302


def test_t4_has_no_sheet(world, t4, client):
    client.force_login(world.users["bank_a_hz"])
    assert client.get(f"/filings/{t4.pk}/sheet/").status_code == 404


def test_the_grids_dry_runs_do_not_use_the_bulk_budget(world, t1, settings):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {"user": "100/min", "bulk": "1/min"}
    settings.REST_FRAMEWORK = rest
    cache.clear()
    user = world.users["op_hz"]
    body = {"rows": [f.t1_cells(world.e_hz.uscc)]}
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(user)
    browser.get(f"/filings/{t1.pk}/sheet/")
    csrf = {"HTTP_X_CSRFTOKEN": browser.cookies["csrftoken"].value}
    url = f"/api/v1/filings/{t1.pk}/rows/"
    for _ in range(3):  # the grid checks as the user types
        assert browser.post(f"{url}?dry_run=1", body, format="json", **csrf).status_code == 200
    assert browser.post(url, {**body, "lock_version": t1.lock_version}, format="json", **csrf).status_code == 200
    assert browser.post(url, {**body, "lock_version": t1.lock_version + 1}, format="json", **csrf).status_code == 429
    # without the CSRF header a browser session may not post
    assert browser.post(f"{url}?dry_run=1", body, format="json").status_code == 403
    # a token client's dry runs still count against bulk
    client = api(token=token_for(user))
    assert client.post(f"{url}?dry_run=1", body, format="json").status_code == 200
    assert client.post(f"{url}?dry_run=1", body, format="json").status_code == 429


def test_a_stale_lock_version_is_a_409(world, t1, client):
    t1 = saved_t1(world, t1)
    browser = APIClient()
    browser.force_login(world.users["op_hz"])
    body = {"rows": [f.t1_cells(world.e_hz.uscc)], "lock_version": t1.lock_version - 1}
    response = browser.post(f"/api/v1/filings/{t1.pk}/rows/", body, format="json")
    assert response.status_code == 409 and "修改" in response.json()["message"]
