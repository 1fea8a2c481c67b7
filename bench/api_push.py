"""Benchmark: one bulk upsert of 10,000 附表1 rows through the REST API.

Baseline (a): ``T1Row.objects.bulk_create`` of the same 10,000 rows (already parsed, canonical
values) into a filing. Portal (b): ``POST /api/v1/filings/{id}/rows/`` with a knox token and a real
JSON body, through DRF, the same service as the web grid and the xlsx upload (parse, validate every
rule, save, keep the register in step, recompute 附表2). Prints rows/s and the ratio (b)/(a); also
the idempotent re-send of the same body (everything ``unchanged``, nothing written).

Runs on a fresh PostgreSQL database when a server answers (created and dropped, ``bench/benchdb.py``),
else on a throwaway SQLite file, whatever DATABASE_URL says; the first line says which:

    .venv/bin/python bench/api_push.py [--rows 10000] [--profile]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import benchdb  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.pop("REDIS_URL", None)
os.environ["DEBUG"] = "0"
os.environ["API_THROTTLE_BULK"] = "1000/min"


def make_rows(codes: list[str], seed: int = 20200930) -> list[dict]:
    """Valid, varied 附表1 rows as a bank's or park's system sends them (JSON numbers, booleans,
    choice keys)."""
    rnd = random.Random(seed)
    rows = []
    for i, code in enumerate(codes):
        has_demand = rnd.random() < 0.4
        credit = 0 if rnd.random() < 0.3 else round(rnd.uniform(5, 1500), 2)
        loan = round(credit * rnd.uniform(0.3, 1.0), 2) if credit else 0
        status = rnd.choice(["met", "partial", "unmet"]) if has_demand else ""
        reason = rnd.choice(["enterprise", "bank", "other"]) if status in ("partial", "unmet") else ""
        insured = rnd.random() < 0.2
        rate = round(rnd.uniform(3.5, 9.5), 2) if loan else None
        rows.append({
            "enterprise_name": f"杭州第{i}号测试企业有限公司", "uscc": code, "entity_type": "enterprise", "industry": "C",
            "employees": rnd.randint(1, 280), "revenue": round(rnd.uniform(20, 9000), 2), "total_assets": round(rnd.uniform(20, 9000), 2),
            "tech_type": rnd.random() < 0.3, "operating_status": rnd.choice(["good", "fair", "difficult"]),
            "credit_status": rnd.choice(["good", "fair", "poor", "none"]), "has_demand": has_demand,
            "demand_amount": round(rnd.uniform(10, 800), 2) if has_demand else None,
            "demand_purpose": rnd.choice(["working_capital", "plant", "equipment"]) if has_demand else "",
            "lending_bank_count": rnd.randint(1, 5) if credit else 0, "main_bank": "甲银行" if credit else "",
            "credit_amount": credit or None, "loan_balance": loan or None,
            "credit_loan_balance": round(loan * 0.3, 2) if loan else None,
            "medium_long_term_balance": round(loan * 0.2, 2) if loan else None,
            "renewal_balance": round(loan * 0.1, 2) if loan else None, "is_first_loan": bool(loan) and rnd.random() < 0.1,
            "loan_rate": rate, "financing_cost": round(rate + 0.8, 2) if rate else None, "insured": insured,
            "insured_amount": round(rnd.uniform(10, 300), 2) if insured else None, "demand_status": status, "unmet_reason": reason,
            "unmet_detail": "抵押物不足，需进一步沟通" if reason else "", "solution": "推荐信用贷款产品" if status == "unmet" else "",
        })
    return rows


def setup_world(n: int):
    from banks.models import Institution
    from parks.models import Enterprise, Park, Tenancy
    from portal.choices import ROLE_FOR_KIND, OrgKind
    from portal.models import Organisation, Region, User
    from portal.uscc import uscc_make
    from reports.filings import services
    from reports.filings.models import Period

    Period.objects.update(lock_date=dt.date(2099, 12, 31))
    county = Region.objects.get(code="330106")
    Institution.objects.create(name="甲银行股份有限公司", short_name="甲银行", type="joint_stock")
    operator = Organisation.objects.create(name="基准测试运营公司", kind=OrgKind.PARK_OPERATOR, region=county)
    park = Park.objects.create(code="330106999", name="基准测试小微企业园", county=county, operator=operator, batch=1,
                               park_type="manufacturing")
    baseline_park = Park.objects.create(code="330106998", name="基准对照小微企业园", county=county, operator=operator, batch=1,
                                        park_type="manufacturing")
    user = User.objects.create_user(username="bench", password="x-Bench-2026", organisation=operator,
                                    role=ROLE_FOR_KIND[OrgKind.PARK_OPERATOR])
    codes = [uscc_make(f"91330106{i:09d}") for i in range(n)]
    Enterprise.objects.bulk_create([Enterprise(uscc=c, name=f"杭州第{i}号测试企业有限公司", industry="C") for i, c in enumerate(codes)],
                                   batch_size=2000)
    ids = Enterprise.objects.values_list("pk", flat=True)
    Tenancy.objects.bulk_create([Tenancy(park=park, enterprise_id=pk, entered_on=dt.date(2019, 1, 1)) for pk in ids], batch_size=2000)
    period = services.period_ensure(year=2020, quarter=3)
    filing = services.filing_open(actor=user, schedule="T1", period=period, park=park)
    baseline_filing = services.filing_open(actor=user, schedule="T1", period=period, park=baseline_park)
    return user, codes, filing, baseline_filing


def baseline_bulk_create(rows: list[dict], filing, ctx_filing) -> float:
    """bulk_create of the same rows, parsed to canonical values beforehand (not timed; checked
    against the pushed filing's park, whose tenants they are)."""
    from reports.filings import selectors
    from reports.filings.models import T1Row
    from reports.filings.services import _row_instance
    from reports.schedules import T1

    parsed, issues = T1.validate(rows, selectors.filing_context(filing=ctx_filing))
    assert not [i for i in issues if i.is_error], [i.as_dict() for i in issues if i.is_error][:3]
    instances = [_row_instance(T1Row, filing, i, r) for i, r in enumerate(parsed, start=1)]
    started = time.perf_counter()
    T1Row.objects.bulk_create(instances, batch_size=1000)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the first push")
    args = parser.parse_args()

    print(benchdb.choose("api_push"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from rest_framework.test import APIClient

    from portal.api.tokens import token_create
    from reports.filings.models import Filing, T1Row

    user, codes, filing, baseline_filing = setup_world(args.rows)
    rows = make_rows(codes)
    body = json.dumps({"rows": rows}, ensure_ascii=False).encode()

    baseline = baseline_bulk_create(rows, baseline_filing, filing)

    _, token = token_create(user=user, name="bench", days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    url = f"/api/v1/filings/{filing.pk}/rows/"
    if_match = f'"{Filing.objects.get(pk=filing.pk).lock_version}"'  # a full replace names the version it replaces
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    response = client.post(url, data=body, content_type="application/json", HTTP_IF_MATCH=if_match)
    api = time.perf_counter() - started
    if profiler:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    result = response.json()
    if response.status_code != 200 or not result.get("saved") or result.get("created") != args.rows:
        print("API push failed:", response.status_code, {k: v for k, v in result.items() if k != "warnings"}, file=sys.stderr)
        return 1
    assert T1Row.objects.filter(filing=filing).count() == args.rows
    lock_version = Filing.objects.get(pk=filing.pk).lock_version

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    again = client.post(url, data=body, content_type="application/json", HTTP_IF_MATCH=if_match).json()  # a retry
    resend = time.perf_counter() - started
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    assert again["unchanged"] == args.rows and not again["saved"], {k: again[k] for k in ("created", "updated", "deleted")}
    assert Filing.objects.get(pk=filing.pk).lock_version == lock_version

    n = args.rows
    print(f"api_push: {n} rows ({len(body) / 1e6:.1f} MB JSON); bulk_create {baseline:.2f} s; "
          f"API bulk upsert {api:.2f} s ({n / api:.0f} rows/s); ratio {api / baseline:.1f}; "
          f"re-send of the same body {resend:.2f} s (all unchanged, nothing written)")
    print(f"RESULT: api_push_rows_per_s {n / api:.0f}")
    print(f"RESULT: api_push_ratio_to_bulk_create {api / baseline:.2f}")
    print(f"RESULT: api_push_resend_s {resend:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
