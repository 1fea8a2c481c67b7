"""Concurrent writes on SQLite (the ``make run`` default) wait for each other instead of failing
with ``database is locked``; a lock that outlasts the wait is a 503 with Retry-After; never a 500.

The concurrency test starts its own server (gunicorn, 2 worker processes x 8 threads) on a fresh
SQLite file, whatever DATABASE_URL the suite runs with, and fires parallel writes at it."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import OperationalError

from tests.test_api_helpers import api

pytestmark = pytest.mark.usefixtures("_api_throttle_rates")  # generous API throttle rates (conftest.py)

ROOT = Path(__file__).resolve().parent.parent
PARALLEL = 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory):
    """gunicorn on a migrated SQLite file holding ``tests.sqlite_world``; yields (base URL, ids)."""
    import requests

    tmp = tmp_path_factory.mktemp("sqlite-server")
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_ENV", "DEBUG", "DATABASE_URL")}
    env.update({"DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}", "REDIS_URL": "", "DEBUG": "0", "MEDIA_ROOT": str(tmp / "media"),
                "API_THROTTLE_USER": "100000/min", "API_THROTTLE_BULK": "100000/min", "DJANGO_SETTINGS_MODULE": "portal.settings"})
    run = lambda *cmd: subprocess.run([sys.executable, *cmd], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)  # noqa: E731
    migrated = run("manage.py", "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    built = run("-m", "tests.sqlite_world")
    assert built.returncode == 0, built.stderr[-2000:]
    ids = json.loads(built.stdout.strip().splitlines()[-1])
    port = _free_port()
    log = open(tmp / "gunicorn.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
                               "--workers", "2", "--threads", "8", "--timeout", "120", "--graceful-timeout", "5"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if requests.get(f"{base}/login/", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("the SQLite server did not start: " + (tmp / "gunicorn.log").read_text()[-2000:])
        yield base, ids
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _parallel(calls) -> list:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def _session(token: str):
    import requests

    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    return session


def _codes(responses) -> list[int]:
    return sorted(r.status_code for r in responses)


def _no_server_error(responses) -> None:
    bad = [(r.status_code, r.text[:300]) for r in responses if r.status_code >= 500 and r.status_code != 503]
    assert not bad, bad
    for r in responses:
        if r.status_code == 503:
            assert r.headers.get("Retry-After") and r.json()["code"] == "busy"


def test_concurrent_writes_on_sqlite_wait_for_each_other_and_never_answer_500(sqlite_server):
    base, ids = sqlite_server
    token = ids["token"]

    # 20 parallel full replaces of one filing, all naming the same version: exactly one wins
    rows_url = f"{base}/api/v1/filings/{ids['rows_filing']}/rows/"

    def replace(n: int):
        body = {"lock_version": ids["lock_version"],
                "rows": [{"uscc": ids["uscc"], "enterprise_name": ids["name"], "entity_type": "企业", "industry": "制造业",
                          "employees": 100 + n, "revenue": 3000, "total_assets": 2000, "size": "小型", "tech_type": "是",
                          "operating_status": "良好", "credit_status": "一般", "has_demand": "否", "lending_bank_count": 1,
                          "main_bank": "甲银行", "credit_amount": 500, "loan_balance": 300, "credit_loan_balance": 100,
                          "medium_long_term_balance": 50, "renewal_balance": 20, "is_first_loan": "否", "loan_rate": 4.35,
                          "financing_cost": 5.1, "insured": "否"}]}
        return lambda: _session(token).post(rows_url, json=body, timeout=90)

    answers = _parallel([replace(n) for n in range(PARALLEL)])
    _no_server_error(answers)
    codes = _codes(answers)
    assert codes.count(200) == 1 and set(codes) <= {200, 409, 503}, codes

    # 20 parallel 园区大脑 pushes (inserts of different months): every one is saved or told to retry
    push_url = f"{base}/api/v1/parks/{ids['park']}/brain-readings/"
    pushes = _parallel([
        (lambda m=m: _session(token).post(push_url, json={"readings": [{"uscc": ids["uscc"], "month": f"20{19 + m // 12}-{m % 12 + 1:02d}",
                                                                         "electricity_kwh": m}]}, timeout=90))
        for m in range(PARALLEL)])
    _no_server_error(pushes)
    assert set(_codes(pushes)) <= {200, 503} and _codes(pushes).count(200) >= PARALLEL - 2, _codes(pushes)

    # a double submit: one succeeds, the other is refused (already submitted) or told to retry
    submit_url = f"{base}/api/v1/filings/{ids['submit_filing']}/submit/"
    submits = _parallel([lambda: _session(token).post(submit_url, json={}, timeout=90) for _ in range(2)])
    _no_server_error(submits)
    assert _codes(submits).count(200) == 1 and set(_codes(submits)) <= {200, 400, 409, 503}, [r.text[:200] for r in submits]

    # a double amend: one new version, never two, never a 500
    amend_url = f"{base}/api/v1/filings/{ids['amend_filing']}/amend/"
    amends = _parallel([lambda: _session(token).post(amend_url, json={}, timeout=90) for _ in range(2)])
    _no_server_error(amends)
    assert _codes(amends).count(201) == 1 and set(_codes(amends)) <= {201, 400, 409, 503}, [r.text[:200] for r in amends]


# --- a lock that outlasts the wait ------------------------------------------------------------------------

def test_database_is_locked_in_an_api_view_is_a_503_with_retry_after(api_world, monkeypatch):
    from reports.workflow import services as workflow

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(workflow, "filing_submit", locked)
    w = api_world
    r = api(w.users["op_hz"]).post(f"/api/v1/filings/{w.filings.t1_op_hz.pk}/submit/", {}, format="json")
    assert r.status_code == 503 and r["Retry-After"] == "5"
    data = r.json()
    assert data["code"] == "busy" and "稍后重试" in data["message"]


def test_database_is_locked_in_a_page_is_a_503_with_retry_after(world, client, monkeypatch):
    from portal import views

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(views, "landing_for", locked)
    client.raise_request_exception = False
    client.force_login(world.users["op_hz"])
    r = client.get("/")
    assert r.status_code == 503 and r["Retry-After"] == "5"
    assert "系统繁忙" in r.content.decode()


def test_other_database_errors_are_not_disguised_as_busy(world, client, monkeypatch):
    from portal import views

    def broken(**kwargs):
        raise OperationalError("no such table: portal_region")

    monkeypatch.setattr(views, "landing_for", broken)
    client.raise_request_exception = False
    client.force_login(world.users["op_hz"])
    assert client.get("/").status_code == 500


def test_sqlite_waits_for_the_write_lock_instead_of_failing():
    from django.conf import settings

    code = ("from django.conf import settings as s; o = s.DATABASES['default'].get('OPTIONS', {}); "
            "print(o.get('transaction_mode'), o.get('timeout'))")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env["DATABASE_URL"] = ""
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "IMMEDIATE 20", result.stderr
    assert "portal.middleware.DatabaseBusyMiddleware" in settings.MIDDLEWARE
