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

from banks.models import Institution  # noqa: E402
from parks.models import Enterprise, Park, PartnerLink, Tenancy  # noqa: E402
from portal.models import Organisation, Region  # noqa: E402
from portal.uscc import uscc_make  # noqa: E402
from reports.filings.models import Filing, Period, T1Row, T4Record, T5Row  # noqa: E402
from reports.schedules.t1 import credit_tier  # noqa: E402
from reports.summaries.rollups import summaries_rebuild_all  # noqa: E402

ROWS_PER_PARK = 77  # 780 × 77 ≈ 60,000


def build(*, parks_n: int, branches_n: int, period: Period, rng: random.Random, offset: int) -> None:
    counties = list(Region.objects.filter(level="county", province_code="330000"))
    inst = Institution.objects.create(name=f"基准银行{offset}", short_name=f"基准{offset}", type="large")
    cities = {c.code: c for c in Region.objects.filter(level="city", province_code="330000")}
    branches = Organisation.objects.bulk_create(
        Organisation(name=f"基准银行{offset}-{i}", kind="bank_branch", region=list(cities.values())[i % 11],
                     institution=inst if i < 11 else Institution.objects.create(name=f"基准银行{offset}-{i}", short_name=f"基准{offset}-{i}", type="joint_stock"))
        for i in range(branches_n))
    parks = Park.objects.bulk_create(
        Park(code=f"B{offset}{i:06d}", name=f"基准园区{offset}-{i}", county=counties[i % len(counties)], batch=1 + i % 3,
             star_rating=i % 6, park_type="manufacturing") for i in range(parks_n))
    by_city = {}
    for b in branches:
        by_city.setdefault(b.region.code, []).append(b)
    links = []
    for p in parks:
        for b in rng.sample(by_city[p.county.city_code], k=min(4, len(by_city[p.county.city_code]))):
            links.append(PartnerLink(park=p, branch=b, role="partner", sub_branch="支行", since=period.start, status="confirmed"))
    PartnerLink.objects.bulk_create(links, batch_size=5000)
    filings = Filing.objects.bulk_create(Filing(schedule="T1", period=period, park=p, status="approved") for p in parks)
    rows, ents, tenancies = [], [], []
    n = offset * 10_000_000
    for filing, park in zip(filings, parks):
        for j in range(ROWS_PER_PARK):
            n += 1
            code = uscc_make(f"91{park.county.code}{n:09d}")
            credit = rng.choice([0, 0, 5, 20, 80, 300, 800, 1500])
            loan = round(credit * 0.8, 2)
            ents.append(Enterprise(uscc=code, name=f"企业{n}", industry="C"))
            rows.append(T1Row(filing=filing, row_no=j + 1, enterprise_name=f"企业{n}", uscc=code, industry="C", employees=30,
                              revenue=800, operating_status="good", credit_status="good", has_demand=j % 7 == 0,
                              demand_amount=50 if j % 7 == 0 else None, demand_status="unmet" if j % 7 == 0 else "",
                              lending_bank_count=1 if credit else 0, credit_amount=credit, loan_balance=loan,
                              loan_rate=4.5 + (j % 10) / 10 if loan else None, credit_tier=credit_tier(credit),
                              inclusive=0 < credit <= 1000, category="A" if credit else "C"))
        if len(rows) >= 20_000:
            T1Row.objects.bulk_create(rows, batch_size=5000)
            rows = []
    T1Row.objects.bulk_create(rows, batch_size=5000)
    Enterprise.objects.bulk_create(ents, batch_size=5000)
    ent_ids = dict(Enterprise.objects.filter(name__startswith="企业").values_list("uscc", "pk"))
    tenancies = [Tenancy(park_id=r["filing__park_id"], enterprise_id=ent_ids[r["uscc"]], entered_on=period.start)
                 for r in T1Row.objects.filter(filing__in=filings).values("filing__park_id", "uscc")]
    Tenancy.objects.bulk_create(tenancies, batch_size=5000)
    bank_filings = Filing.objects.bulk_create(Filing(schedule=s, period=period, branch=b, status="approved")
                                              for b in branches for s in ("T4", "T5"))
    T4Record.objects.bulk_create(T4Record(filing=f, parks_served=4, partner_parks=4, ent_credit_amount=1000, ent_loan_balance=800,
                                          all_loan_balance=100000, sme_loan_balance=40000, inclusive_loan_balance=20000)
                                 for f in bank_filings if f.schedule == "T4")
    t5 = []
    for f in bank_filings:
        if f.schedule == "T5":
            for k, link in enumerate(PartnerLink.objects.filter(branch=f.branch).select_related("park")):
                t5.append(T5Row(filing=f, row_no=k + 1, park_code=link.park.code, park_name=link.park.name, role="partner", sub_branch="支行"))
    T5Row.objects.bulk_create(t5, batch_size=5000)


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
    print(f"rollup [{label}]: {Park.objects.count()} parks, {rows} ledger rows, "
          f"{Filing.objects.filter(period=period, schedule__in=('T4', 'T5')).count()} bank filings; "
          f"SQL GROUP BY {base:.3f} s; full province rebuild {full:.3f} s; ratio {full / base:.2f} (goal ≤ 2, < 10 s)")
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
