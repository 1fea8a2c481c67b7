"""The ONE place that decides what a user may see and do.

Every view, admin page, API endpoint, export and background job asks this module:

- ``restrict(user, queryset, action)`` narrows a queryset to the rows ``user`` may ``action``;
- ``can(user, action, obj)`` answers for one object;
- ``can_add(user, model)`` answers for creating a new row of ``model``;
- ``filings_readable_q(user, "park" | "bank" | "city")`` gives the subjects whose filings — and so
  whose figures (附表2, target results, the park and bank dashboards) — ``user`` may read.

This module is the engine and holds the rules of portal's own models (regions, organisations,
users); each other app keeps the rules of its models in ``<app>/access.py`` and registers them
(``register`` / ``register_subject``) from its ``AppConfig.ready()``: portal imports no domain app.

The rules: a bank sees its own links and filings and the parks it partners; a
branch regulator sees its city; an economy bureau its area (province / city / county); a park
operator its own parks and their tenants; the province regulator everything.
"""
from __future__ import annotations

from typing import Any, Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

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


def area_kinds() -> tuple[str, ...]:
    return (OrgKind.PROVINCE_REGULATOR, OrgKind.BRANCH_REGULATOR, OrgKind.ECONOMY_BUREAU)


# --- rules per model: each returns a Q over that model ---------------------------------------
#
# The engine holds the rules of portal's own models; every other app keeps the rules of its models
# beside them (``<app>/access.py``) and registers them from its ``AppConfig.ready()``.

def _region_rule(user, org, action: str) -> Q:
    return ALL if action == VIEW else NONE


def _organisation_rule(user, org, action: str) -> Q:
    if action == VIEW:
        if org.kind in area_kinds():
            return area_q(org, "region") | Q(pk=org.pk)
        return Q(pk=org.pk)
    if org.kind == OrgKind.PROVINCE_REGULATOR:
        return ALL
    return NONE


def _user_rule(user, org, action: str) -> Q:
    if action == VIEW:
        return Q(pk=user.pk)
    return NONE


# --- who may read a subject's filings — and every figure built from them ------------------------
#
# One rule per kind of subject, written over a path to the subject so that the filings, the
# summaries built from them (附表2, target results) and the dashboard pages of parks and banks all
# use the very same rule: a user who may not read a park's 附表1 or a bank's 附表4 reads its
# figures nowhere. The subjects of portal's models (bank branches, cities) are ruled here; the
# parks app registers the rule for parks (``register_subject``).

def at(path: str, name: str) -> str:
    return f"{path}__{name}" if path else name


def bank_filings_q(org, path: str) -> Q:
    """Bank branches (the Organisation at ``path``; "" = the Organisation itself) whose 附表4/5
    ``org`` may read: the bank itself, its city's branch regulator and the province — not the
    economy bureaus, park operators or other banks."""
    if org.kind == OrgKind.PROVINCE_REGULATOR:
        return ALL
    if org.kind == OrgKind.BRANCH_REGULATOR:
        return Q(**{at(path, "region__code"): org.region.code})
    if org.kind == OrgKind.BANK_BRANCH:
        return Q(**{path or "pk": org.pk})
    return NONE


def city_filings_q(org, path: str) -> Q:
    """Cities (the Region at ``path``) whose 附表3 ``org`` may read: the city's branch regulator
    (which files it) and the province (which accepts it)."""
    if org.kind == OrgKind.PROVINCE_REGULATOR:
        return ALL
    if org.kind == OrgKind.BRANCH_REGULATOR:
        return Q(**{at(path, "code"): org.region.code})
    return NONE


SUBJECT_RULES: dict[str, Callable[[Any, str], Q]] = {"bank": bank_filings_q, "city": city_filings_q}


def register_subject(subject: str, rule: Callable[[Any, str], Q]) -> None:
    """Add the filings-readers rule ``rule(org, path) -> Q`` of a kind of subject (the parks app
    registers "park" from its ``AppConfig.ready()``)."""
    SUBJECT_RULES[subject] = rule


def subject_q(org, subject: str, path: str) -> Q:
    """The ``subject`` rule for organisation ``org`` (no superuser / inactive check: see
    ``filings_readable_q``)."""
    return SUBJECT_RULES[subject](org, path)


def any_q(*parts: Q) -> Q:
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
    return subject_q(org, subject, path)


# --- who reads the tables built from filings (附表2, city / province roll-ups, target results) ---

def province_wide(org) -> bool:
    return org.kind == OrgKind.PROVINCE_REGULATOR or (org.kind == OrgKind.ECONOMY_BUREAU and org.region.level == RegionLevel.PROVINCE)


def city_viewer(org) -> bool:
    return org.kind in (OrgKind.BRANCH_REGULATOR, OrgKind.ECONOMY_BUREAU) and org.region.level == RegionLevel.CITY


def county_viewer(org) -> bool:
    return org.kind == OrgKind.ECONOMY_BUREAU and org.region.level == RegionLevel.COUNTY


def counties_readable_q(user: Any, path: str = "") -> Q:
    """The counties (the county Region at ``path``; "" = the Region itself) whose county roll-up —
    the county dashboard, read from its city's summary — ``user`` may read: the province regulator
    and the provincial economy bureau every county; a city's branch regulator and city economy
    bureau the counties of their city; a county economy bureau its own county; nobody else."""
    level = {at(path, "level"): RegionLevel.COUNTY}
    if is_superuser(user):
        return Q(**level)
    org = _org(user)
    if org is None or not org.is_active:
        return NONE
    if province_wide(org):
        return Q(**level, **{at(path, "province_code"): org.region.province_code})
    if city_viewer(org):
        return Q(**level, **{at(path, "city_code"): org.region.code})
    if county_viewer(org):
        return Q(**{path or "pk": org.region.pk})
    return NONE


def is_county_viewer(user: Any) -> bool:
    org = _org(user)
    return bool(org and org.is_active and county_viewer(org))


RULES: dict[str, Callable[[Any, Any, str], Q]] = {
    "portal.region": _region_rule,
    "portal.organisation": _organisation_rule,
    "portal.user": _user_rule,
}


def register(label: str):
    """Decorator adding the rule of a model of another app: ``access.register("parks.park")(rule)``;
    each app registers its rules (``<app>/access.py``) from its ``AppConfig.ready()``."""

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


def can_manage_settings(user: Any) -> bool:
    """The province's own settings (reporting periods, deadlines, lock dates, reopening a locked
    filing from the settings pages, target sets and targets) are the province regulator's and
    superusers' — not the Django admin's."""
    return is_province(user)


def can_read_audit_log(user: Any) -> bool:
    """Who did what, when and from where: the province regulator and superusers only."""
    return is_province(user)


def require_settings(user: Any) -> None:
    if not can_manage_settings(user):
        raise PermissionDenied("只有省级监管局可以修改报送设置。")


def require_audit_log(user: Any) -> None:
    if not can_read_audit_log(user):
        raise PermissionDenied("只有省级监管局可以查看操作日志。")


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
