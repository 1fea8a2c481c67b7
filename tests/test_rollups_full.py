"""The full roll-up rebuild (nightly, ``rebuild_summaries``): as many queries whatever the number
of parks, the parks' parts and the twelve summaries each written by one statement, and the same
summaries as the builds one by one (``test_rollups.test_full_rebuild_equals_city_by_city_rebuilds``)."""
from unittest import mock

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
