"""Dashboard pages. Views parse the request, ask ``reports.dashboards`` for the page and
render it, or export its tables to xlsx (``?format=xlsx``: every table, one sheet each;
``&table=<key>``: one table). Scoping goes through ``portal.access`` (in the selectors)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from parks.models import Park
from portal import access
from portal.choices import ZHEJIANG_CODE, OrgKind, RegionLevel
from portal.models import Organisation, Region
from reports.dashboards import cache as prepared_pages
from reports.dashboards.bank import bank_page
from reports.dashboards.cache import Prepared
from reports.dashboards.city import ParkFilter, cities_visible, city_page, city_visible
from reports.dashboards.common import SIDES, period_pick, periods_for_picker
from reports.dashboards.county import county_page
from reports.dashboards.exports import export_response
from reports.dashboards.park import park_page, parks_visible
from reports.dashboards.province import province_page, province_visible
from reports.dashboards.targets import targets_page
from reports.filings.choices import FilingStatus
from reports.monitoring.selectors import desk_links
from reports.summaries.models import Summary

SIDE_LABELS = dict(SIDES)
PROVINCE_TITLE = "全省小微企业园金融服务监测看板"
PROVINCE_DENIED = "只有省级监管部门和省级经信部门可以查看全省看板。"
CITY_DENIED = "您没有权限查看该地市的监测看板。"
TARGETS_DENIED = "只有省级监管部门和省级经信部门可以查看全部目标。"


def _common(request: HttpRequest) -> tuple[list, Any, dt.date]:
    today = timezone.localdate()
    periods = periods_for_picker()
    period = period_pick(periods, request.GET.get("period"), today)
    if period is None:
        raise Http404("尚无报送期。")
    return periods, period, today


def _query_without(request: HttpRequest, *keys: str) -> str:
    params = request.GET.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()


def _page(request: HttpRequest, template: str, ctx: dict[str, Any], *, title: str, period, periods, filename: str,
          subtitle: str) -> HttpResponse:
    ctx.update(title=title, period=period, periods=periods, today=timezone.localdate(),
               query=_query_without(request, "format", "table"), query_no_period=_query_without(request, "format", "table", "period"))
    if ctx.get("prepared") is not None:
        ctx["prepared"].title = title
    if request.GET.get("format") == "xlsx":
        return export_response(ctx["tables"], key=request.GET.get("table"), title=title, subtitle=subtitle, filename=filename,
                               period=period, freshness=ctx.get("freshness"))
    return render(request, template, ctx)


Build = Callable[[list, Any, dt.date, "Prepared | None"], HttpResponse]  # (periods, period, today, prepared) → the page


def _served(request: HttpRequest, *, page: str, subject: str = "", template: str, build: Build) -> HttpResponse:
    """A summary-only page through its prepared body (``reports.dashboards.cache``): the caller has
    checked access; a repeat visit whose ETag matches gets 304, the page prepared for this very frame
    is served as it is, a body prepared for the scope gets only the frame rendered around it; a miss
    ``build``s the page, which leaves its body in ``prepared``. An
    export, or DASHBOARD_CACHE off, builds the page every time."""
    if not prepared_pages.enabled() or request.GET.get("format") == "xlsx":
        return build(*_common(request), None)
    today = timezone.localdate()
    gen, periods = prepared_pages.frame(request)
    period = period_pick(periods, request.GET.get("period"), today)
    if period is None:
        raise Http404("尚无报送期。")
    prepared = Prepared.lookup(request, page=page, gen=gen, period_code=period.code, today=today, subject=subject)
    response = prepared_pages.not_modified(request, prepared)
    if response is not None:
        return response
    response = prepared_pages.served(prepared)
    if response is None and prepared.body is None:
        response = build(periods, period, today, prepared)
    elif response is None:
        response = render(request, template, {"title": prepared.title, "prepared": prepared})
    return prepared_pages.finish(response, prepared)


# --- pages -------------------------------------------------------------------------------------------

def _redirect_keeping_query(request: HttpRequest, name: str, **kwargs: Any) -> HttpResponse:
    """A redirect that keeps the query string (``?period=2020Q3&ningbo=excl`` must survive it)."""
    query = request.GET.urlencode()
    return redirect(reverse(name, kwargs=kwargs or None) + (f"?{query}" if query else ""))


@login_required
def index(request: HttpRequest):
    """监测看板: each role lands on its own dashboard (with the period and options asked for)."""
    user = request.user
    kind = access.org_kind(user)
    if access.is_province(user) or access.scope_q(user, Summary) == access.ALL:
        return _redirect_keeping_query(request, "dashboards:province")
    org = user.organisation
    if kind in (OrgKind.BRANCH_REGULATOR, OrgKind.ECONOMY_BUREAU) and org.region.level == RegionLevel.CITY:
        return _redirect_keeping_query(request, "dashboards:city", code=org.region.code)
    if kind == OrgKind.BANK_BRANCH:
        return _redirect_keeping_query(request, "dashboards:bank", pk=org.pk)
    if access.is_county_viewer(user):
        return _redirect_keeping_query(request, "dashboards:county", code=org.region.code)
    parks = parks_visible(user)
    if kind == OrgKind.PARK_OPERATOR and len(parks) == 1:
        return _redirect_keeping_query(request, "dashboards:park", code=parks[0]["code"])
    if not parks:
        raise PermissionDenied("您所在的机构没有可查看的监测看板。")
    return render(request, "dashboards/parks.html", {"title": "园区监测看板", "parks": parks})


@login_required
def province(request: HttpRequest):
    if not province_visible(request.user):
        raise PermissionDenied(PROVINCE_DENIED)
    return _served(request, page="province", template="dashboards/province.html",
                   build=lambda *args: _province(request, *args))


def _province(request: HttpRequest, periods: list, period, today: dt.date, prepared: Prepared | None) -> HttpResponse:
    side = request.GET.get("ningbo", "incl")
    side = side if side in SIDE_LABELS else "incl"
    ctx = province_page(user=request.user, period=period, side=side, periods=periods, today=today)
    if ctx is None:
        raise PermissionDenied(PROVINCE_DENIED)
    ctx.update(side_label=SIDE_LABELS[side], sides=SIDES, city_links=cities_visible(request.user), prepared=prepared)
    return _page(request, "dashboards/province.html", ctx, title=PROVINCE_TITLE, period=period, periods=periods,
                 filename="全省监测看板", subtitle=f"报送期：{period.code}  口径：{SIDE_LABELS[side]}")


@login_required
def city(request: HttpRequest, code: str):
    # a stored body exists only for a city that existed when it was built (a region's edit bumps the
    # generation): the region is looked up on a miss only
    if not city_visible(request.user, code):
        raise PermissionDenied(CITY_DENIED)
    return _served(request, page="city", subject=code, template="dashboards/city.html",
                   build=lambda *args: _city(request, code, *args))


def _city(request: HttpRequest, code: str, periods: list, period, today: dt.date, prepared: Prepared | None) -> HttpResponse:
    region = get_object_or_404(Region, code=code, level=RegionLevel.CITY, province_code=ZHEJIANG_CODE)
    flt = ParkFilter.from_query(request.GET)
    ctx = city_page(user=request.user, city=region, period=period, periods=periods, today=today, flt=flt)
    if ctx is None:
        raise PermissionDenied(CITY_DENIED)
    ctx.update(city_links=cities_visible(request.user), province_visible=access.scope_q(request.user, Summary) == access.ALL,
               sort_query=_query_without(request, "format", "table", "sort", "dir"), prepared=prepared)
    return _page(request, "dashboards/city.html", ctx, title=f"{region.name}小微企业园金融服务监测看板", period=period, periods=periods,
                 filename=f"{region.name}监测看板", subtitle=f"报送期：{period.code}  地市：{region.name}")


@login_required
def county(request: HttpRequest, code: str):
    """A county's dashboard (404 for a county the user may not read: see ``access.counties_readable_q``)."""
    counties = Region.objects.filter(access.counties_readable_q(request.user), province_code=ZHEJIANG_CODE)
    region = get_object_or_404(counties, code=code)
    return _served(request, page="county", subject=code, template="dashboards/county.html",
                   build=lambda *args: _county(request, region, *args))


