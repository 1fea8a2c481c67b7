"""API tokens (django-rest-knox, hashed, expiring, named, one per client) created and revoked on
the profile page; authentication failures, throttling per token and the JSON error format."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken

from tests.test_api_helpers import api, token_for

pytestmark = pytest.mark.usefixtures("_api_throttle_rates")  # generous API throttle rates (conftest.py)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert set(data) >= {"code", "message", "errors"} and data["code"] == code, data
    assert re.search(r"[\u4e00-\u9fff]", data["message"]), "the message is in Chinese"
    return data


# --- authentication ---------------------------------------------------------------------------------

def test_a_token_acts_as_its_user_within_the_users_organisation(api_world):
    w = api_world
    raw = token_for(w.users["bank_b_hz"], name="信贷系统")
    me = api(token=raw).get("/api/v1/me/").json()
    assert me["username"] == "bank_b_hz" and me["organisation"]["id"] == w.bank_b_hz.pk
    assert me["token"]["name"] == "信贷系统" and raw.startswith(me["token"]["token_key"])
    filings = {x["id"] for x in api(token=raw).get("/api/v1/filings/").json()["results"]}
    assert filings == {w.filings.t4_bank_b_hz.pk, w.filings.t5_bank_b_hz.pk, w.filings.t1_op_hz2.pk}


def test_only_a_hash_of_the_token_is_stored(world):
    raw = token_for(world.users["op_hz"])
    stored = AuthToken.objects.get(user=world.users["op_hz"])
    assert stored.digest == hash_token(raw) and raw not in (stored.digest, stored.token_key)


def test_an_expired_token_is_refused_with_a_chinese_json_401(world):
    raw = token_for(world.users["op_hz"], days=30)
    AuthToken.objects.filter(user=world.users["op_hz"]).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    data = assert_error(api(token=raw).get("/api/v1/me/"), 401, "authentication_failed")
    assert "过期" in data["message"]
    assert not AuthToken.objects.filter(user=world.users["op_hz"]).exists()  # knox drops it


def test_a_revoked_token_is_refused(world, client):
    user = world.users["op_hz"]
    raw = token_for(user)
    assert api(token=raw).get("/api/v1/me/").status_code == 200
    client.force_login(user)
    digest = AuthToken.objects.get(user=user).digest
    client.post("/profile/", {"action": "revoke", "digest": digest})
    assert_error(api(token=raw).get("/api/v1/me/"), 401, "authentication_failed")
    assert_error(api(token=raw).post(f"/api/v1/parks/{world.p_hz.pk}/brain-readings/", {"readings": []}, format="json"),
                 401, "authentication_failed")


@pytest.mark.parametrize("header", [None, "Token", "Token abc def", "Token " + "x" * 64, "Bearer something"])
def test_missing_or_bad_credentials_are_a_json_401(db, header):
    client = api()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/parks/")
    data = assert_error(response, 401, "not_authenticated" if header in (None, "Bearer something") else "authentication_failed")
    assert response["WWW-Authenticate"] == "Token"
    assert data["errors"] == []


def test_an_inactive_users_token_is_refused(world):
    raw = token_for(world.users["op_hz"])
    world.users["op_hz"].is_active = False
    world.users["op_hz"].save()
    assert api(token=raw).get("/api/v1/me/").status_code == 401


def test_the_browser_session_works_too(world, client):
    client.force_login(world.users["op_hz"])
    assert client.get("/api/v1/me/").json()["username"] == "op_hz"


# --- the profile page --------------------------------------------------------------------------------

def test_profile_creates_a_named_token_shown_once_lists_and_revokes_it(world, client):
    user = world.users["op_hz"]
    client.force_login(user)
    page = client.get("/profile/")
    assert page.status_code == 200 and "个人设置 / API令牌" in page.content.decode()
    r = client.post("/profile/", {"action": "create", "name": "园区大脑", "days": "30"})
    html = r.content.decode()
    token = AuthToken.objects.get(user=user)
    raw = re.search(r'value="([^"]+)" data-testid="new-token-value"', html).group(1)
    assert hash_token(raw) == token.digest and token.info.name == "园区大脑"
    assert timezone.now() + dt.timedelta(days=29) < token.expiry <= timezone.now() + dt.timedelta(days=30)
    assert api(token=raw).get("/api/v1/me/").json()["username"] == "op_hz"
    listing = client.get("/profile/").content.decode()
    assert "园区大脑" in listing and token.token_key in listing and raw not in listing  # never shown again
    duplicate = client.post("/profile/", {"action": "create", "name": "园区大脑", "days": "90"}).content.decode()
    assert "已有名为“园区大脑”的令牌" in duplicate and AuthToken.objects.filter(user=user).count() == 1
    bad = client.post("/profile/", {"action": "create", "name": "x", "days": "7"})
    assert AuthToken.objects.filter(user=user).count() == 1 and bad.status_code == 200
    client.post("/profile/", {"action": "revoke", "digest": token.digest})
    assert not AuthToken.objects.filter(user=user).exists()


def test_a_user_cannot_revoke_someone_elses_token(world, client):
    raw = token_for(world.users["op_wz"])
    client.force_login(world.users["op_hz"])
    client.post("/profile/", {"action": "revoke", "digest": hash_token(raw)})
    assert AuthToken.objects.filter(user=world.users["op_wz"]).exists()
    assert api(token=raw).get("/api/v1/me/").status_code == 200


def test_the_token_limit_per_user(world, client):
    user = world.users["op_hz"]
    for i in range(20):
        token_for(user, name=f"c{i}")
    client.force_login(user)
    html = client.post("/profile/", {"action": "create", "name": "one more", "days": "90"}).content.decode()
    assert "最多持有20个令牌" in html and AuthToken.objects.filter(user=user).count() == 20


def test_profile_needs_login_and_the_nav_links_to_it(world, client):
    assert client.get("/profile/").status_code == 302
    client.force_login(world.users["op_hz"])
    assert 'href="/profile/"' in client.get("/").content.decode()


# --- throttling per token ----------------------------------------------------------------------------

def test_throttling_is_per_token(world, settings):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {"user": "3/min", "bulk": "1/min"}
    settings.REST_FRAMEWORK = rest
    user = world.users["op_hz"]
    first, second = api(token=token_for(user)), api(token=token_for(user))
    for _ in range(3):
        assert first.get("/api/v1/me/").status_code == 200
    data = assert_error(first.get("/api/v1/me/"), 429, "throttled")
    assert "秒后重试" in data["message"]
    assert first.get("/api/v1/me/")["Retry-After"]
    assert second.get("/api/v1/me/").status_code == 200  # another client of the same user has its own budget
    # bulk pushes have a smaller budget of their own
    url = f"/api/v1/parks/{world.p_hz.pk}/brain-readings/"
    body = {"readings": [{"uscc": world.e_hz.uscc, "month": "2020-07", "electricity_kwh": 1}]}
    assert second.post(url, body, format="json").status_code == 200
    assert_error(second.post(url, body, format="json"), 429, "throttled")


# --- the error format ------------------------------------------------------------------------------------

def test_every_error_is_json_with_a_code_and_a_chinese_message(api_world):
    w = api_world
    client = api(w.users["op_hz"])
    assert_error(client.get("/api/v1/filings/999999/"), 404, "not_found")
    assert_error(client.get(f"/api/v1/filings/{w.filings.t4_bank_a_hz.pk}/"), 404, "not_found")
    assert_error(client.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_error(client.delete(f"/api/v1/parks/{w.p_hz.pk}/"), 405, "method_not_allowed")
    assert_error(client.patch(f"/api/v1/parks/{w.p_hz.pk}/", {"name": "改名"}, format="json"), 403, "permission_denied")
    assert_error(client.post("/api/v1/institutions/", {"name": "x"}, format="json"), 403, "permission_denied")
    data = assert_error(client.post("/api/v1/tenancies/", {"park": w.p_hz.pk}, format="json"), 400, "invalid")
    assert {e["field"] for e in data["errors"]} >= {"uscc", "enterprise_name", "industry", "entered_on"}
    assert_error(client.post("/api/v1/filings/", "not json", content_type="application/json"), 400, "parse_error")
    assert_error(client.post("/api/v1/filings/", "a=b", content_type="text/plain"), 415, "unsupported_media_type")
    data = assert_error(client.post("/api/v1/tenancies/", {"park": w.p_hz.pk, "uscc": "123", "enterprise_name": "某企业",
                                                           "industry": "C", "entered_on": "2020-01-01"}, format="json"), 400, "invalid")
    assert data["errors"][0]["field"] == "uscc" and "18位" in data["errors"][0]["message"]
