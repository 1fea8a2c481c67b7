"""The blocks the province and city pages share, read from a summary's data: coverage by star
rating, the 附表4 lines on the comparable panel, the institution types, completeness and the
parks outside 3–5 partner banks."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Iterable

from reports.dashboards.common import park_url
from reports.dashboards.tables import Column, Table
from reports.filings.models import Period
from reports.schedules.numbers import growth, ratio
from reports.summaries.completeness import STATES, completeness_rows_from_data, completeness_totals
from reports.targets.indicators import dec

BANK_LINES = (
    ("all_loan_balance", "各项贷款余额"), ("sme_loan_balance", "小微企业贷款余额"), ("inclusive_loan_balance", "普惠型小微企业贷款余额"),
    ("inclusive_loan_count", "普惠型小微企业有贷款余额户数"), ("sme_credit_loan_balance", "小微企业信用贷款余额"),
    ("sme_renewal_balance", "小微企业无还本续贷余额"), ("sme_renewal_count", "小微企业无还本续贷户数"),
    ("inclusive_renewal_balance", "普惠型无还本续贷余额"), ("inclusive_first_loan_count", "当年普惠型小微企业首贷户数"),
    ("ent_credit_amount", "入园企业授信金额"), ("ent_loan_balance", "入园企业贷款余额"), ("parks_served", "服务小微企业园数"),
)
BANK_RATIOS = (("inclusive_financing_cost", "普惠型小微企业综合融资成本(%)"), ("inclusive_new_loan_rate", "新发放普惠型小微企业贷款利率(%)"),
               ("credit_loan_share", "信用贷款占小微企业贷款比例(%)"), ("inclusive_renewal_share", "普惠型无还本续贷占比(%)"),
               ("npl_ratio", "各项贷款不良率(%)"), ("inclusive_npl_ratio", "普惠型小微企业贷款不良率(%)"))

def star_rows(by_star: list[dict]) -> list[dict[str, Any]]:
    """五星 / 四星 / 四星、五星合计 / 三星 / 其他 with their coverage against 70 / 60 / 50."""
    blocks = {b["key"]: b for b in by_star or []}
    rows = []

    def row(label: str, keys: tuple[str, ...], target: int, group: bool = False) -> dict[str, Any]:
        parts = [blocks[k] for k in keys if k in blocks]
        ent = sum(p.get("enterprises_total") or 0 for p in parts)
        cred = sum(p.get("credited_count") or 0 for p in parts)
        filed = sum(p.get("filed_count") or 0 for p in parts)
        cov = ratio(cred, ent)
        return {"label": label, "park_count": sum(p.get("park_count") or 0 for p in parts),
                "filed_parks": sum(p.get("filed_parks", p.get("park_count")) or 0 for p in parts), "enterprises_total": ent,
                "filed_count": filed, "filing_coverage": ratio(filed, ent), "credited_count": cred, "credit_coverage": cov,
                "coverage_target": Decimal(target), "met": None if cov is None else cov >= target, "group": group}

    rows.append(row("五星", ("5",), 70))
    rows.append(row("四星", ("4",), 70))
    rows.append(row("四星、五星合计", ("5", "4"), 70, True))
    rows.append(row("三星", ("3",), 60, True))
    rows.append(row("其他星级", ("other",), 50, True))
    return rows


STAR_COLUMNS = [Column("label", "星级"), Column("park_count", "运营中园区数", "int"), Column("filed_parks", "其中：附表1已审核", "int"),
                Column("enterprises_total", "入园企业数（已审核园区）", "int"),
                Column("filed_count", "已建档", "int"), Column("filing_coverage", "建档覆盖率", "pct"),
                Column("credited_count", "获得授信", "int"), Column("credit_coverage", "授信覆盖率", "pct"),
                Column("coverage_target", "目标", "pct"), Column("met_label", "是否达标", "status")]

def parks_scope_text(park_count: int | None, register: dict | None) -> str:
    """Which parks a page counts: the operating ones (they report), out of the register's list."""
    text = f"运营中园区 {park_count or 0} 个"
    if register and register.get("listed") is not None:
        others = []
        if register.get("building"):
            others.append(f"建设中 {register['building']} 个")
        if register.get("revoked"):
            others.append(f"已撤销 {register['revoked']} 个")
        text += f"（名单共 {register['listed']} 个{'，其中' + '、'.join(others) if others else ''}）"
    return text


