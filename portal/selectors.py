"""Reads shared by every app."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from .choices import ZHEJIANG_CODE, OrgKind, RegionLevel
from .models import Organisation, Region


def region_zhejiang_cities() -> QuerySet[Region]:
    return Region.objects.filter(level=RegionLevel.CITY, province_code=ZHEJIANG_CODE).order_by("code")


def region_zhejiang_counties() -> QuerySet[Region]:
    return Region.objects.filter(level=RegionLevel.COUNTY, province_code=ZHEJIANG_CODE).select_related("parent").order_by("code")


def region_counties_for(*, user: Any) -> QuerySet[Region]:
    """Zhejiang counties within the user's organisation's area (all for the province)."""
    qs = region_zhejiang_counties()
    if user.is_superuser or not user.organisation_id:
        return qs
    region = user.organisation.region
    if region.level == RegionLevel.CITY:
        return qs.filter(city_code=region.code)
    if region.level == RegionLevel.COUNTY:
        return qs.filter(pk=region.pk)
    return qs


def organisation_park_operators_for(*, user: Any) -> QuerySet[Organisation]:
    qs = Organisation.objects.filter(kind=OrgKind.PARK_OPERATOR, is_active=True).order_by("name")
    if user.is_superuser or not user.organisation_id:
        return qs
    region = user.organisation.region
    if region.level == RegionLevel.CITY:
        return qs.filter(region__city_code=region.code)
    if region.level == RegionLevel.COUNTY:
        return qs.filter(region=region)
    return qs


def quarter_last_completed(*, today: dt.date) -> tuple[str, dt.date, dt.date]:
    """(period code, quarter end, filer deadline = end + 15 days) of the last completed quarter."""
    q = (today.month - 1) // 3  # current quarter index 0..3
    year = today.year if q > 0 else today.year - 1
    last_q = q if q > 0 else 4
    end_month = last_q * 3
    next_month_first = dt.date(year + (end_month == 12), end_month % 12 + 1, 1)
    end = next_month_first - dt.timedelta(days=1)
    return f"{year}Q{last_q}", end, end + dt.timedelta(days=15)


def landing_for(*, user: Any) -> dict[str, Any]:
    """What the landing page shows each role: its duties and the size of its scope."""
    from django.utils import timezone

    from parks.models import Enterprise, Park, PartnerLink

    from . import access

    period, end, due = quarter_last_completed(today=timezone.localdate())
    org = user.organisation if user.organisation_id else None
    kind = org.kind if org else None
    parks = access.restrict(user, Park.objects.all())
    ctx: dict[str, Any] = {"org": org, "kind": kind, "period": period, "period_end": end, "filer_due": due}
    if kind == OrgKind.PARK_OPERATOR:
        ctx["my_parks"] = list(parks.select_related("county"))
        ctx["duties"] = [
            "维护本园区入园企业名单（入园 / 退园日期）。",
            f"于 {due:%Y年%m月%d日} 前填报 {period} 附表1《分类建档基础台帐》，系统自动生成附表2。",
            "将附表1、附表2报送园区主办行审核转报。",
        ]
    elif kind == OrgKind.BANK_BRANCH:
        links = access.restrict(user, PartnerLink.objects.filter(until__isnull=True))
        ctx["link_count"] = links.count()
        ctx["lead_count"] = links.filter(role="lead").count()
        ctx["duties"] = [
            f"于 {due:%Y年%m月%d日} 前报送 {period} 附表4《金融服务情况监测表》、附表5《伙伴银行情况表》及推进情况。",
            "作为主办行，审核并转报伙伴园区的附表1、附表2。",
            "在“伙伴银行关系”中申报、更新与园区的合作关系。",
        ]
    elif kind == OrgKind.BRANCH_REGULATOR:
        ctx["park_count"] = parks.count()
        ctx["duties"] = [
            "审核辖内园区和银行保险机构报送的附表1、2、4、5（通过或退回）。",
            f"于 {end + dt.timedelta(days=20):%Y年%m月%d日} 前向省局报送 {period} 附表3和辖内附表4汇总。",
        ]
    elif kind == OrgKind.PROVINCE_REGULATOR or user.is_superuser:
        ctx["park_count"] = parks.count()
        ctx["enterprise_count"] = Enterprise.objects.count()
        ctx["duties"] = [
            "接收各分局报送的附表3及附表4汇总，查看全省监测指标与目标完成情况。",
            "设置报送期、截止日期与锁定日期。",
        ]
    elif kind == OrgKind.ECONOMY_BUREAU:
        ctx["park_count"] = parks.count()
        ctx["duties"] = [
            "维护辖内小微企业园名单（名单以经信部门提供为准）。",
            "认定园区星级、批次与数字化园区称号；查阅园区附表1、附表2反馈。",
        ]
    else:
        ctx["duties"] = ["您的账号尚未关联机构，请联系管理员。"]
    return ctx

