"""Banks and insurers: the legal institutions, the cities where each has a branch, the branches'
names, and how likely a bank is to lead or partner a park."""
from __future__ import annotations

import random
from dataclasses import dataclass

from banks.choices import InstitutionType
from banks.models import Institution
from portal.choices import NINGBO_CODE
from portal.models import Organisation, Region
from reports.demo.catalogue import (
    CITY_COMMERCIAL_BANKS,
    FOREIGN_BANKS,
    HANGZHOU_CODE,
    INSURERS,
    JOINT_STOCK_BANKS,
    LARGE_BANK_LEAD_BONUS,
    LARGE_BANKS,
    LEAD_WEIGHT,
    POLICY_BANKS,
    PRIVATE_BANKS,
    RURAL_NAMED,
    RURAL_SHARED,
    VILLAGE_BANKS,
)
from reports.demo.helpers import bulk_insert, short_name
from reports.demo.regions import Zhejiang, city_short

# short name, full name, type, home counties, city codes with a branch
_Row = tuple[str, str, str, tuple[str, ...], list[str]]


@dataclass
class BankInfo:
    short: str
    type: str
    home_counties: tuple[str, ...] = ()  # rural and village banks serve only these counties


def institutions_create(
    rng: random.Random, zj: Zhejiang, city_by_code: dict[str, Region],
) -> tuple[list[Institution], dict[int, BankInfo], dict[int, list[str]]]:
    """Institutions, their info by pk and the city codes where each has a branch."""
    rows = _institution_rows(rng, zj, city_by_code)
    institutions = bulk_insert(
        Institution, [Institution(name=full, short_name=short, type=kind) for short, full, kind, _, _ in rows], "name"
    )
    info = {
        inst.pk: BankInfo(short=inst.short_name, type=inst.type, home_counties=row[3])
        for inst, row in zip(institutions, rows)
    }
    cities = {inst.pk: row[4] for inst, row in zip(institutions, rows)}
    return institutions, info, cities


def _institution_rows(rng: random.Random, zj: Zhejiang, city_by_code: dict[str, Region]) -> list[_Row]:
    all_cities = [city.code for city in zj.cities]
    rows: list[_Row] = []
    for short, full in POLICY_BANKS:
        rows.append((short, full, InstitutionType.POLICY, (), all_cities))
    for short, full in LARGE_BANKS:
        rows.append((short, full, InstitutionType.LARGE, (), all_cities))
    for short, full, chance in JOINT_STOCK_BANKS:
        cities = [c for c in all_cities if c in ("330100", "330200", "330300") or rng.random() < chance]
        rows.append((short, full, InstitutionType.JOINT_STOCK, (), cities))
    for short, full, home, n_other in CITY_COMMERCIAL_BANKS:
        others = [c for c in all_cities if c != home]
        chosen = {home}
        if n_other and home != HANGZHOU_CODE:
            chosen.add(HANGZHOU_CODE)
        chosen.update(rng.sample([c for c in others if c not in chosen], max(0, n_other - len(chosen) + 1)))
        rows.append((short, full, InstitutionType.CITY_COMMERCIAL, (), sorted(chosen)))
    for short, full, counties in _rural_banks(zj, city_by_code):
        rows.append((short, full, InstitutionType.RURAL, counties, [counties[0][:4] + "00"]))
    for short, full, county in VILLAGE_BANKS:
        rows.append((short, full, InstitutionType.VILLAGE, (county,), [county[:4] + "00"]))
    for short, full, cities in PRIVATE_BANKS:
        rows.append((short, full, InstitutionType.PRIVATE, (), list(cities)))
    for short, full, cities in FOREIGN_BANKS:
        rows.append((short, full, InstitutionType.FOREIGN, (), list(cities)))
    for short, full in INSURERS:
        rows.append((short, full, InstitutionType.INSURER, (), all_cities))
    return rows


def _rural_banks(zj: Zhejiang, city_by_code: dict[str, Region]) -> list[tuple[str, str, tuple[str, ...]]]:
    banks: list[tuple[str, str, tuple[str, ...]]] = []
    shared = {code: names for names, codes in RURAL_SHARED.items() for code in codes}
    seen: set[tuple[str, str]] = set()
    for county in zj.all_counties:
        if county.code in shared:
            names = shared[county.code]
            if names not in seen:
                seen.add(names)
                banks.append((*names, RURAL_SHARED[names]))
            continue
        if county.code in RURAL_NAMED:
            banks.append((*RURAL_NAMED[county.code], (county.code,)))
            continue
        city = city_short(city_by_code[county.city_code])
        place = short_name(county.name)
        if county.name.endswith("区"):
            place = city + place
        if county.city_code == NINGBO_CODE:
            full = f"宁波{short_name(county.name)}农村商业银行股份有限公司"
        else:
            full = f"浙江{place}农村商业银行股份有限公司"
        banks.append((f"{place}农商银行", full, (county.code,)))
    return banks


def branch_name(info: BankInfo, city: Region, home_city: bool) -> str:
    local = (InstitutionType.CITY_COMMERCIAL, InstitutionType.RURAL, InstitutionType.VILLAGE, InstitutionType.PRIVATE)
    if info.type in local and home_city:
        return f"{info.short}（总行营业部）"
    if info.type == InstitutionType.INSURER:
        return f"{info.short}{city_short(city)}市分公司"
    return f"{info.short}{city_short(city)}分行"


def is_home_city(inst: Institution, city_code: str) -> bool:
    for short, _, home, _ in CITY_COMMERCIAL_BANKS:
        if short == inst.short_name:
            return home == city_code
    if inst.type in (InstitutionType.RURAL, InstitutionType.VILLAGE):
        return True
    if inst.type == InstitutionType.PRIVATE:
        return city_code == HANGZHOU_CODE
    return False


def bank_weight(info: dict[int, BankInfo], branch: Organisation, table: dict[str, float]) -> float:
    bank = info[branch.institution_id]
    weight = table[InstitutionType(bank.type)]
    if table is LEAD_WEIGHT:
        weight *= LARGE_BANK_LEAD_BONUS.get(bank.short, 1.0)
    return weight
