"""Partner-bank links: each park's lead bank (主办行) and partner banks among the branches of its
city, a few ended ones, and one bank's pending proposal to the demo park."""
from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.utils import timezone

from banks.choices import InstitutionType
from parks.choices import LinkStatus, ParkStatus, PartnerRole
from parks.models import Park, PartnerLink
from portal.models import Organisation
from reports.demo.catalogue import AS_OF, LEAD_WEIGHT, LINKS_FROM, LOCAL_SUB_BRANCHES, PARTNER_WEIGHT
from reports.demo.helpers import random_date, weighted_sample
from reports.demo.institutions import BankInfo, bank_weight
from reports.demo.park_plan import ParkPlan


def links_make(
    rng: random.Random,
    parks: list[Park],
    plans: list[ParkPlan],
    branches: list[Organisation],
    info: dict[int, BankInfo],
    demo: ParkPlan,
    demo_lead: Organisation,
) -> list[PartnerLink]:
    banks_by_city: dict[str, list[Organisation]] = defaultdict(list)
    for branch in branches:
        if info[branch.institution_id].type != InstitutionType.INSURER:
            banks_by_city[branch.region.code].append(branch)
    links: list[PartnerLink] = []
    for park, plan in zip(parks, plans):
        candidates = [
            b for b in banks_by_city[plan.city_code]
            if not info[b.institution_id].home_counties or plan.county.code in info[b.institution_id].home_counties
        ]
        chosen, has_lead = _choose_banks(rng, plan, candidates, info, demo, demo_lead)
        links += _park_links(rng, park, plan, chosen, has_lead, info, demo)
    return links


def _choose_banks(
    rng: random.Random, plan: ParkPlan, candidates: list[Organisation], info: dict[int, BankInfo], demo: ParkPlan,
    demo_lead: Organisation,
) -> tuple[list[Organisation], bool]:
    """The park's banks, lead bank first, and whether it has a lead bank."""
    roll = rng.random()
    if roll < 0.05:
        n = rng.randint(1, 2)
    elif roll < 0.08:
        n = rng.randint(6, 7)
    else:
        n = rng.randint(3, 5)
    has_lead = rng.random() >= 0.02
    if plan is demo:
        n, has_lead, lead = min(max(n, 3), 5), True, demo_lead
    else:
        lead = weighted_sample(rng, candidates, [bank_weight(info, b, LEAD_WEIGHT) for b in candidates], 1)[0]
    rest = [b for b in candidates if b.pk != lead.pk]
    chosen = [lead] + weighted_sample(rng, rest, [bank_weight(info, b, PARTNER_WEIGHT) for b in rest], n - 1)
    return chosen, has_lead


def _park_links(
    rng: random.Random, park: Park, plan: ParkPlan, chosen: list[Organisation], has_lead: bool,
    info: dict[int, BankInfo], demo: ParkPlan,
) -> list[PartnerLink]:
    links: list[PartnerLink] = []
    ended = plan.status == ParkStatus.REVOKED
    for i, branch in enumerate(chosen):
        bank = info[branch.institution_id]
        if bank.home_counties:
            sub_branch = f"{bank.short}{rng.choice(LOCAL_SUB_BRANCHES)}支行"
        else:
            sub_branch = f"{bank.short}{plan.county.name}支行"
        role = PartnerRole.LEAD if i == 0 and has_lead else PartnerRole.PARTNER
        if ended or (role == PartnerRole.PARTNER and plan is not demo and rng.random() < 0.02):
            since = random_date(rng, LINKS_FROM, dt.date(2019, 12, 31))
            until = random_date(rng, dt.date(2020, 1, 1), AS_OF)
        else:
            since, until = random_date(rng, LINKS_FROM, AS_OF), None
        links.append(PartnerLink(park=park, branch=branch, role=role, sub_branch=sub_branch, since=since, until=until,
                                 status=LinkStatus.CONFIRMED))
    return links


def proposed_link(
    parks: list[Park], plans: list[ParkPlan], links: list[PartnerLink], branches: list[Organisation],
    info: dict[int, BankInfo], demo: ParkPlan,
) -> PartnerLink:
    """One bank's proposal to partner the demo park, waiting for the park's confirmation, so the
    park and branch logins see the two-party step on day one."""
    park = next(p for p, plan in zip(parks, plans) if plan is demo)
    linked = {link.branch.pk for link in links if link.park is park}
    branch = min((b for b in branches if b.region.code == demo.city_code and b.pk not in linked
                  and info[b.institution_id].type != InstitutionType.INSURER), key=lambda b: b.name)
    proposed_at = timezone.make_aware(dt.datetime(2020, 6, 20, 10, 0))
    return PartnerLink(park=park, branch=branch, role=PartnerRole.PARTNER, sub_branch=f"{info[branch.institution_id].short}{demo.county.name}支行",
                       since=dt.date(2020, 6, 30), status=LinkStatus.PROPOSED, proposed_at=proposed_at)

