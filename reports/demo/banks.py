"""What the banks and insurers file (附表4 and 附表5): their whole-of-city figures, their lending in
the parks (from the parks' ledgers), their partner-park rows, the insurers' section (the narrative:
``narratives``)."""
from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal
from typing import Any

from banks.choices import InstitutionType
from parks.choices import PartnerRole
from reports.demo.calibration import (
    A_CA,
    A_CC,
    A_CLB,
    A_FL,
    A_IB,
    A_IC,
    A_LB,
    A_LC,
    A_MLT,
    A_RB,
    A_RC,
    A_RXL,
    AREA_CODES,
    AVG_INCLUSIVE_LOAN,
    CITY_LOAN_SHARE,
    CREDIT_LOAN_BIAS,
    INCLUSIVE_RATE,
    INCLUSIVE_RATIO,
    INSURER_SHARE,
    LARGE_SHARE,
    MOBILE_PREFIXES,
    N_PERIODS,
    NPL_ALL,
    NPL_BIAS,
    NPL_INCLUSIVE,
    PATH_ALL,
    PATH_CREDIT_SHARE,
    PATH_FIRST_LOANS,
    PATH_INCLUSIVE,
    PATH_INCLUSIVE_COUNT,
    PATH_MANUFACTURING,
    PATH_RENEWAL,
    PATH_RENEWAL_COUNT,
    PATH_SME,
    PERIOD_CODES,
    POLICY_SHARE,
    PROVINCE_2019,
    RENEWAL_BIAS,
    RURAL_CITY_SHARE,
    SERVICES,
    SME_RATIO,
    T4_RATE_SHIFT,
    TYPE_SHARE,
)
from reports.demo.helpers import as_money, as_rate, clamp, person_name
from reports.demo.loaded import LoadedBranch, LoadedLink
from reports.filings.models import Period

TOTAL_KEYS = ("credit_count", "credit_amount", "loan_count", "loan_balance", "inclusive_count", "inclusive_balance",
              "credit_loan", "mlt", "renewal_count", "renewal", "first", "rate_x_loan", "raw_loan")


# --- whole-of-city figures (section 二) ---------------------------------------------------------

def city_figures(seed: int, branches: list[LoadedBranch]) -> dict[int, dict[str, float]]:
    """Each bank branch's whole-of-city figures at 2019 year-end (section 二 before the paths),
    scaled so that the province totals over every bank branch are those of ``PROVINCE_2019``."""
    rng = random.Random(f"{seed}/filings/city-lending")
    banks = [b for b in branches if b.type != InstitutionType.INSURER]
    rural_per_city = Counter(b.city_code for b in banks if b.type == InstitutionType.RURAL)
    home = {b.short: b.city_code for b in banks if b.name.endswith("（总行营业部）")}
    raw = {b.id: _raw_figures(rng, b, _city_share(b, rural_per_city, home)) for b in banks}
    totals = {key: sum(v[key] for v in raw.values()) for key in PROVINCE_2019}
    return {b.id: _scaled_figures(rng, b, raw[b.id], totals) for b in banks}


def _city_share(b: LoadedBranch, rural_per_city: Counter[str], home: dict[str, str]) -> float:
    kind = InstitutionType(b.type)
    if kind == InstitutionType.LARGE:
        return LARGE_SHARE.get(b.short, 0.5)
    if kind == InstitutionType.POLICY:
        return POLICY_SHARE.get(b.short, 0.3)
    if kind == InstitutionType.RURAL:
        return RURAL_CITY_SHARE / rural_per_city[b.city_code]
    if kind == InstitutionType.CITY_COMMERCIAL and home.get(b.short) == b.city_code:
        return 1.0 if b.short in ("杭州银行", "宁波银行") else 0.5
    if kind == InstitutionType.JOINT_STOCK and b.short == "浙商银行":
        return 0.35
    return TYPE_SHARE.get(kind, 0.05)


def _raw_figures(rng: random.Random, b: LoadedBranch, share: float) -> dict[str, float]:
    kind = InstitutionType(b.type)
    city_weight = CITY_LOAN_SHARE.get(b.city_code, 0.02)
    all_loans = share * city_weight * rng.uniform(0.8, 1.25)
    sme = all_loans * SME_RATIO[kind] * rng.uniform(0.85, 1.15)
    renewal = sme * RENEWAL_BIAS[kind] * rng.uniform(0.8, 1.2)
    return {
        "all_loan_balance": all_loans, "sme_loan_balance": sme,
        "inclusive_loan_balance": sme * INCLUSIVE_RATIO[kind] * rng.uniform(0.85, 1.15),
        "sme_credit_loan_balance": sme * CREDIT_LOAN_BIAS[kind] * rng.uniform(0.8, 1.2),
        "sme_renewal_balance": renewal,
        "sme_renewal_count": renewal / rng.uniform(80, 150),
    }


