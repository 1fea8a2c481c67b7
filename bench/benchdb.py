"""The database a bench runs on: a fresh PostgreSQL database when the server answers — created for
the run and dropped at its end —, a temporary SQLite file otherwise (and the bench says so).

    with bench_database("dashboard") as url:   # postgres://…/bench_dashboard_<pid> or sqlite:///…
        ...

``BENCH_POSTGRES`` names the server (default ``postgres://postgres@127.0.0.1:5432``),
``BENCH_DB_PREFIX`` the databases' prefix (default ``bench``; e.g. ``bench_b`` to keep apart from
others benching on the same server), ``BENCH_SQLITE=1`` forces SQLite.
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import psycopg

SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PREFIX = os.environ.get("BENCH_DB_PREFIX", "bench")


def postgres_up() -> bool:
    if os.environ.get("BENCH_SQLITE"):
        return False
    try:
        with psycopg.connect(f"{SERVER}/postgres", connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _admin(sql: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _drop(name: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create(name: str) -> tuple[str, str]:
    """A fresh database for bench ``name``: (its DATABASE_URL, what it is). Dropped (PostgreSQL) or
    removed (SQLite) when the process exits."""
    if postgres_up():
        db = f"{PREFIX}_{name}_{os.getpid()}"
        _drop(db)
        _admin(f'CREATE DATABASE "{db}"')
        atexit.register(_drop, db)
        return f"{SERVER}/{db}", f"PostgreSQL (fresh database {db}, dropped at the end)"
    tmp = Path(tempfile.mkdtemp(prefix=f"{PREFIX}_{name}_"))
    atexit.register(shutil.rmtree, tmp, True)
    return f"sqlite:///{tmp / 'db.sqlite3'}", f"SQLite ({tmp / 'db.sqlite3'}): PostgreSQL at {SERVER} is not reachable"


@contextmanager
def bench_database(name: str) -> Iterator[str]:
    url, what = create(name)
    print(f"database: {what}", flush=True)
    try:
        yield url
    finally:
        if url.startswith("postgres"):
            _drop(url.rsplit("/", 1)[1])


def choose(name: str) -> str:
    """Point ``DATABASE_URL`` at a fresh database for bench ``name`` (call before ``django.setup()``);
    returns a line saying which."""
    url, what = create(name)
    os.environ["DATABASE_URL"] = url
    os.environ["CONN_MAX_AGE"] = "0"
    return f"database: {what}"
