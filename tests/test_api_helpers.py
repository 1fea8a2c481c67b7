"""Helpers of the REST API tests (no tests here): token clients, a T1 row, list ids. Their fixtures
(``api_world``, ``_api_throttle_rates``) live in conftest.py."""
from __future__ import annotations

import datetime as dt

from knox.models import AuthToken
from rest_framework.test import APIClient

from portal.api.tokens import credentials_hash
from portal.models import ApiTokenInfo
from tests import factories as f


def token_for(user, *, days: int = 90, name: str | None = None, read_only: bool = False) -> str:
    token, raw = AuthToken.objects.create(user, expiry=dt.timedelta(days=days))
    ApiTokenInfo.objects.create(token=token, name=name or f"client-{AuthToken.objects.count()}", read_only=read_only,
                                credentials_hash=credentials_hash(user))
    return raw


def api(user=None, *, token: str | None = None) -> APIClient:
    client = APIClient()
    if token is None and user is not None:
        token = token_for(user)
    if token is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def t1_row(uscc: str, **overrides) -> dict:
    return f.t1_cells(uscc, **overrides)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content[:500]
    data = response.json()
    assert set(data) >= {"count", "results"}, data
    assert data["count"] == len(data["results"]), "tests keep lists within one page"
    return {item["id"] for item in data["results"]}
