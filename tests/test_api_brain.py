"""园区大脑 readings: pushed in bulk by the park's system (the park's operator only), keyed by
(统一社会信用代码, 月份), all or nothing, dry run, idempotent; listed over the API and shown on the
enterprise page to whoever sees that enterprise's stay in the park."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from parks import brain
from parks.models import BrainReading
from tests import factories as f
from tests.test_api_helpers import api

pytestmark = pytest.mark.usefixtures("_api_throttle_rates")  # generous API throttle rates (conftest.py)


def push_url(park) -> str:
    return f"/api/v1/parks/{park.pk}/brain-readings/"


def snapshot() -> list[dict]:
    return list(BrainReading.objects.order_by("pk").values())


def reading(uscc: str, month: str = "2020-08", **values) -> dict:
    return {"uscc": uscc, "month": month, **(values or {"electricity_kwh": 1000, "water_t": "12.5", "gas_m3": 3, "equipment_hours": 720})}


def test_the_operator_pushes_readings_and_re_sending_changes_nothing(api_world):
    w = api_world
    client = api(w.users["op_hz"])
    other = f.TenancyFactory(park=w.p_hz, enterprise=f.EnterpriseFactory(uscc=f.next_uscc("330106"))).enterprise
    body = {"readings": [reading(w.e_hz.uscc), reading(other.uscc, "2020年8月", electricity_kwh="1,234.5"),
                         reading(w.e_hz.uscc, "2020-07", electricity_kwh="1200.50")]}
    r = client.post(push_url(w.p_hz), body, format="json")
    assert r.status_code == 200, r.json()
    data = r.json()
    assert (data["saved"], data["created"], data["updated"], data["unchanged"]) == (True, 2, 0, 1)
    saved = BrainReading.objects.get(enterprise=other, month=dt.date(2020, 8, 1))
    assert saved.electricity_kwh == Decimal("1234.50") and saved.park == w.p_hz and saved.pushed_by == w.users["op_hz"]
    before = snapshot()
    again = client.post(push_url(w.p_hz), body, format="json").json()
    assert (again["saved"], again["created"], again["updated"], again["unchanged"]) == (True, 0, 0, 3)
    assert snapshot() == before
    listed = client.get(push_url(w.p_hz) + "?month_from=2020-08").json()
    assert listed["count"] == 2 and {x["month"] for x in listed["results"]} == {"2020-08"}
    assert client.get("/api/v1/brain-readings/?uscc=" + other.uscc).json()["count"] == 1


def test_a_field_left_out_keeps_its_value_and_null_clears_it(api_world):
    w = api_world
    client = api(w.users["op_hz"])
    client.post(push_url(w.p_hz), {"readings": [reading(w.e_hz.uscc, water_t=5)]}, format="json")
    r = w.readings.hz
    r.refresh_from_db()
    assert (r.electricity_kwh, r.water_t) == (Decimal("1200.50"), None)
    client.post(push_url(w.p_hz), {"readings": [reading(w.e_hz.uscc, "2020-07", water_t=5)]}, format="json")
    r.refresh_from_db()
    assert (r.electricity_kwh, r.water_t) == (Decimal("1200.50"), Decimal("5.00"))
    client.post(push_url(w.p_hz), {"readings": [reading(w.e_hz.uscc, "2020-07", electricity_kwh=None)]}, format="json")
    r.refresh_from_db()
    assert (r.electricity_kwh, r.water_t) == (None, Decimal("5.00"))


def test_one_bad_row_saves_nothing_and_every_error_is_listed_and_a_dry_run_says_the_same(api_world):
    w = api_world
    client = api(w.users["op_hz"])
    future = (timezone.localdate().replace(day=1) + dt.timedelta(days=40)).strftime("%Y-%m")
    body = {"readings": [
        reading(w.e_hz.uscc, "2020-09"),                      # fine
        reading(w.e_wz.uscc, "2020-09"),                      # not a tenant of this park
        reading(w.e_hz.uscc, "2020-13"),                      # bad month
        reading(w.e_hz.uscc, future),                         # future month
        reading(w.e_hz.uscc, "2020-10", electricity_kwh=-1),  # negative
        reading(w.e_hz.uscc, "2020-09"),                      # duplicate of row 1
        {**reading(w.e_hz.uscc, "2020-11"), "colour": "红"},  # unknown field
        {"uscc": w.e_hz.uscc, "month": "2020-12"},            # no reading at all
        reading("91350100M000100Y4Z", "2020-09"),             # bad check digit
        "not an object",
    ]}
    before = snapshot()
    dry = client.post(push_url(w.p_hz) + "?dry_run=1", body, format="json")
    real = client.post(push_url(w.p_hz), body, format="json")
    assert snapshot() == before
    assert dry.status_code == real.status_code == 400
    d, r = dry.json(), real.json()
    assert d["errors"] == r["errors"] and d["code"] == "invalid_rows" and d["dry_run"] and not r["dry_run"]
    found = {(e["row"], e["field"], e["code"]) for e in r["errors"]}
    assert found == {(2, "uscc", "not_tenant"), (3, "month", "invalid_month"), (4, "month", "future_month"),
                     (5, "electricity_kwh", "invalid_number"), (6, "month", "duplicate"), (7, "colour", "unknown_field"),
                     (8, "", "empty_reading"), (9, "uscc", "invalid_uscc"), (10, "", "invalid_row")}
    assert all(e["message"] for e in r["errors"])


def test_a_dry_run_of_a_good_batch_counts_without_saving(api_world):
    w = api_world
    before = snapshot()
    data = api(w.users["op_hz"]).post(push_url(w.p_hz) + "?dry_run=1", {"readings": [reading(w.e_hz.uscc)]}, format="json").json()
    assert (data["saved"], data["created"], data["dry_run"]) == (False, 1, True)
    assert snapshot() == before


@pytest.mark.parametrize("who", ["province", "hz_branch", "wz_branch", "jxt", "hz_jxj", "xihu_jxj", "wz_jxj", "bank_a_hz",
                                 "bank_b_hz", "bank_a_wz", "op_hz2", "op_wz"])
def test_only_the_parks_operator_may_push(api_world, who):
    w = api_world
    before = snapshot()
    r = api(w.users[who]).post(push_url(w.p_hz), {"readings": [reading(w.e_hz.uscc)]}, format="json")
    assert r.status_code in (403, 404) and r.json()["code"] in ("permission_denied", "not_found")
    assert snapshot() == before


def test_the_superuser_may_push(api_world):
    w = api_world
    assert api(w.admin).post(push_url(w.p_hz), {"readings": [reading(w.e_hz.uscc)]}, format="json").json()["created"] == 1


def test_a_reading_already_pushed_by_another_park_is_not_overwritten(api_world):
    w = api_world
    f.TenancyFactory(park=w.p_hz, enterprise=w.e_hz2)  # e_hz2 is now a tenant of both parks
    r = api(w.users["op_hz"]).post(push_url(w.p_hz), {"readings": [reading(w.e_hz2.uscc, "2020-07")]}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "other_park"
    w.readings.hz2.refresh_from_db()
    assert w.readings.hz2.water_t == Decimal("30.00")


def test_only_current_tenants_may_receive_readings(api_world):
    w = api_world
    w.t_hz.left_on = dt.date(2020, 12, 31)
    w.t_hz.save()
    result = brain.brain_readings_upsert(actor=w.users["op_hz"], park=w.p_hz, rows=[reading(w.e_hz.uscc)])
    assert not result.saved and result.errors[0]["code"] == "not_tenant"


@pytest.mark.parametrize("who,sees", [
    ("op_hz", True), ("bank_a_hz", True), ("bank_b_hz", True), ("hz_branch", True), ("xihu_jxj", True), ("province", True),
    ("op_hz2", False), ("bank_a_wz", False), ("wz_branch", False), ("wz_jxj", False),
])
def test_readings_are_listed_for_whoever_sees_the_enterprise_in_that_park(api_world, who, sees):
    w = api_world
    found = {x["id"] for x in api(w.users[who]).get("/api/v1/brain-readings/").json()["results"]}
    assert (w.readings.hz.pk in found) is sees


def test_the_enterprise_page_shows_the_readings_beside_the_register(api_world, client):
    w = api_world
    client.force_login(w.users["op_hz"])
    html = client.get(f"/enterprises/{w.e_hz.pk}/").content.decode()
    assert "园区大脑数据" in html and "2020-07" in html and "1200.50" in html
    client.force_login(w.users["bank_a_wz"])
    assert client.get(f"/enterprises/{w.e_hz.pk}/").status_code == 404
