"""Who may read the city and province roll-ups, registered with the access engine
(``portal.access``) by ``ReportsConfig.ready()``."""
from __future__ import annotations

from django.db.models import Q

from portal import access
from portal.access import ALL, NONE, VIEW, city_viewer, province_wide


def summary_rule(user, org, action: str) -> Q:
    """City and province roll-ups (totals over every park and bank of the area): the province
    regulator and the provincial economy bureau see all; a branch regulator or a city economy
    bureau its city; nobody else."""
    if action != VIEW:
        return NONE
    if province_wide(org):
        return ALL
    if city_viewer(org):
        return Q(scope="city", code=org.region.code)
    return NONE


RULES = {"reports.summary": summary_rule}


def register_rules() -> None:
    """Called by ``ReportsConfig.ready()``."""
    for label, rule in RULES.items():
        access.register(label)(rule)
