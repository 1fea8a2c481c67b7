import os
from types import SimpleNamespace

import pytest

from parks.choices import PartnerRole
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
