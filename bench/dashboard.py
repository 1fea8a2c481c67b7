"""Dashboard benchmark: the province dashboard on the full demo under gunicorn.

Builds a fresh PostgreSQL database (``bench/benchdb.py``; a temporary SQLite file when PostgreSQL is
not reachable, and says so) with ``seed_demo`` (full scale unless ``--scale``), computes
the target results, collects the static files into STATIC_ROOT (WhiteNoise serves them with
DEBUG off), starts gunicorn as production does (``portal/gunicorn_conf.py``) with 2 workers on
127.0.0.1:<free port>, logs in as the demo
province user with ``requests`` (the real login form) and then, in the same run against the same
server, drives 20 concurrent clients for a bounded time at:

1. the province dashboard (``/dashboards/province/?period=2020Q3``) built on every request
   (``DASHBOARD_CACHE=false``: before), on a first server;
2. then, on a second server with the prepared dashboards on (``reports.dashboards.cache``): a
   static file (``/static/css/portal.css``, served by WhiteNoise) — the baseline —, the dashboard
   served from its prepared body (after), and a repeat visit's ``If-None-Match`` (304), in turns
   (``--rounds``, default 3: the machine's other load weighs on baseline and pages alike).

Prints median and p95 latency and requests/s of each and their ratios to the static file (and the
load average), then stops gunicorn and drops the database. Loopback only; every loop is bounded.

    .venv/bin/python bench/dashboard.py                 # full demo
    .venv/bin/python bench/dashboard.py --scale 0.1 --seconds 10
    BENCH_REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/dashboard.py   # prepared pages in Redis
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from benchdb import bench_database

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
DEMO_PASSWORD = "Demo@2026pass"
DASHBOARD = "/dashboards/province/?period=2020Q3"
STATIC = "/static/css/portal.css"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict[str, str], *args: str, timeout: float = 900) -> str:
    started = time.perf_counter()
    out = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed")
    print(f"  manage.py {' '.join(args)[:60]}: {time.perf_counter() - started:.1f} s", flush=True)
    return out.stdout


def wait_until_up(base: str, proc: subprocess.Popen, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited early")
        try:
            if requests.get(f"{base}/login/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not come up")


def login(base: str, username: str) -> dict[str, str]:
    """The session and CSRF cookies of a real login through the form."""
    s = requests.Session()
    page = s.get(f"{base}/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = s.post(f"{base}/login/", data={"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
                  headers={"Referer": f"{base}/login/"}, allow_redirects=False, timeout=10)
    if done.status_code != 302 or "sessionid" not in s.cookies:
        raise SystemExit(f"login failed: {done.status_code}")
    return {"sessionid": s.cookies["sessionid"], "csrftoken": s.cookies.get("csrftoken", "")}  # as a browser holds them


def load(base: str, path: str, cookies: dict[str, str], *, clients: int, seconds: float, expect: str, status: int = 200,
         headers: dict[str, str] | None = None) -> dict:
    """``clients`` threads request ``path`` back to back for ``seconds``: the latencies of the
    answers with ``status`` (and ``expect`` in the body), the other answers, the time taken."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        s = requests.Session()
        s.cookies.update(cookies)
        mine: list[float] = []
        bad = 0
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                r = s.get(base + path, timeout=60, headers=headers)
                ok = r.status_code == status and expect in r.text
            except requests.RequestException:
                ok = False
            if ok:
                mine.append(time.perf_counter() - t0)
            else:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for f in [pool.submit(worker) for _ in range(clients)]:
            f.result()
    return {"latencies": latencies, "errors": errors[0], "elapsed": time.monotonic() - started}


def summary(phases: list[dict]) -> dict[str, float]:
    """The phases of one path taken together: requests, errors, requests/s, median and p95 latency."""
    latencies = sorted(x for phase in phases for x in phase["latencies"])
    elapsed = sum(phase["elapsed"] for phase in phases)
    n = len(latencies)
    return {"requests": n, "errors": sum(phase["errors"] for phase in phases), "rps": n / elapsed if elapsed else 0.0,
            "median_ms": statistics.median(latencies) * 1000 if n else float("nan"),
            "p95_ms": latencies[min(n - 1, int(n * 0.95))] * 1000 if n else float("nan")}


def serve(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, str]:
    """gunicorn as production runs it (portal/gunicorn_conf.py: sync workers, the app preloaded), on a
    free loopback port, ``workers`` workers, no access log."""
    port = free_port()
    env = {**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers), "GUNICORN_ACCESS_LOG": ""}
    proc = subprocess.Popen([GUNICORN, "portal.wsgi:application", "--config", "python:portal.gunicorn_conf", "--log-level", "warning"],
                            cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base, proc)
    return proc, base


