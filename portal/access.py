"""The ONE place that decides what a user may see and do.

Every view, admin page, API endpoint, export and background job asks this module:

- ``restrict(user, queryset, action)`` narrows a queryset to the rows ``user`` may ``action``;
- ``can(user, action, obj)`` answers for one object;
- ``can_add(user, model)`` answers for creating a new row of ``model``;
- ``filings_readable_q(user, "park" | "bank" | "city")`` gives the subjects whose filings — and so
  whose figures (附表2, target results, the park and bank dashboards) — ``user`` may read.

Rules follow DESIGN.md: a bank sees its own links and filings and the parks it partners; a
branch regulator sees its city; an economy bureau its area (province / city / county); a park
operator its own parks and their tenants; the province regulator everything.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from portal.choices import OrgKind, RegionLevel

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ACTIONS = (VIEW, ADD, CHANGE, DELETE)

ALL = Q()  # no restriction
NONE = Q(pk__in=[])  # matches nothing


def _org(user: Any):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.organisation if user.organisation_id else None


def is_superuser(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def org_kind(user: Any) -> str | None:
    org = _org(user)
    return org.kind if org else None


def is_province(user: Any) -> bool:
    return is_superuser(user) or org_kind(user) == OrgKind.PROVINCE_REGULATOR


def is_regulator(user: Any) -> bool:
    return is_province(user) or org_kind(user) == OrgKind.BRANCH_REGULATOR


def area_q(org, path: str) -> Q:
    """Rows whose region at ``path`` (a county or city Region) lies in ``org``'s region."""
    region = org.region
    if region.level == RegionLevel.PROVINCE:
        return Q(**{f"{path}__province_code": region.province_code})
    if region.level == RegionLevel.CITY:
        return Q(**{f"{path}__city_code": region.code}) | Q(**{path: region.pk})
    return Q(**{path: region.pk})


def _area_kinds() -> tuple[str, ...]:
    return (OrgKind.PROVINCE_REGULATOR, OrgKind.BRANCH_REGULATOR, OrgKind.ECONOMY_BUREAU)


# --- rules per model: each returns a Q over that model ---------------------------------------

def _region_rule(user, org, action: str) -> Q:
    return ALL if action == VIEW else NONE


def _institution_rule(user, org, action: str) -> Q:
    if action == VIEW:
        return ALL
    return ALL if org.kind == OrgKind.PROVINCE_REGULATOR else NONE


def _organisation_rule(user, org, action: str) -> Q:
    if action == VIEW:
        if org.kind in _area_kinds():
            return area_q(org, "region") | Q(pk=org.pk)
        return Q(pk=org.pk)
    if org.kind == OrgKind.PROVINCE_REGULATOR:
        return ALL
    return NONE


def _park_rule(user, org, action: str, prefix: str = "") -> Q:
    county = f"{prefix}county"
    if action == VIEW:
        if org.kind in _area_kinds():
            return area_q(org, county)
        if org.kind == OrgKind.BANK_BRANCH:
            # The park list is the economy bureaus' public register: a bank sees its city's parks
            # (it must find them to declare a partnership); their enterprises stay hidden.
            return Q(**{f"{county}__city_code": org.region.code})
        if org.kind == OrgKind.PARK_OPERATOR:
            return Q(**{f"{prefix}operator": org.pk})
        return NONE
    # Only economy bureaus create parks or change their star, batch and digital designation.
    if org.kind == OrgKind.ECONOMY_BUREAU and action in (ADD, CHANGE):
        return area_q(org, county)
    return NONE


def _links_in_force(org, **filters):
    """Bank ``org``'s partner links in force today (confirmed, inside [since, until]); the rule
    itself lives in ``PartnerLink.objects.in_force``."""
    from parks.models import PartnerLink

    return PartnerLink.objects.in_force(on=timezone.localdate()).filter(branch=org, **filters)


def _partner_parks_q(org, path: str) -> Q:
    """Rows whose park (at ``path``) has a partner link in force with bank ``org``."""
    return Q(Exists(_links_in_force(org, park=OuterRef(path))))


