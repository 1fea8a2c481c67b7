"""The real services CI runs against: PostgreSQL, Redis and a Celery worker process.

Locally without DATABASE_URL / REDIS_URL these skip; under REQUIRE_SERVICES=1 (CI) they fail."""
import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import require_service
from tests.services import celery_worker

pytestmark = pytest.mark.services


def _redis_reachable() -> tuple[bool, str]:
    if not settings.REDIS_URL:
        return False, "REDIS_URL is not set"
    try:
        import redis

        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
        return True, ""
    except Exception as exc:  # noqa: BLE001
        return False, repr(exc)


@pytest.mark.django_db
def test_the_suite_runs_on_postgresql():
    require_service("PostgreSQL", connection.vendor == "postgresql", f"DATABASE_URL points at {connection.vendor}")
    with connection.cursor() as cur:
        cur.execute("select version()")
        assert "PostgreSQL" in cur.fetchone()[0]


def test_cache_is_redis():
    ok, why = _redis_reachable()
    require_service("Redis", ok, why)
    from django.core.cache import cache

    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()
    cache.set("portal-test-key", {"n": 1}, 10)
    assert cache.get("portal-test-key") == {"n": 1}


def test_a_real_celery_worker_consumes_the_broker():
    ok, why = _redis_reachable()
    require_service("Redis", ok, why)
    from portal.tasks import ping

    assert not settings.CELERY_TASK_ALWAYS_EAGER
    with celery_worker() as proc:
        result = ping.delay()
        assert result.get(timeout=60) == "pong"
        assert proc.poll() is None


def test_each_xdist_worker_uses_a_redis_database_of_its_own():
    from tests.xdist_services import worker_redis_url

    assert worker_redis_url("redis://127.0.0.1:6379/15", "gw0") == "redis://127.0.0.1:6379/15"
    assert worker_redis_url("redis://127.0.0.1:6379/15", "gw1") == "redis://127.0.0.1:6379/14"
    assert worker_redis_url("redis://127.0.0.1:6379/0", "gw1") == "redis://127.0.0.1:6379/15"
    assert worker_redis_url("redis://127.0.0.1:6379/15", "") == "redis://127.0.0.1:6379/15"  # not under xdist
    assert worker_redis_url("", "gw1") == ""  # no Redis: local memory, nothing to share


def test_the_settings_use_the_redis_database_of_this_xdist_worker(settings):
    import os

    from tests.xdist_services import worker_redis_url

    configured = os.environ["PORTAL_TESTS_REDIS_URL"]  # as CI set it, before the plugin
    assert settings.REDIS_URL == worker_redis_url(configured, os.environ.get("PYTEST_XDIST_WORKER", ""))
