import os
from types import SimpleNamespace

import pytest

from parks.choices import PartnerRole
from portal.celery import app as celery_app
from tests import factories as f

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def require_service(name: str, reachable: bool, why: str) -> None:
    """Under REQUIRE_SERVICES=1 (CI) an unreachable service fails the test; elsewhere it skips."""
    if reachable:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{name} is required (REQUIRE_SERVICES=1) but unreachable: {why}")
    pytest.skip(f"{name} not available: {why}")


@pytest.fixture(autouse=True)
def _regions_present(request):
    """Transactional tests (live server, Celery worker) flush every table, the regions and periods
    loaded by data migrations among them: load them again when a test starts without them."""
    if "transactional_db" not in request.fixturenames and "live_server" not in request.fixturenames:
        marker = request.node.get_closest_marker("django_db")
        if not (marker and marker.kwargs.get("transaction")):
            return
    request.getfixturevalue("transactional_db")
    import importlib

    from django.apps import apps

    from portal.models import Region

    if not Region.objects.exists():
        importlib.import_module("portal.migrations.0002_load_regions").load(apps, None)
    from reports.filings.models import Period

    if not Period.objects.exists():
        importlib.import_module("reports.migrations.0002_periods").load(apps, None)


@pytest.fixture(autouse=True)
def _fresh_generation():
    """Prepared dashboards outlive a test in the cache (Redis) while its rows roll back, and ids
    repeat on SQLite: every test starts with a generation of its own (reports.dashboards.cache)."""
    from django.core.cache import cache

    from portal import generation

    cache.delete(generation.KEY)


