"""Who may see and change the parks app's rows: the rules of its models and the filings-readers
rule of a park (``access.filings_readable_q(user, "park")``), registered with the access engine
(``portal.access``) by ``ParksConfig.ready()``."""
from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from parks.models import PartnerLink, Tenancy
from portal import access
from portal.access import ADD, CHANGE, NONE, VIEW, area_kinds, area_q, at
from portal.choices import OrgKind


def park_rule(user, org, action: str, prefix: str = "") -> Q:
    county = f"{prefix}county"
    if action == VIEW:
        if org.kind in area_kinds():
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


def links_in_force(org, **filters):
    """Bank ``org``'s partner links in force today (confirmed, inside [since, until]); the rule
    itself lives in ``PartnerLink.objects.in_force``."""
    return PartnerLink.objects.in_force(on=timezone.localdate()).filter(branch=org, **filters)


def _partner_parks_q(org, path: str) -> Q:
    """Rows whose park (at ``path``) has a partner link in force with bank ``org``."""
    return Q(Exists(links_in_force(org, park=OuterRef(path))))


def enterprise_rule(user, org, action: str) -> Q:
    if action == VIEW:
        if org.kind in area_kinds():
            tenancies = Tenancy.objects.filter(enterprise=OuterRef("pk")).filter(area_q(org, "park__county"))
            return Q(Exists(tenancies))
        if org.kind == OrgKind.BANK_BRANCH:
            partner_parks = links_in_force(org).values("park_id")
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


def tenancy_rule(user, org, action: str) -> Q:
    if action == VIEW:
        if org.kind == OrgKind.BANK_BRANCH:
            return _partner_parks_q(org, "park")
        return park_rule(user, org, VIEW, prefix="park__")
    if org.kind == OrgKind.PARK_OPERATOR:
        return Q(park__operator=org.pk)
    return NONE


def partner_link_rule(user, org, action: str) -> Q:
    if org.kind == OrgKind.BANK_BRANCH:
        return Q(branch=org.pk)
    if action != VIEW:
        return NONE
    if org.kind in area_kinds():
        return area_q(org, "park__county")
    if org.kind == OrgKind.PARK_OPERATOR:
        return Q(park__operator=org.pk)
    return NONE


def brain_reading_rule(user, org, action: str) -> Q:
    """Readings are seen by whoever sees that enterprise's stay in that park (its operator, the
    park's partner banks, the regulators and economy bureaus of the area); only the park's
    operator writes them."""
    if action == VIEW:
        stays = access.restrict(user, Tenancy.objects.filter(park=OuterRef("park"), enterprise=OuterRef("enterprise")))
        return Q(Exists(stays))
    if org.kind == OrgKind.PARK_OPERATOR:
        return Q(park__operator=org.pk)
    return NONE


def park_filings_q(org, path: str) -> Q:
    """Parks (the Park at ``path``; "" = the Park itself) whose 附表1/2 ``org`` may read: the park's
    operator, its lead bank (主办行, which confirms and forwards it), the city's branch regulator, the
    province and the economy bureaus of its area."""
    if org.kind == OrgKind.PROVINCE_REGULATOR:
        return access.ALL
    if org.kind == OrgKind.BRANCH_REGULATOR:
        return Q(**{at(path, "county__city_code"): org.region.code})
    if org.kind == OrgKind.ECONOMY_BUREAU:
        return area_q(org, at(path, "county"))
    if org.kind == OrgKind.BANK_BRANCH:
        return Q(Exists(links_in_force(org, park=OuterRef(path or "pk"), role="lead")))
    if org.kind == OrgKind.PARK_OPERATOR:
        return Q(**{at(path, "operator"): org.pk})
    return NONE


RULES = {
    "parks.park": park_rule,
    "parks.enterprise": enterprise_rule,
    "parks.tenancy": tenancy_rule,
    "parks.partnerlink": partner_link_rule,
    "parks.brainreading": brain_reading_rule,
}


def register_rules() -> None:
    """Called by ``ParksConfig.ready()``."""
    for label, rule in RULES.items():
        access.register(label)(rule)
    access.register_subject("park", park_filings_q)
