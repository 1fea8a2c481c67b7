"""Writes on the park registry. Web pages, admin, xlsx and REST all call these functions."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from parks.choices import EntityType, LinkStatus, PartnerRole
from parks.models import Enterprise, Park, PartnerLink, Tenancy
from parks.signals import send_register_changed
from portal import access
from portal.choices import ZHEJIANG_CODE, OrgKind, RegionLevel
from portal.models import Organisation, Region, User
from portal.uscc import uscc_normalise

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
    enterprise_changed(enterprise)
    return enterprise


def enterprise_changed(enterprise: Enterprise) -> None:
    """Tell the listeners that every park where ``enterprise`` stays (or stayed) has a changed register."""
    for park_id, entered_on, left_on in Tenancy.objects.filter(enterprise=enterprise).values_list("park_id", "entered_on", "left_on"):
        send_register_changed(Enterprise, park_id=park_id, dates=(entered_on, left_on))


def tenancy_changed(tenancy: Tenancy, *, old: tuple[dt.date | None, dt.date | None] = (None, None)) -> None:
    """Tell the listeners that ``tenancy`` (入园 / 退园) was created, changed (``old`` dates) or deleted."""
    send_register_changed(Tenancy, park_id=tenancy.park_id, dates=(tenancy.entered_on, tenancy.left_on, *old))


def partner_link_changed(link: PartnerLink, *, old_until: dt.date | None = None) -> None:
    send_register_changed(PartnerLink, park_id=link.park_id, dates=(link.since, link.until, old_until))


def _validate_tenancy(tenancy: Tenancy) -> None:
    errors: dict[str, str] = {}
    if tenancy.left_on and tenancy.entered_on and tenancy.left_on < tenancy.entered_on:
        errors["left_on"] = "退园日期不能早于入园日期。"
    if errors:
        raise ValidationError(errors)
    if tenancy.park_id and tenancy.enterprise_id and tenancy.entered_on:
        overlapping = (Tenancy.objects.filter(enterprise_id=tenancy.enterprise_id).exclude(pk=tenancy.pk)
                       .overlapping(start=tenancy.entered_on, end=tenancy.left_on).select_related("park").order_by("entered_on"))
        for other in overlapping:
            if other.park_id == tenancy.park_id:
                raise ValidationError({"entered_on": "该企业在本园区已有时间重叠的入园记录。"})
            # Enterprises are shared, tenancies are not: a stay elsewhere must end first.
            left = f"至 {other.left_on:%Y-%m-%d}" if other.left_on else "至今"
            raise ValidationError({"uscc": f"该企业为“{other.park.name}”的在园企业（{other.entered_on:%Y-%m-%d} 入园，{left}），"
                                           f"须由该园区登记退园后才能在本园区登记入园。"})
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
    """Register an enterprise (found or created by 统一社会信用代码) as tenant of ``park``. An
    enterprise already registered keeps its name, type and industry: those change only through the
    park where it is a tenant (``enterprise_update``). A tenant of another park is refused."""
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
    tenancy_changed(tenancy)
    return tenancy


@transaction.atomic
def tenancy_update(*, actor: User, tenancy: Tenancy, data: dict[str, Any]) -> Tenancy:
    access.require(actor, access.CHANGE, tenancy)
    old = Tenancy.objects.filter(pk=tenancy.pk).values_list("entered_on", "left_on").first() or (None, None)
    _assign(tenancy, data, ("entered_on", "left_on"))
    _validate_tenancy(tenancy)
    tenancy.save()
    tenancy_changed(tenancy, old=old)
    return tenancy


# --- partner links: a two-party fact -----------------------------------------------------------

def _lead_overlap(link: PartnerLink) -> PartnerLink | None:
    """Another confirmed lead link of the same park whose interval meets ``link``'s."""
    if link.role != PartnerRole.LEAD or not link.park_id or not link.since:
        return None
    others = PartnerLink.objects.filter(park_id=link.park_id, role=PartnerRole.LEAD, status=LinkStatus.CONFIRMED).exclude(pk=link.pk)
    others = others.exclude(until__lt=link.since)
    if link.until:
        others = others.filter(since__lte=link.until)
    return others.select_related("branch").order_by("since").first()


def _lead_overlap_error(other: PartnerLink) -> ValidationError:
    return ValidationError({"role": f"该园区已有主办行“{other.branch.name}”（{other.since:%Y-%m-%d} 起），同一时间只能有一家主办行；"
                                    f"请先由原主办行或园区终止该关系。"})


def _validate_partner_link(link: PartnerLink) -> None:
    errors: dict[str, str] = {}
    branch: Organisation = link.branch
    if branch.kind != OrgKind.BANK_BRANCH:
        errors["branch"] = "伙伴银行必须是银行保险机构地市一级管理机构。"
    elif link.role == PartnerRole.LEAD and branch.institution_id and branch.institution.is_insurer:
        errors["role"] = "保险机构不能担任园区主办行：主办行由银行担任。"
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
    open_links = PartnerLink.objects.filter(park=link.park, branch=branch, until__isnull=True).exclude(status=LinkStatus.REJECTED)
    if link.until is None and open_links.exclude(pk=link.pk).exists():
        raise ValidationError({"park": "本机构与该园区已有有效的伙伴关系（或待确认的申报）。"})
    if (other := _lead_overlap(link)) is not None:
        raise _lead_overlap_error(other)
    link.full_clean()


