"""The park plan: how many parks each city and county has, their names, batches, types, areas,
star ratings, statuses and digital labels, before anything is written; and the demo login's park."""
from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from parks.choices import Batch, DigitalStatus, ParkStatus, ParkType, StarRating
from portal.choices import NINGBO_CODE
from portal.models import Region
from reports.demo.catalogue import (
    CITY_WEIGHTS,
    CORE_DISTRICTS,
    DIGITAL_DEMO_TOTAL,
    DIGITAL_PILOT_NINGBO,
    DIGITAL_PILOT_TOTAL,
    FIRST_BATCH_NINGBO,
    FIRST_BATCH_TOTAL,
    HANGZHOU_CODE,
    LATER_BATCH_NINGBO,
    LATER_BATCH_TOTAL,
    MANUFACTURING_THEMES,
    PLACE_WORDS,
    SERVICE_THEMES,
    SMALL_COUNTIES,
    STAR_SHARES_FIRST,
    STAR_SHARES_LATER,
    STREET_WORDS,
    STRONG_COUNTIES,
)
from reports.demo.helpers import apportion, quotas, random_date, round_half_up, short_name
from reports.demo.regions import Zhejiang, bureau_name, zhejiang_load

FOUNDED_YEARS = {Batch.FIRST: (2012, 2016), Batch.SECOND: (2014, 2018), Batch.THIRD: (2016, 2019)}


@dataclass
class ParkPlan:
    """One park before it is written (kept separate so the plan can be tested without writing)."""

    code: str
    name: str
    county: Region
    batch: int
    founded: dt.date
    park_type: str
    area_mu: Decimal
    manager: str
    star_rating: int = StarRating.UNRATED
    digital_status: str = DigitalStatus.NONE
    status: str = ParkStatus.ACTIVE

    @property
    def city_code(self) -> str:
        return self.county.city_code

    @property
    def operator_name(self) -> str:
        return f"{self.name}运营管理有限公司"


def _park_counts(zj: Zhejiang, scale: float) -> dict[str, tuple[int, int]]:
    """(first batch, second/third batch) park counts per city code; at least one first-batch park each."""
    others = [city.code for city in zj.cities if city.code != NINGBO_CODE]
    weights = [CITY_WEIGHTS[code] for code in others]
    first = apportion(round_half_up((FIRST_BATCH_TOTAL - FIRST_BATCH_NINGBO) * scale), weights)
    later = apportion(round_half_up((LATER_BATCH_TOTAL - LATER_BATCH_NINGBO) * scale), weights)
    counts = {code: (max(1, f), n) for code, f, n in zip(others, first, later)}
    counts[NINGBO_CODE] = (max(1, round_half_up(FIRST_BATCH_NINGBO * scale)), round_half_up(LATER_BATCH_NINGBO * scale))
    return {city.code: counts[city.code] for city in zj.cities}


def _park_name(rng: random.Random, county: Region, park_type: str, taken: set[str]) -> str:
    """A park name not yet in ``taken``; keys are per county, so 西湖区智造… and 西湖智造… count as one name."""
    themes = MANUFACTURING_THEMES if park_type == ParkType.MANUFACTURING else SERVICE_THEMES
    for attempt in range(60):
        word = rng.choice(PLACE_WORDS) if rng.random() < 0.2 else ""
        theme = rng.choice(themes)
        phase = f"（{'二三四'[attempt % 3]}期）" if attempt >= 30 else ""
        key = f"{county.code}{word}{theme}{phase}"
        if key not in taken:
            taken.add(key)
            place = county.name if rng.random() < 0.55 else short_name(county.name)
            return f"{place}{word}{theme}小微企业园{phase}"
    raise RuntimeError(f"无法为{county.name}生成不重复的园区名称")


def _county_weight(rng: random.Random, county: Region) -> float:
    if county.code in CORE_DISTRICTS:
        return rng.uniform(0.15, 0.4)
    if county.code in STRONG_COUNTIES:
        return rng.uniform(1.5, 2.5)
    if county.code in SMALL_COUNTIES:
        return rng.uniform(0.3, 0.6)
    return rng.uniform(0.7, 1.4)


def _manager(rng: random.Random, county: Region, city: Region) -> str:
    short = short_name(county.name)
    roll = rng.random()
    if roll < 0.4:
        return f"{short}经济开发区管委会"
    if roll < 0.55:
        return f"{short}高新技术产业园区管委会"
    if roll < 0.85:
        return f"{county.name}{rng.choice(STREET_WORDS)}街道办事处"
    return bureau_name(county, city).replace("经信局", "经济和信息化局")


def plan_parks(*, scale: float = 1.0, seed: int = 2020) -> list[ParkPlan]:
    """The parks for ``scale`` and ``seed``, ordered by code, not yet written."""
    zj = zhejiang_load()
    rng = random.Random(f"{seed}/parks")
    by_county, county_by_code = _distribute(rng, zj, scale)
    plans = _plan_counties(rng, zj, by_county, county_by_code)
    first = [p for p in plans if p.batch == Batch.FIRST]
    later = [p for p in plans if p.batch != Batch.FIRST]
    _rate_stars(rng, first, later)
    _mark_statuses(rng, first, later)
    _mark_digital(rng, first, scale)
    return plans


