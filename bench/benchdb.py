"""The database a bench runs on: a fresh PostgreSQL database (created here, dropped at exit) when
a server answers, else a throwaway SQLite file. Call :func:`choose` before ``django.setup()``.

The server is ``BENCH_PG_URL`` (default ``postgres://postgres@127.0.0.1:5432/postgres``, the
maintenance database used to create and drop ``<BENCH_DB_PREFIX or bench>_<name>_<pid>``); ``BENCH_DB=sqlite`` forces SQLite."""
from __future__ import annotations

import atexit
import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PREFIX = os.environ.get("BENCH_DB_PREFIX", "bench")  # e.g. bench_c when several people bench on one server


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql)


def _pg_up() -> bool:
    if os.environ.get("BENCH_DB", "").lower() == "sqlite":
        return False
    try:
        _admin("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means: no server to bench on
        return False
    return True


def choose(name: str) -> str:
    """Set ``DATABASE_URL`` to a fresh database for the bench ``name``; returns a line saying which."""
    if _pg_up():
        db = f"{PREFIX}_{name}_{os.getpid()}"
        _admin(f'DROP DATABASE IF EXISTS "{db}"')
        _admin(f'CREATE DATABASE "{db}"')
        parts = urlsplit(PG_URL)
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{db}"))
        os.environ["CONN_MAX_AGE"] = "0"

        def drop() -> None:
            from django.db import connections

            connections.close_all()
            _admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')

        atexit.register(drop)
        return f"database: PostgreSQL (fresh database {db}, dropped at exit)"
    path = Path(f"/tmp/bench_{name}.sqlite3")
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    why = "BENCH_DB=sqlite" if os.environ.get("BENCH_DB", "").lower() == "sqlite" else f"PostgreSQL not reachable at {PG_URL}"
    return f"database: SQLite ({path}; {why})"
