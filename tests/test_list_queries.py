"""Every list page's query count is pinned and is the same for 10 and for 1,000 rows."""
import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from banks.models import Institution
from parks.models import Enterprise, Park, PartnerLink, Tenancy
from portal.choices import OrgKind
from portal.models import Organisation, Region
from tests import factories as f

LISTS = {
    # url name: queries for a province user (user+org+region, count, rows, filter choices), after a first
    # page has put the session and the unread count in the cache
    "parks:park_list": 5,
    "parks:enterprise_list": 3,
    "parks:tenancy_list": 3,
    "parks:partnerlink_list": 4,
    "banks:institution_list": 3,
    "banks:branch_list": 4,
    "portal:organisation_list": 4,
    "portal:region_list": 3,
}


_offset = itertools.count()


def _grow(n: int) -> None:
    """Add n rows to every registry (bulk, so the setup stays fast)."""
    base = next(_offset) * 100_000
    county = Region.objects.get(code="330106")
    insts = Institution.objects.bulk_create(
        Institution(name=f"批量银行{base + i}", short_name=f"批量{base + i}", type="joint_stock") for i in range(n)
    )
    cities = list(Region.objects.filter(level="city", province_code="330000"))
    branches = Organisation.objects.bulk_create(
        Organisation(name=f"批量银行{base + i}分行", kind=OrgKind.BANK_BRANCH, region=cities[i % 11], institution=inst)
        for i, inst in enumerate(insts)
    )
    operators = Organisation.objects.bulk_create(
        Organisation(name=f"批量运营{base + i}", kind=OrgKind.PARK_OPERATOR, region=county) for i in range(n)
    )
    parks = Park.objects.bulk_create(
        Park(code=f"B{base + i:07d}", name=f"批量园区{i}", county=county, operator=operators[i], batch=1, park_type="service")
        for i in range(n)
    )
    ents = Enterprise.objects.bulk_create(
        Enterprise(uscc=f.next_uscc("330106"), name=f"批量企业{i}", industry="C") for i in range(n)
    )
    Tenancy.objects.bulk_create(Tenancy(park=parks[i], enterprise=ents[i], entered_on=dt.date(2019, 1, 1)) for i in range(n))
    PartnerLink.objects.bulk_create(
        PartnerLink(park=parks[i], branch=branches[i], sub_branch="支行", since=dt.date(2019, 7, 1), status="confirmed") for i in range(n)
    )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name, expected", LISTS.items())
def test_list_page_query_count_is_pinned_and_flat(client, world, url_name, expected, django_assert_num_queries):
    client.force_login(world.users["province"])
    url = reverse(url_name)
    client.get(url)  # warm: the unread count in the cache
    _grow(10)
    small = _count(client, url)
    _grow(990)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    assert small == expected
    # a filtered, searched, second page costs the same
    assert _count(client, url + "?q=批量&page=2") <= expected


@pytest.mark.parametrize("url_name", ["parks:park_list", "parks:enterprise_list", "parks:partnerlink_list", "parks:tenancy_list"])
def test_scoped_list_pages_are_flat_for_a_bank_user(client, world, url_name):
    client.force_login(world.users["bank_a_hz"])
    url = reverse(url_name)
    client.get(url)  # warm: the unread count in the cache
    _grow(10)
    small = _count(client, url)
    _grow(990)
    assert _count(client, url) == small


def test_list_pages_are_paginated(client, world):
    client.force_login(world.users["province"])
    _grow(120)
    html = client.get(reverse("parks:park_list")).content.decode()
    assert html.count('href="/parks/') >= 50 and "page=2" in html
