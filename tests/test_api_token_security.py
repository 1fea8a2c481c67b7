"""API tokens never outlive what logs a browser session out: a password change (on the password
page, by an administrator, anywhere) and a deactivation revoke them. Read-only tokens read and
never write."""
from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse
from knox.models import AuthToken

from parks.models import BrainReading
from portal.api.tokens import token_create
from portal.models import ApiTokenInfo
from reports.filings.models import Filing, T1Row
from reports.workflow.models import FilingTransition
from tests.factories import PASSWORD
from tests.test_api_helpers import api, t1_row, token_for

pytestmark = pytest.mark.usefixtures("_api_throttle_rates")  # generous API throttle rates (conftest.py)

NEW_PASSWORD = "Neu-Kennwort#2026"


def assert_401(response) -> None:
    assert response.status_code == 401, response.content[:300]
    data = response.json()
    assert data["code"] == "authentication_failed" and re.search(r"[\u4e00-\u9fff]", data["message"])


# --- password changes ------------------------------------------------------------------------------------

def test_an_old_token_is_refused_after_the_password_change_page_and_the_session_stays(world, client):
    user = world.users["op_hz"]
    _, raw = token_create(user=user, name="园区大脑")
    assert api(token=raw).get("/api/v1/me/").status_code == 200
    client.force_login(user)
    response = client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                        "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert "令牌" in client.get(response["Location"]).content.decode()  # the done page says so
    assert_401(api(token=raw).get("/api/v1/me/"))
    assert not AuthToken.objects.filter(user=user).exists()  # dropped, not just refused
    assert client.get(reverse("home")).status_code == 200  # this browser session was kept by Django
    user.refresh_from_db()
    _, fresh = token_create(user=user, name="园区大脑")  # a token made under the new password works
    assert api(token=fresh).get("/api/v1/me/").status_code == 200


