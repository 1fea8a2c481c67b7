"""The parks' enterprise ledgers (附表1 rows): one enterprise's values quarter after quarter, drawn
from its own stream (seeded with the seed and its 统一社会信用代码) so trends look real, and the
stored row with the schedule's computed columns."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from banks.choices import InstitutionType
from parks.choices import EntityType, PartnerRole
from reports.demo.calibration import (
    BANK_RATE,
    COVID,
    DEMAND_BOOST,
    INSURED_SHARE,
    N_PERIODS,
    PURPOSES,
    RATE_SHIFT,
    RENEWAL_SHARE,
    REVENUE_PER_HEAD,
    SOLUTIONS,
    UNMET_DETAILS,
    YEARS,
)
from reports.demo.helpers import as_money, as_rate, clamp, pick_weighted, round_credit
from reports.demo.loaded import LoadedLink, LoadedPark, LoadedTenant
from reports.schedules.sizing import size_class_for
from reports.schedules.t1 import compute as t1_compute


@dataclass
class _Profile:
    """What stays the same for an enterprise across periods (drawn once, in this order)."""

    individual: bool
    cap: int
    employees0: int = 0
    revenue: dict[int, float] = field(default_factory=dict)
    assets_ratio: float | None = None
    tech: bool = False
    give_size: bool = False
    health: float = 0.0
    u: float = 0.0
    w: float = 0.0
    never_borrowed: bool = False
    credit: dict[int, float] = field(default_factory=dict)
    n_banks: int = 0
    main: LoadedLink | None = None
    main_bank: str = ""
    zero_loan: bool = False
    over: bool = False
    use: float = 0.0
    credit_loan_2019: bool = False
    credit_loan_2020: bool = False
    credit_loan_share: float = 0.0
    mlt_share: float = 0.0
    renewal_roll: float = 0.0
    renewal_share: float = 0.0
    rate_base: float = 0.0
    has_cost: bool = False
    spread: float = 0.0
    insured_roll: float = 0.0
    insured_amount: float = 0.0
    demand_bias: float = 0.0
    first_index: int | None = None
    first_year: int | None = None


def trajectory(seed: int, park: LoadedPark, tenant: LoadedTenant, banks: list[LoadedLink]) -> list[dict[str, Any] | None]:
    """The enterprise's ledger row per period index (floats; None before it is ever filed)."""
    rng = random.Random(f"{seed}/filings/{tenant.uscc}")
    p = _profile(rng, park, tenant, banks)
    out: list[dict[str, Any] | None] = []
    for i in range(N_PERIODS):
        r_emp, r_op, r_use, r_rate = rng.random(), rng.random(), rng.gauss(0, 0.05), rng.gauss(0, 0.05)
        r_demand, r_status, r_amount, r_purpose, r_reason, r_text = (rng.random() for _ in range(6))
        r_solution, r_solution_amount = rng.random(), rng.random()
        if p.w >= park.filing_curve[i]:
            out.append(None)  # not filed this quarter (the draws above keep later quarters stable)
            continue
        credited = p.u < park.credit_curve[i]
        new_credit = credited and p.first_index == i and i > 0
        row = _base_row(p, tenant, i, r_emp, r_op)
        if credited:
            _add_credit(row, p, i, r_use, r_rate)
        else:
            row["credit_status"] = "none" if p.never_borrowed else ("good" if p.health > 0.2 else "fair")
        status = _demand_status(row, p, i, credited, new_credit, r_demand, r_status)
        if row["has_demand"]:
            _add_demand(row, p, banks, credited, status, (r_amount, r_purpose, r_reason, r_text, r_solution, r_solution_amount))
        row["insured"] = p.insured_roll < INSURED_SHARE[i]
        if row["insured"]:
            row["insured_amount"] = p.insured_amount * (1 + 0.03 * i)
        out.append(row)
    return out


def _profile(rng: random.Random, park: LoadedPark, tenant: LoadedTenant, banks: list[LoadedLink]) -> _Profile:
    individual = tenant.entity_type == EntityType.INDIVIDUAL
    p = _Profile(individual=individual, cap=180 if size_class_for(tenant.industry).name == "其他" else 290)
    _draw_business(rng, p, tenant.industry)
    _draw_credit(rng, p, banks)
    _draw_loan_terms(rng, p)
    curve = park.credit_curve
    p.first_index = next((i for i in range(N_PERIODS) if p.u < curve[i]), None)
    if p.first_index is None:
        p.first_year = None
    elif p.first_index == 0:
        p.first_year = 2019 if rng.random() < 0.08 else 0
    else:
        p.first_year = YEARS[p.first_index]
    return p


