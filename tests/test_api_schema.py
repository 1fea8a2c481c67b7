"""The OpenAPI schema: valid with no generator warnings, every endpoint in it, Swagger UI served
from local files (works offline), schema and docs for signed-in users (or tokens) only, and a
bounded schemathesis run against a live server that finds no 5xx."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from django.contrib.staticfiles import finders

from tests import factories as f
from tests.test_api_helpers import token_for

pytestmark = pytest.mark.usefixtures("_api_throttle_rates")  # generous API throttle rates (conftest.py)

ROOT = Path(__file__).resolve().parent.parent

EXPECTED_PATHS = [
    "/api/v1/me/", "/api/v1/regions/", "/api/v1/organisations/", "/api/v1/institutions/", "/api/v1/institutions/{id}/",
    "/api/v1/parks/", "/api/v1/parks/{id}/", "/api/v1/parks/{id}/brain-readings/", "/api/v1/enterprises/", "/api/v1/tenancies/",
    "/api/v1/partner-links/", "/api/v1/brain-readings/", "/api/v1/periods/", "/api/v1/filings/", "/api/v1/filings/{id}/",
    "/api/v1/filings/{id}/rows/", "/api/v1/filings/{id}/upload/", "/api/v1/filings/{id}/submit/", "/api/v1/filings/{id}/confirm/",
    "/api/v1/filings/{id}/approve/", "/api/v1/filings/{id}/return/", "/api/v1/filings/{id}/amend/", "/api/v1/import-jobs/{id}/",
    "/api/v1/summaries/parks/", "/api/v1/summaries/cities/", "/api/v1/summaries/province/",
]


@pytest.fixture(scope="module")
def schema_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ENV",)}
    result = subprocess.run([sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", str(path)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stderr and "Error" not in result.stderr, result.stderr
    return path


def test_spectacular_validate_passes_without_warnings(schema_file):
    schema = yaml.safe_load(schema_file.read_text())
    assert schema["openapi"].startswith("3.")
    for path in EXPECTED_PATHS:
        assert path in schema["paths"], path
    rows = schema["paths"]["/api/v1/filings/{id}/rows/"]["post"]
    assert {p["name"] for p in rows["parameters"]} >= {"dry_run", "If-Match", "Idempotency-Key"}
    # the row serializers are built from the schedule definitions: every column key is in the schema
    from reports.schedules import SCHEDULES

    components = schema["components"]["schemas"]
    for code, name in (("T1", "T1Row"), ("T5", "T5Row"), ("T4", "T4Record")):
        keys = {c.key for c in SCHEDULES[code].columns}
        assert keys <= set(components[name]["properties"]), name
        assert keys <= set(components[f"{name}InputRequest"]["properties"]), name
    assert {"credit_tier", "inclusive", "category"} <= set(components["T1Row"]["properties"])
    assert set(components["Error"]["properties"]) == {"code", "message", "errors"}
    assert "knoxApiToken" in schema["components"]["securitySchemes"]


def test_swagger_ui_is_served_from_local_files(client, db):
    client.force_login(f.UserFactory(username="reader", organisation=f.bank_branch("330100")))
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html and "cdn" not in html.lower()
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/static/drf_spectacular_sidecar/swagger-ui-dist/{asset}" in html
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{asset}")
    assert client.get("/api/schema/").status_code == 200


def test_schema_and_docs_need_a_signed_in_user_or_a_token(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 401 and schema.json()["code"] == "not_authenticated"
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"] == "/login/?next=/api/docs/"
    assert client.get("/api/docs/?script=").status_code == 401  # the Swagger init script too
    user = f.UserFactory(username="reader", organisation=f.bank_branch("330100"))
    assert client.get("/api/schema/", HTTP_AUTHORIZATION=f"Token {token_for(user)}").status_code == 200
    client.force_login(user)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/docs/?script=").status_code == 200


MAX_EXAMPLES = 3  # per operation and client: bounded by count, not by the clock (CI machines vary)


@pytest.mark.django_db(transaction=True)
def test_a_bounded_schemathesis_run_finds_no_server_error(live_server, api_world, tmp_path):
    import hypothesis
    import requests
    import schemathesis
    from hypothesis import HealthCheck, Phase
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(tmp_path / ".hypothesis")  # keep hypothesis' caches out of the work tree
    w = api_world
    started = time.monotonic()
    clients = {"root": token_for(w.admin, name="schemathesis"), "op_hz": token_for(w.users["op_hz"], name="schemathesis")}
    # the schema needs a signed-in user or a token (issue 10)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/", headers={"Authorization": f"Token {clients['op_hz']}"})
    session = requests.Session()
    failures: list[str] = []
    calls = 0
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40
    for operation in operations:
        for who, token in clients.items():
            headers = {"Authorization": f"Token {token}"}

            @hypothesis.settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                                 phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @hypothesis.given(case=operation.as_strategy())
            def run(who, headers, case):  # this iteration's client passed in, not captured (B023)
                nonlocal calls
                response = case.call(base_url=live_server.url, session=session, headers=headers, timeout=20)
                calls += 1
                if response.status_code >= 500:
                    failures.append(f"{who} {case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}")

            run(who, headers)
    elapsed = time.monotonic() - started
    assert not failures, "\n".join(failures[:20])
    assert calls >= len(operations) * len(clients), f"only {calls} calls in {elapsed:.0f}s"
    print(f"schemathesis: {calls} calls over {len(operations)} operations in {elapsed:.0f}s")
