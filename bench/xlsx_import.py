"""Benchmark: importing a 20,000-row 附表1 workbook.

Baseline (a): one bare openpyxl ``load_workbook(read_only=True)`` pass over every cell value of the
same file. Portal (b): ``reports.xlsx.reader.read_rows`` (python-calamine) + parse + validate + save
through ``reports.filings.services.filing_rows_replace`` (register sync and T2 included). Prints rows/s and
the ratio (b)/(a); the goal is ≤ 3.

Also (c): a bare python-calamine read of every cell of the same file; the ratio (b)/(c) (goal ≤ 5).

Runs on a fresh PostgreSQL database when a server answers (created and dropped, ``bench/benchdb.py``),
else on a throwaway SQLite file, whatever DATABASE_URL says; the first line says which:

    .venv/bin/python bench/xlsx_import.py [--rows 20000] [--profile]
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
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
os.environ["DEBUG"] = "0"  # no per-query debug logging: measure the code, not the SQL log

GOAL = 3.0
CALAMINE_GOAL = 5.0

INDUSTRIES = ["制造业", "C", "批发和零售业", "F", "软件和信息技术服务业", "建筑业", "住宿和餐饮业", "交通运输", "农、林、牧、渔业", "租赁和商务服务业"]
PURPOSES = ["流动资金", "购置厂房", "购置设备", "技术改造", "其他"]
BANKS = ["甲银行", "乙银行", "丙银行股份有限公司"]


def make_rows(n: int, seed: int = 20200930):
    """Valid, varied 附表1 rows as a person would type them."""
    from portal.uscc import uscc_make

    rnd = random.Random(seed)
    for i in range(n):
        individual = i % 17 == 0
        code = uscc_make(f"{'92' if individual else '91'}330106{i:09d}")
        employees = rnd.randint(1, 280)
        revenue = round(rnd.uniform(20, 9000), 2)
        has_demand = rnd.random() < 0.4
        credit = 0 if rnd.random() < 0.3 else round(rnd.uniform(5, 1500), 2)
        loan = round(credit * rnd.uniform(0.3, 1.0), 2) if credit else 0
        status = rnd.choice(["已满足", "部分满足", "未满足"]) if has_demand else None
        reason = rnd.choice(["企业自身原因", "银行服务原因", "其他原因"]) if status in ("部分满足", "未满足") else None
        insured = rnd.random() < 0.2
        rate = round(rnd.uniform(3.5, 9.5), 2) if loan else None
        yield [
            f"杭州第{i}号测试企业有限公司", code, "" if rnd.random() < 0.5 else ("个体工商户" if individual else "企业"),
            rnd.choice(INDUSTRIES), employees if i % 3 else f"{employees}", revenue if i % 5 else f"{revenue:,}万元",
            round(revenue * rnd.uniform(0.5, 2), 2), "", rnd.choice(["是", "否"]), rnd.choice(["良好", "一般", "困难", "停产"]),
            rnd.choice(["良好", "一般", "较差", "无信贷记录"]), "是" if has_demand else "否",
            round(rnd.uniform(10, 800), 2) if has_demand else "", rnd.choice(PURPOSES) if has_demand else "",
            rnd.randint(1, 5) if credit else 0, rnd.choice(BANKS) if credit else "", credit if credit else "",
            loan if loan else "", round(loan * 0.3, 2) if loan else "", round(loan * 0.2, 2) if loan else "",
            round(loan * 0.1, 2) if loan else "", "是" if loan and rnd.random() < 0.1 else "否",
            rate if rate else "", (f"{rate + 0.8:.2f}%" if rate else ""), "是" if insured else "否",
            round(rnd.uniform(10, 300), 2) if insured else "", status or "", reason or "",
            "抵押物不足，需进一步沟通" if reason else "", "推荐信用贷款产品" if status == "未满足" else "",
        ]


def build_workbook(n: int) -> bytes:
    from openpyxl import Workbook

    from reports.schedules import T1

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("附表1")
    ws.append(["杭州市基准测试小微企业园分类建档基础台帐"])
    ws.append(["填报单位：基准测试运营公司    报送期：2020Q3    单位：万元、%"])
    ws.append([c.header for c in T1.columns])
    ws.append([c.key for c in T1.columns])
    for row in make_rows(n):
        ws.append([None if v == "" else v for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def setup_world():
    from banks.models import Institution
    from parks.models import Park
    from portal.choices import ROLE_FOR_KIND, OrgKind
    from portal.models import Organisation, Region, User
    from reports.filings import services
    from reports.filings.models import Period

    Period.objects.update(lock_date=dt.date(2099, 12, 31))
    county = Region.objects.get(code="330106")
    for name, short in (("甲银行股份有限公司", "甲银行"), ("乙银行股份有限公司", "乙银行")):
        Institution.objects.create(name=name, short_name=short, type="joint_stock")
    operator = Organisation.objects.create(name="基准测试运营公司", kind=OrgKind.PARK_OPERATOR, region=county)
    park = Park.objects.create(code="330106999", name="基准测试小微企业园", county=county, operator=operator, batch=1,
                               park_type="manufacturing")
    user = User.objects.create_user(username="bench", password="x-Bench-2026", organisation=operator,
                                    role=ROLE_FOR_KIND[OrgKind.PARK_OPERATOR])
    period = services.period_ensure(year=2020, quarter=3)
    filing = services.filing_open(actor=user, schedule="T1", period=period, park=park)
    return user, filing


def baseline_openpyxl(data: bytes) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    cells = 0
    for row in wb.worksheets[0].iter_rows(values_only=True):
        for value in row:
            if value is not None:
                cells += 1
    wb.close()
    return cells


def baseline_calamine(data: bytes) -> int:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    cells = 0
    for row in wb.get_sheet_by_index(0).to_python():
        for value in row:
            if value != "":
                cells += 1
    return cells


def portal_import(data: bytes, user, filing):
    from reports.filings import services
    from reports.filings.xlsx.reader import read_rows
    from reports.schedules import T1

    read = read_rows(schedule=T1, data=data)
    assert read.ok, read.issue_dicts()[:5]
    result = services.filing_rows_replace(actor=user, filing=filing, raw_rows=read.raw_rows, row_numbers=read.row_numbers)
    return read, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the portal import")
    args = parser.parse_args()

    print(benchdb.choose("xlsx_import"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    user, filing = setup_world()

    started = time.perf_counter()
    data = build_workbook(args.rows)
    generate = time.perf_counter() - started

    started = time.perf_counter()
    baseline_openpyxl(data)
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    baseline_calamine(data)
    calamine = time.perf_counter() - started

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        read, result = portal_import(data, user, filing)
        profiler.disable()
        portal = time.perf_counter() - started
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    else:
        started = time.perf_counter()
        read, result = portal_import(data, user, filing)
        portal = time.perf_counter() - started
    errors = [i for i in result.issues if i.is_error]
    if errors or not result.saved:
        print("import failed:", [i.as_dict() for i in errors[:5]], file=sys.stderr)
        return 1

    from reports.filings.xlsx.reader import read_rows
    from reports.filings.xlsx.template import template_build
    from reports.schedules import T1

    started = time.perf_counter()
    read_rows(schedule=T1, data=data)
    read_only = time.perf_counter() - started
    started = time.perf_counter()
    template_build(filing=filing)
    template = time.perf_counter() - started

    n = len(read.raw_rows)
    ratio = portal / baseline
    print(f"xlsx_import: {n} rows ({len(data) / 1e6:.1f} MB, generated in {generate:.2f} s); "
          f"baseline openpyxl read_only {baseline:.2f} s; portal parse+validate+save {portal:.2f} s "
          f"({n / portal:.0f} rows/s; of which calamine read {read_only:.2f} s); ratio {ratio:.2f} (goal ≤ {GOAL:g}); "
          f"bare calamine read {calamine:.2f} s, ratio {portal / calamine:.1f} (goal ≤ {CALAMINE_GOAL:g})")
    print(f"RESULT: xlsx_import_rows_per_s {n / portal:.0f}")
    print(f"RESULT: xlsx_import_ratio_to_calamine {portal / calamine:.2f}")
    print(f"xlsx_template: {n}-row 附表1 template (prefilled from the saved rows) written in {template:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
