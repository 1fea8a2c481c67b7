"""表格编辑 benchmark: the 附表1 spreadsheet with 1,000 rows in Debian's Chromium, against the plain
filing page of the same filing.

Builds a fresh PostgreSQL database (bench/benchdb.py; a temporary SQLite file when PostgreSQL is not
reachable, and says so) (migrate; one park with 1,000 tenants and a 附表1 of 1,000 valid
rows saved through ``services.filing_rows_replace``), collects the static files, starts gunicorn
(2 workers) on 127.0.0.1:<free port>, logs in through the real form with Playwright and measures,
``--runs`` times each (median printed):

1. baseline — the filing's existing page (``/filings/<id>/rows/``, 50 rows a page): navigation
   start → ``load`` event;
2. sheet load → interactive — ``/filings/<id>/sheet/``: navigation start → the grid built with all
   1,000 rows (performance mark ``sheet-ready``: data fetched, Tabulator rendered, editable);
3. paste → validated — a 1,000 × 30 block (the same rows, one column changed) pasted at the first
   cell: paste event → cells updated (``sheet-pasted``) → the server's dry run answered and painted on
   the cells (``sheet-validated``; includes the grid's 400 ms debounce);
4. save — 保存 → the answer of the real save (1,000 rows updated).

Prints absolute ms and the ratio of 2 and 3 to 1. Loopback only; every wait is bounded.

    .venv/bin/python bench/grid.py [--rows 1000] [--runs 5]
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import benchdb

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "Bench@2026pass"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(env: dict[str, str], *args: str, timeout: float = 900) -> str:
    started = time.perf_counter()
    out = subprocess.run([PYTHON, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"{' '.join(args)} failed")
    print(f"  {' '.join(args)[:60]}: {time.perf_counter() - started:.1f} s", flush=True)
    return out.stdout


def setup(rows: int) -> None:
    """(In a subprocess with the benchmark's environment.) The park, its operator and the 附表1."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from parks.models import Enterprise, Tenancy
    from reports.filings import services
    from reports.filings.models import Period
    from tests import factories as f

    Period.objects.update(lock_date="2099-12-31")
    park = f.ParkFactory(code="330106001", name="西湖智造小微企业园", county=f.region("330106"))
    user = f.UserFactory(username="bench", organisation=park.operator, password=PASSWORD)
    usccs = [f.next_uscc("330106") for _ in range(rows)]
    enterprises = Enterprise.objects.bulk_create([Enterprise(uscc=u, name=f"杭州基准{i}号有限公司", industry="C") for i, u in enumerate(usccs)])
    Tenancy.objects.bulk_create([Tenancy(park=park, enterprise=e, entered_on="2019-01-01") for e in enterprises])
    filing = services.filing_open(actor=user, schedule="T1", period=services.period_ensure(year=2020, quarter=3), park=park)
    raw = [f.t1_cells(u, enterprise_name=f"杭州基准{i}号有限公司", employees=20 + i % 50) for i, u in enumerate(usccs)]
    result = services.filing_rows_replace(actor=user, filing=filing, raw_rows=raw, expected_lock_version=filing.lock_version)
    assert result.saved, result.errors[:3]
    print(f"FILING {filing.pk}")


def wait_until_up(base: str, proc: subprocess.Popen, limit: float = 60.0) -> None:
    import urllib.request

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited early")
        try:
            with urllib.request.urlopen(f"{base}/login/", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not come up")


PASTE = """(text) => {
    window.__t0 = performance.now();
    const dt = new DataTransfer(); dt.setData('text/plain', text);
    document.activeElement.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
}"""
AFTER = """(name) => { const t = performance.getEntriesByName(name).filter(e => e.startTime >= window.__t0).pop();
                       return t ? t.startTime - window.__t0 : null; }"""


def measure(base: str, filing: int, rows: int, runs: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {"page": [], "sheet": [], "pasted": [], "validated": [], "save": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
        page.goto(f"{base}/login/")
        page.fill("#id_username", "bench")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        for _ in range(runs):
            page.goto(f"{base}/filings/{filing}/rows/", wait_until="load")
            out["page"].append(page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd"))
            page.goto(f"{base}/filings/{filing}/sheet/", wait_until="load")
            page.wait_for_function("() => performance.getEntriesByName('sheet-ready').length > 0", timeout=60000)
            out["sheet"].append(page.evaluate("() => performance.getEntriesByName('sheet-ready')[0].startTime"))
            page.wait_for_selector("#sheet[data-state=validated]", timeout=60000)  # the check on opening
        # paste the whole sheet back with one column changed, then save: `runs` times (each paste changes it)
        for n in range(runs):
            tsv = page.evaluate("""(n) => fetch(document.querySelector('#sheet').dataset.sheetSrc).then(r => r.json()).then(d =>
                d.rows.map(r => d.columns.map(c => c.key === 'main_bank' ? '丙银行' + n : r[c.key]).join('\\t')).join('\\r\\n') + '\\r\\n')""", n)
            page.click("#sheet .tabulator-row >> nth=0 >> .tabulator-cell[tabulator-field=enterprise_name]")
            page.evaluate(PASTE, tsv)
            page.wait_for_function("() => performance.getEntriesByName('sheet-validated').some(e => e.startTime >= window.__t0)"
                                   " && document.querySelector('#sheet').dataset.state === 'validated'", timeout=60000)
            out["pasted"].append(page.evaluate(AFTER, "sheet-pasted"))
            out["validated"].append(page.evaluate(AFTER, "sheet-validated"))
            started = time.perf_counter()
            page.click("[data-testid=sheet-save]")
            page.wait_for_selector("#sheet[data-state=saved]", timeout=60000)
            out["save"].append((time.perf_counter() - started) * 1000)
            assert "1000" in page.inner_text("[data-testid=sheet-status]") or rows != 1000, page.inner_text("[data-testid=sheet-status]")
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup(args.rows)
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-grid-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ENV")}
    env["DATABASE_URL"], what = benchdb.create("grid")
    print(f"database: {what}", flush=True)
    env.update(DEBUG="False", LOG_LEVEL="ERROR", MEDIA_ROOT=str(tmp / "media"),
               STATIC_ROOT=str(tmp / "static"), DJANGO_SETTINGS_MODULE="portal.settings")
    proc = None
    try:
        print(f"附表1 spreadsheet, {args.rows} rows, {args.runs} runs", flush=True)
        run(env, "manage.py", "migrate", "--noinput", "-v", "0")
        filing = int(run(env, "bench/grid.py", "--setup", "--rows", str(args.rows)).split("FILING")[-1].strip())
        run(env, "manage.py", "collectstatic", "--noinput", "-v", "0")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen([GUNICORN, "portal.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--timeout", "120",
                                 "--log-level", "warning"], cwd=ROOT, env=env, start_new_session=True)
        wait_until_up(base, proc)
        m = measure(base, filing, args.rows, args.runs)
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in m.items()}
    print(f"  baseline: filing page (50 rows a page), navigation → load     {med['page']:8.0f} ms")
    print(f"  sheet ({args.rows} rows): navigation → interactive              {med['sheet']:8.0f} ms   ×{med['sheet'] / med['page']:.2f} of baseline")
    print(f"  paste {args.rows}×30 → cells updated                               {med['pasted']:8.0f} ms")
    print(f"  paste {args.rows}×30 → server dry run painted (incl. 400 ms wait) {med['validated']:8.0f} ms   ×{med['validated'] / med['page']:.2f} of baseline")
    print(f"  save {args.rows} rows (保存 → answer)                              {med['save']:8.0f} ms")
    print(f"RESULT: grid_sheet_interactive_vs_page {med['sheet'] / med['page']:.2f}x ({med['sheet']:.0f} ms, {args.rows} rows)")
    print(f"RESULT: grid_save_ms {med['save']:.0f} ({args.rows} rows)")


if __name__ == "__main__":
    main()