def stop(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # the gunicorn master we started and its workers
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def measure(env: dict[str, str], args: argparse.Namespace, *, cached: bool) -> dict[str, dict[str, float]]:
    """One gunicorn with the prepared dashboards on or off: the static file (with the cache on) and
    the dashboard, and with the cache on a repeat visit's If-None-Match (304)."""
    proc = None
    try:
        proc, base = serve({**env, "DASHBOARD_CACHE": "true" if cached else "false"}, args.workers)
        cookies = login(base, "province")
        for path in (DASHBOARD, STATIC):  # warm both workers (and, cached, the prepared body)
            for _ in range(6):
                assert requests.get(base + path, cookies=cookies, timeout=60).status_code == 200
        if not cached:
            built = load(base, DASHBOARD, cookies, expect="目标完成情况", clients=args.clients, seconds=args.seconds)
            return {"dashboard, built (before)": summary([built])}
        # the baseline and the pages in turns (``--rounds`` of each), so a change in the machine's other
        # load during the run weighs on all of them alike
        etag = requests.get(base + DASHBOARD, cookies=cookies, timeout=60).headers["ETag"]
        opts = {"clients": args.clients, "seconds": args.seconds / args.rounds}
        phases: dict[str, list[dict]] = {"static /static/css/portal.css": [], "dashboard, prepared (after)": [],
                                         "dashboard, If-None-Match (304)": []}
        for _ in range(args.rounds):
            phases["static /static/css/portal.css"].append(load(base, STATIC, cookies, expect="body", **opts))
            phases["dashboard, prepared (after)"].append(load(base, DASHBOARD, cookies, expect="目标完成情况", **opts))
            phases["dashboard, If-None-Match (304)"].append(load(base, DASHBOARD, cookies, expect="", status=304,
                                                                 headers={"If-None-Match": etag}, **opts))
        return {name: summary(runs) for name, runs in phases.items()}
    finally:
        stop(proc)


def report(results: dict[str, dict[str, float]]) -> None:
    print()
    print(f"{'':34}{'requests':>9}{'errors':>8}{'req/s':>9}{'median ms':>11}{'p95 ms':>9}")
    for name, r in results.items():
        print(f"{name:<38.38}{r['requests']:>5}{r['errors']:>8}{r['rps']:>9.1f}{r['median_ms']:>11.1f}{r['p95_ms']:>9.1f}")
    static = results["static /static/css/portal.css"]
    print()
    for name, r in results.items():
        if name.startswith("dashboard") and r["rps"]:
            print(f"ratio {name} / static: median latency {r['median_ms'] / static['median_ms']:.1f}×, "
                  f"p95 {r['p95_ms'] / static['p95_ms']:.1f}×, throughput {static['rps'] / r['rps']:.1f}× lower "
                  f"(goal: p95 ≤ 3×, throughput ≥ 1/3)")
    prepared, built = results.get("dashboard, prepared (after)"), results.get("dashboard, built (before)")
    if prepared and prepared["rps"]:
        print(f"RESULT: dashboard_prepared_p95_vs_static {prepared['p95_ms'] / static['p95_ms']:.1f}x "
              f"({prepared['p95_ms']:.1f} ms vs {static['p95_ms']:.1f} ms; goal <= 3x)")
        print(f"RESULT: dashboard_prepared_throughput_vs_static 1/{static['rps'] / prepared['rps']:.1f} "
              f"({prepared['rps']:.0f} vs {static['rps']:.0f} req/s; goal >= 1/3)")
    if built and built["rps"]:
        print(f"RESULT: dashboard_built_p95_vs_static {built['p95_ms'] / static['p95_ms']:.1f}x ({built['p95_ms']:.1f} ms)")
    print(f"load average (1/5/15 min) at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="seed_demo scale (default 1.0, the full demo)")
    parser.add_argument("--seconds", type=float, default=15.0, help="duration of each load phase (default 15)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--rounds", type=int, default=3, help="turns of static / prepared / 304, each seconds/rounds long (default 3)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench_dashboard_"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ENV")}
    # the prepared pages in Redis when BENCH_REDIS_URL names a (scratch) database, each worker's memory otherwise
    env.update(REDIS_URL=os.environ.get("BENCH_REDIS_URL", ""), CELERY_TASK_ALWAYS_EAGER="True", DEBUG="False",
               AXES_ENABLED="True", LOG_LEVEL="ERROR", MEDIA_ROOT=str(tmp / "media"))
    try:
        with bench_database("dashboard") as url:
            env["DATABASE_URL"] = url
            print(f"cache: {'Redis ' + env['REDIS_URL'] if env['REDIS_URL'] else 'local memory of each worker'}", flush=True)
            manage(env, "migrate", "--noinput", "-v", "0")
            manage(env, "seed_demo", "--scale", str(args.scale), "-v", "0")
            n = manage(env, "shell", "-c", "from reports.targets.engine import target_results_rebuild_all as r; print(r())").strip().splitlines()[-1]
            print(f"  target results: {n}")
            manage(env, "collectstatic", "--noinput", "-v", "0")
            print(f"gunicorn {args.workers} workers; {args.clients} clients × {args.seconds:g} s per phase", flush=True)
            results = measure(env, args, cached=False)
            results = {**measure(env, args, cached=True), **results}
        report(results)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
