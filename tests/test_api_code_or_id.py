"""List filters name a period, park, region or target by its code or its id; an unknown value is a
400 naming the field, never an empty page."""
from __future__ import annotations

import pytest

from reports.targets.models import Target
from tests.test_api_helpers import api

pytestmark = pytest.mark.usefixtures("_api_throttle_rates")


def _ids(client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200, response.json()
    return {x["id"] for x in response.json()["results"]}


def _invalid_field(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    return [e["field"] for e in body["errors"]]


def test_filings_period_by_id_and_by_code_give_the_same_list(api_world):
    w = api_world
    client = api(w.users["province"])
    by_code = _ids(client, "/api/v1/filings/?period=2020Q3&schedule=T1")
    assert by_code == {w.filings.t1_op_hz.pk, w.filings.t1_op_hz2.pk, w.filings.t1_op_wz.pk}
    assert _ids(client, f"/api/v1/filings/?period={w.period.pk}&schedule=T1") == by_code


def test_filings_park_and_city_by_code_or_id(api_world):
    w = api_world
    client = api(w.users["province"])
    assert _ids(client, f"/api/v1/filings/?park={w.p_hz.code}") == _ids(client, f"/api/v1/filings/?park={w.p_hz.pk}") == {w.filings.t1_op_hz.pk}
    wenzhou = w.p_wz.county.city_code
    region_id = type(w.p_wz.county).objects.get(code=wenzhou).pk
    assert _ids(client, f"/api/v1/filings/?city={wenzhou}") == _ids(client, f"/api/v1/filings/?city={region_id}") != set()


@pytest.mark.parametrize("query, field", [("period=nonsense", "period"), ("period=99999", "period"), ("park=no-such-park", "park"),
                                          ("city=999999", "city")])
def test_an_unknown_filing_filter_value_is_a_400_naming_the_field(api_world, query, field):
    assert _invalid_field(api(api_world.users["province"]), f"/api/v1/filings/?{query}") == [field]


def test_summaries_period_by_id_or_code_and_nonsense_is_a_400(api_world):
    w = api_world
    client = api(w.users["province"])
    by_code = _ids(client, "/api/v1/summaries/cities/?period=2020Q3")
    assert by_code and _ids(client, f"/api/v1/summaries/cities/?period={w.period.pk}") == by_code
    assert _invalid_field(client, "/api/v1/summaries/cities/?period=nonsense") == ["period"]


def test_target_results_period_and_target_by_id_or_code(api_world):
    w = api_world
    client = api(w.users["province"])
    target = Target.objects.order_by("pk").first()
    assert _ids(client, f"/api/v1/target-results/?period=2020Q3&target={target.code}") == \
        _ids(client, f"/api/v1/target-results/?period={w.period.pk}&target={target.pk}")
    assert _invalid_field(client, "/api/v1/target-results/?period=nonsense") == ["period"]
    assert _invalid_field(client, "/api/v1/target-results/?target=ZZ-00") == ["target"]


def test_parks_city_by_code_or_id_and_unknown_is_a_400(api_world):
    w = api_world
    client = api(w.users["province"])
    city = type(w.p_hz.county).objects.get(code=w.p_hz.county.city_code)
    by_code = _ids(client, f"/api/v1/parks/?city={city.code}")
    assert w.p_hz.pk in by_code and _ids(client, f"/api/v1/parks/?city={city.pk}") == by_code
    assert _invalid_field(client, "/api/v1/parks/?city=nowhere") == ["city"]


# --- a park the user cannot read is "unknown", like one that does not exist (no existence probing) ---

def _error(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 400, response.content
    return response.json()


def test_a_park_of_another_city_is_unknown_to_a_branch_regulator_exactly_like_a_missing_park(api_world):
    w = api_world
    client = api(w.users["hz_branch"])
    assert _ids(client, f"/api/v1/filings/?park={w.p_hz.code}") == {w.filings.t1_op_hz.pk}  # its own city's park
    unreadable = _error(client, f"/api/v1/filings/?park={w.p_wz.code}")
    missing = _error(client, "/api/v1/filings/?park=330302999")
    assert unreadable == {**missing, "errors": [{**e, "message": e["message"].replace("330302999", w.p_wz.code)} for e in missing["errors"]]}
    assert unreadable["errors"][0]["field"] == "park" and w.p_wz.code in unreadable["errors"][0]["message"]
    assert _error(client, f"/api/v1/filings/?park={w.p_wz.pk}")["errors"][0]["field"] == "park"  # by id too


def test_a_park_operator_names_only_its_own_park_in_filters(api_world):
    w = api_world
    client = api(w.users["op_hz"])
    assert _ids(client, f"/api/v1/filings/?park={w.p_hz.pk}") == {w.filings.t1_op_hz.pk}
    assert _invalid_field(client, f"/api/v1/filings/?park={w.p_hz2.code}") == ["park"]
    assert _invalid_field(client, f"/api/v1/reconciliation-items/?park={w.p_wz.code}") == ["park"]


def test_periods_are_public_so_a_bank_names_any_period(api_world):
    w = api_world
    client = api(w.users["bank_a_hz"])
    assert _ids(client, "/api/v1/filings/?period=2020Q3&schedule=T4") == {w.filings.t4_bank_a_hz.pk}
    assert _ids(client, f"/api/v1/filings/?period={w.period.pk}&schedule=T4") == {w.filings.t4_bank_a_hz.pk}
