"""Filings over REST: the bulk row upsert per schedule (natural keys, all-or-nothing, dry run,
idempotent re-send, optimistic locking), xlsx upload, opening filings, the workflow steps as POSTs
and Idempotency-Key replay."""
from __future__ import annotations

import pytest

from reports.filings.models import Filing, ImportJob, T1Row, T4Record, T5Row
from reports.filings.xlsx.template import template_build
from reports.workflow.models import FilingTransition
from tests import factories as f
from tests.test_api_helpers import api, t1_row

# generous API throttle rates, uploads in a temporary MEDIA_ROOT (conftest.py)
pytestmark = pytest.mark.usefixtures("_api_throttle_rates", "_media")


def rows_url(filing: Filing, **query) -> str:
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/api/v1/filings/{filing.pk}/rows/" + (f"?{qs}" if qs else "")


def state(filing: Filing) -> tuple:
    """Everything a save could touch: the filing's counters and every stored row."""
    fresh = Filing.objects.get(pk=filing.pk)
    model = {"T1": T1Row, "T5": T5Row}.get(fresh.schedule)
    rows = list(model.objects.filter(filing=fresh).order_by("pk").values()) if model else list(T4Record.objects.filter(filing=fresh).values())
    return fresh.lock_version, fresh.updated_at, fresh.row_count, fresh.status, rows


def if_match(filing: Filing) -> dict:
    """The filing's current lock_version as an If-Match header: a full replace must name the version it replaces."""
    return {"HTTP_IF_MATCH": f'"{Filing.objects.get(pk=filing.pk).lock_version}"'}


def new_uscc() -> str:
    return f.next_uscc("330106")


# --- 附表1 ------------------------------------------------------------------------------------------

def test_t1_rows_are_matched_by_uscc_created_updated_unchanged_and_deleted(api_world):
    w = api_world
    filing = w.filings.t1_op_hz
    client = api(w.users["op_hz"])
    a, b = new_uscc(), new_uscc()
    body = {"rows": [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name, employees=60), t1_row(a, enterprise_name="新企业甲"),
                     t1_row(b, enterprise_name="新企业乙")]}
    r = client.post(rows_url(filing), body, format="json", **if_match(filing))
    assert r.status_code == 200, r.json()
    data = r.json()
    assert (data["saved"], data["created"], data["updated"], data["unchanged"], data["deleted"]) == (True, 2, 1, 0, 0)
    assert data["errors"] == [] and data["lock_version"] == Filing.objects.get(pk=filing.pk).lock_version
    assert set(T1Row.objects.filter(filing=filing).values_list("uscc", flat=True)) == {w.e_hz.uscc, a, b}
    assert T1Row.objects.get(filing=filing, uscc=w.e_hz.uscc).employees == 60
    # the full row set replaces the filing: rows not sent are deleted
    r = client.post(rows_url(filing), {"rows": [t1_row(a, enterprise_name="新企业甲", employees=70)]}, format="json", **if_match(filing))
    data = r.json()
    assert (data["created"], data["updated"], data["unchanged"], data["deleted"]) == (0, 1, 0, 2)
    assert list(T1Row.objects.filter(filing=filing).values_list("uscc", "employees")) == [(a, 70)]


def test_t1_retrieve_shows_rows_with_computed_columns_and_an_etag(api_world):
    w = api_world
    filing = w.filings.t1_op_hz
    r = api(w.users["op_hz"]).get(f"/api/v1/filings/{filing.pk}/")
    assert r.status_code == 200
    assert r["ETag"] == f'"{filing.lock_version}"'
    row = r.json()["rows"][0]
    assert row["uscc"] == w.e_hz.uscc and row["row_no"] == 1
    assert row["credit_tier"] == "500_1000" and row["category"] == "B" and row["inclusive"] is True
    assert row["revenue"] == "3000.00" and row["loan_rate"] == "4.3500" and row["has_demand"] is True
    paged = api(w.users["op_hz"]).get(f"/api/v1/filings/{filing.pk}/rows/?page_size=1").json()
    assert paged["count"] == 1 and paged["results"][0]["category"] == "B"