STAR_NOTE = ("目标：四星、五星级园区 ≥70%，三星级 ≥60%，其他星级 ≥50%（浙银保监发〔2020〕15号）。园区数为运营中园区；"
             "入园企业数、授信覆盖率等只计附表1已审核通过的园区，未报送园区不计入。")


def with_met_label(rows: list[dict]) -> list[dict]:
    for r in rows:
        r["met_label"] = "无数据" if r["met"] is None else ("达标" if r["met"] else "未达标")
    return rows

def bank_lines(banks: dict | None) -> list[dict[str, Any]]:
    """Each 附表4 line: the level now (every approved filer), and 比年初 on the comparable panel
    (now and at the year-end over the same filers), the new filers' balance apart."""
    banks = banks or {}
    total, change = banks.get("total") or {}, banks.get("change") or {}
    comparable = banks.get("comparable") or {}
    cur, base = comparable.get("current") or {}, comparable.get("baseline") or {}
    new = banks.get("new_filers_total") or {}
    rows = []
    for key, label in BANK_LINES:
        ch = change.get(key) or {}
        rows.append({"label": label, "key": key, "now": dec(total.get(key)), "panel_now": dec(cur.get(key)), "base": dec(base.get(key)),
                     "delta": dec(ch.get("delta")), "growth": dec(ch.get("growth")), "new": dec(new.get(key)),
                     "kind": "int" if key.endswith(("count", "served")) else "amount"})
    for key, label in BANK_RATIOS:
        was, panel_now = dec(base.get(key)), dec(cur.get(key))
        rows.append({"label": label, "key": key, "now": dec(total.get(key)), "panel_now": panel_now, "base": was,
                     "delta": None if panel_now is None or was is None else panel_now - was, "growth": None, "new": dec(new.get(key)),
                     "kind": "rate" if key.endswith(("cost", "rate")) else "ratio"})
    return rows


BANK_COLUMNS = [Column("label", "指标"), Column("now", "本期末（全部已审核机构）", "num"), Column("panel_now", "可比机构本期末", "num"),
                Column("base", "可比机构上年末", "num"), Column("delta", "比年初增减（可比口径）", "num", signed=True),
                Column("growth", "增速", "pct", signed=True),
                Column("new", "新填报机构本期末（单列）", "num")]

def type_rows(banks: dict | None) -> list[dict[str, Any]]:
    """By institution type: levels now, growth on each type's comparable panel."""
    banks = banks or {}
    comparable = banks.get("comparable") or {}
    cur = {t["type"]: t for t in (comparable.get("current") or {}).get("by_type", [])}
    base = {t["type"]: t for t in (comparable.get("baseline") or {}).get("by_type", [])}
    rows = []
    for t in (banks.get("total") or {}).get("by_type", []):
        c, b = cur.get(t["type"]) or {}, base.get(t["type"]) or {}
        rows.append({"label": t["label"], "filers": t.get("filers"), "comparable": c.get("filers") or 0,
                     "inclusive_loan_balance": dec(t.get("inclusive_loan_balance")),
                     "inclusive_growth": growth(dec(c.get("inclusive_loan_balance")), dec(b.get("inclusive_loan_balance"))) if b.get("inclusive_loan_balance") else None,
                     "all_growth": growth(dec(c.get("all_loan_balance")), dec(b.get("all_loan_balance"))) if b.get("all_loan_balance") else None,
                     "inclusive_financing_cost": dec(t.get("inclusive_financing_cost")),
                     "credit_loan_share": dec(t.get("credit_loan_share")), "inclusive_npl_ratio": dec(t.get("inclusive_npl_ratio")),
                     "ent_credit_amount": dec(t.get("ent_credit_amount"))})
    return rows


TYPE_COLUMNS = [Column("label", "机构类型"), Column("filers", "填报机构数", "int"), Column("comparable", "其中：可比机构", "int"),
                Column("inclusive_loan_balance", "普惠型贷款余额", "amount"),
                Column("inclusive_growth", "普惠型较年初增速（可比口径）", "pct", signed=True),
                Column("all_growth", "各项贷款较年初增速（可比口径）", "pct", signed=True),
                Column("inclusive_financing_cost", "综合融资成本", "rate"), Column("credit_loan_share", "信用贷款占比", "pct"),
                Column("inclusive_npl_ratio", "普惠型不良率", "pct"), Column("ent_credit_amount", "入园企业授信金额", "amount")]

