"""Loaded before Django's settings (tests/pytest.ini: ``-p tests.xdist_services``). Under
pytest-xdist (CI runs ``-n 2``) every worker gets a Redis database of its own: the prepared pages,
sessions, the data generation and the Celery broker of one worker's tests are never cleared or
consumed by the other's. PostgreSQL needs nothing: pytest-django gives each worker its own test
database. Without xdist, or without REDIS_URL, nothing changes."""
from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES = 16  # Redis's default `databases`


def worker_redis_url(url: str, worker: str) -> str:
    """The Redis URL of xdist worker ``gwN``: database (base − N) modulo 16, so gw0 keeps the
    configured one and the others count down from it (db 15 → 15, 14, …)."""
    if not url or not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    db = (base - int(worker[2:])) % REDIS_DATABASES
    return urlunsplit(parts._replace(path=f"/{db}"))


os.environ.setdefault("PORTAL_TESTS_REDIS_URL", os.environ.get("REDIS_URL", ""))  # as configured (a test reads it)
os.environ["REDIS_URL"] = worker_redis_url(os.environ["PORTAL_TESTS_REDIS_URL"], os.environ.get("PYTEST_XDIST_WORKER", ""))