def test_resending_the_same_body_changes_nothing_not_even_the_lock_version(api_world):
    w = api_world
    filing = w.filings.t1_op_hz
    client = api(w.users["op_hz"])
    body = {"rows": [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name), t1_row(new_uscc(), enterprise_name="新企业")]}
    assert client.post(rows_url(filing), body, format="json", **if_match(filing)).json()["saved"] is True
    before = state(filing)
    for _ in range(2):
        r = client.post(rows_url(filing), body, format="json", **if_match(filing))
        assert r.status_code == 200
        data = r.json()
        assert (data["saved"], data["created"], data["updated"], data["deleted"], data["unchanged"]) == (False, 0, 0, 0, 2)
        assert "未变化" in data["message"] and data["lock_version"] == before[0]
    assert state(filing) == before
    # input is forgiving: the same values written differently are still "unchanged"
    body["rows"][0].update(revenue="3,000.00万元", has_demand="是", loan_rate="4.35%")
    assert client.post(rows_url(filing), body, format="json", **if_match(filing)).json()["unchanged"] == 2
    assert state(filing) == before


def test_a_batch_with_one_invalid_row_saves_nothing_and_lists_every_error(api_world):
    w = api_world
    filing = w.filings.t1_op_hz
    before = state(filing)
    good = [t1_row(new_uscc(), enterprise_name=f"企业{i}") for i in range(3)]
    bad_uscc = t1_row("91350100M000100Y4Z", enterprise_name="坏代码")
    bad_amount = t1_row(new_uscc(), enterprise_name="坏金额", revenue="三千")
    bad_relation = t1_row(new_uscc(), enterprise_name="坏关系", credit_loan_balance=900)  # > loan_balance 300
    dup = t1_row(good[0]["uscc"], enterprise_name="重复")
    body = {"rows": [*good, bad_uscc, bad_amount, bad_relation, dup, {**t1_row(new_uscc()), "colour": "红"}]}
    r = api(w.users["op_hz"]).post(rows_url(filing), body, format="json", **if_match(filing))
    assert r.status_code == 400
    data = r.json()
    assert data["code"] == "invalid_rows" and data["saved"] is False and "未保存" in data["message"]
    found = {(e["row"], e["field"], e["code"]) for e in data["errors"]}
    assert (4, "uscc", "parse") in found or any(e["row"] == 4 and e["field"] == "uscc" for e in data["errors"])
    assert any(e["row"] == 5 and e["field"] == "revenue" for e in data["errors"])
    assert any(e["row"] == 6 and e["field"] == "credit_loan_balance" for e in data["errors"])
    assert any(e["row"] == 7 and e["field"] == "uscc" for e in data["errors"])  # duplicate of row 1
    assert (8, "colour", "unknown_field") in found
    for e in data["errors"]:
        assert set(e) >= {"row", "field", "code", "message"} and e["message"]
    assert state(filing) == before


@pytest.mark.parametrize("case", ["valid", "invalid", "unknown_field", "deletes"])
def test_a_dry_run_changes_nothing_and_reports_exactly_what_a_real_run_would(api_world, case):
    w = api_world
    filing = w.filings.t1_op_hz
    client = api(w.users["op_hz"])
    rows = {
        "valid": [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name, employees=99), t1_row(new_uscc(), enterprise_name="新企业")],
        "invalid": [t1_row(new_uscc(), has_demand="也许"), t1_row("123", loan_rate=99), t1_row(new_uscc(), lending_bank_count=-1)],
        "unknown_field": [{**t1_row(new_uscc()), "nonsense": 1}],
        "deletes": [],
    }[case]
    before = state(filing)
    dry = client.post(rows_url(filing, dry_run=1), {"rows": rows}, format="json")
    assert state(filing) == before, "a dry run must not change anything"
    real = client.post(rows_url(filing), {"rows": rows}, format="json", **if_match(filing))
    d, r = dry.json(), real.json()
    assert dry.status_code == real.status_code
    assert d["dry_run"] is True and r["dry_run"] is False and d["saved"] is False
    assert d["errors"] == r["errors"] and d["warnings"] == r["warnings"]
    assert [d[k] for k in ("created", "updated", "unchanged", "deleted")] == [r[k] for k in ("created", "updated", "unchanged", "deleted")]
    assert r["saved"] is (not r["errors"])
    if r["errors"]:
        assert state(filing) == before