def _draw_business(rng: random.Random, p: _Profile, industry: str) -> None:
    individual = p.individual
    if individual:
        p.employees0 = rng.randint(3, 12)
    else:
        p.employees0 = int(clamp(rng.lognormvariate(math.log(22), 0.75), 3, p.cap))
    per_head = REVENUE_PER_HEAD.get(industry, 25) * rng.lognormvariate(0, 0.35)
    max_revenue = 600 if individual else 8000
    p.revenue = {2019: clamp(p.employees0 * per_head, 50, max_revenue)}
    p.revenue[2020] = clamp(p.revenue[2019] * (1 + rng.gauss(0.07, 0.12)), 50, max_revenue)
    p.assets_ratio = rng.uniform(0.4, 1.6) if rng.random() < 0.88 else None
    p.tech = rng.random() < (0.18 if industry in "CIM" and not individual else 0.02)
    p.give_size = rng.random() < 0.6
    p.health = rng.random()
    p.u = rng.random()
    p.w = 0.85 * p.u + 0.15 * rng.random()
    p.never_borrowed = rng.random() < 0.75


def _draw_credit(rng: random.Random, p: _Profile, banks: list[LoadedLink]) -> None:
    credit19 = round_credit(clamp(p.revenue[2019] * rng.lognormvariate(math.log(0.12), 0.75), 2, 100 if p.individual else 3000))
    roll = rng.random()
    raise20 = 1.0 if roll < 0.5 else rng.uniform(1.1, 1.5) if roll < 0.88 else rng.uniform(0.7, 0.95)
    p.credit = {2019: credit19, 2020: round_credit(credit19 * raise20)}
    if credit19 > 500:
        bank_weights = (25, 35, 28, 8, 4)
    elif credit19 > 50:
        bank_weights = (55, 28, 14, 2.5, 0.5)
    else:
        bank_weights = (80, 16, 4, 0, 0)
    p.n_banks = rng.choices((1, 2, 3, 4, 5), weights=bank_weights)[0]
    p.main = rng.choices(banks, weights=[3 if b.role == PartnerRole.LEAD else 1 for b in banks])[0] if banks else None
    p.main_bank = p.main.bank_short if p.main else "农业银行"


def _draw_loan_terms(rng: random.Random, p: _Profile) -> None:
    p.zero_loan = rng.random() < 0.1
    p.over = rng.random() < 0.02
    p.use = rng.uniform(1.02, 1.15) if p.over else rng.uniform(0.5, 0.98)
    p.credit_loan_2019 = rng.random() < 0.2
    p.credit_loan_2020 = p.credit_loan_2019 or rng.random() < 0.1
    p.credit_loan_share = rng.uniform(0.3, 1.0)
    p.mlt_share = rng.uniform(0.2, 0.8) if rng.random() < 0.2 else 0.0
    p.renewal_roll, p.renewal_share = rng.random(), rng.uniform(0.3, 1.0)
    rate_base = BANK_RATE.get(p.main.bank_type if p.main else InstitutionType.LARGE, 5.5) + rng.gauss(0, 0.3)
    rate_base += (0.3 if p.individual else 0) + (0.4 if p.health < 0.07 else 0) - (0.2 if p.credit[2019] > 500 else 0)
    p.rate_base = clamp(rate_base, 3.95, 7.3)
    p.has_cost = rng.random() < 0.88
    p.spread = rng.uniform(0.5, 1.5) if rng.random() < 0.3 else rng.uniform(0.02, 0.3)
    p.insured_roll, p.insured_amount = rng.random(), float(round(rng.uniform(20, 600) / 10) * 10)
    p.demand_bias = rng.uniform(0.5, 1.5)


def _base_row(p: _Profile, tenant: LoadedTenant, i: int, r_emp: float, r_op: float) -> dict[str, Any]:
    year = YEARS[i]
    employees = int(clamp(p.employees0 * (1 + 0.015 * i - 0.6 * COVID[i] * (r_emp < 0.3) + 0.04 * (r_emp - 0.5)), 3, p.cap))
    score = 0.7 * p.health + 0.3 * r_op - COVID[i]
    operating = "good" if score > 0.45 else "fair" if score > 0.18 else "difficult" if score > 0.05 else "halted"
    return {
        "employees": employees, "revenue": p.revenue[year],
        "total_assets": p.revenue[year] * p.assets_ratio if p.assets_ratio else None,
        "tech_type": p.tech, "give_size": p.give_size, "operating_status": operating,
        "credit": 0.0, "loan": 0.0, "credit_loan": 0.0, "mlt": 0.0, "renewal": 0.0, "rate": None, "cost": None,
        "banks": 0, "main_bank": "", "first_loan": False,
    }


