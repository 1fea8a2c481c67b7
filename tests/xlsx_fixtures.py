"""Fixtures shared by the xlsx test modules (import them by name to use them)."""
import pytest

from reports.filings import services


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def period(world):
    return services.period_ensure(year=2020, quarter=3)


@pytest.fixture
def t1(world, period):
    return services.filing_open(actor=world.users["op_hz"], schedule="T1", period=period, park=world.p_hz)


@pytest.fixture
def t5(world, period):
    return services.filing_open(actor=world.users["bank_a_hz"], schedule="T5", period=period)


@pytest.fixture
def t4(world, period):
    return services.filing_open(actor=world.users["bank_a_hz"], schedule="T4", period=period)
