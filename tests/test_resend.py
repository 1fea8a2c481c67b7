"""An unchanged re-send of a full replace is answered from the cache (``reports.filings.resend``)
with the very answer the dry-run probe would give; anything that moved since goes the ordinary way."""
from __future__ import annotations

import pytest

from reports.filings import services
from reports.filings.models import Filing, T1Row
from tests import factories as f
from tests.test_api_helpers import api, t1_row

pytestmark = pytest.mark.usefixtures("_api_throttle_rates", "_media")


def _post(client, filing, body):
    lock = Filing.objects.get(pk=filing.pk).lock_version
    return client.post(f"/api/v1/filings/{filing.pk}/rows/", body, format="json", HTTP_IF_MATCH=f'"{lock}"')


def _no_parsing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the rows were parsed again")

    monkeypatch.setattr(services, "validate_rows", refuse)


def test_a_resend_is_answered_from_the_cache_with_the_same_answer(api_world, monkeypatch):
    w = api_world
    filing, client = w.filings.t1_op_hz, api(w.users["op_hz"])
    body = {"rows": [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name, loan_rate=20),  # a warning: rate above 15.4 %
                     t1_row(f.next_uscc("330106"), enterprise_name="新企业")]}
    assert _post(client, filing, body).json()["saved"] is True
    probe = _post(client, filing, body).json()  # ordinary probe (the save registered a tenant: context moved)
    _no_parsing(monkeypatch)
    again = _post(client, filing, body)
    assert again.status_code == 200
    assert again.json() == probe and probe["unchanged"] == 2 and probe["saved"] is False
    assert any(i["code"] == "loan_rate_high" for i in probe["warnings"])


def test_a_moved_context_or_another_body_is_read_again(api_world, monkeypatch, settings):
    w = api_world
    filing, client = w.filings.t1_op_hz, api(w.users["op_hz"])
    body = {"rows": [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name, loan_rate=8)]}
    assert _post(client, filing, body).json()["saved"] is True
    lock = Filing.objects.get(pk=filing.pk).lock_version
    settings.RATE_WARNING_THRESHOLD = "5"  # the rules' threshold moved: the same rows now warn
    again = _post(client, filing, body).json()
    assert again["unchanged"] == 1 and "loan_rate_high" in [i["code"] for i in again["warnings"]]
    body["rows"][0]["employees"] = 61  # another body: parsed and saved
    assert _post(client, filing, body).json()["updated"] == 1
    assert Filing.objects.get(pk=filing.pk).lock_version == lock + 1
    assert T1Row.objects.get(filing=filing).employees == 61
    _no_parsing(monkeypatch)
    assert _post(client, filing, body).json()["unchanged"] == 1  # and that save is remembered in turn
