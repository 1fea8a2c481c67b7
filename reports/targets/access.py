"""Who may read target results, registered with the access engine (``portal.access``) by
``ReportsConfig.ready()``."""
from __future__ import annotations

from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat

from portal import access
from portal.access import ALL, NONE, VIEW, any_q, bank_filings_q, city_viewer, province_wide
from portal.choices import OrgKind
from portal.models import Organisation


def target_result_rule(user, org, action: str) -> Q:
    """Target results: a per-institution result (scope ``org:<id>``) is that bank's figure, read by
    the readers of its 附表4; the others (province, star groups, institution types, cities) follow
    the roll-ups they come from."""
    if action != VIEW:
        return NONE
    if org.kind == OrgKind.PROVINCE_REGULATOR:
        return ALL
    per_bank = Q(scope_code__startswith="org:")
    banks = bank_filings_q(org, "")
    if banks == NONE:
        own_banks = NONE
    elif org.kind == OrgKind.BANK_BRANCH:
        own_banks = Q(scope_code=f"org:{org.pk}")
    else:
        codes = (Organisation.objects.filter(banks, kind=OrgKind.BANK_BRANCH)
                 .annotate(scope=Concat(Value("org:"), Cast("pk", CharField()), output_field=CharField())).values("scope"))
        own_banks = Q(scope_code__in=codes)
    if province_wide(org):
        others = ~per_bank
    elif city_viewer(org):
        others = Q(scope_kind="city", scope_code=org.region.code)
    else:
        others = NONE
    return any_q(others, own_banks)


RULES = {"reports.targetresult": target_result_rule}


def register_rules() -> None:
    """Called by ``ReportsConfig.ready()``."""
    for label, rule in RULES.items():
        access.register(label)(rule)
