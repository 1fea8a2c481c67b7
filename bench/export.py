"""Benchmark: exporting a 100,000-row 附表1 ledger as xlsx, streamed, and through an export job.

Stores the rows (COPY on PostgreSQL, not timed), then, as the park's operator: (1) GETs
``/filings/<id>/export.xlsx`` with ``EXPORT_ASYNC_ROWS`` above the row count (the file at once) and reads
the streamed body chunk by chunk, as a client does; (2) with the default threshold (a 100k-row ledger
is "large"), POSTs ``/filings/<id>/export/start/`` (the export job; Celery eager here: the task runs
after the request's commit, in this process) and downloads the job's file. Prints the seconds,
the size, whether the response was streamed, and the peak RSS of the process
(``resource.getrusage``; the rows are made and stored by a child process, so this peak is Django's
plus the export's) before and after the export: a flat-memory export adds the same few MB whatever
the number of rows (compare ``--rows 10000``). Goal: ≤ 10 s for 100k rows.

Runs on a fresh PostgreSQL database when a server answers (created and dropped, ``bench/benchdb.py``),
else on a throwaway SQLite file; the first line says which:

    .venv/bin/python bench/export.py [--rows 100000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
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
GOAL = 10.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def setup_world(n: int):
    from api_push import make_rows

    from parks.models import Park
    from portal.choices import ROLE_FOR_KIND, OrgKind
    from portal.models import Organisation, Region, User
    from portal.uscc import uscc_make
    from reports.filings import services
    from reports.filings.bulk import rows_insert
    from reports.filings.models import Filing, Period, T1Row
    from reports.schedules import T1
    from reports.schedules.base import Context
    from reports.schedules.compiled import validate_rows

    Period.objects.update(lock_date=dt.date(2099, 12, 31))
    county = Region.objects.get(code="330106")
    operator = Organisation.objects.create(name="基准测试运营公司", kind=OrgKind.PARK_OPERATOR, region=county)
    park = Park.objects.create(code="330106999", name="基准测试小微企业园", county=county, operator=operator, batch=1,
                               park_type="manufacturing")
    user = User.objects.create_user(username="bench", password="x-Bench-2026", organisation=operator,
                                    role=ROLE_FOR_KIND[OrgKind.PARK_OPERATOR])
    period = services.period_ensure(year=2020, quarter=3)
    filing = services.filing_open(actor=user, schedule="T1", period=period, park=park)
    codes = [uscc_make(f"91330106{i:09d}") for i in range(n)]
    for i in range(0, n, 20000):  # parsed and stored in slices: the bench's own memory stays small too
        rows, _ = validate_rows(T1, make_rows(codes[i:i + 20000], seed=i), Context())
        rows_insert(T1Row, filing, rows, first_row_no=i + 1)
    Filing.objects.filter(pk=filing.pk).update(row_count=n)
    return user, filing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--setup-only", action="store_true", help=argparse.SUPPRESS)  # the child that stores the rows
    args = parser.parse_args()

    if args.setup_only:  # on the database the parent chose and migrated
        import django

        django.setup()
        user, filing = setup_world(args.rows)
        print(filing.pk)
        return 0
    print(benchdb.choose("export"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.conf import settings
    from django.db import connections
    from django.test import Client

    from portal.models import User
    from reports.filings.models import ExportJob, Filing

    connections.close_all()
    # the rows are made and stored by a child process, so this one's peak RSS is the export's
    child = subprocess.run([sys.executable, __file__, "--setup-only", "--rows", str(args.rows)], check=True,
                           capture_output=True, text=True, env=os.environ)
    filing = Filing.objects.get(pk=int(child.stdout.split()[-1]))
    user = User.objects.get(username="bench")
    from django.test import override_settings

    client = Client()
    client.force_login(user)
    before = peak_rss_mb()
    started = time.perf_counter()
    with override_settings(EXPORT_ASYNC_ROWS=args.rows):  # the file at once, streamed
        response = client.get(f"/filings/{filing.pk}/export.xlsx")
        size = _read(response)
    seconds = time.perf_counter() - started
    after = peak_rss_mb()
    print(f"export: {args.rows} 附表1 rows → {size / 1e6:.1f} MB xlsx in {seconds:.2f} s (goal ≤ {GOAL:g} s), "
          f"{'streamed' if response.streaming else 'NOT streamed'}; peak RSS {before:.0f} MB before the export, "
          f"{after:.0f} MB after (+{after - before:.0f} MB)")
    print(f"RESULT: export_{args.rows}_rows_s {seconds:.2f} (goal ≤ {GOAL:g}; {'streamed' if response.streaming else 'NOT streamed'}, "
          f"peak RSS +{after - before:.0f} MB)")
    if args.rows <= settings.EXPORT_ASYNC_ROWS:
        return 0
    started = time.perf_counter()
    page = client.get(f"/filings/{filing.pk}/export.xlsx")  # the page with the button
    assert page.status_code == 200 and "export-start-button" in page.content.decode()
    job_url = client.post(f"/filings/{filing.pk}/export/start/")["Location"]
    job = ExportJob.objects.get(pk=int(job_url.rstrip("/").rsplit("/", 1)[1]))
    assert job.status == ExportJob.Status.DONE, (job.status, job.error)
    size = _read(client.get(f"/exports/{job.pk}/download.xlsx"))
    job_seconds = time.perf_counter() - started
    after_job = peak_rss_mb()
    job.file.delete(save=False)
    print(f"export job: {args.rows} rows → {size / 1e6:.1f} MB, page + start + task + download {job_seconds:.2f} s; "
          f"peak RSS {after_job:.0f} MB (+{after_job - before:.0f} MB since before the first export)")
    print(f"RESULT: export_job_{args.rows}_rows_s {job_seconds:.2f} (start, Celery task with progress, download; peak RSS +{after_job - before:.0f} MB)")
    return 0


def _read(response) -> int:
    assert response.status_code == 200, response.status_code
    size = 0
    for chunk in response.streaming_content if response.streaming else [response.content]:
        size += len(chunk)
    response.close()
    return size


if __name__ == "__main__":
    sys.exit(main())