@pytest.fixture(autouse=True)
def _cached_db_sessions(settings):
    """Sessions as in production with Redis (portal.settings): cached_db, also when the tests run on
    local memory (one process: no other process to miss a change), so the pinned query counts are
    those of the production set-up either way."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # fast hashing in tests; PBKDF2 still verifies passwords hashed outside a test (module fixtures)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@pytest.fixture
def world(db):
    """Two cities, each with its regulators, bureaus, banks, parks and tenants.

    Hangzhou (330100): parks p_hz (西湖区 330106, bank A lead, bank B partner) and p_hz2 (余杭 330110,
    bank B only). Wenzhou (330300): park p_wz (鹿城 330302, bank A's Wenzhou branch).
    """
    import datetime as dt

    from reports.filings.models import Period

    # The 2019–2020 periods locked long ago; tests work in them as if they were open.
    Period.objects.update(lock_date=dt.date(2099, 12, 31))
    w = SimpleNamespace()
    w.province = f.province_regulator(name="浙江银保监局")
    w.hz_branch = f.branch_regulator("330100", name="杭州银保监分局")
    w.wz_branch = f.branch_regulator("330300", name="温州银保监分局")
    w.jxt = f.economy_bureau("330000", name="浙江省经济和信息化厅")
    w.hz_jxj = f.economy_bureau("330100", name="杭州市经信局")
    w.xihu_jxj = f.economy_bureau("330106", name="西湖区经信局")
    w.wz_jxj = f.economy_bureau("330300", name="温州市经信局")
    w.inst_a = f.InstitutionFactory(name="甲银行股份有限公司", short_name="甲银行")
    w.inst_b = f.InstitutionFactory(name="乙银行股份有限公司", short_name="乙银行")
    w.bank_a_hz = f.bank_branch("330100", w.inst_a, name="甲银行杭州分行")
    w.bank_b_hz = f.bank_branch("330100", w.inst_b, name="乙银行杭州分行")
    w.bank_a_wz = f.bank_branch("330300", w.inst_a, name="甲银行温州分行")
    w.op_hz = f.park_operator("330106", name="西湖园运营公司")
    w.op_hz2 = f.park_operator("330110", name="余杭园运营公司")
    w.op_wz = f.park_operator("330302", name="鹿城园运营公司")
    w.p_hz = f.ParkFactory(code="330106001", name="西湖智造小微企业园", county=f.region("330106"), operator=w.op_hz)
    w.p_hz2 = f.ParkFactory(code="330110001", name="余杭数字小微企业园", county=f.region("330110"), operator=w.op_hz2)
    w.p_wz = f.ParkFactory(code="330302001", name="鹿城鞋业小微企业园", county=f.region("330302"), operator=w.op_wz)
    w.link_a_hz = f.PartnerLinkFactory(park=w.p_hz, branch=w.bank_a_hz, role=PartnerRole.LEAD)
    w.link_b_hz = f.PartnerLinkFactory(park=w.p_hz, branch=w.bank_b_hz)
    w.link_b_hz2 = f.PartnerLinkFactory(park=w.p_hz2, branch=w.bank_b_hz, role=PartnerRole.LEAD)
    w.link_a_wz = f.PartnerLinkFactory(park=w.p_wz, branch=w.bank_a_wz, role=PartnerRole.LEAD)
    w.t_hz = f.TenancyFactory(park=w.p_hz, enterprise=f.EnterpriseFactory(name="西湖甲企业有限公司", uscc=f.next_uscc("330106")))
    w.t_hz2 = f.TenancyFactory(park=w.p_hz2, enterprise=f.EnterpriseFactory(name="余杭乙企业有限公司", uscc=f.next_uscc("330110")))
    w.t_wz = f.TenancyFactory(park=w.p_wz, enterprise=f.EnterpriseFactory(name="鹿城丙企业有限公司", uscc=f.next_uscc("330302")))
    w.e_hz, w.e_hz2, w.e_wz = w.t_hz.enterprise, w.t_hz2.enterprise, w.t_wz.enterprise
    # one user per organisation of interest
    w.users = {}
    for key in ("province", "hz_branch", "wz_branch", "jxt", "hz_jxj", "xihu_jxj", "wz_jxj", "bank_a_hz", "bank_b_hz", "bank_a_wz", "op_hz", "op_hz2", "op_wz"):
        w.users[key] = f.UserFactory(username=key, organisation=getattr(w, key))
    w.admin = f.UserFactory(username="root", organisation=None, role="", is_superuser=True, is_staff=True)
    return w


# --- fixtures shared by several test modules ---------------------------------------------------------
# Opt-in ones (``_api_throttle_rates``, ``_media``) are not autouse here: a module that wants them for
# every test says ``pytestmark = pytest.mark.usefixtures(...)``. A module may override any of these
# with a local fixture of the same name.

API_HIGH_RATES = {"user": "100000/min", "bulk": "100000/min"}


@pytest.fixture
def _api_throttle_rates(settings):
    """Throttle budgets outlive a test in the cache (and user ids repeat on SQLite): the API tests
    run with generous rates; the throttling test sets its own."""
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = API_HIGH_RATES
    settings.REST_FRAMEWORK = rest


@pytest.fixture
def _media(settings, tmp_path):
    """Uploads and exports land in the test's own temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def api_world(world):
    """``world`` plus, for 2020Q3: every park's T1 (one valid row), every bank branch's T4 and T5,
    the T2 of each park, a city summary per city and the province summary, an import job and
    readings of each park's tenant."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from parks.models import BrainReading
    from reports.filings import services
    from reports.filings.models import Filing, ImportJob, Period
    from reports.summaries.models import Summary
    from tests.test_api_helpers import t1_row

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
                                                                                     lead_parks=sum(1 for link in links if link.role == "lead")),
                                     narrative=f.t4_narrative())
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


@pytest.fixture
def period(world):
    """2020Q3 (the xlsx tests' period)."""
    from reports.filings import services

    return services.period_ensure(year=2020, quarter=3)


@pytest.fixture
def t1(world, period):
    """An empty 附表1 of 西湖智造 (op_hz) in ``period``."""
    from reports.filings import services

    return services.filing_open(actor=world.users["op_hz"], schedule="T1", period=period, park=world.p_hz)


@pytest.fixture
def t5(world, period):
    """An empty 附表5 of 甲银行杭州分行 in ``period``."""
    from reports.filings import services

    return services.filing_open(actor=world.users["bank_a_hz"], schedule="T5", period=period)


@pytest.fixture
def t4(world, period):
    """An empty 附表4 of 甲银行杭州分行 in ``period``."""
    from reports.filings import services

    return services.filing_open(actor=world.users["bank_a_hz"], schedule="T4", period=period)


@pytest.fixture
def scenario(world):
    """Four parks (杭州 四星 + 三星, 温州 未评定, 宁波 五星) with approved 2020Q3 ledgers; four bank
    branches (one in Ningbo, a city commercial bank) with approved 附表4 for 2019Q3, 2019Q4, 2020Q3.
    Built by ``tests.target_scenario`` (whose figures the target tests compute by hand)."""
    from tests.target_scenario import scenario_build

    return scenario_build(world)


@pytest.fixture
def eager_celery(monkeypatch):
    """Run tasks in-process for this test even when REDIS_URL points the app at a real broker."""
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)
