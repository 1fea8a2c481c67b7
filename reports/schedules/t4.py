"""附表4 金融服务情况监测表 — one record per institution per city per quarter, plus the six-section
narrative (推进情况). Banks fill sections 一 and 二, insurers section 三."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any, Iterable

from reports.schedules.base import AMOUNT, COUNT, RATE, TEXT, Column, Context, Issue, Schedule, error, nz, warning

S1, S2, S3 = "s1", "s2", "s3"
SECTIONS = ((S1, "一、小微企业园金融服务"), (S2, "二、全辖小微企业金融服务"), (S3, "三、保险服务"))


def c(key, label, kind, section, **kw) -> Column:
    return Column(key, label, kind, section=section, **kw)


COLUMNS = (
    c("parks_served", "服务小微企业园数(个)", COUNT, S1),
    c("partner_parks", "其中：伙伴银行园区数(个)", COUNT, S1),
    c("lead_parks", "其中：主办行园区数(个)", COUNT, S1),
    c("service_points", "园区服务站(点)数(个)", COUNT, S1),
    c("operator_loan_count", "园区建设运营方贷款户数", COUNT, S1),
    c("operator_loan_balance", "园区建设运营方贷款余额", AMOUNT, S1),
    c("ent_credit_count", "入园企业授信户数", COUNT, S1),
    c("ent_credit_amount", "入园企业授信金额", AMOUNT, S1),
    c("ent_loan_count", "入园企业贷款户数", COUNT, S1),
    c("ent_loan_balance", "入园企业贷款余额", AMOUNT, S1),
    c("ent_inclusive_count", "其中：普惠型小微企业贷款户数", COUNT, S1),
    c("ent_inclusive_balance", "其中：普惠型小微企业贷款余额", AMOUNT, S1),
    c("ent_credit_loan_balance", "其中：信用贷款余额", AMOUNT, S1),
    c("ent_mlt_balance", "其中：中长期贷款余额", AMOUNT, S1),
    c("ent_renewal_count", "无还本续贷户数", COUNT, S1),
    c("ent_renewal_balance", "无还本续贷余额", AMOUNT, S1),
    c("ent_first_loan_count", "当年首贷户数", COUNT, S1),
    c("ent_plant_equipment_balance", "购置厂房、设备贷款余额", AMOUNT, S1),
    c("ent_npl_balance", "不良贷款余额", AMOUNT, S1),
    c("ent_new_loan_rate", "当季新发放贷款加权平均利率(%)", RATE, S1),
    c("all_loan_balance", "各项贷款余额", AMOUNT, S2),
    c("sme_loan_balance", "小微企业贷款余额", AMOUNT, S2),
    c("inclusive_loan_balance", "普惠型小微企业贷款余额", AMOUNT, S2),
    c("inclusive_loan_count", "普惠型小微企业有贷款余额户数", COUNT, S2),
    c("sme_credit_loan_balance", "小微企业信用贷款余额", AMOUNT, S2),
    c("sme_renewal_balance", "小微企业无还本续贷余额", AMOUNT, S2),
    c("sme_renewal_count", "小微企业无还本续贷户数", COUNT, S2),
    c("inclusive_renewal_balance", "其中：普惠型无还本续贷余额", AMOUNT, S2),
    c("inclusive_first_loan_count", "当年普惠型小微企业首贷户数", COUNT, S2),
    c("inclusive_new_loan_rate", "当年新发放普惠型小微企业贷款加权平均利率(%)", RATE, S2),
    c("inclusive_financing_cost", "普惠型小微企业综合融资成本(%)", RATE, S2),
    c("all_npl_balance", "各项贷款不良余额", AMOUNT, S2),
    c("inclusive_npl_balance", "普惠型小微企业不良贷款余额", AMOUNT, S2),
    c("enterprise_loan_balance", "企业贷款余额", AMOUNT, S2),
    c("private_enterprise_loan_balance", "其中：民营企业贷款余额", AMOUNT, S2),
    c("manufacturing_mlt_balance", "制造业中长期贷款余额", AMOUNT, S2),
    c("insured_parks", "承保小微企业园数(个)", COUNT, S3),
    c("insured_enterprises", "承保入园企业数(户)", COUNT, S3),
    c("sum_insured", "保险金额", AMOUNT, S3),
    c("premium", "保费收入", AMOUNT, S3),
    c("claims_paid", "赔款支出", AMOUNT, S3),
    c("credit_insurance_loan_amount", "信用保证保险支持贷款金额", AMOUNT, S3),
)

NARRATIVE = (
    Column("partner_bank_progress", "伙伴银行建设情况", TEXT, max_length=5000),
    Column("classification_progress", "分类建档情况", TEXT, max_length=5000),
    Column("experience", "主要经验做法", TEXT, max_length=5000),
    Column("cases", "典型案例", TEXT, max_length=5000),
    Column("difficulties", "遇到的困难和问题", TEXT, max_length=5000),
    Column("suggestions", "政策建议", TEXT, max_length=5000),
)
# An insurer writes the same six parts (the same fields) about its own work: insurance for the parks
# and their enterprises, not partner banks and 分类建档.
INSURER_NARRATIVE_LABELS = {
    "partner_bank_progress": "保险服务小微企业园开展情况",
    "classification_progress": "入园企业保险保障情况",
}
INSURER_NARRATIVE = tuple(replace(col, label=INSURER_NARRATIVE_LABELS.get(col.key, col.label)) for col in NARRATIVE)


def narrative_columns(*, insurer: bool) -> tuple[Column, ...]:
    """The narrative's six parts with the headings this filer sees (bank or insurer wording)."""
    return INSURER_NARRATIVE if insurer else NARRATIVE


