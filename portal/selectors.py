"""Reads shared by every app."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from portal.choices import ZHEJIANG_CODE, OrgKind, RegionLevel
from portal.models import Organisation, Region


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
