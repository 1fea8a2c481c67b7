"""Tenant enterprises and their tenancies: 35–46 per park, names and 统一社会信用代码 unique across
the province, a few 个体工商户, a few that have left."""
from __future__ import annotations

import datetime as dt
import random

from parks.choices import EntityType, ParkType
from parks.models import Enterprise, Park, Tenancy
from portal.models import Region
from portal.uscc import ALPHABET, uscc_make
from reports.demo.catalogue import (
    AS_OF,
    BRAND_CHARS,
    INDIVIDUAL_SHARE,
    INDIVIDUAL_TRADES,
    INDUSTRY_WEIGHTS,
    INDUSTRY_WORDS,
    LEFT_SHARE,
    MAX_TENANTS,
    MIN_TENANTS,
    SURNAMES,
)
from reports.demo.helpers import random_date, short_name
from reports.demo.park_plan import ParkPlan
from reports.demo.regions import city_short


def tenants_make(
    rng: random.Random, parks: list[Park], plans: list[ParkPlan], city_by_code: dict[str, Region],
) -> tuple[list[Enterprise], list[Tenancy]]:
    usccs: set[str] = set()
    names: set[str] = set()
    enterprises: list[Enterprise] = []
    tenancies: list[Tenancy] = []
    for park, plan in zip(parks, plans):
        county = plan.county
        city = city_by_code[county.city_code]
        industries = INDUSTRY_WEIGHTS[ParkType(plan.park_type)]
        letters, weights = list(industries), list(industries.values())
        for _ in range(rng.randint(MIN_TENANTS, MAX_TENANTS)):
            individual = rng.random() < INDIVIDUAL_SHARE
            if individual:
                name, industry = _individual_name(rng, county, names)
            else:
                industry = rng.choices(letters, weights=weights)[0]
                name = _enterprise_name(rng, county, city, industry, names)
            uscc = _uscc(rng, "92" if individual else "91", county.code, usccs)
            enterprise = Enterprise(
                uscc=uscc, name=name, industry=industry,
                entity_type=EntityType.INDIVIDUAL if individual else EntityType.ENTERPRISE,
            )
            entered = random_date(rng, plan.founded, AS_OF)
            left = None
            if rng.random() < LEFT_SHARE:
                span = (AS_OF - entered).days
                left = entered + dt.timedelta(days=rng.randint(min(60, span), span))
            enterprises.append(enterprise)
            tenancies.append(Tenancy(park=park, enterprise=enterprise, entered_on=entered, left_on=left))
    return enterprises, tenancies


def _uscc(rng: random.Random, prefix: str, county_code: str, taken: set[str]) -> str:
    letters = ALPHABET[10:]
    while True:
        if rng.random() < 0.4:  # registered since 2015: MA + 7 characters
            body = "MA2" + rng.choice("7890ABCDEFGHJ") + "".join(
                rng.choice(letters) if rng.random() < 0.15 else str(rng.randint(0, 9)) for _ in range(5)
            )
        else:  # an older 9-character organisation code
            body = str(rng.randint(1, 7)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
            body += rng.choice(letters) if rng.random() < 0.05 else str(rng.randint(0, 9))
        code = uscc_make(f"{prefix}{county_code}{body}")
        if code not in taken:
            taken.add(code)
            return code


def _enterprise_name(rng: random.Random, county: Region, city: Region, industry: str, taken: set[str]) -> str:
    words = INDUSTRY_WORDS[industry]
    for attempt in range(60):
        roll = rng.random()
        if roll < 0.05:
            place = "浙江"
        elif roll < 0.45 and not county.name.endswith("区"):
            place = short_name(county.name)
        else:
            place = city_short(city)
        brand = "".join(rng.sample(BRAND_CHARS, 3 if attempt > 30 else 2))
        suffix = "股份有限公司" if rng.random() < 0.02 else "有限公司"
        name = f"{place}{brand}{rng.choice(words)}{suffix}"
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("无法生成不重复的企业名称")


def _individual_name(rng: random.Random, county: Region, taken: set[str]) -> tuple[str, str]:
    for attempt in range(60):
        trade, industry = rng.choice(INDIVIDUAL_TRADES)
        if rng.random() < 0.7 and attempt < 30:
            owner = f"{rng.choice(SURNAMES)}记"
        else:
            owner = "".join(rng.sample(BRAND_CHARS, 2))
        name = f"{county.name}{owner}{trade}"
        if name not in taken:
            taken.add(name)
            return name, industry
    raise RuntimeError("无法生成不重复的个体工商户名称")
