"""Shared fixtures and helpers of the REST API tests (no tests here): token clients and a world
with filings of every schedule, summaries and 园区大脑 readings for both cities."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from parks.models import BrainReading
from knox.models import AuthToken

from portal.api.tokens import credentials_hash
from portal.models import ApiTokenInfo
from reports.filings import services
from reports.filings.models import Filing, ImportJob, Period
from reports.summaries.models import Summary
from tests import factories as f

HIGH_RATES = {"user": "100000/min", "bulk": "100000/min"}


@pytest.fixture(autouse=True)
def _api_throttle_rates(settings):
    """Throttle budgets outlive a test in the cache (and user ids repeat on SQLite): the tests
    run with generous rates; the throttling test sets its own."""
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = HIGH_RATES
    settings.REST_FRAMEWORK = rest


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


@pytest.fixture
def api_world(world):
    """``world`` plus, for 2020Q3: every park's T1 (one valid row), every bank branch's T4 and T5,
    the T2 of each park, a city summary per city and the province summary, an import job and
    readings of each park's tenant."""
    w = world
    w.period = Period.objects.get(code="2020Q3")
    w.filings = SimpleNamespace()
    for key, park, tenant in (("op_hz", w.p_hz, w.e_hz), ("op_hz2", w.p_hz2, w.e_hz2), ("op_wz", w.p_wz, w.e_wz)):
        user = w.users[key]
        filing = services.filing_open(actor=user, schedule="T1", period=w.period, park=park)
        res = services.filing_rows_replace(actor=user, filing=filing, raw_rows=[t1_row(tenant.uscc, enterprise_name=tenant.name)])
        assert res.saved, res.issue_dicts()
        setattr(w.filings, f"t1_{key}", Filing.objects.get(pk=filing.pk))
    for key in ("bank_a_hz", "bank_b_hz", "bank_a_wz"):
        user = w.users[key]
        org = getattr(w, key)
        links = org.partner_links.select_related("park")
        t5 = services.filing_open(actor=user, schedule="T5", period=w.period)
        res = services.filing_rows_replace(actor=user, filing=t5, raw_rows=[
            f.t5_cells(link.park.code, link.park.name, role="主办行" if link.role == "lead" else "伙伴银行") for link in links])
        assert res.saved, res.issue_dicts()
        t4 = services.filing_open(actor=user, schedule="T4", period=w.period)
        res = services.filing_t4_save(actor=user, filing=t4, raw_values=f.t4_cells(partner_parks=len(links), parks_served=len(links),
                                                                                     lead_parks=sum(1 for link in links if link.role == "lead")))
        assert res.saved, res.issue_dicts()
        setattr(w.filings, f"t4_{key}", Filing.objects.get(pk=t4.pk))
        setattr(w.filings, f"t5_{key}", Filing.objects.get(pk=t5.pk))
    now = timezone.now()
    w.summaries = SimpleNamespace(
        hz=Summary.objects.create(scope="city", code="330100", period=w.period, data={"total": {"filed_count": 2}}, built_at=now),
        wz=Summary.objects.create(scope="city", code="330300", period=w.period, data={"total": {"filed_count": 1}}, built_at=now),
        province=Summary.objects.create(scope="province", code="330000", period=w.period, data={"total": {"filed_count": 3}},
                                        built_at=now, requested_at=now + dt.timedelta(seconds=5), queued=True),
    )
    w.job = ImportJob.objects.create(filing=w.filings.t1_op_hz, created_by=w.users["op_hz"], original_name="t1.xlsx",
                                     status=ImportJob.Status.DONE, result={"saved": True})
    w.readings = SimpleNamespace(
        hz=BrainReading.objects.create(enterprise=w.e_hz, park=w.p_hz, month=dt.date(2020, 7, 1), electricity_kwh=Decimal("1200.50"),
                                       pushed_by=w.users["op_hz"], pushed_at=now),
        hz2=BrainReading.objects.create(enterprise=w.e_hz2, park=w.p_hz2, month=dt.date(2020, 7, 1), water_t=Decimal("30"),
                                        pushed_by=w.users["op_hz2"], pushed_at=now),
        wz=BrainReading.objects.create(enterprise=w.e_wz, park=w.p_wz, month=dt.date(2020, 7, 1), gas_m3=Decimal("12"),
                                       pushed_by=w.users["op_wz"], pushed_at=now),
    )
    return w


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content[:500]
    data = response.json()
    assert set(data) >= {"count", "results"}, data
    assert data["count"] == len(data["results"]), "tests keep lists within one page"
    return {item["id"] for item in data["results"]}
