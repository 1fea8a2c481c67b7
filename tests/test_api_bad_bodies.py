"""Hostile request bodies get a 400 JSON error naming the problem in Chinese, never a 500, and
nothing is saved: JSON nested too deep (the parser would recurse), a lone UTF-16 surrogate in a
string (PostgreSQL cannot store it), a form with more fields than allowed."""
from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parks.models import BrainReading, Enterprise, Tenancy
from reports.filings.models import Filing, ImportJob, T1Row
from tests.test_api_helpers import api

pytestmark = pytest.mark.usefixtures("_api_throttle_rates")  # generous API throttle rates (conftest.py)

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def snapshot(w) -> tuple:
    filing = Filing.objects.get(pk=w.filings.t1_op_hz.pk)
    return (filing.lock_version, list(T1Row.objects.filter(filing=filing).order_by("pk").values()), Tenancy.objects.count(),
            Enterprise.objects.count(), list(BrainReading.objects.order_by("pk").values()), ImportJob.objects.count())


def endpoints(w) -> dict[str, str]:
    return {
        "rows": f"/api/v1/filings/{w.filings.t1_op_hz.pk}/rows/",
        "tenancies": "/api/v1/tenancies/",
        "brain_readings": f"/api/v1/parks/{w.p_hz.pk}/brain-readings/",
    }


def post_raw(client, url: str, text: str, **extra):
    return client.post(url, data=text.encode("utf-8"), content_type="application/json", **extra)


def assert_400(response, code: str, *words: str) -> dict:
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["code"] == code, data
    assert CHINESE.search(data["message"])
    for word in words:
        assert word in data["message"], data["message"]
    return data


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("endpoint", ["rows", "tenancies", "brain_readings"])
@pytest.mark.parametrize("depth", [100_000, 200])
def test_deeply_nested_json_is_a_400_naming_the_nesting_and_saves_nothing(api_world, endpoint, depth):
    w = api_world
    url = endpoints(w)[endpoint]
    body = {
        "rows": f'{{"lock_version": {w.filings.t1_op_hz.lock_version}, "rows": [{{"enterprise_name": {nested(depth)}}}]}}',
        "tenancies": f'{{"park": {w.p_hz.pk}, "uscc": "91330106MA0000000X", "enterprise_name": {nested(depth)}}}',
        "brain_readings": f'{{"readings": [{{"uscc": "{w.e_hz.uscc}", "month": "2020-08", "water_t": {nested(depth)}}}]}}',
    }[endpoint]
    before = snapshot(w)
    data = assert_400(post_raw(api(w.users["op_hz"]), url, body), "too_deep", "嵌套")
    assert data["errors"] == [] or data["errors"][0]["code"] == "too_deep"
    assert snapshot(w) == before


@pytest.mark.parametrize("endpoint", ["rows", "tenancies", "brain_readings"])
def test_a_lone_surrogate_in_a_string_is_a_400_naming_it_and_saves_nothing(api_world, endpoint):
    w = api_world
    url = endpoints(w)[endpoint]
    body = {
        "rows": (f'{{"lock_version": {w.filings.t1_op_hz.lock_version}, "rows": [{{"uscc": "{w.e_hz.uscc}", '
                 f'"enterprise_name": "\\ud800坏字符公司"}}]}}'),
        "tenancies": (f'{{"park": {w.p_hz.pk}, "uscc": "91330106MA0000000X", "enterprise_name": "坏\\udfff字符", '
                      f'"industry": "C", "entered_on": "2020-01-01"}}'),
        "brain_readings": f'{{"readings": [{{"uscc": "{w.e_hz.uscc}", "month": "2020-08", "\\ud800": 1}}]}}',
    }[endpoint]
    before = snapshot(w)
    assert_400(post_raw(api(w.users["op_hz"]), url, body), "invalid_unicode", "字符")
    assert snapshot(w) == before


def test_a_proper_surrogate_pair_is_an_ordinary_character(api_world):
    w = api_world
    filing = w.filings.t1_op_hz
    body = (f'{{"lock_version": {filing.lock_version}, "rows": [{{"uscc": "{w.e_hz.uscc}", "enterprise_name": "西湖\\ud83d\\ude00企业"}}]}}')
    r = post_raw(api(w.users["op_hz"]), f"/api/v1/filings/{filing.pk}/rows/?dry_run=1", body)
    assert r.status_code in (200, 400) and r.json().get("code") != "invalid_unicode"


def test_ordinary_nesting_of_a_bulk_body_is_accepted(api_world):
    w = api_world
    r = api(w.users["op_hz"]).post(f"/api/v1/parks/{w.p_hz.pk}/brain-readings/?dry_run=1",
                                   {"readings": [{"uscc": w.e_hz.uscc, "month": "2020-08", "water_t": 1}]}, format="json")
    assert r.status_code == 200 and r.json()["created"] == 1


def many_fields(n: int) -> str:
    return "&".join(f"f{i}=x" for i in range(n))


def test_an_api_upload_with_25000_form_fields_is_a_400_and_saves_nothing(api_world):
    w = api_world
    filing = w.filings.t1_op_hz
    before = snapshot(w)
    data = {f"f{i}": "x" for i in range(25_000)}
    data.update({"file": SimpleUploadedFile("附表1.xlsx", b"PK\x03\x04"), "lock_version": str(filing.lock_version)})
    r = api(w.users["op_hz"]).post(f"/api/v1/filings/{filing.pk}/upload/", data, format="multipart")
    assert_400(r, "too_many_fields", "字段")
    assert snapshot(w) == before


def test_an_api_form_post_with_25000_fields_is_a_400(api_world):
    w = api_world
    before = snapshot(w)
    r = api(w.users["op_hz"]).post("/api/v1/tenancies/", many_fields(25_000), content_type="application/x-www-form-urlencoded")
    assert_400(r, "too_many_fields", "字段")
    assert snapshot(w) == before


def test_the_web_upload_with_25000_form_fields_is_a_400_page_and_saves_nothing(api_world):
    w = api_world
    filing = w.filings.t1_op_hz
    client = Client()
    client.force_login(w.users["op_hz"])
    before = snapshot(w)
    data = {f"f{i}": "x" for i in range(25_000)}
    data.update({"file": SimpleUploadedFile("附表1.xlsx", b"PK\x03\x04"), "lock_version": str(filing.lock_version)})
    r = client.post(f"/filings/{filing.pk}/upload/", data)
    assert r.status_code == 400
    assert "字段" in r.content.decode()
    assert snapshot(w) == before
