"""Roll-ups with real `celery worker` processes on Redis and PostgreSQL: approvals are rolled up
by the worker; a worker killed with SIGKILL mid-build is replaced and the summaries come out
right (redelivery + idempotency); two builds at once give identical summaries."""
import json
import os
import signal
import threading
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, connections

from reports.filings.models import Period
from reports.summaries import rollups
from reports.summaries.models import Summary
from tests import factories as f
from tests.conftest import require_service
from tests.services import celery_worker
from tests.test_rollups import approve_t1
from tests.test_t1_t2 import raw_row

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def services_up():
    require_service("PostgreSQL", connection.vendor == "postgresql", f"tests run on {connection.vendor}")
    ok = False
    why = "REDIS_URL is not set"
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
            ok = True
        except Exception as exc:  # noqa: BLE001
            why = repr(exc)
    require_service("Redis", ok, why)
    import redis

    r = redis.Redis.from_url(settings.REDIS_URL)
    r.flushdb()  # no stale messages from earlier runs
    yield
    r.flushdb()


def wait_for(predicate, timeout=90, step=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def fresh(scope, code, period):
    return Summary.objects.filter(scope=scope, code=code, period=period, built_at__isnull=False, queued=False).first()


def ledger(world, period):
    """Hangzhou: p_hz 6 tenants (4 credited), p_hz2 3 tenants (1 credited); Wenzhou p_wz 2 (2)."""
    plan = {world.p_hz: ("op_hz", "330106", 6, 4), world.p_hz2: ("op_hz2", "330110", 3, 1), world.p_wz: ("op_wz", "330302", 2, 2)}
    for park, (op, county, n, credited) in plan.items():
        while park.tenancies.count() < n:
            f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(uscc=f.next_uscc(county)))
        tenants = list(park.tenancies.select_related("enterprise").order_by("pk"))
        rows = [raw_row(i, t.enterprise.uscc, "200" if i < credited else "0") for i, t in enumerate(tenants)]
        approve_t1(world, park, op, rows, period)


def test_a_real_worker_rolls_approvals_up_into_city_and_province(world, services_up):
    period = Period.objects.get(code="2020Q3")
    with celery_worker():
        ledger(world, period)
        assert wait_for(lambda: fresh("province", "330000", period) and fresh("city", "330100", period) and fresh("city", "330300", period))
        # the province task may have started before the last city finished: wait until nothing is stale
        assert wait_for(lambda: not Summary.objects.filter(period=period, queued=True).exists())
        time.sleep(4)  # let a last coalesced rebuild (countdown 3 s) finish
        assert wait_for(lambda: not Summary.objects.filter(period=period, queued=True).exists())
    hz = fresh("city", "330100", period).data["total"]
    wz = fresh("city", "330300", period).data["total"]
    prov = fresh("province", "330000", period).data["incl_ningbo"]["total"]
    assert (hz["enterprises_total"], hz["credited_count"], Decimal(hz["credit_amount"])) == (9, 5, Decimal("1000"))
    assert (wz["enterprises_total"], wz["credited_count"]) == (2, 2)
    assert (prov["enterprises_total"], prov["credited_count"]) == (11, 7)
    assert Decimal(prov["credit_coverage"]) == Decimal("63.64")  # 7 / 11, not the mean of the parks' ratios


def test_killing_the_worker_mid_rollup_leaves_correct_summaries(world, services_up):
    period = Period.objects.get(code="2020Q3")
    ledger(world, period)  # no worker yet: the approvals' tasks wait in Redis
    slow = {"ROLLUP_BUILD_DELAY": "6", "CELERY_VISIBILITY_TIMEOUT": "5"}
    with celery_worker(extra_env=slow) as victim:
        # a task has started once it cleared its summary's queued flag; give it time to be mid-build
        assert wait_for(lambda: Summary.objects.filter(period=period, scope="city", queued=False).exists(), timeout=60)
        time.sleep(2)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
    assert not fresh("city", "330100", period) or not fresh("city", "330300", period) or not fresh("province", "330000", period)
    with celery_worker(extra_env={"CELERY_VISIBILITY_TIMEOUT": "5"}):
        assert wait_for(lambda: fresh("city", "330100", period) and fresh("city", "330300", period) and fresh("province", "330000", period), timeout=240)
        assert wait_for(lambda: not Summary.objects.filter(period=period, queued=True).exists())
    expected = rollups.city_data(city_code="330100", period=period)[0]["total"]
    got = fresh("city", "330100", period).data["total"]
    assert got["credited_count"] == expected["credited_count"] == 5 and got["enterprises_total"] == 9
    assert fresh("province", "330000", period).data["incl_ningbo"]["total"]["credited_count"] == 7


def test_two_rebuilds_at_once_give_identical_summaries(world, services_up):
    period = Period.objects.get(code="2020Q3")
    ledger(world, period)
    results, errors = [], []

    def build():
        try:
            s = rollups.summary_rebuild(scope="city", code="330100", period_id=period.pk)
            stored = json.loads(json.dumps(s.data, cls=DjangoJSONEncoder))  # as the database keeps it
            results.append((stored, s.source_versions))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=build) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and len(results) == 2
    assert results[0] == results[1]
    final = Summary.objects.get(scope="city", code="330100", period=period)
    assert (final.data, final.source_versions) == results[0] and final.builds >= 2