def _enterprise_rule(user, org, action: str) -> Q:
    from parks.models import Tenancy

    if action == VIEW:
        if org.kind in _area_kinds():
            tenancies = Tenancy.objects.filter(enterprise=OuterRef("pk")).filter(area_q(org, "park__county"))
            return Q(Exists(tenancies))
        if org.kind == OrgKind.BANK_BRANCH:
            partner_parks = _links_in_force(org).values("park_id")
            tenancies = Tenancy.objects.filter(enterprise=OuterRef("pk"), park_id__in=partner_parks)
            return Q(Exists(tenancies))
        if org.kind == OrgKind.PARK_OPERATOR:
            return Q(Exists(Tenancy.objects.filter(enterprise=OuterRef("pk"), park__operator=org)))
        return NONE
    # An enterprise is shared by every park it ever stayed in; its identity (name, type, industry)
    # changes only through the park where it is a tenant today, or the city's branch regulator.
    if action == CHANGE and org.kind in (OrgKind.PARK_OPERATOR, OrgKind.BRANCH_REGULATOR):
        park_q = Q(park__operator=org) if org.kind == OrgKind.PARK_OPERATOR else Q(park__county__city_code=org.region.code)
        current = Tenancy.objects.in_force(on=timezone.localdate()).filter(park_q, enterprise=OuterRef("pk"))
        return Q(Exists(current))
    return NONE


def _tenancy_rule(user, org, action: str) -> Q:
    if action == VIEW:
        if org.kind == OrgKind.BANK_BRANCH:
            return _partner_parks_q(org, "park")
        return _park_rule(user, org, VIEW, prefix="park__")
    if org.kind == OrgKind.PARK_OPERATOR:
        return Q(park__operator=org.pk)
    return NONE


def _partner_link_rule(user, org, action: str) -> Q:
    if org.kind == OrgKind.BANK_BRANCH:
        return Q(branch=org.pk)
    if action != VIEW:
        return NONE
    if org.kind in _area_kinds():
        return area_q(org, "park__county")
    if org.kind == OrgKind.PARK_OPERATOR:
        return Q(park__operator=org.pk)
    return NONE


# --- who may read a subject's filings — and every figure built from them ------------------------
#
# One rule per kind of subject, written over a path to the subject so that the filings, the
# summaries built from them (附表2, target results) and the dashboard pages of parks and banks all
# use the very same rule: a user who may not read a park's 附表1 or a bank's 附表4 reads its
# figures nowhere.

def _at(path: str, name: str) -> str:
    return f"{path}__{name}" if path else name


def _park_filings_q(org, path: str) -> Q:
    """Parks (the Park at ``path``; "" = the Park itself) whose 附表1/2 ``org`` may read: the park's
    operator, its lead bank (主办行, which confirms and forwards it), the city's branch regulator, the
    province and the economy bureaus of its area."""
    if org.kind == OrgKind.PROVINCE_REGULATOR:
        return ALL
    if org.kind == OrgKind.BRANCH_REGULATOR:
        return Q(**{_at(path, "county__city_code"): org.region.code})
    if org.kind == OrgKind.ECONOMY_BUREAU:
        return area_q(org, _at(path, "county"))
    if org.kind == OrgKind.BANK_BRANCH:
        return Q(Exists(_links_in_force(org, park=OuterRef(path or "pk"), role="lead")))
    if org.kind == OrgKind.PARK_OPERATOR:
        return Q(**{_at(path, "operator"): org.pk})
    return NONE


def _bank_filings_q(org, path: str) -> Q:
    """Bank branches (the Organisation at ``path``; "" = the Organisation itself) whose 附表4/5
    ``org`` may read: the bank itself, its city's branch regulator and the province — not the
    economy bureaus, park operators or other banks."""
    if org.kind == OrgKind.PROVINCE_REGULATOR:
        return ALL
    if org.kind == OrgKind.BRANCH_REGULATOR:
        return Q(**{_at(path, "region__code"): org.region.code})
    if org.kind == OrgKind.BANK_BRANCH:
        return Q(**{path or "pk": org.pk})
    return NONE


