"""Access rules for the roll-up tables the API exposes. They belong to ``portal.access`` (through
its extension point ``access.register``) so that the views only ever call ``access.restrict``.

The dashboards (``reports.dashboards``) register the rules for ``reports.summary``,
``reports.targetresult`` and ``reports.t2summary``; importing that module here makes the API and
the dashboards use the very same rules. Only when it is absent are the equivalent rules below
registered:

- summaries: the province regulator and the provincial economy bureau see all; a branch regulator
  or a city economy bureau its city; nobody else;
- target results: the same, and a bank its own per-institution results;
- a park's 附表2 (``T2Summary``): composed in the view from the visibility of its 附表1 filing."""
from __future__ import annotations

from django.db.models import Q

from portal import access
from portal.choices import OrgKind, RegionLevel

try:  # the dashboards' rules, when the dashboards are installed
    from reports import dashboards  # noqa: F401
except ImportError:  # pragma: no cover - depends on what is merged
    dashboards = None


def _province_wide(org) -> bool:
    return org.kind == OrgKind.PROVINCE_REGULATOR or (org.kind == OrgKind.ECONOMY_BUREAU and org.region.level == RegionLevel.PROVINCE)


def _city_viewer(org) -> bool:
    return org.kind in (OrgKind.BRANCH_REGULATOR, OrgKind.ECONOMY_BUREAU) and org.region.level == RegionLevel.CITY


def summary_rule(user, org, action: str) -> Q:
    if action != access.VIEW:
        return access.NONE
    if _province_wide(org):
        return access.ALL
    if _city_viewer(org):
        return Q(scope="city", code=org.region.code)
    return access.NONE


def target_result_rule(user, org, action: str) -> Q:
    if action != access.VIEW:
        return access.NONE
    if _province_wide(org):
        return access.ALL
    if _city_viewer(org):
        return Q(scope_kind="city", scope_code=org.region.code)
    if org.kind == OrgKind.BANK_BRANCH:
        return Q(scope_kind="institution", scope_code=f"org:{org.pk}")
    return access.NONE


def register_rules() -> None:
    for label, rule in (("reports.summary", summary_rule), ("reports.targetresult", target_result_rule)):
        if label not in access.RULES:
            access.register(label)(rule)


register_rules()