def _county(request: HttpRequest, region: Region, periods: list, period, _today: dt.date, prepared: Prepared | None) -> HttpResponse:
    city_region = Region.objects.filter(code=region.city_code).only("code", "name").first()
    ctx = county_page(user=request.user, county=region, period=period, periods=periods, flt=ParkFilter.from_query(request.GET))
    ctx.update(city=city_region, city_visible=any(c == region.city_code for c, _ in cities_visible(request.user)),
               province_visible=access.scope_q(request.user, Summary) == access.ALL,
               sort_query=_query_without(request, "format", "table", "sort", "dir"), prepared=prepared)
    name = f"{city_region.name if city_region else ''}{region.name}"
    return _page(request, "dashboards/county.html", ctx, title=f"{name}小微企业园金融服务监测看板", period=period, periods=periods,
                 filename=f"{name}监测看板", subtitle=f"报送期：{period.code}  县（市、区）：{name}")


@login_required
def bank(request: HttpRequest, pk: int):
    periods, period, _today = _common(request)
    # a bank's page shows its 附表4 figures: open to exactly the readers of its filings
    banks = Organisation.objects.filter(access.filings_readable_q(request.user, "bank"), kind=OrgKind.BANK_BRANCH)
    org = get_object_or_404(banks.select_related("institution", "region"), pk=pk)
    ctx = bank_page(user=request.user, org=org, period=period, periods=periods, explicit=bool(request.GET.get("period")))
    ctx["monitoring"] = desk_links(user=request.user, branch_id=org.pk)
    period = ctx.pop("period")
    return _page(request, "dashboards/bank.html", ctx, title=f"{org.name} 监测看板", period=period, periods=periods,
                 filename=f"{org.name}监测看板", subtitle=f"填报机构：{org.name}  报送期：{period.code}")


