"""The production shape (issue 10): /healthz, the image (Dockerfile) and docker-compose.yml start
the portal through one entrypoint script with nothing installed at start; the smoke test
(.ci/smoke_production.sh, run by CI) exercises that script for real."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from unittest import mock

import pytest
import yaml
from django.db import OperationalError
from django.urls import get_resolver

from portal import gunicorn_conf

ROOT = Path(__file__).resolve().parent.parent
ENTRYPOINT = ROOT / "portal" / "docker-entrypoint.sh"


@pytest.mark.django_db
def test_healthz_answers_without_login_or_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "sessionid" not in response.cookies and "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_unreachable(client):
    with mock.patch("portal.health.connection.cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"] == "unreachable"


def test_the_image_bakes_dependencies_and_static_files_and_runs_unprivileged():
    dockerfile = (ROOT / "Dockerfile").read_text()
    lines = [line.strip() for line in dockerfile.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert lines[0] == "FROM python:3.11-slim"
    run = " ".join(line for line in lines if line.startswith("RUN") or line.startswith("&&") or line.endswith("\\"))
    assert "pip install -r requirements.txt" in run and "manage.py collectstatic --noinput" in run
    assert re.search(r"SECRET_KEY=\S+ .*collectstatic", run)  # a throwaway key for the build step only
    assert not any(line.startswith("ENV") and "SECRET_KEY" in line for line in lines)
    user = [line for line in lines if line.startswith("USER ")]
    assert user and user[-1] not in ("USER root", "USER 0")
    assert any(line.startswith("HEALTHCHECK ") and "docker-entrypoint.sh" in line and "healthcheck" in line for line in lines)
    assert 'ENTRYPOINT ["/app/portal/docker-entrypoint.sh"]' in lines and 'CMD ["web"]' in lines


def test_compose_runs_a_one_shot_migration_before_web_worker_and_beat_from_the_image():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["migrate"]["command"] == ["migrate"] and services["migrate"]["restart"] == "no"
    for name, command in (("web", "web"), ("worker", "worker"), ("beat", "beat")):
        service = services[name]
        assert service["build"] == "." and service["command"] == [command], name
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
        assert service["environment"]["DJANGO_ENV"] == "production", name
    text = (ROOT / "docker-compose.yml").read_text()
    assert "pip install" not in text and "collectstatic" not in text.split("services:")[1]


def test_the_entrypoint_knows_its_commands_and_hands_others_on():
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"}
    assert subprocess.run(["sh", "-n", str(ENTRYPOINT)]).returncode == 0
    assert os.access(ENTRYPOINT, os.X_OK)
    echoed = subprocess.run([str(ENTRYPOINT), "echo", "hello"], capture_output=True, text=True, env=env)
    assert echoed.stdout == "hello\n"
    bad = subprocess.run([str(ENTRYPOINT), "healthcheck", "nonsense"], capture_output=True, text=True, env=env)
    assert bad.returncode == 2
    body = ENTRYPOINT.read_text()
    for command in ("web)", "worker)", "beat)", "migrate)", "manage)", "healthcheck)"):
        assert f"\n  {command}" in body, command
    assert "pip install" not in body and "collectstatic" not in body.split("set -eu", 1)[1]


def test_ci_runs_the_production_smoke_test_after_the_tests():
    run = (ROOT / ".ci" / "run").read_text()
    assert run.index("make test") < run.index("bash .ci/smoke_production.sh || status=1") < run.rindex("exit $status")
    smoke = (ROOT / ".ci" / "smoke_production.sh").read_text()
    for part in ("DJANGO_ENV=production", "collectstatic", '"$ENTRY" migrate', '"$ENTRY" "$role"', "trap cleanup EXIT", "dropdb"):
        assert part in smoke, part


def test_production_and_the_dashboard_bench_run_gunicorn_with_one_configuration():
    assert gunicorn_conf.worker_class == "sync" and gunicorn_conf.preload_app is True and callable(gunicorn_conf.when_ready)
    assert "--config python:portal.gunicorn_conf" in ENTRYPOINT.read_text()
    bench = (ROOT / "bench" / "dashboard.py").read_text()
    assert '"--config", "python:portal.gunicorn_conf"' in bench


def test_the_dashboards_are_the_first_urls_tried():
    first = get_resolver().url_patterns[0]
    assert getattr(first, "urlconf_name", None).__name__ == "reports.dashboards.urls"