def _scaled_figures(rng: random.Random, b: LoadedBranch, raw: dict[str, float], totals: dict[str, float]) -> dict[str, float]:
    kind = InstitutionType(b.type)
    v = {key: raw[key] * PROVINCE_2019[key] / totals[key] for key in PROVINCE_2019}
    v["sme_loan_balance"] = min(v["sme_loan_balance"], 0.92 * v["all_loan_balance"])
    v["inclusive_loan_balance"] = min(v["inclusive_loan_balance"], 0.7 * v["sme_loan_balance"])
    v["sme_credit_loan_balance"] = min(v["sme_credit_loan_balance"], 0.3 * v["sme_loan_balance"])
    v["sme_renewal_balance"] = min(v["sme_renewal_balance"], 0.12 * v["sme_loan_balance"])
    v["inclusive_loan_count"] = v["inclusive_loan_balance"] / (AVG_INCLUSIVE_LOAN[kind] * rng.uniform(0.8, 1.25))
    v["inclusive_renewal_share"] = rng.uniform(0.55, 0.75)
    v["first_loan_share"] = rng.uniform(0.05, 0.09)
    v["rate"] = INCLUSIVE_RATE[kind] + rng.gauss(0, 0.25)
    v["cost_spread"] = rng.uniform(0.25, 0.6)
    v["npl_bias"] = NPL_BIAS[kind] * rng.uniform(0.8, 1.25)
    v["enterprise_share"] = rng.uniform(0.55, 0.7)
    v["private_share"] = rng.uniform(0.55, 0.78)
    v["manufacturing_share"] = rng.uniform(0.04, 0.09)
    v["tilt"] = rng.gauss(0, 0.04)
    return v


def section_two(rng: random.Random, base: dict[str, float], j: int) -> dict[str, Any]:
    """Whole-of-city figures of T4 period index ``j`` (0 = 2018Q4) from the 2019 year-end base."""
    tilt = 1 + base["tilt"] * (j - 3) / 4
    noise = lambda: tilt * rng.uniform(0.985, 1.015)  # noqa: E731
    all_loans = base["all_loan_balance"] * PATH_ALL[j] * noise()
    sme = min(base["sme_loan_balance"] * PATH_SME[j] * noise(), 0.95 * all_loans)
    inclusive = min(base["inclusive_loan_balance"] * PATH_INCLUSIVE[j] * noise(), 0.97 * sme)
    credit_loans = min(base["sme_credit_loan_balance"] * PATH_SME[j] * PATH_CREDIT_SHARE[j] * noise(), sme)
    renewal = min(base["sme_renewal_balance"] * PATH_RENEWAL[j] * noise(), sme)
    inclusive_renewal = min(renewal * base["inclusive_renewal_share"], inclusive)
    inclusive_count = base["inclusive_loan_count"] * PATH_INCLUSIVE_COUNT[j] * noise()
    rate = clamp(base["rate"] + T4_RATE_SHIFT[j] + rng.gauss(0, 0.04), 3.5, 15.0)
    npl_bias = base["npl_bias"]
    enterprise = all_loans * base["enterprise_share"]
    return {
        "all_loan_balance": as_money(all_loans), "sme_loan_balance": as_money(sme),
        "inclusive_loan_balance": as_money(inclusive), "inclusive_loan_count": max(1, round(inclusive_count)),
        "sme_credit_loan_balance": as_money(credit_loans), "sme_renewal_balance": as_money(renewal),
        "sme_renewal_count": round(base["sme_renewal_count"] * PATH_RENEWAL_COUNT[j] * noise()),
        "inclusive_renewal_balance": as_money(inclusive_renewal),
        "inclusive_first_loan_count": round(base["inclusive_loan_count"] * base["first_loan_share"] * PATH_FIRST_LOANS[j]),
        "inclusive_new_loan_rate": as_rate(rate),
        "inclusive_financing_cost": as_rate(rate + base["cost_spread"] * (1 - 0.1 * max(0, j - 3))),
        "all_npl_balance": as_money(all_loans * NPL_ALL[j] * min(npl_bias, 1.5) / 100),
        "inclusive_npl_balance": as_money(inclusive * NPL_INCLUSIVE[j] * npl_bias / 100),
        "enterprise_loan_balance": as_money(enterprise),
        "private_enterprise_loan_balance": as_money(enterprise * base["private_share"]),
        "manufacturing_mlt_balance": as_money(all_loans * base["manufacturing_share"] * PATH_MANUFACTURING[j] / PATH_ALL[j]),
    }