def _add_credit(row: dict[str, Any], p: _Profile, i: int, r_use: float, r_rate: float) -> None:
    year = YEARS[i]
    amount = p.credit[year]
    use = p.use
    loan = 0.0 if p.zero_loan else round(amount * (clamp(use + r_use, 1.01, 1.2) if p.over else clamp(use + r_use, 0.3, 1.0)), 2)
    row.update(credit=amount, loan=loan, banks=p.n_banks, main_bank=p.main_bank,
               credit_status="good" if p.health > 0.25 else "fair" if p.health > 0.07 else "poor")
    if loan > 0:
        if (p.credit_loan_2019 if year == 2019 else p.credit_loan_2020):
            row["credit_loan"] = min(loan, round(loan * p.credit_loan_share, 2))
        if p.mlt_share:
            row["mlt"] = min(loan, round(loan * p.mlt_share, 2))
        if p.renewal_roll < RENEWAL_SHARE[i]:
            row["renewal"] = min(loan, round(loan * p.renewal_share, 2))
        rate = clamp(p.rate_base + RATE_SHIFT[i] + r_rate, 3.8, 7.5)
        row["rate"] = rate
        if p.has_cost:
            row["cost"] = rate + p.spread * (1 - 0.05 * max(0, i - 2))
        row["first_loan"] = p.first_year == year


def _demand_status(row: dict[str, Any], p: _Profile, i: int, credited: bool, new_credit: bool, r_demand: float,
                   r_status: float) -> str:
    """Sets ``has_demand``; returns the status the demand would have."""
    if new_credit:
        has_demand = r_demand < 0.7
        status = "met" if r_status < 0.8 else "partial"
    elif credited:
        has_demand = r_demand < 0.12 * p.demand_bias * DEMAND_BOOST[i]
        met = 0.5 + 0.03 * i
        status = "met" if r_status < met else "partial" if r_status < met + 0.32 else "unmet"
    else:
        has_demand = r_demand < 0.08 * p.demand_bias * DEMAND_BOOST[i]
        status = "unmet"
    row["has_demand"] = has_demand
    return status


def _add_demand(row: dict[str, Any], p: _Profile, banks: list[LoadedLink], credited: bool, status: str,
                rolls: tuple[float, float, float, float, float, float]) -> None:
    r_amount, r_purpose, r_reason, r_text, r_solution, r_solution_amount = rolls
    base = row["credit"] if credited else 0.0
    if base:
        demand_amount = round_credit(max(5.0, base * (0.2 + 0.8 * r_amount)))
    else:
        demand_amount = round_credit(10 + 290 * r_amount * (0.3 if p.individual else 1.0))
    row.update(demand_amount=demand_amount, demand_status=status,
               demand_purpose=pick_weighted(PURPOSES, r_purpose))
    if status != "met":
        reason = "enterprise" if r_reason < 0.5 else "bank" if r_reason < 0.8 else "other"
        details = UNMET_DETAILS[reason]
        bank = p.main_bank if credited else (banks[0].bank_short if banks else "主办行")
        row.update(unmet_reason=reason, unmet_detail=details[int(r_text * len(details))],
                   solution=SOLUTIONS[int(r_solution * len(SOLUTIONS))].format(
                       bank=bank, amount=round_credit(max(5.0, demand_amount * (0.3 + 0.7 * r_solution_amount)))))


def t1_values(tenant: LoadedTenant, v: dict[str, Any]) -> dict[str, Any]:
    """One stored T1 row (canonical values, computed columns included)."""
    loan = v["loan"]
    values: dict[str, Any] = {
        "enterprise_name": tenant.name, "uscc": tenant.uscc, "entity_type": tenant.entity_type,
        "industry": tenant.industry, "employees": v["employees"], "revenue": as_money(v["revenue"]),
        "total_assets": as_money(v["total_assets"]) if v["total_assets"] is not None else None,
        "size": "", "tech_type": v["tech_type"], "operating_status": v["operating_status"],
        "credit_status": v["credit_status"], "has_demand": v["has_demand"],
        "demand_amount": as_money(v["demand_amount"]) if v["has_demand"] else None,
        "demand_purpose": v.get("demand_purpose", ""), "lending_bank_count": v["banks"], "main_bank": v["main_bank"],
        "credit_amount": as_money(v["credit"]), "loan_balance": as_money(loan),
        "credit_loan_balance": as_money(v["credit_loan"]), "medium_long_term_balance": as_money(v["mlt"]),
        "renewal_balance": as_money(v["renewal"]), "is_first_loan": v["first_loan"],
        "loan_rate": as_rate(v["rate"]) if v["rate"] is not None else None,
        "financing_cost": as_rate(v["cost"]) if v["cost"] is not None else None,
        "insured": v["insured"], "insured_amount": as_money(v["insured_amount"]) if v["insured"] else None,
        "demand_status": v.get("demand_status", ""), "unmet_reason": v.get("unmet_reason", ""),
        "unmet_detail": v.get("unmet_detail", ""), "solution": v.get("solution", ""),
    }
    computed = t1_compute(values)
    if v["give_size"] and computed["size_computed"] in ("medium", "small", "micro"):
        values["size"] = computed["size_computed"]
    values.update(computed)
    return values
