from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any, Iterable

from django.db.models import F

from banks.choices import InstitutionType
from parks.choices import PartnerRole
from parks.models import PartnerLink
from portal.choices import ZHEJIANG_CODE
from reports.filings.choices import ScheduleCode
from reports.filings.models import Period, T4Record, T5Row
from reports.filings.selectors import filings_latest_approved
from reports.filings.t2 import D0
from reports.schedules.numbers import change, ratio, weighted
from reports.schedules.t4 import COLUMNS as T4_COLUMNS
from reports.summaries.park_figures import park_filter

# --- banks: T4 sums, like-for-like changes, and the partner-bank checks --------------------------

T4_ADDITIVE = tuple(c.key for c in T4_COLUMNS if c.kind in ("amount", "count"))
T4_RATES = {"ent_new_loan_rate": "ent_loan_balance", "inclusive_new_loan_rate": "inclusive_loan_balance",
            "inclusive_financing_cost": "inclusive_loan_balance"}
T4_RATIOS = {"npl_ratio": ("all_npl_balance", "all_loan_balance"),
             "inclusive_npl_ratio": ("inclusive_npl_balance", "inclusive_loan_balance"),
             "inclusive_share": ("inclusive_loan_balance", "sme_loan_balance"),
             "credit_loan_share": ("sme_credit_loan_balance", "sme_loan_balance"),
             "inclusive_renewal_share": ("inclusive_renewal_balance", "inclusive_loan_balance"),
             "private_share": ("private_enterprise_loan_balance", "enterprise_loan_balance")}
RATE_WEIGHTS = "rate_weights"  # rate -> [Σ rate × balance, Σ balance]: kept so that comparisons use unrounded rates


def t4_records(*, period_code: str, city_code: str | None = None) -> list[dict[str, Any]]:
    """The latest approved T4 of every branch (of a city, or the province) with its city and type
    (one query)."""
    filters = {"branch__region__province_code": ZHEJIANG_CODE}
    if city_code:
        filters["branch__region__code"] = city_code
    filings = filings_latest_approved(schedule=ScheduleCode.T4, period=None, period__code=period_code, **filters)
    rates = tuple(T4_RATES)
    return list(T4Record.objects.filter(filing__in=filings.values("pk")).values(
        "filing_id", *T4_ADDITIVE, *rates, branch_id=F("filing__branch_id"), branch_name=F("filing__branch__name"),
        city=F("filing__branch__region__code"), type=F("filing__branch__institution__type")))


def t4_sum(records: Iterable[dict[str, Any]], *, by_type: bool = True) -> dict[str, Any]:
    """Σ of T4 records, rates weighted by their balances, ratios recomputed; also by institution type."""
    records = list(records)

    def total(rows) -> dict[str, Any]:
        out: dict[str, Any] = {c.key: (0 if c.kind == "count" else D0) for c in T4_COLUMNS if c.key in T4_ADDITIVE}
        w = {r: [D0, D0] for r in T4_RATES}
        for rec in rows:
            for k in T4_ADDITIVE:
                if rec.get(k) is not None:
                    out[k] += rec[k]
            for rate, weight in T4_RATES.items():
                if rec.get(rate) is not None and rec.get(weight):
                    w[rate][0] += Decimal(rec[rate]) * Decimal(rec[weight])
                    w[rate][1] += Decimal(rec[weight])
        for rate, (num, den) in w.items():
            out[rate] = weighted(num, den)
        out[RATE_WEIGHTS] = {rate: [num, den] for rate, (num, den) in w.items()}
        out["filers"] = len(rows)
        return _t4_ratios(out)

    result = total(records)
    if by_type:
        types = defaultdict(list)
        for rec in records:
            types[rec["type"]].append(rec)
        result["by_type"] = [{"type": t, "label": label, **total(types[t])} for t, label in InstitutionType.choices if t in types]
    return result




def _t4_ratios(t: dict[str, Any]) -> dict[str, Any]:
    for key, (num, den) in T4_RATIOS.items():
        t[key] = ratio(t.get(num), t.get(den))
    return t