def test_optimistic_locking_by_body_or_if_match(api_world):
    w = api_world
    filing = w.filings.t1_op_hz
    client = api(w.users["op_hz"])
    stale = filing.lock_version - 1
    body = {"rows": [t1_row(new_uscc())], "lock_version": stale}
    before = state(filing)
    r = client.post(rows_url(filing), body, format="json")
    assert r.status_code == 409 and r.json()["code"] == "stale" and "修改" in r.json()["message"]
    r = client.post(rows_url(filing), {"rows": body["rows"]}, format="json", HTTP_IF_MATCH=f'"{stale}"')
    assert r.status_code == 409
    assert state(filing) == before
    r = client.post(rows_url(filing), {"rows": body["rows"]}, format="json", HTTP_IF_MATCH=f'"{filing.lock_version}"')
    assert r.status_code == 200 and r.json()["saved"] and r["ETag"] == f'"{filing.lock_version + 1}"'
    r = client.post(rows_url(filing), {"rows": body["rows"]}, format="json", HTTP_IF_MATCH="abc")
    assert r.status_code == 400 and r.json()["code"] == "invalid"


def _changing_body(w, name: str) -> dict:
    """A row set that would change the filing ``name`` (every schedule)."""
    if name.startswith("t1_"):
        return {"rows": [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name, employees=99)]}
    if name.startswith("t5_"):
        return {"rows": [f.t5_cells(w.p_hz.code, w.p_hz.name, sub_branch="无锁支行")]}
    return {"rows": [{**f.t4_cells(partner_parks=1, parks_served=1, lead_parks=1), "experience": "无锁写入"}]}


@pytest.mark.parametrize("name, who", [("t1_op_hz", "op_hz"), ("t5_bank_a_hz", "bank_a_hz"), ("t4_bank_a_hz", "bank_a_hz")])
def test_a_full_replace_without_lock_version_or_if_match_is_refused_with_428_and_saves_nothing(api_world, name, who):
    w = api_world
    filing = getattr(w.filings, name)
    client = api(w.users[who])
    before = state(filing)
    for extra in ({}, {"HTTP_IF_MATCH": "*"}):  # "any version" is not a version
        r = client.post(rows_url(filing), _changing_body(w, name), format="json", **extra)
        assert r.status_code == 428, r.content[:300]
        data = r.json()
        assert data["code"] == "precondition_required" and "lock_version" in data["message"] and "未保存" in data["message"]
        assert data["errors"][0]["field"] == "lock_version"
        assert state(filing) == before
    r = client.post(rows_url(filing), {**_changing_body(w, name), "lock_version": filing.lock_version}, format="json")
    assert r.status_code == 200 and r.json()["saved"] is True


def test_an_xlsx_upload_over_the_api_without_a_lock_is_refused_with_428_and_saves_nothing(api_world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    w = api_world
    filing = w.filings.t1_op_hz
    data = f.xlsx_fill_grid(template_build(filing=filing), [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name, employees=77)])
    before, jobs = state(filing), ImportJob.objects.count()
    r = api(w.users["op_hz"]).post(f"/api/v1/filings/{filing.pk}/upload/", {"file": SimpleUploadedFile("附表1.xlsx", data)},
                                   format="multipart")
    assert r.status_code == 428 and r.json()["code"] == "precondition_required"
    assert state(filing) == before and ImportJob.objects.count() == jobs
    r = api(w.users["op_hz"]).post(f"/api/v1/filings/{filing.pk}/upload/",
                                   {"file": SimpleUploadedFile("附表1.xlsx", data), "lock_version": filing.lock_version - 1},
                                   format="multipart")
    assert r.status_code == 400 and state(filing) == before  # stale: the import job fails, nothing saved


def test_a_dry_run_needs_no_lock_version(api_world):
    w = api_world
    filing = w.filings.t1_op_hz
    before = state(filing)
    r = api(w.users["op_hz"]).post(rows_url(filing, dry_run=1), _changing_body(w, "t1_op_hz"), format="json")
    assert r.status_code == 200 and r.json()["dry_run"] is True and r.json()["updated"] == 1
    assert state(filing) == before