@login_required
def park(request: HttpRequest, code: str):
    periods, period, _today = _common(request)
    qs = Park.objects.filter(access.filings_readable_q(request.user, "park")).select_related("county", "operator")
    park_obj = get_object_or_404(qs, code=code)
    ctx = park_page(user=request.user, park=park_obj, period=period, periods=periods)
    ctx["monitoring"] = desk_links(user=request.user, park_id=park_obj.pk)
    ctx["city_visible"] = any(c == park_obj.county.city_code for c, _ in cities_visible(request.user))
    ctx["filing_statuses"] = FilingStatus.choices
    return _page(request, "dashboards/park.html", ctx, title=f"{park_obj.name} 监测看板", period=period, periods=periods,
                 filename=f"{park_obj.name}监测看板", subtitle=f"园区：{park_obj.name}（{park_obj.code}）  报送期：{period.code}")


@login_required
def targets(request: HttpRequest):
    """Every target set with its targets and the period's province-wide (or summary) results."""
    if access.scope_q(request.user, Summary) != access.ALL:
        raise PermissionDenied(TARGETS_DENIED)
    return _served(request, page="targets", template="dashboards/targets.html", build=lambda *args: _targets(request, *args))


def _targets(request: HttpRequest, periods: list, period, _today: dt.date, prepared: Prepared | None) -> HttpResponse:
    ctx = targets_page(user=request.user, period=period)
    ctx["admin_url"] = "/admin/reports/target/" if request.user.is_staff else ""
    ctx["prepared"] = prepared
    return _page(request, "dashboards/targets.html", ctx, title="目标组与完成情况", period=period, periods=periods,
                 filename="目标完成情况", subtitle=f"报送期：{period.code}")