def section_keys(*, insurer: bool) -> tuple[str, ...]:
    """The sections of 附表4 a filer fills: banks 一 and 二, insurers 三."""
    return (S3,) if insurer else (S1, S2)

LE_ERRORS = (  # (smaller, larger) — smaller ≤ larger, an error
    ("partner_parks", "parks_served"), ("lead_parks", "partner_parks"),
    ("ent_inclusive_count", "ent_loan_count"), ("ent_inclusive_balance", "ent_loan_balance"),
    ("ent_credit_loan_balance", "ent_loan_balance"), ("ent_mlt_balance", "ent_loan_balance"),
    ("ent_renewal_balance", "ent_loan_balance"), ("ent_plant_equipment_balance", "ent_loan_balance"),
    ("ent_npl_balance", "ent_loan_balance"),
    ("sme_loan_balance", "all_loan_balance"), ("sme_credit_loan_balance", "sme_loan_balance"),
    ("sme_renewal_balance", "sme_loan_balance"), ("inclusive_renewal_balance", "sme_renewal_balance"),
    ("inclusive_renewal_balance", "inclusive_loan_balance"), ("all_npl_balance", "all_loan_balance"),
    ("inclusive_npl_balance", "inclusive_loan_balance"), ("private_enterprise_loan_balance", "enterprise_loan_balance"),
)
RATES = ("ent_new_loan_rate", "inclusive_new_loan_rate")


def _rules(row: dict[str, Any], ctx: Context) -> Iterable[Issue]:
    by_key = {col.key: col for col in COLUMNS}
    for small, large in LE_ERRORS:
        if row.get(small) is not None and nz(row.get(small)) > nz(row.get(large)):
            yield error(small, f"{by_key[small].label}不能大于{by_key[large].label}", f"{small}_above_{large}", depends=(large,))
    if row.get("ent_loan_count") is not None and (row.get("ent_loan_count") or 0) > (row.get("ent_credit_count") or 0):
        yield warning("ent_loan_count", "入园企业贷款户数大于授信户数", "loan_count_above_credit_count", depends=("ent_credit_count",))
    if row.get("inclusive_loan_balance") is not None and nz(row.get("inclusive_loan_balance")) > nz(row.get("sme_loan_balance")):
        yield warning("inclusive_loan_balance", "普惠型小微企业贷款余额大于小微企业贷款余额", "inclusive_above_sme", depends=("sme_loan_balance",))
    for key in RATES:
        rate = row.get(key)
        if rate is not None and not (Decimal(0) < rate <= 36):
            yield error(key, f"{by_key[key].label}应大于0且不超过36%", f"{key}_range")
    cost, rate = row.get("inclusive_financing_cost"), row.get("inclusive_new_loan_rate")
    if cost is not None and rate is not None and cost < rate:
        yield warning("inclusive_financing_cost", "普惠型小微企业综合融资成本低于贷款利率", "cost_below_rate", depends=("inclusive_new_loan_rate",))
    if ctx.t5_row_count is not None and row.get("partner_parks") is not None and row["partner_parks"] != ctx.t5_row_count:
        yield warning("partner_parks", f"伙伴银行园区数与附表5的园区行数（{ctx.t5_row_count}）不一致", "partner_parks_vs_t5")
    if ctx.t5_ent_credit_total is not None and ctx.t5_ent_credit_total > nz(row.get("ent_credit_amount")):
        yield warning("ent_credit_amount", f"附表5对入园企业授信金额合计（{ctx.t5_ent_credit_total}）大于本表入园企业授信金额", "t5_credit_above_t4")


T4 = Schedule(code="T4", number=4, title="金融服务情况监测表", columns=COLUMNS, natural_key=None,
              row_rules=(_rules,), subject="branch", sections=SECTIONS)

