"""Who sees the reconciliation list and the risk signals, registered with ``portal.access`` by
``ReportsConfig.ready()``. The rules follow the filings behind them:

- a reconciliation item (a park's 附表1 against a bank's 附表5): the park's operator, that bank,
  the city's branch regulator and the province — not another bank or park, nor the bureaus; the
  same parties comment on it;
- a risk signal (a tenant's readings and its 附表1 loan): its 主要授信银行, the city's branch
  regulator and the province; the bank and the branch regulator acknowledge it."""
from __future__ import annotations

from django.db.models import Q

from portal import access
from portal.access import ALL, NONE, VIEW, at
from portal.choices import OrgKind


def _item_q(org, path: str = "") -> Q:
    if org.kind == OrgKind.PROVINCE_REGULATOR:
        return ALL
    if org.kind == OrgKind.BRANCH_REGULATOR:
        return Q(**{at(path, "park__county__city_code"): org.region.code})
    if org.kind == OrgKind.BANK_BRANCH:
        return Q(**{at(path, "branch"): org.pk})
    if org.kind == OrgKind.PARK_OPERATOR:
        return Q(**{at(path, "park__operator"): org.pk})
    return NONE


def reconciliation_item_rule(user, org, action: str) -> Q:
    """Seen and commented by the same parties; nobody edits the figures (they are recomputed)."""
    return _item_q(org) if action in (VIEW, access.CHANGE) else NONE


def reconciliation_comment_rule(user, org, action: str) -> Q:
    if action == VIEW:
        return _item_q(org, "item")
    return NONE


def risk_signal_rule(user, org, action: str) -> Q:
    if org.kind == OrgKind.PROVINCE_REGULATOR:
        return ALL if action == VIEW else NONE
    if org.kind == OrgKind.BRANCH_REGULATOR and action in (VIEW, access.CHANGE):
        return Q(park__county__city_code=org.region.code)
    if org.kind == OrgKind.BANK_BRANCH and action in (VIEW, access.CHANGE):
        return Q(branch=org.pk)
    return NONE


RULES = {
    "reports.reconciliationitem": reconciliation_item_rule,
    "reports.reconciliationcomment": reconciliation_comment_rule,
    "reports.risksignal": risk_signal_rule,
}


def register_rules() -> None:
    for label, rule in RULES.items():
        access.register(label)(rule)