# --- partner links (附表5) -----------------------------------------------------------------------

def link_facts(seed: int, periods: dict[str, Period], link: LoadedLink) -> dict[str, Any]:
    """A partner link's stable 附表5 facts (contact, flags from which period index on, services)."""
    rng = random.Random(f"{seed}/filings/link/{link.park_code}/{link.branch_name}")
    lead = link.role == PartnerRole.LEAD
    since_index = next(i for i, code in enumerate(PERIOD_CODES) if periods[code].end >= link.since) \
        if link.since <= periods[PERIOD_CODES[-1]].end else N_PERIODS

    def start(shares: tuple[float, ...]) -> int:
        roll, acc = rng.random(), 0.0
        for delay, share in enumerate(shares):
            acc += share
            if roll < acc:
                return since_index + delay
        return N_PERIODS + 1  # never

    if rng.random() < 0.85:
        phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
    else:
        phone = f"{AREA_CODES.get(link.city_code, '0571')}-{rng.randint(81_000_000, 89_999_999)}"
    services = [s for s in SERVICES if rng.random() < (0.6 if lead else 0.2)]
    if lead and not services:
        services = ["招商", "运营"]
    operator_credit = 0.0
    if rng.random() < (0.7 if lead else 0.25):
        operator_credit = float(round(rng.uniform(300, 5000) / 50) * 50)
    return {
        "contact_name": person_name(rng), "contact_phone": phone, "services": "、".join(services),
        "agreement": start((0.82, 0.13)), "plaque": start((0.5, 0.25, 0.15)),
        "service_point": start((0.35, 0.15, 0.1) if lead else (0.1, 0.06, 0.04)),
        "reported": start((0.93, 0.05)), "operator_credit": operator_credit,
        "operator_use": rng.uniform(0.4, 0.9) if rng.random() < 0.8 else 0.0,
        "remarks": rng.choice(("", "", "", "已开展园区专场银企对接会", "园区服务站已常态化运行", "推出园区专属信贷产品"))
        if lead else "",
    }


# --- a bank's lending in the parks (section 一 and 附表5) ---------------------------------------

