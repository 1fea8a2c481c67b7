"""The garbage collector paused over the bulk paths (``portal.gcpause``), and running again after."""
from __future__ import annotations

import gc

import pytest

from portal.gcpause import gc_paused
from reports.filings import services
from reports.filings.models import Filing
from tests.test_api_helpers import api, t1_row


@pytest.fixture
def gc_enabled():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_the_collector_is_paused_inside_and_running_again_after_even_on_an_error(gc_enabled):
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested: the inner pause does not restart it
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), gc_paused():
        raise ZeroDivisionError
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled(gc_enabled):
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


@pytest.mark.usefixtures("_api_throttle_rates", "_media")
def test_a_rows_post_validates_with_the_collector_paused(api_world, monkeypatch, gc_enabled):
    seen = []
    validate = services.validate_rows
    monkeypatch.setattr(services, "validate_rows", lambda *a, **kw: seen.append(gc.isenabled()) or validate(*a, **kw))
    w = api_world
    filing = w.filings.t1_op_hz
    lock = Filing.objects.get(pk=filing.pk).lock_version
    response = api(w.users["op_hz"]).post(f"/api/v1/filings/{filing.pk}/rows/", {"rows": [t1_row(w.e_hz.uscc, employees=61)]},
                                          format="json", HTTP_IF_MATCH=f'"{lock}"')
    assert response.status_code == 200 and response.json()["updated"] == 1
    assert seen and not any(seen)
    assert gc.isenabled()
