"""Helpers for tests that need real services: a Celery worker subprocess on the test database."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    """A DATABASE_URL that points a subprocess at the database the tests are using."""
    sd = connection.settings_dict
    if sd["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{sd['NAME']}"
    user = sd.get("USER") or "postgres"
    host = sd.get("HOST") or "127.0.0.1"
    port = sd.get("PORT") or 5432
    password = f":{sd['PASSWORD']}" if sd.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{sd['NAME']}"


@contextmanager
def celery_worker(*, queues: str = "celery", concurrency: int = 1, extra_env: dict | None = None):
    """Start ``celery worker`` as a real process against Redis and the test database."""
    env = dict(os.environ)
    env.update({"DATABASE_URL": test_database_url(), "REDIS_URL": settings.REDIS_URL, "CELERY_TASK_ALWAYS_EAGER": "0"})
    env.update(extra_env or {})
    cmd = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel=INFO", f"--concurrency={concurrency}",
           "--pool=prefork", "-Q", queues, "--without-gossip", "--without-mingle", "-n", f"test-{os.getpid()}-{time.time_ns()}@%h"]
    log = open(ROOT / f".pytest-celery-{os.getpid()}.log", "ab")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
