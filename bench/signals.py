"""Risk-signal and reconciliation benchmark, on PostgreSQL.

The demo (``--scale``, default 1.0: 777 parks, ~31,000 enterprises), then 园区大脑 readings for
every tenant of every park — 12 months of 2020 and the same 12 months of 2019 they are compared
with — and then, timed: the risk signals of every park (``risk_signals_rebuild``, one call per
park, as the Celery task runs after a push) and the reconciliation of every period
(``reconciliation_rebuild``). Baseline from the same run: one SQL pass over all the readings
(``SUM(electricity_kwh) GROUP BY enterprise, month``). Prints times and the ratio.

    .venv/bin/python bench/signals.py [--scale 0.1]   # postgres://postgres@127.0.0.1:5432/portal_bench_signals
"""
import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_signals")
os.environ["DATABASE_URL"] = DB_URL
os.environ["REDIS_URL"] = ""
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def recreate_database() -> None:
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    admin = DB_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


parser = argparse.ArgumentParser()
parser.add_argument("--scale", type=float, default=1.0)
args = parser.parse_args()
recreate_database()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from parks.models import BrainReading, Park  # noqa: E402
from reports.demo.build import demo_build  # noqa: E402
from reports.demo.monitoring import demo_readings_build  # noqa: E402
from reports.filings.models import Period  # noqa: E402
from reports.monitoring.models import RiskSignal  # noqa: E402
from reports.monitoring.reconciliation import reconciliation_rebuild  # noqa: E402
from reports.monitoring.risk import risk_signals_rebuild  # noqa: E402


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


call_command("migrate", verbosity=0)
_, t_demo = timed(lambda: demo_build(scale=args.scale, seed=2020))
BrainReading.objects.all().delete()
RiskSignal.objects.all().delete()
parks = list(Park.objects.order_by("pk").values_list("pk", flat=True))
n, t_readings = timed(lambda: demo_readings_build(seed=2020, park_ids=parks))
with connection.cursor() as cur:
    cur.execute("ANALYZE")
print(f"demo scale {args.scale}: built in {t_demo:.1f} s; {len(parks)} parks, {n:,} readings (2019–2020) written in {t_readings:.1f} s")


def baseline() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT enterprise_id, month, SUM(electricity_kwh) FROM parks_brainreading GROUP BY enterprise_id, month")
        return len(cur.fetchall())


def signals_all() -> int:
    return sum(risk_signals_rebuild(park_id=p)["active"] for p in parks)


baseline()  # warm
_, t_base = timed(baseline)
found, t_signals = timed(signals_all)
_, t_again = timed(signals_all)
periods = list(Period.objects.filter(is_baseline=False).values_list("pk", flat=True))
items, t_recon = timed(lambda: sum(reconciliation_rebuild(period_id=p)["open"] for p in periods))
print(f"risk signals, all {len(parks)} parks: {t_signals:.2f} s ({found} signals); again (idempotent, nothing written): {t_again:.2f} s; "
      f"per park {1000 * t_signals / max(len(parks), 1):.1f} ms")
print(f"baseline (one SQL GROUP BY over every reading): {t_base:.2f} s — ratio {t_signals / t_base:.1f}×")
print(f"reconciliation, {len(periods)} periods × all parks: {t_recon:.2f} s ({items} open items)")
print(f"RESULT: signals_all_parks_s {t_signals:.2f} ({t_signals / t_base:.1f}x one GROUP BY; {found} signals, {len(parks)} parks)")
print(f"RESULT: reconciliation_all_periods_s {t_recon:.2f} ({items} open items)")