def _distribute(rng: random.Random, zj: Zhejiang, scale: float) -> tuple[dict[str, list[int]], dict[str, Region]]:
    """The batches of the parks of each county (county code -> batches) and the counties by code."""
    by_county: dict[str, list[int]] = defaultdict(list)  # county code -> batches
    county_by_code: dict[str, Region] = {}
    counts = _park_counts(zj, scale)
    for city in zj.cities:
        n_first, n_later = counts[city.code]
        counties = zj.counties[city.code]
        weights = [_county_weight(rng, county) for county in counties]
        n_second = round_half_up(n_later * 0.6)
        batches = [Batch.FIRST] * n_first + [Batch.SECOND] * n_second + [Batch.THIRD] * (n_later - n_second)
        for batch in batches:
            county = rng.choices(counties, weights=weights)[0]
            by_county[county.code].append(int(batch))
            county_by_code[county.code] = county
    return by_county, county_by_code


def _plan_counties(
    rng: random.Random, zj: Zhejiang, by_county: dict[str, list[int]], county_by_code: dict[str, Region],
) -> list[ParkPlan]:
    city_by_code = {city.code: city for city in zj.cities}
    plans: list[ParkPlan] = []
    taken: set[str] = set()
    for code in sorted(by_county):
        county = county_by_code[code]
        city = city_by_code[county.city_code]
        for seq, batch in enumerate(sorted(by_county[code]), start=1):
            plans.append(_plan_park(rng, county, city, seq, batch, taken))
    return plans


def _plan_park(rng: random.Random, county: Region, city: Region, seq: int, batch: int, taken: set[str]) -> ParkPlan:
    park_type = ParkType.MANUFACTURING if rng.random() < 0.75 else ParkType.SERVICE
    if park_type == ParkType.MANUFACTURING:
        area = rng.triangular(30, 400, 90)
    else:
        area = rng.triangular(30, 180, 45)
    first_year, last_year = FOUNDED_YEARS[Batch(batch)]
    return ParkPlan(
        code=f"{county.code}{seq:03d}",
        name=_park_name(rng, county, park_type, taken),
        county=county,
        batch=batch,
        founded=random_date(rng, dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)),
        park_type=park_type,
        area_mu=Decimal(f"{round(area * 2) / 2:.2f}"),
        manager=_manager(rng, county, city),
    )


def _rate_stars(rng: random.Random, first: list[ParkPlan], later: list[ParkPlan]) -> None:
    for group, shares in ((first, STAR_SHARES_FIRST), (later, STAR_SHARES_LATER)):
        stars = quotas(shares, len(group))
        rng.shuffle(stars)
        for park, star in zip(group, stars):
            park.star_rating = star


def _mark_statuses(rng: random.Random, first: list[ParkPlan], later: list[ParkPlan]) -> None:
    """A few unrated first-batch parks were revoked; some later-batch parks are still being built."""
    unrated_first = [p for p in first if p.star_rating == StarRating.UNRATED and p.city_code != HANGZHOU_CODE]
    for park in rng.sample(unrated_first, min(len(unrated_first), round_half_up(len(first) * 0.01))):
        park.status = ParkStatus.REVOKED
    for park in rng.sample(later, round_half_up(len(later) * 0.08)):
        park.status = ParkStatus.BUILDING


def _mark_digital(rng: random.Random, first: list[ParkPlan], scale: float) -> None:
    """Digital parks: demonstration parks among the best first-batch parks, pilots among the good ones."""
    active_first = [p for p in first if p.status == ParkStatus.ACTIVE]
    best = [p for p in active_first if p.star_rating >= StarRating.FOUR] or active_first
    for park in rng.sample(best, min(len(best), round_half_up(DIGITAL_DEMO_TOTAL * scale))):
        park.digital_status = DigitalStatus.DEMO
    good = [p for p in active_first if p.star_rating >= StarRating.THREE and p.digital_status == DigitalStatus.NONE]
    n_pilot_ningbo = round_half_up(DIGITAL_PILOT_NINGBO * scale)
    n_pilot_other = round_half_up(DIGITAL_PILOT_TOTAL * scale) - n_pilot_ningbo
    for in_ningbo, n in ((True, n_pilot_ningbo), (False, n_pilot_other)):
        pool = [p for p in good if (p.city_code == NINGBO_CODE) == in_ningbo]
        for park in rng.sample(pool, min(len(pool), n)):
            park.digital_status = DigitalStatus.PILOT


def demo_park_pick(plans: Sequence[ParkPlan]) -> ParkPlan:
    """The park of the ``park`` login: the first (by code) Hangzhou first-batch manufacturing park
    outside the central districts rated three stars or more, else the first Hangzhou first-batch park.
    Its lead bank is forced to 工商银行杭州分行."""
    hangzhou_first = [p for p in plans if p.city_code == HANGZHOU_CODE and p.batch == Batch.FIRST]
    good = [
        p for p in hangzhou_first
        if p.star_rating >= StarRating.THREE and p.status == ParkStatus.ACTIVE
        and p.park_type == ParkType.MANUFACTURING and p.county.code not in CORE_DISTRICTS
    ]
    park = (good or hangzhou_first)[0]
    park.status = ParkStatus.ACTIVE
    return park