COMPLETENESS_COLUMNS = [Column("name", "地市", "link"), Column("expected", "应报", "int")] + [Column(k, label, "int") for k, label in STATES] + [
    Column("rate", "审核通过率", "pct")]

PARTNER_COLUMNS = [Column("city", "地市"), Column("code", "园区编码"), Column("name", "园区", "link"), Column("issue", "问题"),
                   Column("count", "期末有效伙伴银行数（登记）", "int"), Column("source", "依据")]
PARTNER_NOTE = ("依据园区伙伴银行登记：报送期末有效（已确认）的伙伴银行关系，与附表2“伙伴银行家数”及目标 ZJ2020-05 同一口径"
                "（原则上同一园区对接服务银行3–5家，并确定1家主办行）。“附表5报送”一行为银行报送的交叉核对：两家以上银行在已审核的附表5中报为主办行。")

def partner_rows(blocks: Iterable[tuple[str, str, dict]], link: Callable[[str], str]) -> list[dict[str, Any]]:
    """Parks outside 3–5 partner banks and parks without a 主办行 (the register's links in force at
    period end: the parks that fail ZJ2020-05), then the 附表5 cross-check (bank-reported)."""
    rows = []
    for _city_code, city_name, partners in blocks:
        partners = partners or {}
        register = "登记（期末有效）"
        for p in partners.get("outside_3_5") or []:
            issue = "伙伴银行不足3家" if (p.get("count") or 0) < 3 else "伙伴银行超过5家"
            rows.append({"city": city_name, "code": p["code"], "name": p["name"], "name_url": link(p["code"]), "issue": issue,
                         "count": p.get("count") or 0, "source": register})
        for p in partners.get("no_lead") or []:
            rows.append({"city": city_name, "code": p["code"], "name": p["name"], "name_url": link(p["code"]), "issue": "无主办行",
                         "count": p.get("count") or 0, "source": register})
        for p in partners.get("t5_multi_lead") or []:
            rows.append({"city": city_name, "code": p["code"], "name": p["name"], "name_url": link(p["code"]),
                         "issue": f"{p.get('leads')}家银行在附表5中报为主办行", "count": p.get("count") or 0, "source": "附表5报送（交叉核对）"})
    return rows


def star_table(by_star: list[dict] | None) -> Table:
    return Table("stars", "授信覆盖率（按园区星级）", STAR_COLUMNS, with_met_label(star_rows(by_star or [])), note=STAR_NOTE)


def banks_table(title: str, banks: dict, coverage: dict[str, Any]) -> Table:
    return Table("banks", title, BANK_COLUMNS, bank_lines(banks), note=coverage["note"])


def types_table(banks: dict) -> Table:
    return Table("types", "按机构类型", TYPE_COLUMNS, type_rows(banks))


def partners_table(blocks: Iterable[tuple[str, str, dict]], period: Period) -> Table:
    return Table("partners", "伙伴银行不在3–5家或无主办行的园区", PARTNER_COLUMNS, partner_rows(blocks, lambda code: park_url(code, period)),
                 note=PARTNER_NOTE, unit="")


def completeness_block(data: dict, link: Callable[[str], str], note: str, *, skip: str = "") -> tuple[Table, dict[str, Any]]:
    """The completeness counts kept in a summary, one row per city (but ``skip``), and their total."""
    comp = [c for c in completeness_rows_from_data(data.get("completeness")) if c.city.code != skip]
    rows = [{"code": c.city.code, "name": c.city.name, "name_url": link(c.city.code), "expected": c.expected, **c.counts,
             "rate": ratio(c.counts["approved"], c.expected)} for c in comp]
    total = completeness_totals(comp)
    table = Table("completeness", "报送完整性与及时性", COMPLETENESS_COLUMNS, rows, note=note, unit="单位：份")
    return table, dict(total, rate=ratio(total.get("approved", 0), total.get("expected", 0)))
