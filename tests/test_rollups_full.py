"""The full roll-up rebuild (nightly, ``rebuild_summaries``): as many queries whatever the number
of parks, the parks' parts and the twelve summaries each written by one statement, and the same
summaries as the builds one by one (``test_rollups.test_full_rebuild_equals_city_by_city_rebuilds``)."""
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.filings.models import Period
from reports.summaries import rollups
from reports.summaries.models import ParkSummary, Summary
from tests import factories as f
from tests.test_rollups import approve_t1
from tests.test_t1_t2 import raw_row


def _rebuild(period) -> list[str]:
    with mock.patch.object(rollups, "_province_built"), CaptureQueriesContext(connection) as seen:  # the targets follow: not counted here
        rollups.summaries_rebuild_all(period=period)
    return [q["sql"] for q in seen.captured_queries]


def _writes(sql: list[str], table: str) -> list[str]:
    return [s for s in sql if s.startswith((f'UPDATE "{table}"', f'INSERT INTO "{table}"'))]


def _approve_all_tenants(world, park, op_key, period):
    tenants = list(park.tenancies.select_related("enterprise").order_by("pk"))
    approve_t1(world, park, op_key, [raw_row(i, t.enterprise.uscc, "100" if i == 0 else "0") for i, t in enumerate(tenants)], period)


def test_the_full_rebuild_makes_as_many_queries_for_more_parks_and_writes_each_kind_at_once(world):
    period = Period.objects.get(code="2020Q3")
    _approve_all_tenants(world, world.p_hz, "op_hz", period)
    before = _rebuild(period)
    # Wenzhou's park approved (its two tenants, one credited) and two more parks that have not filed
    f.TenancyFactory(park=world.p_wz, enterprise=f.EnterpriseFactory(uscc=f.next_uscc("330302")))
    _approve_all_tenants(world, world.p_wz, "op_wz", period)
    for county in ("330302", "330110"):
        f.ParkFactory(county=f.region(county))
    after = _rebuild(period)
    assert len(after) == len(before)
    assert len(_writes(after, "reports_parksummary")) == 1
    assert len([s for s in _writes(after, "reports_summary") if s.startswith("UPDATE")]) == 1
    assert ParkSummary.objects.filter(period=period, dirty=False).count() == 5
    wenzhou = Summary.objects.get(scope="city", code="330300", period=period)
    assert (wenzhou.data["filed_parks"], wenzhou.data["park_count"], wenzhou.builds) == (1, 2, 2)
    total = wenzhou.data["total"]
    assert (total["enterprises_total"], total["filed_count"], total["credited_count"]) == (2, 2, 1)
    assert (total["filing_coverage"], total["credit_coverage"]) == ("100.00", "50.00")


def test_the_full_rebuild_reads_each_family_once_for_all_eleven_cities(world):
    """Regions, expected filings, partner links, 附表5 主办行 reports and 附表4/5 versions are read
    once for the province, not once per city (there are eleven)."""
    period = Period.objects.get(code="2020Q3")
    _approve_all_tenants(world, world.p_hz, "op_hz", period)
    _approve_all_tenants(world, world.p_wz, "op_wz", period)
    sql = _rebuild(period)

    def reading(table: str) -> int:
        return sum(1 for s in sql if s.startswith(("SELECT", "(SELECT")) and f'FROM "{table}"' in s)

    assert reading("portal_region") <= 2  # the cities, their counties
    assert reading("parks_partnerlink") <= 3  # partner counts, 主办行 in force, (转报 waits)
    assert reading("reports_t5row") == 1
    assert reading("portal_organisation") <= 1
    assert len(sql) <= 45


def test_the_province_keeps_no_county_lists_and_park_rows_no_weighted_rate_sums(world):
    """Slimmer summaries: the province's blocks leave the county lists to each city's summary, and a
    city lists its parks with their rates but without the sums that weighted them."""
    period = Period.objects.get(code="2020Q3")
    _approve_all_tenants(world, world.p_hz, "op_hz", period)
    rollups.summaries_rebuild_all(period=period)
    city = Summary.objects.get(scope="city", code="330100", period=period).data
    province = Summary.objects.get(scope="province", code="330000", period=period).data
    assert [c["code"] for c in city["counties"]] == ["330106", "330110"]
    park = next(p for p in city["parks"] if p["filed"])
    assert "weighted_loan_rate" in park and "weighted_financing_cost" in park
    assert not {"rate_weighted_sum", "rate_weight", "cost_weighted_sum", "cost_weight"} & set(park)
    assert "rate_weighted_sum" in city["total"]  # the sums of a group stay: T3 adds cities up from them
    assert "counties" not in province["incl_ningbo"] and "counties" not in province["excl_ningbo"]
    assert all("counties" not in c for c in province["cities"])
    assert {c["code"]: c["park_count"] for c in province["cities"]}["330100"] == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL column setting (CI runs it)")
def test_on_postgresql_the_summaries_json_is_compressed_with_lz4(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT attrelid::regclass::text, attname, attcompression FROM pg_attribute "
                       "WHERE attrelid IN ('reports_summary'::regclass, 'reports_parksummary'::regclass) "
                       "AND attname IN ('data', 'parts', 'source_versions')")
        assert sorted(cursor.fetchall()) == [("reports_parksummary", "data", "l"), ("reports_summary", "data", "l"),
                                             ("reports_summary", "parts", "l"), ("reports_summary", "source_versions", "l")]


def test_target_results_are_replaced_with_one_delete_whatever_their_number(world):
    from reports.targets.engine import target_results_rebuild
    from reports.targets.models import TargetResult

    period = Period.objects.get(code="2020Q3")
    _approve_all_tenants(world, world.p_hz, "op_hz", period)
    rollups.summaries_rebuild_all(period=period)
    before = sorted(TargetResult.objects.filter(period=period).values_list("target__code", "scope_code", "ningbo", "actual", "status"))
    assert len(before) > 20
    with CaptureQueriesContext(connection) as seen:
        assert target_results_rebuild(period_id=period.pk) == len(before)
    assert sum(1 for q in seen.captured_queries if q["sql"].startswith("DELETE")) == 1
    after = sorted(TargetResult.objects.filter(period=period).values_list("target__code", "scope_code", "ningbo", "actual", "status"))
    assert after == before
