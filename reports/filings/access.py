"""Who may see and change filings and their 附表2, registered with the access engine
(``portal.access``) by ``ReportsConfig.ready()``."""
from __future__ import annotations

from django.db.models import Q

from parks.access import park_filings_q
from portal import access
from portal.access import ALL, CHANGE, NONE, VIEW, any_q, bank_filings_q, city_filings_q
from portal.choices import OrgKind


def filing_rule(user, org, action: str) -> Q:
    """Filings: read by the readers of their subject (``access.filings_readable_q``); a park's T1 is
    changed by its operator, a bank's T4/T5 by the bank, a city's T3 by its branch regulator."""
    if action == VIEW:
        if org.kind == OrgKind.PROVINCE_REGULATOR:
            return ALL
        parts = []
        for field, rule in (("park", park_filings_q), ("branch", bank_filings_q), ("city", city_filings_q)):
            q = rule(org, field)
            parts.append(Q(**{f"{field}__isnull": False}) if q == ALL else q)
        return any_q(*parts)
    # change = edit the filing's contents (state rules live in reports.filings.services / reports.workflow)
    if org.kind == OrgKind.BANK_BRANCH:
        return Q(branch=org.pk)
    if org.kind == OrgKind.PARK_OPERATOR:
        return Q(park__operator=org.pk)
    if org.kind == OrgKind.BRANCH_REGULATOR and action == CHANGE:
        return Q(city__code=org.region.code)
    return NONE


def t2_summary_rule(user, org, action: str) -> Q:
    """A park's 附表2 is read by the readers of its 附表1."""
    return park_filings_q(org, "park") if action == VIEW else NONE


RULES = {"reports.filing": filing_rule, "reports.t2summary": t2_summary_rule}


def register_rules() -> None:
    """Called by ``ReportsConfig.ready()``."""
    for label, rule in RULES.items():
        access.register(label)(rule)
