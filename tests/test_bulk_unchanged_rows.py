"""A full replace writes only the rows that changed (issue 15, "compare with the stored rows by a hash
per row"): a stored row the new set holds identically keeps its primary key and is not written
again; a changed one is written anew; the counts, the dry run and all-or-nothing are as before."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.filings import services
from reports.filings.models import Filing, Period, T1Row
from tests import factories as f
from tests.test_t1_t2 import raw_row

# One 附表1 save of 4 rows, one changed, every statement counted (savepoints too): lock, access,
# context (institutions, tenants elsewhere, register), quality (thresholds, previous filings, city
# rates), the stored digests, the changed row's stored values, its delete, the version bump,
# quality and register sync, 附表2, and the fingerprints of what the rules read taken before and after
# they ran (resend: quality inputs, the register's stays, tenants elsewhere) — pinned so a per-row
# query shows (the COPY is not a query here).
SAVE_QUERIES = 42


@pytest.fixture
def saved(world):
    """西湖 operator's 附表1 of 2020Q3 in a park of four tenants, saved once in full: rows 1–4."""
    period = Period.objects.get(code="2020Q3")
    park = f.ParkFactory(code="330106078", name="摘要测试园", county=f.region("330106"), operator=world.op_hz)
    codes = [f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(uscc=f.next_uscc("330106"))).enterprise.uscc
             for _ in range(4)]
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=period, park=park)
    rows = [raw_row(i, code, credit) for i, (code, credit) in enumerate(zip(codes, ["0", "100", "200", "300"]))]
    assert services.filing_rows_replace(actor=world.users["op_hz"], filing=filing, raw_rows=rows).saved
    return {"filing": filing, "rows": rows, "codes": codes, "user": world.users["op_hz"]}


def stored(filing) -> dict[str, tuple[int, int, int]]:
    """uscc → (pk, row_no, employees) of the filing's stored rows."""
    return {u: (pk, n, e) for pk, u, n, e in T1Row.objects.filter(filing=filing).values_list("pk", "uscc", "row_no", "employees")}


def row_statements(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith(("DELETE", "UPDATE", "INSERT")) and "reports_t1row" in q["sql"]]


def test_a_resend_with_one_changed_row_writes_that_row_only(saved, django_assert_num_queries):
    filing, rows = saved["filing"], [dict(r) for r in saved["rows"]]
    before = stored(filing)
    rows[2]["employees"] = "31"
    with django_assert_num_queries(SAVE_QUERIES), CaptureQueriesContext(connection) as seen:
        result = services.filing_rows_replace(actor=saved["user"], filing=filing, raw_rows=rows)
    assert result.saved and (result.created, result.updated, result.unchanged, result.deleted) == (0, 1, 3, 0)
    after = stored(filing)
    changed = saved["codes"][2]
    assert after[changed][1:] == (3, 31) and after[changed][0] != before[changed][0]  # written anew
    assert {u: v for u, v in after.items() if u != changed} == {u: v for u, v in before.items() if u != changed}
    deletes = [s for s in row_statements(seen.captured_queries) if s.startswith("DELETE")]
    assert len(deletes) == 1 and str(before[changed][0]) in deletes[0]  # the changed row's, by its key
    assert Filing.objects.get(pk=filing.pk).row_count == 4


def test_an_identical_full_replace_writes_no_row_and_still_counts_as_a_save(saved):
    filing = saved["filing"]
    lock = Filing.objects.get(pk=filing.pk).lock_version
    before = stored(filing)
    with CaptureQueriesContext(connection) as seen:
        result = services.filing_rows_replace(actor=saved["user"], filing=filing, raw_rows=saved["rows"])
    assert result.saved and (result.created, result.updated, result.unchanged, result.deleted) == (0, 0, 4, 0)
    assert stored(filing) == before and row_statements(seen.captured_queries) == []
    assert Filing.objects.get(pk=filing.pk).lock_version == lock + 1  # the service's save is a save (the API skips it)


def test_rows_sent_in_another_order_keep_their_keys_and_take_the_new_numbers(saved):
    filing, rows = saved["filing"], saved["rows"]
    before = stored(filing)
    result = services.filing_rows_replace(actor=saved["user"], filing=filing, raw_rows=[rows[3], rows[0], rows[1], rows[2]])
    assert result.saved and (result.updated, result.unchanged) == (0, 4)
    after = stored(filing)
    codes = saved["codes"]
    assert [after[c][1] for c in codes] == [2, 3, 4, 1]
    if connection.vendor == "postgresql":  # renumbered in place; elsewhere written anew
        assert {c: after[c][0] for c in codes} == {c: before[c][0] for c in codes}


def test_a_removed_row_and_a_new_one_change_only_themselves(saved, world):
    filing, rows = saved["filing"], saved["rows"]
    before = stored(filing)
    newcomer = f.next_uscc("330106")
    result = services.filing_rows_replace(actor=saved["user"], filing=filing,
                                          raw_rows=[rows[0], rows[1], rows[2], raw_row(9, newcomer, "50")])
    assert result.saved and (result.created, result.updated, result.unchanged, result.deleted) == (1, 0, 3, 1)
    after = stored(filing)
    codes = saved["codes"]
    assert {c: after[c] for c in codes[:3]} == {c: before[c] for c in codes[:3]}
    assert codes[3] not in after and after[newcomer][1:] == (4, 30)


def test_a_dry_run_and_a_set_with_an_error_write_nothing(saved):
    filing, rows = saved["filing"], [dict(r) for r in saved["rows"]]
    before = stored(filing)
    rows[1]["employees"] = "44"
    dry = services.filing_rows_replace(actor=saved["user"], filing=filing, raw_rows=rows, dry_run=True)
    assert not dry.saved and (dry.updated, dry.unchanged) == (1, 3)
    rows[3]["employees"] = "多"  # unreadable: the whole set is refused
    refused = services.filing_rows_replace(actor=saved["user"], filing=filing, raw_rows=rows)
    assert not refused.saved and [i.code for i in refused.errors] == ["parse"]
    assert stored(filing) == before


def test_a_row_saved_from_the_grid_is_compared_by_value_and_written_by_the_next_replace(saved):
    """The grid saves one row without the bulk path's digest: a full replace bringing back the old
    content must not take the row for unchanged."""
    filing, rows = saved["filing"], saved["rows"]
    lock = Filing.objects.get(pk=filing.pk).lock_version
    edited = dict(rows[1], employees="77")
    assert services.filing_row_save(actor=saved["user"], filing=filing, raw_row=edited, row_no=2, expected_lock_version=lock).saved
    assert T1Row.objects.get(filing=filing, row_no=2).row_hash is None
    result = services.filing_rows_replace(actor=saved["user"], filing=filing, raw_rows=rows)
    assert (result.updated, result.unchanged) == (1, 3)
    assert stored(filing)[saved["codes"][1]][1:] == (2, 30)
    assert T1Row.objects.get(filing=filing, row_no=2).row_hash is not None