def _city_filings_q(org, path: str) -> Q:
    """Cities (the Region at ``path``) whose 附表3 ``org`` may read: the city's branch regulator
    (which files it) and the province (which accepts it)."""
    if org.kind == OrgKind.PROVINCE_REGULATOR:
        return ALL
    if org.kind == OrgKind.BRANCH_REGULATOR:
        return Q(**{_at(path, "code"): org.region.code})
    return NONE


SUBJECT_RULES = {"park": _park_filings_q, "bank": _bank_filings_q, "city": _city_filings_q}


def _any(*parts: Q) -> Q:
    """The union of ``parts`` (ALL if one is ALL, NONE if all are NONE)."""
    parts = tuple(p for p in parts if p != NONE)
    if not parts:
        return NONE
    if ALL in parts:
        return ALL
    q = parts[0]
    for p in parts[1:]:
        q |= p
    return q


def filings_readable_q(user: Any, subject: str, path: str = "") -> Q:
    """The subjects — ``subject`` "park" (a Park), "bank" (a bank branch Organisation) or "city" (a
    Region) at ``path`` of the queried model — whose filings ``user`` may read, and so their
    figures on every page, export and endpoint (e.g. ``Organisation.objects.filter(
    filings_readable_q(user, "bank"))``: the banks whose dashboard ``user`` may open)."""
    if is_superuser(user):
        return ALL
    org = _org(user)
    if org is None or not org.is_active:
        return NONE
    return SUBJECT_RULES[subject](org, path)


def _filing_rule(user, org, action: str) -> Q:
    """Filings: read by the readers of their subject (above); a park's T1 is changed by its operator,
    a bank's T4/T5 by the bank, a city's T3 by its branch regulator."""
    if action == VIEW:
        if org.kind == OrgKind.PROVINCE_REGULATOR:
            return ALL
        parts = []
        for field, rule in (("park", _park_filings_q), ("branch", _bank_filings_q), ("city", _city_filings_q)):
            q = rule(org, field)
            parts.append(Q(**{f"{field}__isnull": False}) if q == ALL else q)
        return _any(*parts)
    # change = edit the filing's contents (state rules live in reports.services / reports.workflow)
    if org.kind == OrgKind.BANK_BRANCH:
        return Q(branch=org.pk)
    if org.kind == OrgKind.PARK_OPERATOR:
        return Q(park__operator=org.pk)
    if org.kind == OrgKind.BRANCH_REGULATOR and action == CHANGE:
        return Q(city__code=org.region.code)
    return NONE


# --- the tables built from filings: 附表2, city / province roll-ups, target results ---------------

def _province_wide(org) -> bool:
    return org.kind == OrgKind.PROVINCE_REGULATOR or (org.kind == OrgKind.ECONOMY_BUREAU and org.region.level == RegionLevel.PROVINCE)


def _city_viewer(org) -> bool:
    return org.kind in (OrgKind.BRANCH_REGULATOR, OrgKind.ECONOMY_BUREAU) and org.region.level == RegionLevel.CITY


def _t2_summary_rule(user, org, action: str) -> Q:
    """A park's 附表2 is read by the readers of its 附表1."""
    return _park_filings_q(org, "park") if action == VIEW else NONE


def _summary_rule(user, org, action: str) -> Q:
    """City and province roll-ups (totals over every park and bank of the area): the province
    regulator and the provincial economy bureau see all; a branch regulator or a city economy
    bureau its city; nobody else."""
    if action != VIEW:
        return NONE
    if _province_wide(org):
        return ALL
    if _city_viewer(org):
        return Q(scope="city", code=org.region.code)
    return NONE


