"""Who may see and change the banks app's rows, registered with the access engine
(``portal.access``) by ``BanksConfig.ready()``."""
from __future__ import annotations

from django.db.models import Q

from portal import access
from portal.access import ALL, NONE, VIEW
from portal.choices import OrgKind


def institution_rule(user, org, action: str) -> Q:
    if action == VIEW:
        return ALL
    return ALL if org.kind == OrgKind.PROVINCE_REGULATOR else NONE


RULES = {"banks.institution": institution_rule}


def register_rules() -> None:
    """Called by ``BanksConfig.ready()``."""
    for label, rule in RULES.items():
        access.register(label)(rule)