LINK_FIELDS = ("park", "role", "sub_branch", "since", "until")
# Fields that define what a confirmed link grants: changing one needs a new proposal.
LINK_GRANTING_FIELDS = ("park", "role", "since")


@transaction.atomic
def partner_link_propose(*, actor: User, data: dict[str, Any], branch: Organisation | None = None) -> PartnerLink:
    """A bank proposes a partnership with a park of its city. It grants nothing until the park's
    operator (or the city's branch regulator) confirms it (``partner_link_confirm``)."""
    access.require_add(actor, PartnerLink)
    if branch is None or not access.is_superuser(actor):
        branch = actor.organisation
    if branch is None:
        raise ValidationError({"park": "请以银行保险机构地市一级管理机构的账号申报伙伴关系。"})
    link = PartnerLink(branch=branch, status=LinkStatus.PROPOSED, proposed_by=actor, proposed_at=timezone.now())
    _assign(link, data, LINK_FIELDS)
    _validate_partner_link(link)
    link.save()
    return link


@transaction.atomic
def partner_link_update(*, actor: User, link: PartnerLink, data: dict[str, Any]) -> PartnerLink:
    """The bank edits its link: while proposed, anything; once confirmed, only the 对接支行 and the
    end date (ending a link takes access away, so it needs no second party)."""
    access.require(actor, access.CHANGE, link)
    if link.status == LinkStatus.REJECTED:
        raise ValidationError("该申报已被拒绝，不能修改；如需合作请重新申报。")
    errors: dict[str, list[str]] = {}
    if link.status == LinkStatus.CONFIRMED:
        for key in LINK_GRANTING_FIELDS:
            if key in data and data[key] != getattr(link, key):
                label = PartnerLink._meta.get_field(key).verbose_name
                errors[key] = [f"已确认的伙伴关系不能修改{label}；如需变更，请终止本关系后重新申报。"]
    old_until = link.until
    _assign(link, data, LINK_FIELDS)
    try:
        _validate_partner_link(link)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    link.save()
    if link.status == LinkStatus.CONFIRMED:
        partner_link_changed(link, old_until=old_until)
    return link


def _decide(actor: User, link: PartnerLink, *, proposed: bool = False) -> PartnerLink:
    """The link, locked, if ``actor`` is its second party (and, with ``proposed``, if it awaits a decision)."""
    link = PartnerLink.objects.select_for_update().select_related("park__county", "branch").get(pk=link.pk)
    if not access.can_decide_partner_link(actor, link):
        raise access.PermissionDenied("只有该园区的运营方或所在地银保监分局可以确认、拒绝或终止伙伴关系。")
    if proposed and link.status != LinkStatus.PROPOSED:
        raise ValidationError(f"该伙伴关系为“{link.get_status_display()}”，不是待确认状态。")
    return link


@transaction.atomic
def partner_link_confirm(*, actor: User, link: PartnerLink, note: str = "") -> PartnerLink:
    """The second party confirms a proposed link; from now on it counts and grants access."""
    link = _decide(actor, link, proposed=True)
    proposed_on = timezone.localdate(link.proposed_at) if link.proposed_at else None
    if proposed_on and link.since < proposed_on and not access.can_backdate_partner_link(actor):
        raise ValidationError({"since": f"建立日期（{link.since:%Y-%m-%d}）早于申报日期（{proposed_on:%Y-%m-%d}），"
                                        f"须由所在地银保监分局确认。"})
    if (other := _lead_overlap(link)) is not None:
        raise _lead_overlap_error(other)
    link.status, link.decided_by, link.decided_at, link.decision_note = LinkStatus.CONFIRMED, actor, timezone.now(), note.strip()
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError:  # a concurrent confirmation of another lead won the race
        other = _lead_overlap(link)
        raise _lead_overlap_error(other) if other else ValidationError("确认失败，请刷新后重试。") from None
    partner_link_changed(link)
    return link


@transaction.atomic
def partner_link_reject(*, actor: User, link: PartnerLink, note: str = "") -> PartnerLink:
    link = _decide(actor, link, proposed=True)
    if not note.strip():
        raise ValidationError({"note": "拒绝时请填写理由。"})
    link.status, link.decided_by, link.decided_at, link.decision_note = LinkStatus.REJECTED, actor, timezone.now(), note.strip()
    link.save()
    return link


@transaction.atomic
def partner_link_end(*, actor: User, link: PartnerLink, until: dt.date, note: str = "") -> PartnerLink:
    """The park's operator (or the branch) ends a confirmed link on ``until``."""
    link = _decide(actor, link)
    if link.status != LinkStatus.CONFIRMED:
        raise ValidationError("只有已确认的伙伴关系可以终止。")
    old_until = link.until
    link.until = until
    if note.strip():
        link.decision_note = note.strip()
    _validate_partner_link(link)
    link.save()
    partner_link_changed(link, old_until=old_until)
    return link
