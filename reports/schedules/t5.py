"""附表5 伙伴银行情况表 — one row per partner park, per institution per city per quarter."""
from __future__ import annotations

from typing import Any, Iterable

from parks.choices import PartnerRole
from reports.schedules.base import (
    AMOUNT,
    BOOL,
    CHOICE,
    COUNT,
    DATE,
    MULTI,
    PHONE,
    TEXT,
    Column,
    Context,
    Issue,
    Schedule,
    error,
    nz,
    warning,
)
from reports.schedules.parsing import text_key

COLUMNS = (
    Column("park_code", "园区编码", TEXT, required=True, max_length=20, normalise=True),
    Column("park_name", "园区名称", TEXT, max_length=100, width=26),
    Column("role", "合作角色", CHOICE, required=True, choices=tuple(PartnerRole.choices)),
    Column("sub_branch", "对接支行", TEXT, required=True, max_length=100, width=20),
    Column("contact_name", "客户经理", TEXT, max_length=50),
    Column("contact_phone", "联系电话", PHONE, max_length=30),
    Column("since", "建立伙伴关系日期", DATE),
    Column("agreement_signed", "是否签订合作协议", BOOL),
    Column("plaque", "是否挂牌", BOOL),
    Column("service_point", "是否设立常驻服务点", BOOL),
    Column("reported_to_regulator", "是否报备属地监管部门", BOOL),
    Column("services", "提供园区一揽子服务", MULTI, options=("规划", "建设", "招商", "运营"), max_length=20),
    Column("operator_credit_amount", "对园区运营方授信金额", AMOUNT),
    Column("ent_credit_count", "对入园企业授信户数", COUNT),
    Column("ent_credit_amount", "对入园企业授信金额", AMOUNT),
    Column("ent_loan_balance", "对入园企业贷款余额", AMOUNT),
    Column("remarks", "备注", TEXT, max_length=200, width=20),
)


def _rules(row: dict[str, Any], ctx: Context) -> Iterable[Issue]:
    code = row.get("park_code")
    if code:
        row["park_code"] = code = code.strip().upper()
        park = ctx.partner_parks.get(code)
        if park is None:
            yield error("park_code", f"园区“{code}”不是本机构有效的伙伴园区", "not_a_partner_park")
        else:
            if row.get("park_name") and text_key(row["park_name"]) != text_key(park["name"]):
                yield warning("park_name", f"园区名称与登记名称“{park['name']}”不一致", "park_name_differs")
            row["park_name"] = park["name"]
    since = row.get("since")
    if since and ctx.period_end and since > ctx.period_end:
        yield error("since", "建立伙伴关系日期不能晚于报送期末", "since_after_period")
    if row.get("reported_to_regulator") is False:
        yield warning("reported_to_regulator", "伙伴关系尚未报备属地监管部门", "not_reported")


def _set_rules(rows: list[dict[str, Any]], ctx: Context) -> Iterable[Issue]:
    seen: dict[str, int] = {}
    for i, row in enumerate(rows, start=1):
        code = row.get("park_code")
        if code in seen:
            yield Issue("error", "park_code", f"园区编码与第{seen[code]}行重复", "duplicate_park", row=i, value=code)
        elif code:
            seen[code] = i
    for code, park in sorted(ctx.partner_parks.items()):
        if code not in seen:
            yield Issue("error", "park_code", f"伙伴园区缺报：{code} {park['name']}", "partner_park_missing", value=code)
    if ctx.t4_ent_credit_amount is not None:
        total = sum((nz(r.get("ent_credit_amount")) for r in rows), nz(0))
        if total > ctx.t4_ent_credit_amount:
            yield Issue("warning", "ent_credit_amount", f"对入园企业授信金额合计（{total}）大于附表4入园企业授信金额（{ctx.t4_ent_credit_amount}）",
                        "t5_credit_above_t4")


T5 = Schedule(code="T5", number=5, title="伙伴银行情况表", columns=COLUMNS, natural_key="park_code", name_key="park_name",
              row_rules=(_rules,), set_rules=(_set_rules,), subject="branch")
