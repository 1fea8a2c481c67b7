"""附表2 园区融资需求及融资成本情况汇总表 — one row per park per quarter, fully computed from the
park register and that park's T1. Ratios are ×100 with 2 decimals and always recomputed from sums."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Collection, Iterable

from reports.schedules.base import AMOUNT, BOOL, COUNT, RATE, TEXT, Computed, nz
from reports.schedules.numbers import ratio, weighted

TIERS = (("lt10", "10万元以下"), ("10_50", "10–50万元"), ("50_500", "50–500万元"), ("500_1000", "500–1000万元"), ("gt1000", "1000万元以上"))

REGISTER = (
    Computed("park_name", "园区名称", TEXT, width=26),
    Computed("county", "所在县(市、区)", TEXT),
    Computed("star_rating", "星级", TEXT, width=8),
    Computed("digital_status", "数字化园区", TEXT),
    Computed("batch", "批次", TEXT, width=8),
)

FIGURES = (
    Computed("partner_bank_count", "伙伴银行家数", COUNT),
    Computed("enterprises_total", "入园企业数", COUNT),
    Computed("filed_count", "已建档企业数", COUNT),  # rows of the enterprises that are tenants at period end
    Computed("filing_coverage", "建档覆盖率(%)", RATE),
    Computed("demand_count", "有融资需求企业数", COUNT),
    Computed("demand_amount", "融资需求金额", AMOUNT),
    Computed("credited_count", "获得授信企业数", COUNT),
    Computed("credit_coverage", "授信覆盖率(%)", RATE),
    Computed("credit_amount", "授信金额", AMOUNT),
    *[c for key, label in TIERS for c in (
        Computed(f"tier_{key}_count", f"授信{label}户数", COUNT),
        Computed(f"tier_{key}_amount", f"授信{label}金额", AMOUNT),
    )],
    Computed("loan_count", "贷款户数", COUNT),
    Computed("loan_balance", "贷款余额", AMOUNT),
    Computed("inclusive_count", "普惠型贷款户数", COUNT),
    Computed("inclusive_balance", "普惠型贷款余额", AMOUNT),
    Computed("credit_loan_balance", "信用贷款余额", AMOUNT),
    Computed("medium_long_term_balance", "中长期贷款余额", AMOUNT),
    Computed("renewal_count", "无还本续贷户数", COUNT),
    Computed("renewal_balance", "无还本续贷余额", AMOUNT),
    Computed("first_loan_count", "首贷户数", COUNT),
    Computed("weighted_loan_rate", "加权平均利率(%)", RATE),
    Computed("weighted_financing_cost", "加权综合融资成本(%)", RATE),
    Computed("demand_met_count", "需求已满足户数", COUNT),
    Computed("demand_partial_count", "需求部分满足户数", COUNT),
    Computed("demand_unmet_count", "需求未满足户数", COUNT),
    Computed("unmet_enterprise_count", "未满足原因：企业自身", COUNT),
    Computed("unmet_bank_count", "未满足原因：银行服务", COUNT),
    Computed("unmet_other_count", "未满足原因：其他", COUNT),
    Computed("multi_bank_count", "服务银行超过3家（个体工商户超过2家）企业数", COUNT),
    Computed("insured_count", "获得保险服务户数", COUNT),
    Computed("insured_amount", "保额", AMOUNT),
    Computed("coverage_target", "授信覆盖率目标(%)", RATE),
    Computed("coverage_met", "是否达标", BOOL),
)

# Sums kept beside the ratios so that every higher level recomputes ratios from sums.
HIDDEN_SUMS = ("rate_weighted_sum", "rate_weight", "cost_weighted_sum", "cost_weight")

T2_COLUMNS = REGISTER + FIGURES
COUNT_KEYS = tuple(c.key for c in FIGURES if c.kind == COUNT)
AMOUNT_KEYS = tuple(c.key for c in FIGURES if c.kind == AMOUNT)

def coverage_target(star_rating: int) -> Decimal:
    """ZJ2020-02/03/04: 70 for 4–5 star parks, 60 for 3 star, 50 for the others."""
    if star_rating >= 4:
        return Decimal(70)
    if star_rating == 3:
        return Decimal(60)
    return Decimal(50)


def t2_compute(*, rows: Iterable[dict[str, Any]], enterprises_total: int, partner_bank_count: int, star_rating: int,
               tenants: Collection[str] | None = None) -> dict[str, Any]:
    """The T2 figures of one park from its T1 rows (parsed values incl. computed columns).
    ``tenants``: the 统一社会信用代码s of the park's tenants at period end; 已建档企业数 (and so
    建档覆盖率) counts only their rows. None: every row is a tenant's."""
    out: dict[str, Any] = {k: 0 for k in COUNT_KEYS}
    out.update({k: Decimal("0.00") for k in AMOUNT_KEYS})
    sums = {"rate_weighted_sum": Decimal(0), "rate_weight": Decimal(0), "cost_weighted_sum": Decimal(0), "cost_weight": Decimal(0)}
    for r in rows:
        if tenants is None or r.get("uscc") in tenants:
            out["filed_count"] += 1
        if r.get("has_demand"):
            out["demand_count"] += 1
            out["demand_amount"] += nz(r.get("demand_amount"))
        credit = nz(r.get("credit_amount"))
        if credit > 0:
            out["credited_count"] += 1
            out["credit_amount"] += credit
            tier = r.get("credit_tier")
            out[f"tier_{tier}_count"] += 1
            out[f"tier_{tier}_amount"] += credit
        loan = nz(r.get("loan_balance"))
        if loan > 0:
            out["loan_count"] += 1
            out["loan_balance"] += loan
            if r.get("inclusive"):
                out["inclusive_count"] += 1
                out["inclusive_balance"] += loan
            if r.get("loan_rate") is not None:
                sums["rate_weighted_sum"] += Decimal(r["loan_rate"]) * loan
                sums["rate_weight"] += loan
            if r.get("financing_cost") is not None:
                sums["cost_weighted_sum"] += Decimal(r["financing_cost"]) * loan
                sums["cost_weight"] += loan
        out["credit_loan_balance"] += nz(r.get("credit_loan_balance"))
        out["medium_long_term_balance"] += nz(r.get("medium_long_term_balance"))
        renewal = nz(r.get("renewal_balance"))
        if renewal > 0:
            out["renewal_count"] += 1
            out["renewal_balance"] += renewal
        if r.get("is_first_loan"):
            out["first_loan_count"] += 1
        if r.get("has_demand"):
            status = r.get("demand_status")
            if status in ("met", "partial", "unmet"):
                out[f"demand_{status}_count"] += 1
        reason = r.get("unmet_reason")
        if reason in ("enterprise", "bank", "other"):
            out[f"unmet_{reason}_count"] += 1
        if r.get("multi_bank"):  # the row's 垒小户 flag (schedules.t1.multi_bank)
            out["multi_bank_count"] += 1
        if r.get("insured"):
            out["insured_count"] += 1
            out["insured_amount"] += nz(r.get("insured_amount"))
    out["enterprises_total"] = enterprises_total
    out["partner_bank_count"] = partner_bank_count
    out.update(sums)
    return t2_ratios(out, star_rating=star_rating)


def t2_ratios(out: dict[str, Any], *, star_rating: int | None) -> dict[str, Any]:
    """(Re)compute every ratio of a T2-shaped dict from its sums (parks, counties, cities, province)."""
    out["filing_coverage"] = ratio(out["filed_count"], out["enterprises_total"])
    out["credit_coverage"] = ratio(out["credited_count"], out["enterprises_total"])
    out["weighted_loan_rate"] = weighted(out["rate_weighted_sum"], out["rate_weight"])
    out["weighted_financing_cost"] = weighted(out["cost_weighted_sum"], out["cost_weight"])
    if star_rating is not None:
        target = coverage_target(star_rating)
        out["coverage_target"] = target
        out["coverage_met"] = out["credit_coverage"] is not None and out["credit_coverage"] >= target
    return out