def t4_change(current: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """增减 and 增速 of every additive T4 total between two sums OF THE SAME FILERS (a panel)."""
    out = {}
    for k in T4_ADDITIVE:
        if k in current and k in base:
            delta, pct = change(current[k] or 0, base[k] or 0)
            out[k] = {"delta": delta, "growth": pct}
    return out


def _paired(now: dict[str, Any], then: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """One filer's two records with every value that is missing in either period left out of both
    (an optional column filled only once must not read as a rise or a fall)."""
    a, b = dict(now), dict(then)
    for k in (*T4_ADDITIVE, *T4_RATES):
        if now.get(k) is None or then.get(k) is None:
            a[k] = b[k] = None
    return a, b


def t4_panel(current: Iterable[dict[str, Any]], baseline: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """THE like-for-like comparison of a set of filers between two periods (比年初, 比上季, 同比).

    The comparable panel is the filers (bank branches) with an approved 附表4 in BOTH periods; every
    change and growth rate is computed on it, so a filer that has not filed (or not yet been
    approved) in one of the periods never reads as a fall or a rise. Filers approved now without a
    baseline (new filers) are summed apart (``new_filers_total``); filers approved only in the
    baseline are counted (``coverage.baseline``)."""
    current, baseline = list(current), list(baseline)
    then_by = {r["branch_id"]: r for r in baseline}
    pairs = [_paired(r, then_by[r["branch_id"]]) for r in current if r["branch_id"] in then_by]
    new = [r for r in current if r["branch_id"] not in then_by]
    now_ids = {r["branch_id"] for r in current}
    comparable_now = t4_sum([a for a, _ in pairs])
    comparable_then = t4_sum([b for _, b in pairs])
    return {
        "comparable": {"current": comparable_now, "baseline": comparable_then},
        "change": t4_change(comparable_now, comparable_then) if pairs else {},
        "coverage": {"comparable": len(pairs), "current": len(current), "baseline": len(baseline)},
        "new_filers": sorted(({"name": r["branch_name"], "city": r["city"]} for r in new), key=lambda r: (r["city"], r["name"])),
        "new_filers_total": t4_sum(new, by_type=False) if new else {},
        "baseline_only": sum(1 for r in baseline if r["branch_id"] not in now_ids),
    }


def banks_block(current: list[dict[str, Any]], baseline: list[dict[str, Any]], *, baseline_code: str,
                expected: int | None = None) -> dict[str, Any]:
    """The 附表4 block of a summary: the sums now (every approved filer), at the previous year-end,
    and 比年初 on the comparable panel with its coverage (how many filers are comparable, approved
    now, approved at the year-end, and expected this period)."""
    panel = t4_panel(current, baseline)
    panel["coverage"].update(expected=expected, baseline_period=baseline_code)
    return {"total": t4_sum(current), "baseline": t4_sum(baseline) if baseline else {}, **panel}


def partner_facts_by_city(*, period: Period, city_code: str | None = None) -> tuple[set[int], dict[str, dict[str, int]]]:
    """What the partner-bank checks read besides the parks (two queries, whatever the number of
    cities): the parks (of a city, or the province) with a 主办行 in THE register's links in force at
    period end, and, by the city of the reporting branch, how many approved 附表5 (of the city's
    branches, or all) report each park code as 主办行."""
    leads = set(PartnerLink.objects.in_force(on=period.end).filter(role=PartnerRole.LEAD, **park_filter("park__", city_code))
                .values_list("park_id", flat=True))
    filings = filings_latest_approved(schedule=ScheduleCode.T5, period=period, **({"branch__region__code": city_code} if city_code else {}))
    reported: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = T5Row.objects.filter(filing__in=filings.values("pk"), role=PartnerRole.LEAD).values_list("park_code", "filing__branch__region__code")
    for code, city in rows:
        reported[city][code] += 1
    return leads, {city: dict(counts) for city, counts in reported.items()}


def partner_checks(*, period: Period, parks: list[dict[str, Any]], facts: tuple[set[int], dict[str, int]]) -> dict[str, Any]:
    """Parks outside the 3–5 partner-bank rule and parks without a 主办行, from THE register's links
    in force at period end (``PartnerLink.objects.in_force`` — the same definition as each park's
    附表2 伙伴银行家数 and ZJ2020-05), so this list is exactly the parks that fail ZJ2020-05.

    One bank-reported cross-check stays: parks that two or more banks report as 主办行 in their
    approved 附表5 (the register allows one lead bank at a time, so this can only be a filing error).
    ``facts``: the parks with a 主办行 and, by park code, the 附表5 naming it 主办行 (a city's from
    ``partner_facts_by_city``; the province sums its cities')."""
    leads, reported = facts

    def item(p: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"code": p["code"], "name": p["name"], "count": p["partner_bank_count"], **extra}

    return {
        "source": "register",
        "on": period.end.isoformat(),
        "outside_3_5": [item(p) for p in parks if not 3 <= p["partner_bank_count"] <= 5],
        "no_lead": [item(p) for p in parks if p["park_id"] not in leads],
        "t5_multi_lead": [item(p, leads=reported[p["code"]]) for p in parks if reported.get(p["code"], 0) > 1],
    }
