"""The roll-up work of one approval reads a fixed number of queries, whatever the number of parks,
banks and filings: the city build reads each figure family once (completeness, 附表4/5 versions,
partner checks, 附表4 records) and the province sums its cities' parts (no partner link, 附表5 row
or completeness of a city read again). The province's completeness follows the date of its build
even when it sums parts kept by an earlier city build."""
import datetime as dt
from decimal import Decimal as D
from unittest import mock

import pytest

from parks.choices import PartnerRole
from parks.models import PartnerLink
from reports.filings.models import Filing, Period, T1Row, T4Record, T5Row
from reports.summaries import builds, rollups
from reports.summaries.models import Summary
from reports.summaries.park_summaries import parks_mark_dirty
from tests import factories as f

# one dirty park: its part read again (a constant number of queries of its own), then the city's
# figure families, each read once; the province: its lock, the cities' parts, the register's park
# counts and the banks' 附表4 now and at the year-end
CITY_BUILD_QUERIES = 29  # the park's figures at the earlier periods in one query
PROVINCE_BUILD_QUERIES = 12


def grow(world, period: Period, n: int) -> None:
    """``n`` more parks in Hangzhou, each with a tenant, an approved 附表1 and a new bank branch as
    its 主办行, the branch with an approved 附表4 and a 附表5 reporting the park."""
    for i in range(n):
        park = f.ParkFactory(county=f.region("330106"))
        tenancy = f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(uscc=f.next_uscc("330106")))
        branch = f.bank_branch("330100", name=f"增长银行{i}杭州分行")
        f.PartnerLinkFactory(park=park, branch=branch, role=PartnerRole.LEAD)
        t1 = Filing.objects.create(schedule="T1", period=period, park=park, status="approved", row_count=1)
        T1Row.objects.create(filing=t1, row_no=1, **f.t1_stored(tenancy.enterprise.uscc))
        t4 = Filing.objects.create(schedule="T4", period=period, branch=branch, status="approved")
        T4Record.objects.create(filing=t4, ent_loan_balance=D("100.00"))
        t5 = Filing.objects.create(schedule="T5", period=period, branch=branch, status="approved", row_count=1)
        T5Row.objects.create(filing=t5, row_no=1, **f.t5_stored(park.code, park.name))


@pytest.mark.parametrize("more", [0, 6])
def test_the_city_and_province_builds_of_one_approval_make_a_fixed_number_of_queries(world, django_assert_num_queries, more):
    period = Period.objects.get(code="2020Q3")
    grow(world, period, more)
    rollups.summaries_rebuild_all(period=period)
    parks_mark_dirty(park_ids=[world.p_hz.pk], period_ids=[period.pk])
    with django_assert_num_queries(CITY_BUILD_QUERIES):
        city = builds.summary_rebuild(scope="city", code="330100", period_id=period.pk)
    with django_assert_num_queries(PROVINCE_BUILD_QUERIES):
        province = builds.summary_rebuild(scope="province", code="330000", period_id=period.pk)
    assert city.data["park_count"] == 2 + more and len(city.data["banks"]["total"]["by_type"]) >= (1 if more else 0)
    assert province.data["incl_ningbo"]["park_count"] == 3 + more


def test_the_province_sums_its_cities_parts_to_what_it_read_itself(world):
    """Partner checks (主办行 in the register, 附表5 主办行 reports of several banks), completeness and
    filing versions of the province equal what reading the province directly gives."""
    period = Period.objects.get(code="2020Q3")
    grow(world, period, 2)
    other = f.bank_branch("330300", name="温州另报银行温州分行")  # a Wenzhou bank reporting a Hangzhou park as its lead too
    t5 = Filing.objects.create(schedule="T5", period=period, branch=other, status="approved", row_count=1)
    T5Row.objects.create(filing=t5, row_no=1, **f.t5_stored(world.p_hz.code, world.p_hz.name))
    PartnerLink.objects.filter(pk=world.link_a_wz.pk).update(until=period.start)  # Wenzhou's park has no 主办行 at period end
    a_hz = Filing.objects.create(schedule="T5", period=period, branch=world.bank_a_hz, status="approved", row_count=1)
    T5Row.objects.create(filing=a_hz, row_no=1, **f.t5_stored(world.p_hz.code, world.p_hz.name))
    rollups.summaries_rebuild_all(period=period)
    data = Summary.objects.get(scope="province", code="330000", period=period).data
    multi = {p["code"]: p["leads"] for p in data["partners"]["t5_multi_lead"]}
    assert multi == {world.p_hz.code: 2}  # one report in Hangzhou's parts, one in Wenzhou's
    assert world.p_wz.code in {p["code"] for p in data["partners"]["no_lead"]}
    assert world.p_hz.code not in {p["code"] for p in data["partners"]["no_lead"]}
    hz = next(r for r in data["completeness"] if r["code"] == "330100")
    assert hz["parks_expected"] == 2 + 2 and hz["banks_expected"] >= 2 + 2  # the grown parks and their banks, and A and B
    assert {str(t5.pk), str(a_hz.pk)} <= set(Summary.objects.get(scope="province", code="330000", period=period).source_versions)


def test_the_province_counts_outstanding_filings_late_on_the_day_it_is_built(world):
    """The cities' parts are kept before the deadline; the province is built after it: every
    filing still outstanding is 逾期 then, as a direct count on that day says."""
    period = Period.objects.get(code="2020Q3")
    before, after = period.filer_due - dt.timedelta(days=1), period.filer_due + dt.timedelta(days=3)
    with mock.patch("django.utils.timezone.localdate", return_value=before):
        rollups.summaries_rebuild_all(period=period)
    city = Summary.objects.get(scope="city", code="330100", period=period).data["completeness"][0]
    assert city["late"] == 0 and city["not_filed"] > 0
    with mock.patch("django.utils.timezone.localdate", return_value=after):
        province = builds.summary_rebuild(scope="province", code="330000", period_id=period.pk).data["completeness"]
    hz = next(r for r in province if r["code"] == "330100")
    assert hz["late"] == city["not_filed"] and hz["not_filed"] == city["not_filed"]
