"""Prepared dashboards (reports.dashboards.cache): a served body costs only the access checks' queries,
a new roll-up build makes a new page, a reader of another scope never gets another scope's page,
a repeat visit gets 304."""
from __future__ import annotations

import re

from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.choices import ZHEJIANG_CODE
from reports.filings.models import Period
from reports.summaries import rollups
from reports.summaries.models import Summary
from tests import factories as f

PERIOD = "2020Q3"
PROVINCE = reverse("dashboards:province")
# a served (prepared) page reads the user with its organisation and region (what the access check,
# portal.access, reads) — the session comes from the cache (cached_db), the frame's unread-message
# count too (portal.notifications); no summary, period or target
ACCESS_TABLES = {"portal_user"}
HIT_QUERIES = 1
# the session; the generation, periods and unread token; the body and the page (reports.dashboards.cache)
HIT_CACHE_ROUND_TRIPS = 3
CACHE_CALLS = ("get", "get_many", "set", "set_many", "add", "delete", "delete_many", "has_key", "touch", "incr")


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, {"period": PERIOD, **params})


def unmasked(response) -> str:
    """The page without the logout form's CSRF token (masked anew on every response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def tables_read(queries) -> set[str]:
    return {q["sql"].split(" FROM ")[1].split()[0].strip('"') for q in queries if " FROM " in q["sql"]}


def test_a_served_page_makes_only_the_access_queries(client, scenario, django_assert_num_queries):
    u = scenario.users
    first = get(client, u["province"], PROVINCE)
    assert first.status_code == 200 and first["ETag"] and "private" in first["Cache-Control"]
    with django_assert_num_queries(HIT_QUERIES), CaptureQueriesContext(connection) as seen:
        again = client.get(PROVINCE, {"period": PERIOD})
    assert again.status_code == 200 and unmasked(again) == unmasked(first) and again["ETag"] == first["ETag"]
    assert tables_read(seen.captured_queries) <= ACCESS_TABLES, tables_read(seen.captured_queries)
    # the same on the city, county and targets pages
    for who, url in (("hz_branch", reverse("dashboards:city", args=["330100"])), ("province", reverse("dashboards:targets"))):
        get(client, u[who], url)
        with django_assert_num_queries(HIT_QUERIES):
            assert client.get(url, {"period": PERIOD}).status_code == 200
    county = reverse("dashboards:county", args=["330106"])
    get(client, u["xihu_jxj"], county)
    with django_assert_num_queries(HIT_QUERIES + 1):  # + the county the user may read (access.counties_readable_q)
        assert client.get(county, {"period": PERIOD}).status_code == 200


def test_a_served_page_takes_three_cache_round_trips(client, scenario, monkeypatch):
    calls: list[str] = []
    depth = [0]  # local memory's get_many calls get: one call from outside is one round trip to Redis
    backend = caches["default"]  # the sessions' cache too (SESSION_CACHE_ALIAS)

    def counted(name, method):
        def call(*args, **kwargs):
            calls.extend([name] if not depth[0] else [])
            depth[0] += 1
            try:
                return method(*args, **kwargs)
            finally:
                depth[0] -= 1
        return call

    for name in CACHE_CALLS:
        monkeypatch.setattr(backend, name, counted(name, getattr(backend, name)))
    get(client, scenario.users["province"], PROVINCE)
    calls.clear()
    assert client.get(PROVINCE, {"period": PERIOD}).status_code == 200
    assert calls == ["get", "get_many", "get_many"], calls  # session; generation + periods + unread token; body + page
    assert len(calls) == HIT_CACHE_ROUND_TRIPS
    calls.clear()
    etag = client.get(PROVINCE, {"period": PERIOD})["ETag"]
    calls.clear()
    assert client.get(PROVINCE, {"period": PERIOD}, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert len(calls) <= HIT_CACHE_ROUND_TRIPS, calls


def test_a_new_rollup_build_makes_a_new_page(client, scenario):
    period = Period.objects.get(code=PERIOD)
    before = get(client, scenario.users["province"], PROVINCE)
    assert "更新中…" not in before.content.decode()
    rollups.summary_request(scope=Summary.Scope.PROVINCE, code=ZHEJIANG_CODE, period_id=period.pk)  # queued: “更新中”
    queued = client.get(PROVINCE, {"period": PERIOD})
    assert "更新中…" in queued.content.decode() and queued["ETag"] != before["ETag"]
    rollups.summary_rebuild_task(Summary.Scope.PROVINCE, ZHEJIANG_CODE, period.pk)  # the build (and the target results)
    built = client.get(PROVINCE, {"period": PERIOD})
    assert "更新中…" not in built.content.decode() and built["ETag"] not in (before["ETag"], queued["ETag"])
    assert Summary.objects.get(scope=Summary.Scope.PROVINCE, period=period).builds >= 2


def test_a_reader_of_another_scope_never_gets_another_scopes_page(client, scenario, django_assert_num_queries):
    u = scenario.users
    hz = reverse("dashboards:city", args=["330100"])
    as_province = get(client, u["province"], hz)  # prepared for the province: links to every city and the province
    assert as_province.status_code == 200 and reverse("dashboards:city", args=["330300"]) in as_province.content.decode()
    as_branch = get(client, u["hz_branch"], hz)
    html = as_branch.content.decode()
    assert as_branch.status_code == 200 and as_branch["ETag"] != as_province["ETag"]
    assert reverse("dashboards:city", args=["330300"]) not in html and 'href="/dashboards/province/' not in html
    # access is checked before a prepared page is served: another city's regulator, a bank
    assert get(client, u["wz_branch"], hz).status_code == 403
    assert get(client, u["bank_a_hz"], PROVINCE).status_code == 403
    assert get(client, u["hz_branch"], PROVINCE).status_code == 403
    # a colleague of the same organisation shares the page (a hit), under their own name
    colleague = f.UserFactory(username="hz_branch_2", organisation=scenario.hz_branch)
    client.force_login(colleague)
    client.get(reverse("notifications"))  # the colleague's first page: their unread count is counted (and kept)
    with django_assert_num_queries(HIT_QUERIES):
        shared = client.get(hz, {"period": PERIOD})
    assert "hz_branch_2" in shared.content.decode() or colleague.display_name in shared.content.decode()
    assert shared["ETag"] != as_branch["ETag"]  # the frame (the signed-in user) is part of the ETag


def test_a_repeat_visit_gets_304_until_the_page_changes(client, scenario):
    u = scenario.users
    first = get(client, u["province"], PROVINCE)
    etag = first["ETag"]
    again = client.get(PROVINCE, {"period": PERIOD}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    assert client.get(PROVINCE, {"period": PERIOD, "ningbo": "excl"}, HTTP_IF_NONE_MATCH=etag).status_code == 200
    # another user of the scope holds another frame; a user without access gets no 304, but 403
    assert get(client, u["jxt"], PROVINCE, HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert get(client, u["hz_branch"], PROVINCE, HTTP_IF_NONE_MATCH=etag).status_code == 403
    # a new build: the old ETag is stale
    client.force_login(u["province"])
    rollups.summaries_rebuild_all(period=Period.objects.get(code=PERIOD))
    changed = client.get(PROVINCE, {"period": PERIOD}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_exports_and_a_disabled_cache_build_the_page_every_time(client, scenario, settings):
    u = scenario.users
    get(client, u["province"], PROVINCE)
    export = client.get(PROVINCE, {"period": PERIOD, "format": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    settings.DASHBOARD_CACHE = False
    page = client.get(PROVINCE, {"period": PERIOD})
    assert page.status_code == 200 and "ETag" not in page and page.context["targets"].rows
