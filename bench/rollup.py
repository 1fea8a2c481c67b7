"""Roll-up benchmark, on PostgreSQL (a fresh database created for the run and dropped at its end,
``bench/benchdb.py``; a temporary SQLite file, said so, when PostgreSQL is not reachable).

A Zhejiang-scale quarter (780 parks, 60,000 approved ledger rows, 200 bank filings), then the same
at 10× the rows (a national scale). For each: the full province rebuild (11 city summaries + the
province, from the approved source rows) against one hand-written SQL GROUP BY over the same rows
in the same run. Prints the ratio (goal ≤ 2, and under 10 s at Zhejiang scale) and how time grows.

    .venv/bin/python bench/rollup.py            # postgres://postgres@127.0.0.1:5432/bench_rollup_<pid>
    BENCH_DB_PREFIX=bench_b .venv/bin/python bench/rollup.py
"""
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import benchdb  # noqa: E402  (bench/, beside this script)

DB_URL, DB_WHAT = benchdb.create("rollup")
print(f"database: {DB_WHAT}", flush=True)
os.environ["DATABASE_URL"] = DB_URL
os.environ["REDIS_URL"] = ""
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from scale import build  # noqa: E402  (bench/scale.py: the Zhejiang-scale quarter)

from parks.models import Park  # noqa: E402
from reports.filings.models import Filing, Period, T1Row  # noqa: E402
from reports.summaries.rollups import summaries_rebuild_all  # noqa: E402
from reports.targets.engine import target_results_rebuild  # noqa: E402

# The baseline: the same 附表2 figures per park, written by hand as one GROUP BY.
BASELINE_SQL = """
SELECT f.park_id,
  count(*) AS filed,
  count(*) FILTER (WHERE r.has_demand), coalesce(sum(r.demand_amount) FILTER (WHERE r.has_demand), 0),
  count(*) FILTER (WHERE r.credit_amount > 0), coalesce(sum(r.credit_amount) FILTER (WHERE r.credit_amount > 0), 0),
  count(*) FILTER (WHERE r.credit_amount > 0 AND r.credit_tier = 'lt10'), sum(r.credit_amount) FILTER (WHERE r.credit_amount > 0 AND r.credit_tier = 'lt10'),
  count(*) FILTER (WHERE r.credit_amount > 0 AND r.credit_tier = '10_50'), sum(r.credit_amount) FILTER (WHERE r.credit_amount > 0 AND r.credit_tier = '10_50'),
  count(*) FILTER (WHERE r.credit_amount > 0 AND r.credit_tier = '50_500'), sum(r.credit_amount) FILTER (WHERE r.credit_amount > 0 AND r.credit_tier = '50_500'),
  count(*) FILTER (WHERE r.credit_amount > 0 AND r.credit_tier = '500_1000'), sum(r.credit_amount) FILTER (WHERE r.credit_amount > 0 AND r.credit_tier = '500_1000'),
  count(*) FILTER (WHERE r.credit_amount > 0 AND r.credit_tier = 'gt1000'), sum(r.credit_amount) FILTER (WHERE r.credit_amount > 0 AND r.credit_tier = 'gt1000'),
  count(*) FILTER (WHERE r.loan_balance > 0), sum(r.loan_balance) FILTER (WHERE r.loan_balance > 0),
  count(*) FILTER (WHERE r.loan_balance > 0 AND r.inclusive), sum(r.loan_balance) FILTER (WHERE r.loan_balance > 0 AND r.inclusive),
  sum(r.credit_loan_balance), sum(r.medium_long_term_balance),
  count(*) FILTER (WHERE r.renewal_balance > 0), sum(r.renewal_balance) FILTER (WHERE r.renewal_balance > 0),
  count(*) FILTER (WHERE r.is_first_loan),
  sum(r.loan_rate * r.loan_balance) FILTER (WHERE r.loan_balance > 0 AND r.loan_rate IS NOT NULL),
  sum(r.loan_balance) FILTER (WHERE r.loan_balance > 0 AND r.loan_rate IS NOT NULL),
  sum(r.financing_cost * r.loan_balance) FILTER (WHERE r.loan_balance > 0 AND r.financing_cost IS NOT NULL),
  sum(r.loan_balance) FILTER (WHERE r.loan_balance > 0 AND r.financing_cost IS NOT NULL),
  count(*) FILTER (WHERE r.has_demand AND r.demand_status = 'met'), count(*) FILTER (WHERE r.has_demand AND r.demand_status = 'partial'),
  count(*) FILTER (WHERE r.has_demand AND r.demand_status = 'unmet'),
  count(*) FILTER (WHERE r.unmet_reason = 'enterprise'), count(*) FILTER (WHERE r.unmet_reason = 'bank'),
  count(*) FILTER (WHERE r.unmet_reason = 'other'), count(*) FILTER (WHERE r.lending_bank_count > 3),
  count(*) FILTER (WHERE r.insured), sum(r.insured_amount) FILTER (WHERE r.insured)
FROM reports_t1row r JOIN reports_filing f ON f.id = r.filing_id
WHERE f.status = 'approved' AND f.period_id = %s AND f.schedule = 'T1'
GROUP BY f.park_id
"""


def timed(fn, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(period: Period, label: str) -> tuple[int, float, float]:
    rows = T1Row.objects.filter(filing__period=period, filing__status="approved").count()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")

    def baseline():
        with connection.cursor() as cur:
            cur.execute(BASELINE_SQL, [period.pk])
            cur.fetchall()

    base = timed(baseline)
    full = timed(lambda: summaries_rebuild_all(period=period))
    targets = timed(lambda: target_results_rebuild(period_id=period.pk))  # the stage that follows every province build
    print(f"rollup [{label}]: {Park.objects.count()} parks, {rows} ledger rows, "
          f"{Filing.objects.filter(period=period, schedule__in=('T4', 'T5')).count()} bank filings; "
          f"SQL GROUP BY {base:.3f} s; full province rebuild {full:.3f} s; ratio {full / base:.2f} (goal ≤ 2, < 10 s)")
    tag = "zhejiang" if label == "Zhejiang" else "10x"
    print(f"RESULT: rollup_full_vs_group_by_{tag} {full / base:.2f}x ({full:.3f} s vs {base:.3f} s; goal ≤ 2)")
    print(f"RESULT: rollup_summaries_only_{tag} {(full - targets) / base:.2f}x ({full - targets:.3f} s: the rebuild without the "
          f"target results it is followed by, {targets:.3f} s)")
    return rows, base, full


def main() -> None:
    call_command("migrate", verbosity=0)
    period = Period.objects.get(code="2020Q3")
    rng = random.Random(2020)
    t = time.perf_counter()
    build(parks_n=780, branches_n=100, period=period, rng=rng, offset=1)
    print(f"(built Zhejiang scale in {time.perf_counter() - t:.1f} s)")
    r1, b1, f1 = measure(period, "Zhejiang")
    if os.environ.get("BENCH_ZHEJIANG_ONLY"):
        return
    t = time.perf_counter()
    build(parks_n=780 * 9, branches_n=100, period=period, rng=rng, offset=2)
    print(f"(built 10× scale in {time.perf_counter() - t:.1f} s)")
    r10, b10, f10 = measure(period, "10×")
    print(f"rollup growth: rows ×{r10 / r1:.1f} → SQL baseline ×{b10 / b1:.1f}, full rebuild ×{f10 / f1:.1f}")


if __name__ == "__main__":
    main()