def test_two_writers_with_the_same_lock_version_exactly_one_wins(api_world):
    w = api_world
    filing = w.filings.t1_op_hz
    lock = filing.lock_version
    first, second = api(w.users["op_hz"]), api(w.users["op_hz"])
    mine = {"rows": [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name, employees=11)], "lock_version": lock}
    theirs = {"rows": [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name, employees=22)], "lock_version": lock}
    assert first.post(rows_url(filing), mine, format="json").status_code == 200
    r = second.post(rows_url(filing), theirs, format="json")
    assert r.status_code == 409 and r.json()["code"] == "stale"
    assert T1Row.objects.get(filing=filing).employees == 11
    assert Filing.objects.get(pk=filing.pk).lock_version == lock + 1
    # the first writer's retry of the very same body (with the version it started from) is harmless
    again = first.post(rows_url(filing), mine, format="json")
    assert again.status_code == 200 and again.json()["unchanged"] == 1 and again.json()["saved"] is False
    assert Filing.objects.get(pk=filing.pk).lock_version == lock + 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_writers_with_the_same_lock_version_exactly_one_wins(api_world):
    import threading

    from django.db import connection, connections

    if connection.vendor == "sqlite":
        pytest.skip("concurrent writers on SQLite: tests/test_sqlite_concurrency.py runs its own server")
    w = api_world
    filing = w.filings.t1_op_hz
    lock = filing.lock_version
    barrier = threading.Barrier(2)
    answers: dict[int, int] = {}

    def write(employees: int) -> None:
        try:
            client = api(w.users["op_hz"])
            body = {"rows": [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name, employees=employees)], "lock_version": lock}
            barrier.wait(timeout=10)
            answers[employees] = client.post(rows_url(filing), body, format="json").status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in (31, 32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(answers.values()) == [200, 409], answers
    winner = next(n for n, code in answers.items() if code == 200)
    assert T1Row.objects.get(filing=filing).employees == winner
    assert Filing.objects.get(pk=filing.pk).lock_version == lock + 1


def test_a_bare_list_body_is_accepted_and_a_non_list_is_a_clear_error(api_world):
    w = api_world
    client = api(w.users["op_hz"])
    r = client.post(rows_url(w.filings.t1_op_hz, dry_run="true"), [t1_row(w.e_hz.uscc)], format="json")
    assert r.status_code == 200 and r.json()["dry_run"] is True
    r = client.post(rows_url(w.filings.t1_op_hz), {"rows": {"uscc": w.e_hz.uscc}}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "rows"
    r = client.post(rows_url(w.filings.t1_op_hz), {"rows": ["x", 3]}, format="json", **if_match(w.filings.t1_op_hz))
    assert r.status_code == 400 and {(e["row"], e["code"]) for e in r.json()["errors"]} >= {(1, "invalid_row"), (2, "invalid_row")}
    r = client.post(rows_url(w.filings.t1_op_hz), {"rows": [{**t1_row(new_uscc()), "revenue": {"a": 1}}]}, format="json", **if_match(w.filings.t1_op_hz))
    assert r.status_code == 400 and any(e["code"] == "invalid_type" and e["field"] == "revenue" for e in r.json()["errors"])


def test_a_submitted_filing_cannot_be_changed_over_the_api(api_world):
    w = api_world
    filing = w.filings.t1_op_hz
    client = api(w.users["op_hz"])
    assert client.post(f"/api/v1/filings/{filing.pk}/submit/", {}, format="json").status_code == 200
    before = state(filing)
    r = client.post(rows_url(filing), {"rows": [t1_row(new_uscc())]}, format="json", **if_match(filing))
    assert r.status_code == 400 and "不能修改" in r.json()["message"]
    assert state(filing) == before


# --- 附表5 and 附表4 --------------------------------------------------------------------------------------

def test_t5_rows_are_keyed_by_park_code_and_must_be_partner_parks(api_world):
    w = api_world
    filing = w.filings.t5_bank_a_hz
    client = api(w.users["bank_a_hz"])
    same = {"rows": [f.t5_cells(w.p_hz.code, w.p_hz.name)]}
    r = client.post(rows_url(filing), same, format="json", **if_match(filing))
    assert r.status_code == 200 and r.json()["unchanged"] == 1 and r.json()["saved"] is False
    changed = {"rows": [f.t5_cells(w.p_hz.code, w.p_hz.name, sub_branch="城西支行")]}
    r = client.post(rows_url(filing), changed, format="json", **if_match(filing))
    assert r.json()["updated"] == 1 and T5Row.objects.get(filing=filing).sub_branch == "城西支行"
    foreign = {"rows": [f.t5_cells(w.p_hz.code, w.p_hz.name), f.t5_cells(w.p_wz.code, w.p_wz.name)]}
    r = client.post(rows_url(filing), foreign, format="json", **if_match(filing))
    assert r.status_code == 400 and any(e["row"] == 2 and e["field"] == "park_code" for e in r.json()["errors"])


def test_t4_is_one_record_with_its_narrative(api_world):
    w = api_world
    filing = w.filings.t4_bank_a_hz
    client = api(w.users["bank_a_hz"])
    record = f.t4_cells(partner_parks=1, parks_served=1, lead_parks=1)
    r = client.post(rows_url(filing), {"rows": [record]}, format="json", **if_match(filing))
    assert r.status_code == 200 and (r.json()["unchanged"], r.json()["saved"]) == (1, False)
    before = state(filing)
    r = client.post(rows_url(filing), {"rows": [{**record, "experience": "建立园区金融服务站"}]}, format="json", **if_match(filing))
    assert r.json()["saved"] is True and T4Record.objects.get(filing=filing).experience == "建立园区金融服务站"
    assert state(filing)[0] == before[0] + 1
    again = client.post(rows_url(filing), {"rows": [{**record, "experience": "建立园区金融服务站"}]}, format="json", **if_match(filing)).json()
    assert again["saved"] is False and again["unchanged"] == 1
    r = client.post(rows_url(filing), {"rows": [record, record]}, format="json", **if_match(filing))
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "one_record"
    r = client.post(rows_url(filing), {"rows": [{**record, "sme_loan_balance": 200000}]}, format="json", **if_match(filing))  # > all_loan_balance
    assert r.status_code == 400 and any(e["field"] == "sme_loan_balance" for e in r.json()["errors"])
    r = client.post(rows_url(filing), {"rows": [{**record, "cases": 12}]}, format="json", **if_match(filing))
    assert r.status_code == 400 and any(e["field"] == "cases" and e["code"] == "invalid_type" for e in r.json()["errors"])


def test_generated_schedules_take_no_rows(api_world):
    w = api_world
    t3 = Filing.objects.create(schedule="T3", period=w.period, city=f.region("330100"))
    r = api(w.users["hz_branch"]).post(rows_url(t3), {"rows": []}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "not_editable"


# --- xlsx upload ------------------------------------------------------------------------------------------

def test_xlsx_upload_goes_through_the_import_path(api_world):
    w = api_world
    filing = w.filings.t1_op_hz
    client = api(w.users["op_hz"])
    data = f.xlsx_fill_grid(template_build(filing=filing), [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name, employees=77)])
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post(f"/api/v1/filings/{filing.pk}/upload/", {"file": SimpleUploadedFile("附表1.xlsx", data)}, format="multipart", **if_match(filing))
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "done" and r.json()["result"]["saved"] is True
    assert T1Row.objects.get(filing=filing).employees == 77
    job = r.json()["id"]
    assert api(w.users["op_hz"]).get(f"/api/v1/import-jobs/{job}/").json()["status"] == "done"
    assert api(w.users["op_wz"]).get(f"/api/v1/import-jobs/{job}/").status_code == 404
    bad = client.post(f"/api/v1/filings/{filing.pk}/upload/", {"file": SimpleUploadedFile("a.xlsm", b"xx")}, format="multipart", **if_match(filing))
    assert bad.status_code == 400 and bad.json()["code"] == "import_failed" and bad.json()["message"]
    jobs = ImportJob.objects.filter(filing=filing).count()
    other = api(w.users["op_hz2"]).post(f"/api/v1/filings/{filing.pk}/upload/", {"file": SimpleUploadedFile("附表1.xlsx", data)},
                                        format="multipart")
    assert other.status_code == 404 and ImportJob.objects.filter(filing=filing).count() == jobs


# --- opening filings ----------------------------------------------------------------------------------------

def test_opening_a_filing_creates_once_then_returns_the_current_one(api_world):
    w = api_world
    client = api(w.users["op_hz"])
    r = client.post("/api/v1/filings/", {"schedule": "T1", "period": "2020Q2", "park": w.p_hz.pk}, format="json")
    assert r.status_code == 201 and r.json()["period"] == "2020Q2" and r.json()["rows"] == []
    again = client.post("/api/v1/filings/", {"schedule": "T1", "period": "2020Q2", "park": w.p_hz.pk}, format="json")
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    bank = api(w.users["bank_b_hz"]).post("/api/v1/filings/", {"schedule": "T4", "period": "2020Q2"}, format="json")
    assert bank.status_code == 201 and bank.json()["branch"]["id"] == w.bank_b_hz.pk
    r = client.post("/api/v1/filings/", {"schedule": "T2", "period": "2020Q2", "park": w.p_hz.pk}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "schedule"
    r = client.post("/api/v1/filings/", {"schedule": "T1", "period": "2020Q2", "park": w.p_wz.pk}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "park"  # not visible: "does not exist"


def test_filing_list_filters_orders_and_paginates(api_world):
    w = api_world
    client = api(w.users["province"])
    get = lambda q: client.get(f"/api/v1/filings/?{q}").json()  # noqa: E731
    assert {x["id"] for x in get("schedule=T1")["results"]} == {w.filings.t1_op_hz.pk, w.filings.t1_op_hz2.pk, w.filings.t1_op_wz.pk}
    assert {x["id"] for x in get(f"park={w.p_hz.pk}")["results"]} == {w.filings.t1_op_hz.pk}
    assert {x["id"] for x in get(f"park_code={w.p_wz.code}")["results"]} == {w.filings.t1_op_wz.pk}
    assert {x["id"] for x in get(f"branch={w.bank_a_hz.pk}")["results"]} == {w.filings.t4_bank_a_hz.pk, w.filings.t5_bank_a_hz.pk}
    assert get("period=2020Q3&status=draft")["count"] == 9 and get("period=2020Q2")["count"] == 0
    assert get("city=330300")["count"] == 3 and get("status=approved")["count"] == 0
    ordered = [x["id"] for x in get("ordering=-id")["results"]]
    assert ordered == sorted(ordered, reverse=True)
    page = get("page_size=4&page=2")
    assert page["count"] == 9 and len(page["results"]) == 4 and page["next"] and page["previous"]
    r = client.get("/api/v1/filings/?status=nonsense")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "status"
    r = client.get("/api/v1/filings/?page=99")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


# --- workflow ---------------------------------------------------------------------------------------------

def test_the_workflow_steps_as_posts(api_world):
    w = api_world
    filing = w.filings.t1_op_hz
    url = f"/api/v1/filings/{filing.pk}"
    r = api(w.users["op_hz"]).post(f"{url}/submit/", {"comment": "请审核"}, format="json")
    assert r.status_code == 200 and r.json()["filing"]["status"] == "submitted" and r.json()["message"] == "已提交。"
    assert api(w.users["hz_branch"]).post(f"{url}/approve/", {}, format="json").status_code == 400  # lead bank first
    r = api(w.users["bank_a_hz"]).post(f"{url}/confirm/", {}, format="json")
    assert r.status_code == 200 and r.json()["filing"]["status"] == "confirmed"
    r = api(w.users["hz_branch"]).post(f"{url}/return/", {}, format="json")
    assert r.status_code == 400 and "退回意见" in r.json()["message"]
    r = api(w.users["hz_branch"]).post(f"{url}/approve/", {"comment": "同意"}, format="json")
    assert r.status_code == 200 and r.json()["filing"]["status"] == "approved"
    r = api(w.users["op_hz"]).post(f"{url}/amend/", {"comment": "更正"}, format="json")
    assert r.status_code == 201 and r.json()["filing"]["version"] == 2 and r.json()["filing"]["status"] == "draft"
    assert list(FilingTransition.objects.filter(filing=filing).values_list("action", flat=True)) == ["submit", "confirm", "approve"]


def test_bank_package_submits_t4_and_t5_together(api_world):
    w = api_world
    r = api(w.users["bank_a_hz"]).post(f"/api/v1/filings/{w.filings.t4_bank_a_hz.pk}/submit/", {}, format="json")
    assert r.status_code == 200
    assert set(r.json()["affected"]) == {w.filings.t4_bank_a_hz.pk, w.filings.t5_bank_a_hz.pk}


# --- Idempotency-Key ------------------------------------------------------------------------------------

def test_an_idempotency_key_replays_the_first_answer_without_acting_again(api_world):
    w = api_world
    filing = w.filings.t1_op_hz
    client = api(w.users["op_hz"])
    url = f"/api/v1/filings/{filing.pk}/submit/"
    first = client.post(url, {"comment": "第一次"}, format="json", HTTP_IDEMPOTENCY_KEY="submit-2020Q3-1")
    assert first.status_code == 200
    transitions = FilingTransition.objects.count()
    replay = client.post(url, {"comment": "第一次"}, format="json", HTTP_IDEMPOTENCY_KEY="submit-2020Q3-1")
    assert replay.status_code == 200 and replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert FilingTransition.objects.count() == transitions
    # without the key the same POST acts again (and is refused: already submitted)
    assert client.post(url, {"comment": "第一次"}, format="json").status_code == 400
    # the same key on a different request is refused
    other = client.post(url, {"comment": "另一个"}, format="json", HTTP_IDEMPOTENCY_KEY="submit-2020Q3-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    # keys belong to their user: another user's identical key is a new request
    bank = api(w.users["bank_a_hz"]).post(f"/api/v1/filings/{filing.pk}/confirm/", {}, format="json",
                                          HTTP_IDEMPOTENCY_KEY="submit-2020Q3-1")
    assert bank.status_code == 200


def test_an_idempotency_key_replays_errors_and_bulk_answers_too(api_world):
    w = api_world
    filing = w.filings.t1_op_hz
    client = api(w.users["op_hz"])
    body = {"rows": [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name, employees=61)]}
    lock = if_match(filing)
    first = client.post(rows_url(filing), body, format="json", HTTP_IDEMPOTENCY_KEY="rows-1", **lock)
    assert first.json()["updated"] == 1
    T1Row.objects.filter(filing=filing).update(employees=5)  # someone changes it meanwhile
    replay = client.post(rows_url(filing), body, format="json", HTTP_IDEMPOTENCY_KEY="rows-1", **lock)
    assert replay.json() == first.json() and T1Row.objects.get(filing=filing).employees == 5
    refused = client.post(f"/api/v1/filings/{filing.pk}/approve/", {}, format="json", HTTP_IDEMPOTENCY_KEY="approve-1")
    assert refused.status_code == 403
    again = client.post(f"/api/v1/filings/{filing.pk}/approve/", {}, format="json", HTTP_IDEMPOTENCY_KEY="approve-1")
    assert again.status_code == 403 and again.json() == refused.json() and again["Idempotent-Replayed"] == "true"
    long_key = client.post(f"/api/v1/filings/{filing.pk}/submit/", {}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 300)
    assert long_key.status_code == 400


def test_a_large_upload_is_queued_and_answered_202_with_the_job_to_poll(api_world, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_ASYNC_ROWS = 0
    w = api_world
    filing = w.filings.t1_op_hz
    data = f.xlsx_fill_grid(template_build(filing=filing), [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name)])
    r = api(w.users["op_hz"]).post(f"/api/v1/filings/{filing.pk}/upload/", {"file": SimpleUploadedFile("附表1.xlsx", data)},
                                   format="multipart", **if_match(filing))
    assert r.status_code == 202 and r.json()["status"] == "pending"
    assert api(w.users["op_hz"]).get(f"/api/v1/import-jobs/{r.json()['id']}/").json()["status"] == "pending"