def bank_values(rng: random.Random, branch: LoadedBranch, i: int, sums: dict[int, dict[int, list[float]]],
                active: list[LoadedLink], facts: dict[tuple[int, int], dict[str, Any]], *, factor: float,
                npl_ratio: float, rate_cut: float, pe_share: float, baseline: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Section 一 of a bank's T4 and its T5 rows, from the parks' ledgers (main bank = this bank)
    scaled up by ``factor`` for the bank's lending as second bank and to tenants not yet filed."""
    f = factor * rng.uniform(0.98, 1.02)
    per_park = _per_park(sums, i, f)
    totals = {key: sum(p[key] for p in per_park.values()) for key in TOTAL_KEYS}
    loan_total = totals["loan_balance"]
    partner = active
    t5, service_points, operator_count, operator_balance = _t5_rows(partner, facts, per_park, i)
    served = len({link.park_id for link in partner} | set(per_park))
    rate = None
    if totals["raw_loan"] > 0:
        rate = as_rate(clamp(totals["rate_x_loan"] / totals["raw_loan"] - rate_cut + (0.25 if baseline else 0.0), 3.5, 9.0))
    values = {
        "parks_served": served if not baseline else round(served * 0.85),
        "partner_parks": len(partner), "lead_parks": sum(link.role == PartnerRole.LEAD for link in partner),
        "service_points": service_points,
        "operator_loan_count": operator_count, "operator_loan_balance": as_money(operator_balance),
        "ent_credit_count": totals["credit_count"], "ent_credit_amount": as_money(totals["credit_amount"]),
        "ent_loan_count": totals["loan_count"], "ent_loan_balance": as_money(loan_total),
        "ent_inclusive_count": totals["inclusive_count"], "ent_inclusive_balance": as_money(totals["inclusive_balance"]),
        "ent_credit_loan_balance": as_money(totals["credit_loan"]), "ent_mlt_balance": as_money(totals["mlt"]),
        "ent_renewal_count": totals["renewal_count"], "ent_renewal_balance": as_money(totals["renewal"]),
        "ent_first_loan_count": totals["first"],
        "ent_plant_equipment_balance": as_money(min(loan_total, totals["mlt"] * pe_share + loan_total * 0.05)),
        "ent_npl_balance": as_money(loan_total * npl_ratio), "ent_new_loan_rate": rate,
    }
    return values, t5


def _per_park(sums: dict[int, dict[int, list[float]]], i: int, f: float) -> dict[int, dict[str, Any]]:
    """The bank's ledger sums of period index ``i`` in each park, scaled by ``f``."""
    per_park: dict[int, dict[str, Any]] = {}
    for park_id, by_period in sums.items():
        s = by_period.get(i)
        if s is None:
            continue
        loan = round(s[A_LB] * f, 2)
        per_park[park_id] = {
            "credit_count": round(s[A_CC] * f), "credit_amount": round(s[A_CA] * f, 2),
            "loan_count": round(s[A_LC] * f), "loan_balance": loan,
            "inclusive_count": round(s[A_IC] * f), "inclusive_balance": min(loan, round(s[A_IB] * f, 2)),
            "credit_loan": min(loan, round(s[A_CLB] * f, 2)), "mlt": min(loan, round(s[A_MLT] * f, 2)),
            "renewal_count": round(s[A_RC] * f), "renewal": min(loan, round(s[A_RB] * f, 2)),
            "first": round(s[A_FL] * f), "rate_x_loan": s[A_RXL], "raw_loan": s[A_LB],
        }
    return per_park


def _t5_rows(partner: list[LoadedLink], facts: dict[tuple[int, int], dict[str, Any]], per_park: dict[int, dict[str, Any]],
             i: int) -> tuple[list[dict[str, Any]], int, int, float]:
    """The T5 rows, the number of service points, and the operators' loans (count and balance)."""
    t5: list[dict[str, Any]] = []
    service_points = operator_count = 0
    operator_balance = 0.0
    for link in partner:
        fact = facts[(link.park_id, link.branch_id)]
        p = per_park.get(link.park_id)
        service_point = i >= fact["service_point"]
        service_points += service_point
        if fact["operator_credit"] and fact["operator_use"]:
            operator_count += 1
            operator_balance += fact["operator_credit"] * fact["operator_use"]
        t5.append({
            "park_code": link.park_code, "park_name": link.park_name, "role": link.role, "sub_branch": link.sub_branch,
            "contact_name": fact["contact_name"], "contact_phone": fact["contact_phone"], "since": link.since,
            "agreement_signed": i >= fact["agreement"], "plaque": i >= fact["plaque"], "service_point": service_point,
            "reported_to_regulator": i >= fact["reported"], "services": fact["services"],
            "operator_credit_amount": as_money(fact["operator_credit"]),
            "ent_credit_count": p["credit_count"] if p else 0,
            "ent_credit_amount": as_money(p["credit_amount"]) if p else Decimal("0.00"),
            "ent_loan_balance": as_money(p["loan_balance"]) if p else Decimal("0.00"),
            "remarks": fact["remarks"],
        })
    return t5, service_points, operator_count, operator_balance


# --- insurers (section 三) ----------------------------------------------------

def insurer_values(rng: random.Random, branch: LoadedBranch, insured: tuple[float, float], insured_parks: int, *,
                   scale_back: float) -> dict[str, Any]:
    """Section 三 of an insurer: its share of the city's insured tenants in the ledgers
    (``insured``: rows and amount; ``insured_parks``: parks they are in), plus unfiled ones."""
    share = INSURER_SHARE.get(branch.short, 0.1) * rng.uniform(0.85, 1.15) * scale_back
    count, amount = insured
    parks = insured_parks
    enterprises = round(count * share * 1.25)
    sum_insured = amount * share * 1.25
    premium = sum_insured * rng.uniform(0.0025, 0.006)
    return {
        "insured_parks": min(parks, max(1 if enterprises else 0, round(parks * min(1.0, share * 2.2)))),
        "insured_enterprises": enterprises, "sum_insured": as_money(sum_insured), "premium": as_money(premium),
        "claims_paid": as_money(premium * rng.uniform(0.2, 0.7)),
        "credit_insurance_loan_amount": as_money(sum_insured * rng.uniform(0.03, 0.1)),
    }
