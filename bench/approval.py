"""Approval benchmark: one 附表1 approved → its park, city and province summaries current.

On a Zhejiang-scale quarter (780 parks, 60,000 approved ledger rows; ``bench/scale.py``), on
PostgreSQL (a fresh database, ``bench/benchdb.py``) and Redis (``REDIS_URL``; a real ``celery
worker`` process does the roll-ups). Measured in the same run:

- the full province rebuild (the baseline: what every approval cost before incremental roll-ups);
- the roll-up work of one approval, incremental: the park's part, its city, the province (goal ≤ 100 ms);
- the server time of the approve action through the Django stack (goal ≤ 300 ms: roll-ups are not in it);
- the time until the city and the province dashboards' summaries are current, with the worker (goal ≤ 2 s).

    REDIS_URL=redis://127.0.0.1:6379/11 .venv/bin/python bench/approval.py
"""
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import benchdb  # noqa: E402  (bench/, beside this script)

DB_URL, DB_WHAT = benchdb.create("approval")
print(f"database: {DB_WHAT}", flush=True)
os.environ["DATABASE_URL"] = DB_URL
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

import random  # noqa: E402

from django.contrib.messages import get_messages  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from scale import build  # noqa: E402

from parks.models import Park  # noqa: E402
from portal.choices import ROLE_FOR_KIND, OrgKind  # noqa: E402
from portal.models import Organisation, Region, User  # noqa: E402
from reports.filings.models import Filing, Period, T1Row  # noqa: E402
from reports.summaries.builds import summary_rebuild  # noqa: E402
from reports.summaries.models import Summary  # noqa: E402
from reports.summaries.park_summaries import parks_mark_dirty  # noqa: E402
from reports.summaries.rollups import summaries_rebuild_all  # noqa: E402

SAMPLES = int(os.environ.get("BENCH_APPROVALS", "7"))


def reviewer(city_code: str) -> User:
    org = Organisation.objects.create(name=f"基准分局{city_code}", kind=OrgKind.BRANCH_REGULATOR, region=Region.objects.get(code=city_code))
    return User.objects.create_user(username=f"bench_{city_code}", password="x", organisation=org, role=ROLE_FOR_KIND[OrgKind.BRANCH_REGULATOR])


def submitted(park: Park, period: Period) -> Filing:
    """The park's 附表1 as a new submitted version (its rows as approved), ready to approve."""
    old = Filing.objects.get(schedule="T1", park=park, period=period, is_current=True)
    Filing.objects.filter(pk=old.pk).update(is_current=False)
    new = Filing.objects.create(schedule="T1", period=period, park=park, version=old.version + 1, is_current=True, status="submitted", amends=old,
                                explanation="基准：说明已填写。", row_count=old.row_count)
    rows = list(T1Row.objects.filter(filing=old))
    for row in rows:  # the bench ledger leaves these blank: an approval validates every row
        row.pk, row.filing = None, new
        row.main_bank = "基准银行" if row.credit_amount else ""
        if row.has_demand:
            row.demand_purpose, row.unmet_reason, row.unmet_detail = "working_capital", "other", "基准说明"
    T1Row.objects.bulk_create(rows)
    return new


def median_ms(values) -> float:
    return statistics.median(values) * 1000


def start_worker() -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=DB_URL, CELERY_TASK_ALWAYS_EAGER="0")
    cmd = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel=WARNING", "--concurrency=1", "--pool=prefork",
           "--without-gossip", "--without-mingle", "-n", f"bench-{os.getpid()}@%h"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def wait_current(scope: str, code: str, period: Period, since, timeout: float = 60) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Summary.objects.filter(scope=scope, code=code, period=period, queued=False, built_at__gt=since).exists():
            return time.monotonic()
        time.sleep(0.02)
    return None


def main() -> None:
    call_command("migrate", verbosity=0)
    period = Period.objects.get(code="2020Q3")
    Period.objects.filter(pk=period.pk).update(lock_date="2099-12-31")
    build(parks_n=780, branches_n=100, period=period, rng=random.Random(2020), offset=1)
    t = time.perf_counter()
    summaries_rebuild_all(period=period)
    full = time.perf_counter() - t
    parks = list(Park.objects.order_by("pk")[:SAMPLES * 3])
    work, city_work, province_work = [], [], []
    for park in parks[:SAMPLES]:  # the roll-up work of one approval, as the tasks do it
        t = time.perf_counter()
        parks_mark_dirty(park_ids=[park.pk], period_ids=[period.pk])
        with CaptureQueriesContext(connection) as city_q:
            summary_rebuild(scope="city", code=park.county.city_code, period_id=period.pk)
        t1 = time.perf_counter()
        with CaptureQueriesContext(connection) as province_q:
            summary_rebuild(scope="province", code="330000", period_id=period.pk)
        work.append(time.perf_counter() - t)
        city_work.append(t1 - t)
        province_work.append(time.perf_counter() - t1)
    print(f"approval: city build median {median_ms(city_work):.0f} ms ({len(city_q.captured_queries)} queries), "
          f"province build median {median_ms(province_work):.0f} ms ({len(province_q.captured_queries)} queries)")
    print(f"approval: full province rebuild {full:.3f} s; incremental roll-up work per approval median {median_ms(work):.0f} ms "
          f"(ratio {statistics.median(work) / full:.2f} of the full rebuild)")
    print(f"RESULT: approval_rollup_work_ms {median_ms(work):.0f} (goal ≤ 100; full rebuild {full * 1000:.0f})")
    client, users = Client(), {}
    worker = start_worker()
    try:
        time.sleep(5)  # the worker connects
        action, city_lag, province_lag = [], [], []
        for park in parks[SAMPLES:SAMPLES * 2]:
            city = park.county.city_code
            if city not in users:
                users[city] = reviewer(city)
            client.force_login(users[city])
            filing = submitted(park, period)
            since = Summary.objects.get(scope="province", code="330000", period=period).built_at
            t0 = time.monotonic()
            response = client.post(reverse("reports:filing_action", args=[filing.pk, "approve"]), {"comment": ""})
            action.append(time.monotonic() - t0)
            assert Filing.objects.get(pk=filing.pk).status == "approved", [str(m) for m in get_messages(response.wsgi_request)]
            c, p = wait_current("city", city, period, since), wait_current("province", "330000", period, since)
            city_lag.append((c or float("nan")) - t0)
            province_lag.append((p or float("nan")) - t0)
            time.sleep(1)
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=30)
    print(f"approval: action server time median {median_ms(action):.0f} ms; dashboards current after approval: "
          f"city median {statistics.median(city_lag):.2f} s, province median {statistics.median(province_lag):.2f} s "
          f"(coalescing wait {os.environ.get('ROLLUP_COALESCE_SECONDS', '0.5')} s per level included)")
    print(f"RESULT: approval_action_ms {median_ms(action):.0f} (goal ≤ 300)")
    print(f"RESULT: approval_city_current_s {statistics.median(city_lag):.2f} (goal ≤ 2)")
    print(f"RESULT: approval_province_current_s {statistics.median(province_lag):.2f} (goal ≤ 2)")


if __name__ == "__main__":
    main()
