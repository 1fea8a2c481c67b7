"""The registers the filings are built on, read back from the database into plain objects:
the parks with their tenants and confirmed partner links, and the bank and insurer branches."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from parks.choices import LinkStatus, PartnerRole
from parks.models import Park, PartnerLink, Tenancy
from portal.choices import OrgKind
from portal.models import Organisation


@dataclass
class LoadedTenant:
    uscc: str
    name: str
    entity_type: str
    industry: str
    entered_on: dt.date
    left_on: dt.date | None

    def present_at(self, day: dt.date) -> bool:
        """As ``selectors.park_tenants_at``: entered by ``day`` and not left before it."""
        return self.entered_on <= day and (self.left_on is None or self.left_on >= day)


@dataclass
class LoadedLink:
    park_id: int
    park_code: str
    park_name: str
    branch_id: int
    branch_name: str
    bank_short: str
    bank_type: str
    city_code: str
    role: str
    sub_branch: str
    since: dt.date
    until: dt.date | None

    def active_at(self, day: dt.date) -> bool:
        """As ``selectors.park_partner_count_at``: since by ``day`` and not ended before it."""
        return self.since <= day and (self.until is None or self.until >= day)


@dataclass
class LoadedPark:
    id: int
    code: str
    name: str
    county_id: int
    city_code: str
    operator_id: int
    star_rating: int
    batch: int
    digital_status: str
    status: str
    tenants: list[LoadedTenant] = field(default_factory=list)
    links: list[LoadedLink] = field(default_factory=list)
    credit_curve: tuple[float, ...] = ()
    filing_curve: tuple[float, ...] = ()


@dataclass
class LoadedBranch:
    id: int
    name: str
    city_code: str
    short: str
    type: str


def registers_load() -> tuple[list[LoadedPark], list[LoadedBranch]]:
    """The parks (by code, with their tenants and confirmed links) and the bank and insurer branches (by name)."""
    parks = _parks_load()
    by_id = {p.id: p for p in parks}
    tenancies = Tenancy.objects.values_list(
        "park_id", "enterprise__uscc", "enterprise__name", "enterprise__entity_type", "enterprise__industry",
        "entered_on", "left_on")
    for park_id, uscc, name, entity_type, industry, entered, left in tenancies:
        by_id[park_id].tenants.append(LoadedTenant(uscc, name, entity_type, industry, entered, left))
    for park in parks:
        park.tenants.sort(key=lambda t: (t.entered_on, t.uscc))
    links = PartnerLink.objects.filter(status=LinkStatus.CONFIRMED).values_list(  # proposals are not partnerships
        "park_id", "branch_id", "branch__name", "branch__institution__short_name", "branch__institution__type",
        "branch__region__code", "role", "sub_branch", "since", "until")
    for park_id, branch_id, branch_name, short, kind, city, role, sub_branch, since, until in links:
        park = by_id[park_id]
        park.links.append(LoadedLink(park_id, park.code, park.name, branch_id, branch_name, short, kind, city, role,
                                sub_branch, since, until))
    for park in parks:
        park.links.sort(key=lambda link: (link.role != PartnerRole.LEAD, link.branch_name, link.since))
    return parks, _branches_load()


def _parks_load() -> list[LoadedPark]:
    return [
        LoadedPark(id=p["id"], code=p["code"], name=p["name"], county_id=p["county_id"], city_code=p["county__city_code"],
              operator_id=p["operator_id"], star_rating=p["star_rating"], batch=p["batch"],
              digital_status=p["digital_status"], status=p["status"])
        for p in Park.objects.order_by("code").values(
            "id", "code", "name", "county_id", "county__city_code", "operator_id", "star_rating", "batch",
            "digital_status", "status")
    ]


def _branches_load() -> list[LoadedBranch]:
    return [
        LoadedBranch(id=o["id"], name=o["name"], city_code=o["region__code"], short=o["institution__short_name"],
                type=o["institution__type"])
        for o in Organisation.objects.filter(kind=OrgKind.BANK_BRANCH, institution__isnull=False)
        .order_by("name").values("id", "name", "region__code", "institution__short_name", "institution__type")
    ]