def _target_result_rule(user, org, action: str) -> Q:
    """Target results: a per-institution result (scope ``org:<id>``) is that bank's figure, read by
    the readers of its 附表4; the others (province, star groups, institution types, cities) follow
    the roll-ups they come from."""
    if action != VIEW:
        return NONE
    if org.kind == OrgKind.PROVINCE_REGULATOR:
        return ALL
    per_bank = Q(scope_code__startswith="org:")
    banks = _bank_filings_q(org, "")
    if banks == NONE:
        own_banks = NONE
    elif org.kind == OrgKind.BANK_BRANCH:
        own_banks = Q(scope_code=f"org:{org.pk}")
    else:
        from django.db.models import CharField, Value
        from django.db.models.functions import Cast, Concat

        from portal.models import Organisation

        codes = (Organisation.objects.filter(banks, kind=OrgKind.BANK_BRANCH)
                 .annotate(scope=Concat(Value("org:"), Cast("pk", CharField()), output_field=CharField())).values("scope"))
        own_banks = Q(scope_code__in=codes)
    if _province_wide(org):
        others = ~per_bank
    elif _city_viewer(org):
        others = Q(scope_kind="city", scope_code=org.region.code)
    else:
        others = NONE
    return _any(others, own_banks)


def _user_rule(user, org, action: str) -> Q:
    if action == VIEW:
        return Q(pk=user.pk)
    return NONE


RULES = {
    "portal.region": _region_rule,
    "portal.organisation": _organisation_rule,
    "portal.user": _user_rule,
    "banks.institution": _institution_rule,
    "parks.park": _park_rule,
    "parks.enterprise": _enterprise_rule,
    "parks.tenancy": _tenancy_rule,
    "parks.partnerlink": _partner_link_rule,
    "reports.filing": _filing_rule,
    "reports.t2summary": _t2_summary_rule,
    "reports.summary": _summary_rule,
    "reports.targetresult": _target_result_rule,
}


def register(label: str):
    """Decorator for apps that add models later (reports): ``@access.register("reports.filing")``."""

    def deco(fn):
        RULES[label] = fn
        return fn

    return deco


def scope_q(user: Any, model: type[Model], action: str = VIEW) -> Q:
    if action not in ACTIONS:
        raise ValueError(action)
    if is_superuser(user):
        return ALL
    org = _org(user)
    if org is None or not org.is_active:
        return NONE
    rule = RULES.get(model._meta.label_lower)
    if rule is None:
        return NONE  # unknown models are closed by default
    return rule(user, org, action)


def restrict(user: Any, queryset: QuerySet, action: str = VIEW) -> QuerySet:
    """``queryset`` narrowed to what ``user`` may ``action``."""
    q = scope_q(user, queryset.model, action)
    if q == ALL:
        return queryset
    if q == NONE:
        return queryset.none()
    return queryset.filter(q)


def can(user: Any, action: str, obj: Model) -> bool:
    model = type(obj)
    q = scope_q(user, model, action)
    if q == ALL:
        return True
    if q == NONE:
        return False
    return model._default_manager.filter(pk=obj.pk).filter(q).exists()


def can_add(user: Any, model: type[Model]) -> bool:
    return scope_q(user, model, ADD) != NONE


def can_decide_partner_link(user: Any, link: Model) -> bool:
    """A partner link is a two-party fact: the bank proposes; the park's operator or the city's
    branch regulator confirms, rejects or ends it."""
    if is_superuser(user):
        return True
    org = _org(user)
    if not (org and org.is_active):
        return False
    if org.kind == OrgKind.PARK_OPERATOR:
        return link.park.operator_id == org.pk
    if org.kind == OrgKind.BRANCH_REGULATOR:
        return link.park.county.city_code == org.region.code
    return org.kind == OrgKind.PROVINCE_REGULATOR


def can_backdate_partner_link(user: Any) -> bool:
    """Confirming a link whose 建立日期 lies before its proposal is the regulators' call."""
    return is_regulator(user)


def can_unlock_user(actor: Any, user: Model) -> bool:
    """The province regulator and superusers unlock any locked-out account (regulators' included)."""
    return is_province(actor)


def can_manage_tenants(user: Any, park: Model) -> bool:
    """Only the park's operator keeps its enterprise register (入园 / 退园)."""
    if is_superuser(user):
        return True
    org = _org(user)
    return bool(org and org.is_active and org.kind == OrgKind.PARK_OPERATOR and park.operator_id == org.pk)


def require(user: Any, action: str, obj: Model) -> None:
    if not can(user, action, obj):
        raise PermissionDenied("您没有权限执行此操作。")


def require_add(user: Any, model: type[Model]) -> None:
    if not can_add(user, model):
        raise PermissionDenied("您没有权限新增此类记录。")