def test_an_old_token_is_refused_after_an_administrator_sets_a_new_password(world, client):
    user = world.users["bank_a_hz"]
    raw = token_for(user)
    client.force_login(world.admin)
    response = client.post(reverse("admin:auth_user_password_change", args=[user.pk]),
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302, response.content[:500]
    assert_401(api(token=raw).get("/api/v1/filings/"))
    assert_401(api(token=raw).post(f"/api/v1/filings/{1}/submit/", {}, format="json"))


def test_a_password_set_anywhere_else_refuses_older_tokens_too(world, client):
    """``manage.py changepassword``, a password reset, a script: all end in set_password + save."""
    user = world.users["province"]
    raw = token_for(user)
    other = token_for(world.users["hz_branch"])
    user.set_password(NEW_PASSWORD)
    user.save()
    assert_401(api(token=raw).get("/api/v1/me/"))
    assert api(token=other).get("/api/v1/me/").status_code == 200  # other users' tokens are untouched
    # the profile page no longer lists the dead token
    client.force_login(user)
    assert "暂无令牌" in client.get("/profile/").content.decode()


def test_saving_a_user_without_changing_the_password_keeps_the_tokens(world):
    user = world.users["op_hz"]
    raw = token_for(user)
    user.first_name = "张"
    user.save()
    assert api(token=raw).get("/api/v1/me/").status_code == 200


def test_a_token_without_its_credentials_binding_is_refused(world):
    user = world.users["op_hz"]
    raw = token_for(user)
    ApiTokenInfo.objects.filter(token__user=user).update(credentials_hash="")
    assert_401(api(token=raw).get("/api/v1/me/"))


def test_the_migration_binds_tokens_made_before_it_to_the_current_password(world):
    user = world.users["op_hz"]
    raw = token_for(user)
    ApiTokenInfo.objects.filter(token__user=user).update(credentials_hash="")
    importlib.import_module("portal.migrations.0005_apitokeninfo_read_only_credentials_hash").bind_existing_tokens(apps, None)
    assert api(token=raw).get("/api/v1/me/").status_code == 200
    user.set_password(NEW_PASSWORD)
    user.save()
    assert_401(api(token=raw).get("/api/v1/me/"))


def test_rotating_the_secret_key_keeps_tokens_through_secret_key_fallbacks(world, settings):
    user = world.users["op_hz"]
    raw = token_for(user)
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-secret-key-" + "x" * 40, [old]
    assert api(token=raw).get("/api/v1/me/").status_code == 200
    assert ApiTokenInfo.objects.get(token__user=user).credentials_hash == user.get_session_auth_hash()  # re-bound


# --- deactivation ------------------------------------------------------------------------------------------

def test_a_deactivated_users_tokens_are_refused_and_reactivation_does_not_bring_them_back(world):
    user = world.users["op_hz"]
    raw = token_for(user)
    user.is_active = False
    user.save()
    assert_401(api(token=raw).get("/api/v1/me/"))
    assert not AuthToken.objects.filter(user=user).exists()
    user.is_active = True
    user.save()
    assert_401(api(token=raw).get("/api/v1/me/"))


def test_deactivating_a_user_in_the_admin_revokes_the_tokens_at_once(world, client):
    user = world.users["op_hz"]
    token_for(user)
    token_for(user)
    client.force_login(world.admin)
    url = reverse("admin:portal_user_change", args=[user.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("password", "groups", "user_permissions", "last_login",
                                                                                  "date_joined")}
    data.update({"organisation": user.organisation_id, "date_joined_0": "2020-01-01", "date_joined_1": "00:00:00"})
    data.pop("is_active")  # unticked
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    user.refresh_from_db()
    assert not user.is_active
    assert not AuthToken.objects.filter(user=user).exists()


# --- read-only tokens ------------------------------------------------------------------------------------

def test_a_read_only_token_reads_but_any_write_is_a_403_and_changes_nothing(api_world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    w = api_world
    filing = w.filings.t1_op_hz
    reader = api(token=token_for(w.users["op_hz"], read_only=True))
    assert reader.get("/api/v1/filings/").status_code == 200
    assert reader.get(f"/api/v1/filings/{filing.pk}/rows/").status_code == 200
    assert reader.get(f"/api/v1/parks/{w.p_hz.pk}/brain-readings/").status_code == 200
    assert reader.options("/api/v1/filings/").status_code == 200
    assert reader.get("/api/v1/me/").json()["token"]["read_only"] is True
    before = (Filing.objects.get(pk=filing.pk).lock_version, FilingTransition.objects.count(), BrainReading.objects.count(),
              list(T1Row.objects.filter(filing=filing).values()))
    writes = [
        reader.post(f"/api/v1/filings/{filing.pk}/submit/", {}, format="json"),
        reader.post(f"/api/v1/filings/{filing.pk}/rows/", {"rows": [t1_row(w.e_hz.uscc, employees=1)], "lock_version": filing.lock_version},
                    format="json"),
        reader.post(f"/api/v1/filings/{filing.pk}/rows/?dry_run=1", {"rows": [t1_row(w.e_hz.uscc)]}, format="json"),
        reader.post(f"/api/v1/filings/{filing.pk}/upload/", {"file": SimpleUploadedFile("a.xlsx", b"PK"), "lock_version": 1},
                    format="multipart"),
        reader.post(f"/api/v1/parks/{w.p_hz.pk}/brain-readings/",
                    {"readings": [{"uscc": w.e_hz.uscc, "month": "2020-08", "water_t": 3}]}, format="json"),
        reader.post("/api/v1/filings/", {"schedule": "T1", "period": "2020Q2", "park": w.p_hz.pk}, format="json"),
        reader.patch(f"/api/v1/enterprises/{w.e_hz.pk}/", {"name": "改名"}, format="json"),
        reader.put(f"/api/v1/enterprises/{w.e_hz.pk}/", {"name": "改名"}, format="json"),
        reader.delete(f"/api/v1/tenancies/{w.t_hz.pk}/"),
    ]
    for response in writes:
        assert response.status_code == 403, (response.request["PATH_INFO"], response.content[:200])
        data = response.json()
        assert data["code"] == "permission_denied" and "只读" in data["message"]
    after = (Filing.objects.get(pk=filing.pk).lock_version, FilingTransition.objects.count(), BrainReading.objects.count(),
             list(T1Row.objects.filter(filing=filing).values()))
    assert after == before
    # a regulator's read-only token cannot approve either
    approve = api(token=token_for(w.users["hz_branch"], read_only=True)).post(f"/api/v1/filings/{filing.pk}/approve/", {}, format="json")
    assert approve.status_code == 403 and "只读" in approve.json()["message"]
    # the same user's read-write token still writes
    writer = api(w.users["op_hz"])
    assert writer.post(f"/api/v1/filings/{filing.pk}/submit/", {}, format="json").status_code == 200


def test_the_profile_page_creates_a_read_only_token(world, client):
    user = world.users["op_hz"]
    client.force_login(user)
    html = client.get("/profile/").content.decode()
    assert "只读" in html and 'name="read_only"' in html
    response = client.post("/profile/", {"action": "create", "name": "数据看板", "days": "30", "read_only": "on"})
    raw = re.search(r'value="([^"]+)" data-testid="new-token-value"', response.content.decode()).group(1)
    token = AuthToken.objects.get(user=user)
    assert token.info.read_only is True and token.info.credentials_hash == user.get_session_auth_hash()
    assert 'data-testid="token-read-only"' in client.get("/profile/").content.decode()
    assert api(token=raw).get("/api/v1/me/").json()["token"]["read_only"] is True
    r = api(token=raw).post(f"/api/v1/parks/{world.p_hz.pk}/brain-readings/", {"readings": []}, format="json")
    assert r.status_code == 403 and "只读" in r.json()["message"]
    client.post("/profile/", {"action": "create", "name": "园区大脑", "days": "30"})
    assert AuthToken.objects.get(user=user, info__name="园区大脑").info.read_only is False


@pytest.mark.parametrize("read_only", [False, True])
def test_token_create_binds_the_token_to_the_current_password(world, read_only):
    user = world.users["bank_b_hz"]
    token, _ = token_create(user=user, name="信贷系统", read_only=read_only)
    assert token.info.read_only is read_only and token.info.credentials_hash == user.get_session_auth_hash()
