"""Writes on the park registry. Web pages, admin, xlsx and REST all call these functions."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from portal import access
from portal.choices import ZHEJIANG_CODE, OrgKind, RegionLevel
from portal.models import Organisation, Region, User
from portal.uscc import uscc_normalise

from .choices import EntityType
from .models import Enterprise, Park, PartnerLink, Tenancy

PARK_FIELDS = ("code", "name", "county", "operator", "manager", "batch", "star_rating", "digital_status", "park_type", "area_mu", "status")


def _assign(obj, data: dict[str, Any], fields) -> None:
    for field in fields:
        if field in data:
            setattr(obj, field, data[field])


def _validate_park(park: Park) -> None:
    errors: dict[str, str] = {}
    county: Region | None = park.county if park.county_id else None
    if county is not None:
        if county.level != RegionLevel.COUNTY:
            errors["county"] = "请选择县（市、区）一级的行政区划。"
        elif county.province_code != ZHEJIANG_CODE:
            errors["county"] = "园区所在县（市、区）必须在浙江省辖内。"
    if park.operator_id and park.operator.kind != OrgKind.PARK_OPERATOR:
        errors["operator"] = "运营方必须是园区运营方/管理方类别的机构。"
    if errors:
        raise ValidationError(errors)
    park.code = (park.code or "").strip().upper()
    park.full_clean()


def _require_county_in_area(actor: User, park: Park) -> None:
    """A county or city bureau creates or moves parks only within its own area."""
    if access.is_superuser(actor):
        return
    region = actor.organisation.region
    county = park.county
    ok = (
        (region.level == RegionLevel.PROVINCE and county.province_code == region.province_code)
        or (region.level == RegionLevel.CITY and county.city_code == region.code)
        or (region.level == RegionLevel.COUNTY and county.pk == region.pk)
    )
    if not ok:
        raise ValidationError({"county": f"只能在本辖区（{region.name}）内新建或调整园区。"})


@transaction.atomic
def park_create(*, actor: User, data: dict[str, Any]) -> Park:
    access.require_add(actor, Park)
    park = Park()
    _assign(park, data, PARK_FIELDS)
    _validate_park(park)
    _require_county_in_area(actor, park)
    park.save()
    return park


@transaction.atomic
def park_update(*, actor: User, park: Park, data: dict[str, Any]) -> Park:
    access.require(actor, access.CHANGE, park)
    _assign(park, data, PARK_FIELDS)
    _validate_park(park)
    _require_county_in_area(actor, park)
    park.save()
    return park


ENTERPRISE_FIELDS = ("uscc", "name", "entity_type", "industry")


def _prepare_enterprise(ent: Enterprise) -> None:
    ent.uscc = uscc_normalise(ent.uscc)
    ent.name = (ent.name or "").strip()
    if not ent.entity_type:
        ent.entity_type = EntityType.INDIVIDUAL if ent.uscc.startswith("92") else EntityType.ENTERPRISE
    ent.full_clean()


@transaction.atomic
def enterprise_update(*, actor: User, enterprise: Enterprise, data: dict[str, Any]) -> Enterprise:
    access.require(actor, access.CHANGE, enterprise)
    _assign(enterprise, data, ENTERPRISE_FIELDS)
    _prepare_enterprise(enterprise)
    enterprise.save()
    return enterprise


def _validate_tenancy(tenancy: Tenancy) -> None:
    errors: dict[str, str] = {}
    if tenancy.left_on and tenancy.entered_on and tenancy.left_on < tenancy.entered_on:
        errors["left_on"] = "退园日期不能早于入园日期。"
    if errors:
        raise ValidationError(errors)
    if tenancy.park_id and tenancy.enterprise_id and tenancy.entered_on:
        overlapping = Tenancy.objects.filter(park_id=tenancy.park_id, enterprise_id=tenancy.enterprise_id).exclude(pk=tenancy.pk)
        end = tenancy.left_on or dt.date.max
        for other in overlapping:
            other_end = other.left_on or dt.date.max
            if other.entered_on <= end and tenancy.entered_on <= other_end:
                raise ValidationError({"entered_on": "该企业在本园区已有时间重叠的入园记录。"})
    tenancy.full_clean()


@transaction.atomic
def tenancy_create(
    *,
    actor: User,
    park: Park,
    uscc: str,
    enterprise_name: str,
    industry: str,
    entity_type: str = "",
    entered_on: dt.date,
    left_on: dt.date | None = None,
) -> Tenancy:
    """Register an enterprise (found or created by 统一社会信用代码) as tenant of ``park``."""
    if not access.can_manage_tenants(actor, park):
        raise access.PermissionDenied("只有园区运营方可以维护本园区的入园企业。")
    code = uscc_normalise(uscc)
    enterprise = Enterprise.objects.filter(uscc=code).first()
    if enterprise is None:
        enterprise = Enterprise(uscc=code, name=enterprise_name, industry=industry, entity_type=entity_type)
        _prepare_enterprise(enterprise)
        enterprise.save()
    tenancy = Tenancy(park=park, enterprise=enterprise, entered_on=entered_on, left_on=left_on)
    _validate_tenancy(tenancy)
    tenancy.save()
    return tenancy


@transaction.atomic
def tenancy_update(*, actor: User, tenancy: Tenancy, data: dict[str, Any]) -> Tenancy:
    access.require(actor, access.CHANGE, tenancy)
    _assign(tenancy, data, ("entered_on", "left_on"))
    _validate_tenancy(tenancy)
    tenancy.save()
    return tenancy


def _validate_partner_link(link: PartnerLink) -> None:
    errors: dict[str, str] = {}
    branch: Organisation = link.branch
    if branch.kind != OrgKind.BANK_BRANCH:
        errors["branch"] = "伙伴银行必须是银行保险机构地市一级管理机构。"
    park = link.park if link.park_id else None
    if park is not None:
        if park.county.province_code != ZHEJIANG_CODE:
            errors["park"] = f"园区“{park.name}”不在浙江省辖内，不能建立伙伴关系。"
        elif branch.region_id and park.county.city_code != branch.region.code:
            errors["park"] = f"园区“{park.name}”不在本机构所在地市（{branch.region.name}），不能建立伙伴关系。"
    if link.until and link.since and link.until < link.since:
        errors["until"] = "终止日期不能早于建立日期。"
    if errors:
        raise ValidationError(errors)
    if link.until is None and PartnerLink.objects.filter(park=link.park, branch=branch, until__isnull=True).exclude(pk=link.pk).exists():
        raise ValidationError({"park": "本机构与该园区已有有效的伙伴关系。"})
    link.full_clean()


LINK_FIELDS = ("park", "role", "sub_branch", "since", "until")


@transaction.atomic
def partner_link_create(*, actor: User, data: dict[str, Any], branch: Organisation | None = None) -> PartnerLink:
    """A bank declares a partnership with a park of its city."""
    access.require_add(actor, PartnerLink)
    if branch is None or not access.is_superuser(actor):
        branch = actor.organisation
    link = PartnerLink(branch=branch)
    _assign(link, data, LINK_FIELDS)
    _validate_partner_link(link)
    link.save()
    return link


@transaction.atomic
def partner_link_update(*, actor: User, link: PartnerLink, data: dict[str, Any]) -> PartnerLink:
    access.require(actor, access.CHANGE, link)
    _assign(link, data, LINK_FIELDS)
    _validate_partner_link(link)
    link.save()
    return link
