"""Dashboard selectors (issue 6): province, city, bank and park views.

They read only the roll-up tables — ``Summary`` (city and province), ``T2Summary`` (one row per
park and quarter), ``TargetResult`` — including the completeness counts the roll-ups store in the summaries. Only the park page opens ledger rows, those of ONE park's approved 附表1 (its
重点问题清单 and its missing tenants); the bank page reads the bank's own 附表4 records (one per
quarter). Every page costs the same few queries for 10 parks or 10,000.

Who may see what is decided by ``portal.access``: the summary tables have their rules there, and
a park's or a bank's page is open to exactly the readers of its filings
(``access.filings_readable_q``)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from django.db.models import F, Q
from django.db.models.fields.json import KT
from django.urls import reverse
from django.utils import timezone

from banks.choices import InstitutionType
from parks.choices import PartnerRole, StarRating
from parks.models import Park, PartnerLink, Tenancy
from portal import access
from portal.choices import NINGBO_CODE, ZHEJIANG_CODE, RegionLevel
from portal.models import Organisation, Region
from reports.filings.choices import FilingStatus
from reports.filings.models import Filing, Period, T1Row, T2Summary, T4Record
from reports.schedules.numbers import growth, ratio, rounded
from reports.schedules.t1 import UNMET_REASON
from reports.schedules.t2 import coverage_target
from reports.schedules.t4 import COLUMNS as T4_COLUMNS
from reports.schedules.t4 import S1, S2, S3
from reports.summaries.completeness import STATES, completeness_rows_from_data, completeness_totals
from reports.summaries.models import Summary
from reports.summaries.selectors import bank_coverage
from reports.targets.indicators import dec
from reports.targets.models import Target, TargetResult

SIDES = (("incl", "含宁波"), ("excl", "不含宁波"))
STATE_COLORS = {"approved": "#2ca58d", "awaiting": "#f0a030", "returned": "#c9482b", "not_filed": "#9aa5b1"}
STATUS_CLASS = {"met": "success", "unmet": "danger", "no_data": "secondary", "na": "light"}
UNMET_LABELS = dict(UNMET_REASON)


# --- small helpers -------------------------------------------------------------------------------

@dataclass
class Freshness:
    """“数据更新于 HH:MM” or “更新中…” of the summary a page is built from."""

    built_at: dt.datetime | None = None
    stale: bool = False
    label: str = "汇总"

    @classmethod
    def of(cls, row: dict | None, label: str = "汇总") -> Freshness:
        if not row:
            return cls(None, False, label)
        requested, built = row.get("requested_at"), row.get("built_at")
        stale = bool(row.get("queued")) or (requested is not None and (built is None or requested > built))
        return cls(built, stale, label)


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | amount | pct | rate | num (per row: row["kind"]) | status | link
    sortable: bool = False
    title: str = ""

    @property
    def url_key(self) -> str:
        return f"{self.key}_url"

    @property
    def css_key(self) -> str:
        return f"{self.key}_css"

    @property
    def text_key(self) -> str:
        return f"{self.key}__text"

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


NUMERIC_KINDS = ("int", "amount", "pct", "rate", "ratio", "num")


def fmt_cell(value: Any, kind: str) -> str:
    """A cell as the page shows it (thousands separators; % with 2 decimals; rates 4)."""
    if value is None or value == "":
        return "—"
    if kind in NUMERIC_KINDS:
        v = dec(value)
        if v is None:
            return str(value)
        # rounded half-up first: Python's format() of a Decimal rounds half-even
        if kind == "int":
            return f"{rounded(v, 0):,.0f}"
        if kind == "pct":
            return f"{rounded(v, 2):,.2f}%"
        if kind == "rate":
            return f"{rounded(v, 4):,.4f}"
        return f"{rounded(v, 2):,.2f}"
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


STATUS_CSS_BY_LABEL = {"达标": "success", "未达标": "danger", "未报送": "warning", "无数据": "secondary", "不适用": "light",
                       "已审核通过": "success", "已退回": "danger", "已提交": "info", "主办行已转报": "info", "草稿": "secondary"}


@dataclass
class Table:
    """A table the page shows and exports to xlsx (``?format=xlsx&table=<key>``)."""

    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    unit: str = "单位：万元、%"

    def __post_init__(self) -> None:
        """The display cells (text, link, badge) of every row, once. They are kept on the table,
        not in the row dicts: one row may appear in several tables (parks, problems, 垒小户)."""
        self.cells: list[list[dict[str, Any]]] = []
        for row in self.rows:
            cells = []
            for col in self.columns:
                value = row.get(col.key)
                kind = row.get("kind", "amount") if col.kind == "num" else col.kind
                text = fmt_cell(value, kind)
                row[col.text_key] = text
                # every key present: a missing key costs the template engine a dir() per lookup
                cell = {"text": text, "num": col.numeric, "url": "", "badge": False, "css": ""}
                if col.kind == "status":
                    cell["css"] = row[col.css_key] = STATUS_CSS_BY_LABEL.get(str(value or "").split("（")[0], "secondary")
                    cell["badge"] = bool(value)
                elif col.kind == "link":
                    cell["url"] = row.get(col.url_key) or ""
                cells.append(cell)
            self.cells.append(cells)

    @property
    def rows_html(self) -> str:
        """The table body as HTML, built here rather than cell by cell in the template engine
        (the province page renders a few thousand cells; this is several times faster)."""
        from django.utils.html import escape
        from django.utils.safestring import mark_safe

        out = []
        for cells in self.cells:
            tds = []
            for c in cells:
                text = escape(c["text"])
                if c["url"]:
                    tds.append(f'<td><a href="{escape(c["url"])}">{text}</a></td>')
                elif c["badge"]:
                    tds.append(f'<td><span class="badge text-bg-{escape(c["css"])}">{text}</span></td>')
                elif c["num"]:
                    tds.append(f'<td class="num">{text}</td>')
                else:
                    tds.append(f"<td>{text}</td>")
            out.append(f"<tr>{''.join(tds)}</tr>")
        return mark_safe("\n".join(out))


def periods_for_picker() -> list[Period]:
    return list(Period.objects.filter(is_baseline=False).order_by("-year", "-quarter"))


def period_pick(periods: list[Period], code: str | None, today: dt.date) -> Period | None:
    """The requested period, or the latest quarter that has ended."""
    if code:
        for p in periods:
            if p.code == code.upper():
                return p
    ended = [p for p in periods if p.end < today]
    return (ended or periods or [None])[0]


def _yi(value: Any) -> Decimal | None:
    """万元 → 亿元 (2 decimals, half-up)."""
    v = dec(value)
    return None if v is None else rounded(v / 10000)


def _share(a: Any, b: Any) -> Decimal | None:
    return ratio(a, b)


def _status(status: str) -> dict[str, str]:
    return {"code": status, "label": dict(TargetResult.Status.choices).get(status, status), "css": STATUS_CLASS.get(status, "secondary")}


def fmt_value(value: Decimal | None, unit: str, *, gap: bool = False) -> str:
    """A target value in its unit: % with 2 decimals (gaps in 个百分点), amounts 2, counts 0."""
    if value is None:
        return "—"
    places = 0 if unit in ("户", "个") else 2
    text = f"{rounded(value, places):,.{places}f}"  # half-up (format() alone rounds half-even)
    if unit == "%":
        return f"{text} 个百分点" if gap else f"{text}%"
    return f"{text} {unit}"


CLAUSE_LOCATOR = re.compile(r"^((?:[^\s]*〔\d{4}〕\d+号)?\s*[一二三四五六七八九十]+(?:（[一二三四五六七八九十]+）)?)")


def clause_ref(clause: str) -> str:
    """The locator of a clause (“二（一）”, “浙银保监发〔2019〕164号 四”) without its quoted text."""
    m = CLAUSE_LOCATOR.match((clause or "").strip())
    if m:
        return m.group(1).strip()
    head = (clause or "").strip()
    return head if len(head) <= 16 else head[:14] + "…"


def result_row(r: TargetResult) -> dict[str, Any]:
    t = r.target
    unit = t.unit
    cmp = Target.Comparator(t.comparator).label
    if r.status == TargetResult.Status.NOT_APPLICABLE:
        target_text = "—"
    elif t.threshold_kind == Target.ThresholdKind.NUMBER:
        target_text = f"{cmp} {fmt_value(r.threshold if r.threshold is not None else dec(t.threshold_value), unit)}"
    else:
        target_text = f"{cmp} {fmt_value(r.threshold, unit)}" if r.threshold is not None else f"{cmp} {r.basis}"
    gap_text = ""
    if r.gap is not None:  # the status is judged unrounded: a gap that rounds to 0 follows it
        ahead = r.gap > 0 or (r.gap == 0 and r.status == TargetResult.Status.MET)
        gap_text = ("超出 " if ahead else "尚差 ") + fmt_value(abs(r.gap), unit, gap=True)
    pace_text = ""
    if r.pace is not None and r.quarters_left:
        pace_text = f"距期限{r.quarters_left}个季度，每季需改善 {fmt_value(r.pace, unit, gap=True)}"
    return {
        "code": t.code, "name": t.name, "scope": r.scope_label, "scope_code": r.scope_code, "indicator": t.get_indicator_display() if t.indicator else "",
        "actual": r.actual, "actual_text": fmt_value(r.actual, unit) if r.status != TargetResult.Status.NOT_APPLICABLE else "—",
        "target_text": target_text, "basis": "" if r.basis == "固定目标" else r.basis, "gap": r.gap, "gap_text": gap_text or "—",
        "pace_text": pace_text, "status": _status(r.status), "status_label": r.get_status_display(),
        "note": r.note, "source": f"{t.target_set.source_document} {t.source_clause}".strip(), "document": "" if "号" in clause_ref(t.source_clause) else t.target_set.source_document,
        "clause": t.source_clause, "clause_ref": clause_ref(t.source_clause), "due": t.effective_due_date, "unit": unit, "is_official": r.is_official,
        "official_side": t.get_ningbo_display() if t.scope_kind in (Target.ScopeKind.PROVINCE, Target.ScopeKind.STAR_GROUP,
                                                                     Target.ScopeKind.INSTITUTION_TYPE) else "",
        "notes": t.notes, "target_id": t.pk, "threshold": r.threshold, "comparator": cmp if r.status != TargetResult.Status.NOT_APPLICABLE else "",
        "document_full": t.target_set.source_document, "kind": "rate" if unit == "%" else "amount",
    }


TARGET_COLUMNS = [  # the xlsx layout of a target table (the page shows a richer one)
    Column("code", "编号"), Column("name", "目标"), Column("scope", "范围"), Column("indicator", "指标"), Column("actual", "实际值", "num"),
    Column("comparator", "比较"), Column("threshold", "目标值", "num"), Column("unit", "单位"), Column("basis", "目标值来源"),
    Column("gap", "差距（正数为超出）", "num"), Column("status_label", "状态", "status"), Column("pace_text", "进度要求"),
    Column("document_full", "来源文件"), Column("clause", "条款"), Column("notes", "口径说明"), Column("note", "说明"),
]


# --- the province page ---------------------------------------------------------------------------

CITY_FIGURES = ("enterprises_total", "filed_count", "filing_coverage", "credited_count", "credit_coverage", "demand_count",
                "demand_unmet_count", "demand_partial_count", "unmet_enterprise_count", "unmet_bank_count", "unmet_other_count",
                "multi_bank_count", "loan_balance", "first_loan_count", "loan_count")
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


def _star_rows(by_star: list[dict]) -> list[dict[str, Any]]:
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


def _with_met_label(rows: list[dict]) -> list[dict]:
    for r in rows:
        r["met_label"] = "无数据" if r["met"] is None else ("达标" if r["met"] else "未达标")
    return rows


def _bank_lines(banks: dict | None) -> list[dict[str, Any]]:
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
                Column("base", "可比机构上年末", "num"), Column("delta", "比年初增减（可比口径）", "num"), Column("growth", "增速", "pct"),
                Column("new", "新填报机构本期末（单列）", "num")]


def _type_rows(banks: dict | None) -> list[dict[str, Any]]:
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
                Column("inclusive_growth", "普惠型较年初增速（可比口径）", "pct"), Column("all_growth", "各项贷款较年初增速（可比口径）", "pct"),
                Column("inclusive_financing_cost", "综合融资成本", "rate"), Column("credit_loan_share", "信用贷款占比", "pct"),
                Column("inclusive_npl_ratio", "普惠型不良率", "pct"), Column("ent_credit_amount", "入园企业授信金额", "amount")]

CITY_COLUMNS = [
    Column("name", "地市", "link"), Column("park_count", "园区数", "int"), Column("filed_parks", "已报送园区", "int"),
    Column("enterprises_total", "入园企业数", "int"), Column("filing_coverage", "建档覆盖率", "pct"),
    Column("full_share", "建档全覆盖园区占比", "pct"), Column("credit_coverage", "授信覆盖率", "pct"),
    Column("cov_45", "四五星授信覆盖率", "pct"), Column("cov_3", "三星授信覆盖率", "pct"), Column("cov_other", "其他星级授信覆盖率", "pct"),
    Column("partner_share", "伙伴银行3–5家园区占比", "pct"), Column("multi_bank_count", "垒小户企业数", "int"),
]
COMPLETENESS_COLUMNS = [Column("name", "地市", "link"), Column("expected", "应报", "int")] + [Column(k, label, "int") for k, label in STATES] + [
    Column("rate", "审核通过率", "pct")]
PROBLEM_COLUMNS = [Column("name", "地市", "link"), Column("demand_count", "有融资需求", "int"), Column("demand_partial_count", "部分满足", "int"),
                   Column("demand_unmet_count", "未满足", "int"), Column("unmet_enterprise_count", "企业自身原因", "int"),
                   Column("unmet_bank_count", "银行服务原因", "int"), Column("unmet_other_count", "其他原因", "int")]
MULTI_COLUMNS = [Column("name", "地市", "link"), Column("multi_bank_count", "服务银行超过3家（个体工商户超过2家）企业数", "int"),
                 Column("filed_count", "已建档企业数", "int"), Column("multi_share", "占比", "pct")]
PARTNER_COLUMNS = [Column("city", "地市"), Column("code", "园区编码"), Column("name", "园区", "link"), Column("issue", "问题"),
                   Column("count", "期末有效伙伴银行数（登记）", "int"), Column("source", "依据")]
PARTNER_NOTE = ("依据园区伙伴银行登记：报送期末有效（已确认）的伙伴银行关系，与附表2“伙伴银行家数”及目标 ZJ2020-05 同一口径"
                "（原则上同一园区对接服务银行3–5家，并确定1家主办行）。“附表5报送”一行为银行报送的交叉核对：两家以上银行在已审核的附表5中报为主办行。")


def _city_row(city: dict[str, Any], link: str) -> dict[str, Any]:
    total = city.get("total") or {}
    stars = {r["label"]: r for r in _star_rows(city.get("by_star") or [])}
    row = {"code": city["code"], "name": city["name"], "name_url": link, "separately_planned": city.get("separately_planned"),
           "park_count": city.get("park_count") or 0, "filed_parks": city.get("filed_parks") or 0,
           "full_share": _share(city.get("parks_at_full_coverage"), city.get("park_count")),
           "partner_share": _share(city.get("parks_partner_3_5"), city.get("park_count")),
           "cov_45": stars["四星、五星合计"]["credit_coverage"], "cov_3": stars["三星"]["credit_coverage"],
           "cov_other": stars["其他星级"]["credit_coverage"]}
    for key in CITY_FIGURES:
        row[key] = dec(total.get(key)) if key.endswith(("coverage", "balance")) else (total.get(key) or 0)
    row["multi_share"] = _share(row["multi_bank_count"], row["filed_count"])
    return row


def _partner_rows(blocks: Iterable[tuple[str, str, dict]], link) -> list[dict[str, Any]]:
    """Parks outside 3–5 partner banks and parks without a 主办行 (the register's links in force at
    period end: the parks that fail ZJ2020-05), then the 附表5 cross-check (bank-reported)."""
    rows = []
    for city_code, city_name, partners in blocks:
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


def park_url(code: str, period: Period | None = None) -> str:
    url = reverse("dashboards:park", args=[code])
    return f"{url}?period={period.code}" if period else url


def city_url(code: str, period: Period, **params: str) -> str:
    query = "&".join([f"period={period.code}"] + [f"{k}={v}" for k, v in params.items()])
    return f"{reverse('dashboards:city', args=[code])}?{query}"


def _results(qs) -> list[dict[str, Any]]:
    return [result_row(r) for r in qs]


def _trend_results(qs) -> dict[str, dict[str, dict]]:
    """target code → period code → {actual, threshold, status}."""
    out: dict[str, dict[str, dict]] = {}
    for r in qs:
        out.setdefault(r["target__code"], {})[r["period__code"]] = {"actual": r["actual"], "threshold": r["threshold"], "status": r["status"]}
    return out


def _series(trend: dict[str, dict[str, dict]], code: str, codes: list[str], key: str = "actual") -> list[float | None]:
    values = trend.get(code, {})
    return [None if values.get(c, {}).get(key) is None else float(values[c][key]) for c in codes]


def province_page(*, user: Any, period: Period, side: str, periods: list[Period], today: dt.date) -> dict[str, Any] | None:
    """Everything the province dashboard shows; None when ``user`` may not see it."""
    block = "incl_ningbo" if side == "incl" else "excl_ningbo"
    visible = access.restrict(user, Summary.objects.filter(scope=Summary.Scope.PROVINCE, code=ZHEJIANG_CODE))
    # the whole document in one read: cheaper than extracting a dozen paths from it (SQLite
    # re-parses the JSON for every path); its size depends on the cities, not on the parks
    found = visible.filter(period=period).values("built_at", "queued", "requested_at", "data").first()
    if found is None and not _province_visible(user):
        return None
    found = found or {}
    data = found.get("data") or {}
    side_block = data.get(block) or {}
    row = {**found, "total": side_block.get("total"), "by_star": side_block.get("by_star"), "park_count": side_block.get("park_count"),
           "filed_parks": side_block.get("filed_parks"), "full": side_block.get("parks_at_full_coverage"),
           "partner_3_5": side_block.get("parks_partner_3_5"), "cities": data.get("cities"),
           "banks": (data.get("banks") or {}).get(block), "not_filed_count": data.get("not_filed_count"),
           "register": side_block.get("register")}
    ctx: dict[str, Any] = {"freshness": Freshness.of(row, "全省汇总"), "has_summary": bool(row.get("built_at")), "side": side}
    total = row.get("total") or {}
    # targets of the default set: province-wide results on this side, and the not-applicable ones
    results = list(access.restrict(user, TargetResult.objects.filter(period=period, target__target_set__is_default=True))
                   .filter(Q(ningbo=side) | Q(status=TargetResult.Status.NOT_APPLICABLE) | Q(scope_kind=Target.ScopeKind.CITY))
                   .select_related("target__target_set").order_by("target__order", "scope_code"))
    main = [r for r in results if r.scope_kind != Target.ScopeKind.CITY]
    ctx["target_set"] = main[0].target.target_set if main else None
    ctx["targets"] = Table("targets", "目标完成情况", TARGET_COLUMNS, _results(main), unit="")
    city_results = [r for r in results if r.scope_kind == Target.ScopeKind.CITY and (side == "incl" or r.scope_code != NINGBO_CODE)]
    ctx["city_matrix"] = _city_matrix(city_results)
    # KPI cards
    banks = row.get("banks") or {}
    bank_total, change = banks.get("total") or {}, banks.get("change") or {}
    ctx["kpi"] = {
        "park_count": row.get("park_count") or 0, "filed_parks": row.get("filed_parks") or 0,
        "not_filed": (row.get("park_count") or 0) - (row.get("filed_parks") or 0),
        "enterprises_total": total.get("enterprises_total") or 0, "filing_coverage": dec(total.get("filing_coverage")),
        "credit_coverage": dec(total.get("credit_coverage")), "full_share": _share(row.get("full"), row.get("park_count")),
        "partner_share": _share(row.get("partner_3_5"), row.get("park_count")),
        "inclusive_yi": _yi(bank_total.get("inclusive_loan_balance")),
        "inclusive_growth": dec((change.get("inclusive_loan_balance") or {}).get("growth")),
        "inclusive_increase_yi": _yi((change.get("inclusive_loan_balance") or {}).get("delta")),
        "financing_cost": dec(bank_total.get("inclusive_financing_cost")), "bank_filers": bank_total.get("filers") or 0,
        "multi_bank_count": total.get("multi_bank_count") or 0, "demand_unmet_count": total.get("demand_unmet_count") or 0,
    }
    ctx["bank_coverage"] = bank_coverage(banks)
    ctx["parks_scope"] = parks_scope_text(row.get("park_count"), row.get("register"))
    ctx["stars"] = Table("stars", "授信覆盖率（按园区星级）", STAR_COLUMNS, _with_met_label(_star_rows(row.get("by_star") or [])),
                         note=STAR_NOTE)
    cities = [c for c in (row.get("cities") or []) if side == "incl" or c["code"] != NINGBO_CODE]
    city_rows = [_city_row(c, city_url(c["code"], period)) for c in cities]
    ctx["cities"] = Table("cities", "各地市授信覆盖与分类建档", CITY_COLUMNS, city_rows)
    ctx["problems"] = Table("problems", "重点问题清单：有融资需求未满足（按原因）", PROBLEM_COLUMNS,
                            [dict(r, name_url=city_url(r["code"], period, anchor="problems")) for r in city_rows],
                            note="点击地市查看各园区，再进入园区查看企业清单及解决措施。")
    ctx["unmet_causes"] = [{"name": label, "value": total.get(f"unmet_{key}_count") or 0} for key, label in UNMET_REASON]
    multi_rows = sorted([dict(r, name_url=city_url(r["code"], period, sort="multi_bank_count", dir="desc")) for r in city_rows],
                        key=lambda r: -r["multi_bank_count"])
    ctx["multi"] = Table("multi", "垒小户预警：服务银行超过3家（个体工商户超过2家）的入园企业", MULTI_COLUMNS, multi_rows,
                         note="单户授信1000万元（含）以下的小微企业服务银行超过3家、个体工商户服务银行超过2家的，其他银行应审慎介入（浙银保监发〔2020〕15号 二（七））。")
    # completeness and timeliness by city (reports.completeness: a bounded number of filing rows)
    comp = completeness_rows_from_data(data.get("completeness"))  # kept in the province summary
    comp_rows = []
    for c in comp:
        if side == "excl" and c.city.code == NINGBO_CODE:
            continue
        comp_rows.append({"code": c.city.code, "name": c.city.name, "name_url": city_url(c.city.code, period, anchor="completeness"),
                          "expected": c.expected, **c.counts, "rate": ratio(c.counts["approved"], c.expected)})
    comp_total = completeness_totals([c for c in comp if side == "incl" or c.city.code != NINGBO_CODE])
    ctx["completeness"] = Table("completeness", "报送完整性与及时性", COMPLETENESS_COLUMNS, comp_rows,
                                note=f"填报截止 {period.filer_due:%Y-%m-%d}；逾期含逾期提交和逾期未报。", unit="单位：份")
    ctx["completeness_total"] = dict(comp_total, rate=ratio(comp_total.get("approved", 0), comp_total.get("expected", 0)))
    # partners: parks outside 3–5 partner banks, without or with several 主办行 (each city summary's check)
    city_partners = (access.restrict(user, Summary.objects.filter(scope=Summary.Scope.CITY, period=period))
                     .values("code", partners=F("data__partners"), city_name=KT("data__city__name")).order_by("code"))
    blocks = [(r["code"], r["city_name"], r["partners"]) for r in city_partners if side == "incl" or r["code"] != NINGBO_CODE]
    ctx["partners"] = Table("partners", "伙伴银行不在3–5家或无主办行的园区", PARTNER_COLUMNS, _partner_rows(blocks, lambda code: park_url(code, period)),
                            note=PARTNER_NOTE, unit="")
    ctx["bank_lines"] = Table("banks", f"银行业金融机构主要指标（附表4合计，{dict(SIDES)[side]}）", BANK_COLUMNS, _bank_lines(banks),
                              note=ctx["bank_coverage"]["note"])
    ctx["types"] = Table("types", "按机构类型", TYPE_COLUMNS, _type_rows(banks))
    # trends: stored target results and the summaries' key figures, one query each
    codes = [p.code for p in sorted(periods, key=lambda p: (p.year, p.quarter))]
    trend = _trend_results(access.restrict(user, TargetResult.objects.filter(target__target_set__is_default=True, ningbo=side,
                                                                              scope_kind__in=[Target.ScopeKind.PROVINCE, Target.ScopeKind.STAR_GROUP]))
                           .values("period__code", "target__code", "actual", "threshold", "status"))
    figures = {r["period__code"]: {"filing": (r["total"] or {}).get("filing_coverage"), "credit": (r["total"] or {}).get("credit_coverage")}
               for r in visible.values("period__code", total=F(f"data__{block}__total"))}
    ctx["charts"] = _province_charts(codes, trend, figures, ctx)
    ctx["tables"] = [ctx[k] for k in ("targets", "stars", "cities", "completeness", "problems", "multi", "partners", "bank_lines", "types")]
    if ctx["city_matrix"]["rows"]:
        ctx["tables"].insert(1, ctx["city_matrix"]["table"])
    return ctx


def _province_visible(user: Any) -> bool:
    """For the no-summary case only: may ``user`` see the province roll-up at all?"""
    return access.scope_q(user, Summary) == access.ALL


def _city_matrix(results: list[TargetResult]) -> dict[str, Any]:
    """Cities × targets: each city's status on the targets evaluated city by city."""
    targets: dict[str, TargetResult] = {}
    cities: dict[str, dict[str, Any]] = {}
    for r in results:
        targets.setdefault(r.target.code, r)
        city = cities.setdefault(r.scope_code, {"code": r.scope_code, "name": r.scope_label, "cells": {}})
        city["cells"][r.target.code] = {"status": _status(r.status), "actual": fmt_value(r.actual, r.target.unit)}
    heads = [{"code": c, "name": t.target.name, "short": c.split("-")[-1]} for c, t in sorted(targets.items())]
    rows = [dict(c, list=[c["cells"].get(h["code"]) for h in heads]) for c in sorted(cities.values(), key=lambda c: c["code"])]
    columns = [Column("name", "地市")] + [Column(h["code"], f"{h['code']} {h['name']}") for h in heads]
    table_rows = [{"name": c["name"], **{h["code"]: (f"{cell['actual']}（{cell['status']['label']}）" if cell else "—")
                                         for h, cell in zip(heads, c["list"])}} for c in rows]
    return {"heads": heads, "rows": rows, "table": Table("city_targets", "目标完成情况（分地市）", columns, table_rows, unit="")}


def _f(value: Any) -> float | None:
    v = dec(value)
    return None if v is None else float(v)


def _province_charts(codes: list[str], trend: dict, figures: dict, ctx: dict) -> dict[str, Any]:
    stars = ctx["stars"].rows
    return {
        "stars": {"type": "bar", "categories": [r["label"] for r in stars], "yName": "%",
                  "series": [{"name": "授信覆盖率", "data": [_f(r["credit_coverage"]) for r in stars]},
                             {"name": "目标", "type": "line", "data": [_f(r["coverage_target"]) for r in stars], "step": True}]},
        "trend": {"type": "line", "categories": codes, "yName": "%",
                  "series": [{"name": "四星、五星级授信覆盖率", "data": _series(trend, "ZJ2020-02", codes)},
                             {"name": "三星级授信覆盖率", "data": _series(trend, "ZJ2020-03", codes)},
                             {"name": "其他星级授信覆盖率", "data": _series(trend, "ZJ2020-04", codes)},
                             {"name": "入园企业建档覆盖率", "data": [_f(figures.get(c, {}).get("filing")) for c in codes]}]},
        "growth": {"type": "line", "categories": codes, "yName": "%",
                   "series": [{"name": "普惠型贷款较年初增速", "data": _series(trend, "ZJ2020-07", codes)},
                              {"name": "各项贷款较年初增速", "data": _series(trend, "ZJ2020-07", codes, "threshold"), "dashed": True}]},
        "cost": {"type": "line", "categories": codes, "yName": "%",
                 "series": [{"name": "普惠型综合融资成本", "data": _series(trend, "ZJ2020-08", codes)},
                            {"name": "目标（上年末−0.5个百分点）", "data": _series(trend, "ZJ2020-08", codes, "threshold"), "dashed": True}]},
        "cities": {"type": "bar", "categories": [r["name"] for r in ctx["cities"].rows], "yName": "%",
                   "series": [{"name": "建档覆盖率", "data": [_f(r["filing_coverage"]) for r in ctx["cities"].rows]},
                              {"name": "授信覆盖率", "data": [_f(r["credit_coverage"]) for r in ctx["cities"].rows]}]},
        "causes": {"type": "pie", "series": [{"name": "未满足原因", "data": ctx["unmet_causes"]}]},
        "completeness": {"type": "stack", "categories": [r["name"] for r in ctx["completeness"].rows], "yName": "份",
                         "series": [{"name": label, "data": [r[k] for r in ctx["completeness"].rows], "color": STATE_COLORS[k]}
                                    for k, label in STATES if k != "late"]},
    }


# --- the city page --------------------------------------------------------------------------------

PARK_COLUMNS = [
    Column("code", "园区编码", sortable=True), Column("name", "园区名称", "link", sortable=True), Column("county", "县（市、区）", sortable=True),
    Column("star_label", "星级", sortable=True), Column("partner_bank_count", "伙伴银行", "int", True),
    Column("enterprises_total", "入园企业", "int", True), Column("filing_coverage", "建档覆盖率", "pct", True),
    Column("credit_coverage", "授信覆盖率", "pct", True), Column("coverage_target", "目标", "pct"),
    Column("met_label", "是否达标", "status", True), Column("demand_unmet_count", "需求未满足", "int", True),
    Column("multi_bank_count", "垒小户", "int", True), Column("first_loan_count", "首贷户", "int", True),
]
SORT_KEYS = {c.key for c in PARK_COLUMNS if c.sortable} | {"star_rating"}
COUNTY_COLUMNS = [Column("name", "县（市、区）"), Column("park_count", "园区数", "int"), Column("filed_parks", "已报送", "int"),
                  Column("enterprises_total", "入园企业", "int"), Column("filing_coverage", "建档覆盖率", "pct"),
                  Column("credit_coverage", "授信覆盖率", "pct"), Column("credit_amount", "授信金额", "amount"),
                  Column("loan_balance", "贷款余额", "amount"), Column("weighted_loan_rate", "加权平均利率", "rate"),
                  Column("demand_unmet_count", "需求未满足", "int"), Column("multi_bank_count", "垒小户", "int")]
PARK_PROBLEM_COLUMNS = [Column("name", "园区", "link"), Column("county", "县（市、区）"), Column("demand_count", "有融资需求", "int"),
                        Column("demand_partial_count", "部分满足", "int"), Column("demand_unmet_count", "未满足", "int"),
                        Column("unmet_enterprise_count", "企业自身原因", "int"), Column("unmet_bank_count", "银行服务原因", "int"),
                        Column("unmet_other_count", "其他原因", "int")]
PARK_MULTI_COLUMNS = [Column("name", "园区", "link"), Column("county", "县（市、区）"), Column("multi_bank_count", "服务银行超过3家（个体工商户超过2家）企业数", "int"),
                      Column("filed_count", "已建档企业数", "int"), Column("multi_share", "占比", "pct")]


@dataclass
class ParkFilter:
    star: str = ""
    county: str = ""
    met: str = ""  # met | unmet | unfiled
    q: str = ""
    sort: str = "code"
    dir: str = "asc"

    @classmethod
    def from_query(cls, params) -> ParkFilter:
        sort = params.get("sort", "code")
        return cls(star=params.get("star", ""), county=params.get("county", ""), met=params.get("met", ""),
                   q=params.get("q", "").strip(), sort=sort if sort in SORT_KEYS else "code",
                   dir="desc" if params.get("dir") == "desc" else "asc")

    def apply(self, parks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows = parks
        if self.star != "":
            if self.star == "45":
                rows = [p for p in rows if p["star_rating"] >= 4]
            elif self.star == "other":
                rows = [p for p in rows if p["star_rating"] <= 2]
            else:
                rows = [p for p in rows if str(p["star_rating"]) == self.star]
        if self.county:
            rows = [p for p in rows if p["county_code"] == self.county]
        if self.met == "met":
            rows = [p for p in rows if p.get("coverage_met") is True]
        elif self.met == "unmet":
            rows = [p for p in rows if p["filed"] and not p.get("coverage_met")]
        elif self.met == "unfiled":
            rows = [p for p in rows if not p["filed"]]
        if self.q:
            rows = [p for p in rows if self.q in p["name"] or self.q in p["code"]]
        key = self.sort

        def sort_key(p: dict[str, Any]):
            v = p.get(key)
            if isinstance(v, str) and key not in ("code", "name", "county", "star_label", "met_label"):
                v = dec(v)
            missing = v is None
            return (missing if self.dir == "asc" else not missing, v if v is not None else 0)

        if key == "star_label":
            return sorted(rows, key=lambda p: (p["star_rating"], p["code"]), reverse=self.dir == "desc")
        return sorted(rows, key=sort_key, reverse=self.dir == "desc")


def _park_rows(parks: list[dict[str, Any]], period: Period) -> list[dict[str, Any]]:
    out = []
    for p in parks:
        row = dict(p)
        row["name_url"] = park_url(p["code"], period)
        for key in ("filing_coverage", "credit_coverage", "coverage_target", "credit_amount", "loan_balance"):
            row[key] = dec(p.get(key))
        if row.get("coverage_target") is None:
            row["coverage_target"] = coverage_target(p["star_rating"])
        if not p["filed"]:
            row["met_label"] = "未报送"
        else:
            row["met_label"] = "达标" if p.get("coverage_met") else "未达标"
        row["multi_share"] = _share(p.get("multi_bank_count"), p.get("filed_count"))
        out.append(row)
    return out


def city_page(*, user: Any, city: Region, period: Period, periods: list[Period], today: dt.date, flt: ParkFilter) -> dict[str, Any] | None:
    visible = access.restrict(user, Summary.objects.filter(scope=Summary.Scope.CITY, code=city.code))
    row = visible.filter(period=period).values("built_at", "queued", "requested_at", "data").first()
    if row is None and not _city_visible(user, city):
        return None
    row = row or {}
    data = row.get("data") or {}
    ctx: dict[str, Any] = {"freshness": Freshness.of(row, f"{city.name}汇总"), "has_summary": bool(row.get("built_at")), "city": city}
    total = data.get("total") or {}
    parks = _park_rows(data.get("parks") or [], period)
    ctx["park_filter"] = flt
    shown = flt.apply(parks)
    ctx["parks"] = Table("parks", "园区一览", PARK_COLUMNS, shown,
                         note=f"共 {len(parks)} 个园区，筛选后 {len(shown)} 个。{data.get('not_filed_note') or ''}")
    ctx["county_choices"] = [(c["code"], c["name"]) for c in data.get("counties") or []]
    ctx["star_choices"] = [("45", "四星、五星"), ("5", "五星"), ("4", "四星"), ("3", "三星"), ("other", "其他星级")]
    ctx["counties"] = Table("counties", "分县（市、区）汇总", COUNTY_COLUMNS,
                            [dict(c, **{k: dec(c.get(k)) for k in ("filing_coverage", "credit_coverage", "credit_amount", "loan_balance",
                                                                 "weighted_loan_rate")}) for c in data.get("counties") or []])
    ctx["stars"] = Table("stars", "授信覆盖率（按园区星级）", STAR_COLUMNS, _with_met_label(_star_rows(data.get("by_star") or [])),
                         note=STAR_NOTE)
    results = list(access.restrict(user, TargetResult.objects.filter(period=period, scope_code=city.code))
                   .select_related("target__target_set").order_by("target__target_set__order", "target__order"))
    ctx["targets"] = Table("targets", "目标完成情况（本市）", TARGET_COLUMNS, _results(results), unit="")
    filed = [p for p in parks if p["filed"]]
    problem_rows = sorted([p for p in filed if p.get("demand_count")], key=lambda p: (-(p.get("demand_unmet_count") or 0), p["code"]))
    ctx["problems"] = Table("problems", "重点问题清单：各园区有融资需求未满足情况", PARK_PROBLEM_COLUMNS, problem_rows,
                            note="点击园区查看企业清单、未满足原因及解决措施。")
    ctx["unmet_causes"] = [{"name": label, "value": total.get(f"unmet_{key}_count") or 0} for key, label in UNMET_REASON]
    ctx["multi"] = Table("multi", "垒小户预警：服务银行超过3家（个体工商户超过2家）的入园企业", PARK_MULTI_COLUMNS,
                         sorted([p for p in filed if p.get("multi_bank_count")], key=lambda p: (-p["multi_bank_count"], p["code"])))
    ctx["partners"] = Table("partners", "伙伴银行不在3–5家或无主办行的园区", PARTNER_COLUMNS,
                            _partner_rows([(city.code, city.name, data.get("partners"))], lambda code: park_url(code, period)),
                            note=PARTNER_NOTE, unit="")
    ctx["not_filed"] = data.get("not_filed") or []
    banks = data.get("banks") or {}
    ctx["bank_coverage"] = bank_coverage(banks)
    ctx["parks_scope"] = parks_scope_text(data.get("park_count"), data.get("register"))
    ctx["bank_lines"] = Table("banks", "辖内银行业金融机构主要指标（附表4合计）", BANK_COLUMNS, _bank_lines(banks),
                              note=ctx["bank_coverage"]["note"])
    ctx["types"] = Table("types", "按机构类型", TYPE_COLUMNS, _type_rows(banks))
    comp = completeness_rows_from_data(data.get("completeness"))  # kept in the city summary
    comp_rows = [{"code": c.city.code, "name": c.city.name, "name_url": f"{reverse('reports:completeness_list')}?period={period.code}&city={c.city.code}",
                  "expected": c.expected, **c.counts, "rate": ratio(c.counts["approved"], c.expected)} for c in comp]
    ctx["completeness"] = Table("completeness", "报送完整性与及时性", COMPLETENESS_COLUMNS, comp_rows,
                                note=f"填报截止 {period.filer_due:%Y-%m-%d}。", unit="单位：份")
    ctx["kpi"] = {
        "park_count": data.get("park_count") or 0, "filed_parks": data.get("filed_parks") or 0,
        "enterprises_total": total.get("enterprises_total") or 0, "filing_coverage": dec(total.get("filing_coverage")),
        "credit_coverage": dec(total.get("credit_coverage")), "full_share": _share(data.get("parks_at_full_coverage"), data.get("park_count")),
        "partner_share": _share(data.get("parks_partner_3_5"), data.get("park_count")),
        "multi_bank_count": total.get("multi_bank_count") or 0, "demand_unmet_count": total.get("demand_unmet_count") or 0,
        "inclusive_yi": _yi((banks.get("total") or {}).get("inclusive_loan_balance")),
        "inclusive_growth": dec(((banks.get("change") or {}).get("inclusive_loan_balance") or {}).get("growth")),
        "inclusive_increase_yi": _yi(((banks.get("change") or {}).get("inclusive_loan_balance") or {}).get("delta")),
    }
    codes = [p.code for p in sorted(periods, key=lambda p: (p.year, p.quarter))]
    trend = _trend_results(access.restrict(user, TargetResult.objects.filter(target__target_set__is_default=True, scope_code=city.code))
                           .values("period__code", "target__code", "actual", "threshold", "status"))
    figures = {r["period__code"]: {"filing": (r["total"] or {}).get("filing_coverage"), "credit": (r["total"] or {}).get("credit_coverage")}
               for r in visible.values("period__code", total=F("data__total"))}
    stars = ctx["stars"].rows
    ctx["charts"] = {
        "stars": {"type": "bar", "categories": [r["label"] for r in stars], "yName": "%",
                  "series": [{"name": "授信覆盖率", "data": [_f(r["credit_coverage"]) for r in stars]},
                             {"name": "目标", "type": "line", "data": [_f(r["coverage_target"]) for r in stars], "step": True}]},
        "trend": {"type": "line", "categories": codes, "yName": "%",
                  "series": [{"name": "授信覆盖率", "data": [_f(figures.get(c, {}).get("credit")) for c in codes]},
                             {"name": "建档覆盖率", "data": [_f(figures.get(c, {}).get("filing")) for c in codes]},
                             {"name": "普惠型贷款较年初增速", "data": _series(trend, "ZJ2020-07", codes)},
                             {"name": "各项贷款较年初增速", "data": _series(trend, "ZJ2020-07", codes, "threshold"), "dashed": True}]},
        "counties": {"type": "bar", "categories": [c["name"] for c in ctx["counties"].rows], "yName": "%",
                     "series": [{"name": "建档覆盖率", "data": [_f(c["filing_coverage"]) for c in ctx["counties"].rows]},
                                {"name": "授信覆盖率", "data": [_f(c["credit_coverage"]) for c in ctx["counties"].rows]}]},
        "causes": {"type": "pie", "series": [{"name": "未满足原因", "data": ctx["unmet_causes"]}]},
    }
    ctx["tables"] = [ctx[k] for k in ("targets", "stars", "counties", "parks", "completeness", "problems", "multi", "partners", "bank_lines", "types")]
    return ctx


def _city_visible(user: Any, city: Region) -> bool:
    """For the no-summary case only: would ``user`` see this city's roll-up if it existed?"""
    q = access.scope_q(user, Summary)
    return q == access.ALL or q == Q(scope=Summary.Scope.CITY, code=city.code)


def cities_visible(user: Any) -> list[tuple[str, str]]:
    """The cities whose dashboards ``user`` may open (for the city picker)."""
    q = access.scope_q(user, Summary)
    cities = Region.objects.filter(level=RegionLevel.CITY, province_code=ZHEJIANG_CODE).order_by("code")
    if q == access.NONE:
        return []
    if q != access.ALL:
        org = user.organisation
        cities = cities.filter(code=org.region.code)
    return list(cities.values_list("code", "name"))


# --- the park page --------------------------------------------------------------------------------

T2_KEYS = ("enterprises_total", "filed_count", "filing_coverage", "demand_count", "demand_amount", "credited_count", "credit_coverage",
           "credit_amount", "loan_count", "loan_balance", "inclusive_balance", "credit_loan_balance", "renewal_balance", "first_loan_count",
           "weighted_loan_rate", "weighted_financing_cost", "demand_met_count", "demand_partial_count", "demand_unmet_count",
           "unmet_enterprise_count", "unmet_bank_count", "unmet_other_count", "multi_bank_count", "insured_count", "coverage_target",
           "coverage_met", "partner_bank_count")
PROBLEM_ROW_COLUMNS = [Column("row_no", "行号", "int"), Column("enterprise_name", "企业名称"), Column("uscc", "统一社会信用代码"),
                       Column("demand_amount", "融资需求金额", "amount"), Column("demand_purpose_label", "用途"),
                       Column("demand_status_label", "满足情况"), Column("credit_amount", "已授信", "amount"),
                       Column("unmet_reason_label", "未满足原因"), Column("unmet_detail", "原因说明"),
                       Column("solution", "解决措施及金融服务方案"), Column("main_bank", "主要授信银行")]
MISSING_COLUMNS = [Column("enterprise__name", "企业名称"), Column("enterprise__uscc", "统一社会信用代码"), Column("entered_on", "入园日期")]


def park_page(*, user: Any, park: Park, period: Period, periods: list[Period]) -> dict[str, Any]:
    """A park's coverage against its star target, ledger completeness and 重点问题清单 (``park`` was
    fetched through ``access.filings_readable_q(user, "park")``)."""
    from reports.schedules.t1 import DEMAND_STATUS, PURPOSE

    filings = list(Filing.objects.filter(park=park, schedule="T1").values(
        "pk", "period__code", "version", "status", "is_current", "submitted_at", "approved_at", "days_late").order_by("period__code", "version"))
    t2 = {}
    for r in (access.restrict(user, T2Summary.objects.filter(park=park, filing__status=FilingStatus.APPROVED))
              .values("period__code", "filing_id", "filing__version", "computed_at", *T2_KEYS).order_by("period__code", "filing__version")):
        t2[r["period__code"]] = r  # the latest approved version of each period wins
    now = t2.get(period.code)
    current = next((f for f in reversed(filings) if f["period__code"] == period.code and f["is_current"]), None)
    ctx: dict[str, Any] = {"park": park, "t2": now, "current_filing": current, "approved_filing_id": now and now["filing_id"]}
    target = coverage_target(park.star_rating)
    cov = now and dec(now["credit_coverage"])
    ctx["coverage"] = {"actual": cov, "target": target, "met": None if cov is None else cov >= target,
                       "gap": None if cov is None else cov - target,
                       "needed": None if not now or cov is None or cov >= target else
                       max(0, int((target * now["enterprises_total"] / 100).to_integral_value(rounding="ROUND_CEILING")) - now["credited_count"])}
    city_row = (Summary.objects.filter(scope=Summary.Scope.CITY, code=park.county.city_code, period=period)
                .values("built_at", "queued", "requested_at").first())
    ctx["freshness"] = Freshness.of(city_row, "地市汇总")
    ctx["links"] = list(PartnerLink.objects.in_force(on=period.end).filter(park=park)
                        .values("branch__name", "role", "sub_branch").order_by("role", "branch__name"))
    # 重点问题清单 and ledger completeness: the rows of THIS park's approved 附表1 (the ledger page)
    purposes, statuses = dict(PURPOSE), dict(DEMAND_STATUS)
    problems, missing = [], []
    if now:
        for r in T1Row.objects.filter(filing_id=now["filing_id"], category="B").values(
                "row_no", "enterprise_name", "uscc", "demand_amount", "demand_purpose", "demand_status", "credit_amount", "unmet_reason",
                "unmet_detail", "solution", "main_bank").order_by("row_no"):
            r.update(demand_purpose_label=purposes.get(r["demand_purpose"], ""), demand_status_label=statuses.get(r["demand_status"], ""),
                     unmet_reason_label=UNMET_LABELS.get(r["unmet_reason"], ""))
            problems.append(r)
        filed_usccs = set(T1Row.objects.filter(filing_id=now["filing_id"]).order_by().values_list("uscc", flat=True))
        tenants = (Tenancy.objects.in_force(on=period.end).filter(park=park)
                   .values("enterprise__name", "enterprise__uscc", "entered_on").order_by("enterprise__name"))
        missing = [t for t in tenants if t["enterprise__uscc"] not in filed_usccs]
    ctx["problems"] = Table("problems", "重点问题清单（有融资需求待满足的企业，B类）", PROBLEM_ROW_COLUMNS, problems, unit="单位：万元")
    ctx["missing"] = Table("missing", "未建档的在园企业", MISSING_COLUMNS, missing, unit="")
    codes = [p.code for p in sorted(periods, key=lambda p: (p.year, p.quarter))]
    ctx["history"] = Table("history", "各期报送与覆盖情况", [
        Column("period", "报送期"), Column("status", "附表1状态"), Column("enterprises_total", "入园企业", "int"),
        Column("filing_coverage", "建档覆盖率", "pct"), Column("credit_coverage", "授信覆盖率", "pct"),
        Column("demand_unmet_count", "需求未满足", "int"), Column("multi_bank_count", "垒小户", "int")],
        [{"period": c, "status": _filing_status_label(filings, c), **({k: (dec(t2[c][k]) if k.endswith("coverage") else t2[c][k])
                                                                     for k in ("enterprises_total", "filing_coverage", "credit_coverage",
                                                                               "demand_unmet_count", "multi_bank_count")} if c in t2 else {})}
         for c in reversed(codes)], unit="")
    ctx["charts"] = {"trend": {"type": "line", "categories": codes, "yName": "%",
                               "series": [{"name": "授信覆盖率", "data": [_f(t2.get(c, {}).get("credit_coverage")) for c in codes]},
                                          {"name": "建档覆盖率", "data": [_f(t2.get(c, {}).get("filing_coverage")) for c in codes]},
                                          {"name": f"目标（{park.get_star_rating_display()}）", "data": [float(target)] * len(codes),
                                           "dashed": True}]}}
    ctx["brain"] = _brain_table(park=park, period=period)
    ctx["tables"] = [ctx["problems"], ctx["missing"], ctx["brain"], ctx["history"]]
    return ctx


def _brain_table(*, park: Park, period: Period) -> Table:
    """园区大脑 readings pushed over the API for the period's three months, one row per enterprise
    (beside the ledger): the last month with data and the quarter's totals."""
    from django.db.models import Max
    from django.db.models import Sum as S

    from parks.models import BrainReading

    rows = list(BrainReading.objects.filter(park=park, month__gte=period.start.replace(day=1), month__lte=period.end)
                .values("enterprise__name", "enterprise__uscc")
                .annotate(last_month=Max("month"), electricity=S("electricity_kwh"), water=S("water_t"), gas=S("gas_m3"),
                          hours=S("equipment_hours"))
                .order_by("enterprise__name"))
    for r in rows:
        r["last_month"] = r["last_month"].strftime("%Y-%m")
    return Table("brain", f"园区大脑读数（{period.code} 季度合计）", [
        Column("enterprise__name", "企业名称"), Column("enterprise__uscc", "统一社会信用代码"), Column("last_month", "最近月份"),
        Column("electricity", "用电量（千瓦时）", "num"), Column("water", "用水量（吨）", "num"), Column("gas", "用气量（立方米）", "num"),
        Column("hours", "设备运行时长（小时）", "num")], rows,
        note="由园区大脑通过 API 推送（POST /api/v1/parks/{id}/brain-readings/）。", unit="")


def _local(value: dt.datetime | None) -> str:

    return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _filing_status_label(filings: list[dict], code: str) -> str:
    versions = [f for f in filings if f["period__code"] == code]
    if not versions:
        return "未报送"
    cur = next((f for f in versions if f["is_current"]), versions[-1])
    label = dict(FilingStatus.choices).get(cur["status"], cur["status"])
    return f"{label}（第{cur['version']}版）" if cur["version"] > 1 else label


# --- the bank page --------------------------------------------------------------------------------

def _t4_lines(section_keys: Iterable[str], now: dict | None, prev_q: dict | None, prev_ye: dict | None) -> list[dict[str, Any]]:
    labels = {c.key: c for c in T4_COLUMNS}
    rows = []
    for key in section_keys:
        col = labels[key]
        a = dec((now or {}).get(key))
        b = dec((prev_q or {}).get(key))
        c = dec((prev_ye or {}).get(key))
        rate = col.kind == "rate"
        rows.append({"key": key, "label": col.label, "kind": "rate" if rate else ("int" if col.kind == "count" else "amount"),
                     "now": a, "prev_q": b, "prev_ye": c,
                     "q_delta": None if a is None or b is None else a - b, "q_growth": None if rate or a is None or not b else growth(a, b),
                     "ye_delta": None if a is None or c is None else a - c, "ye_growth": None if rate or a is None or not c else growth(a, c)})
    return rows


T4_LINE_COLUMNS = [Column("label", "指标"), Column("now", "本期末", "num"), Column("prev_q", "上季末", "num"),
                   Column("q_delta", "比上季", "num"), Column("q_growth", "环比增速", "pct"), Column("prev_ye", "上年末", "num"),
                   Column("ye_delta", "比年初", "num"), Column("ye_growth", "比年初增速", "pct")]
FILING_COLUMNS = [Column("period", "报送期", "link"), Column("schedule", "报表", "link"), Column("version", "版本", "int"), Column("status_label", "状态", "status"),
                  Column("submitted_at", "提交时间"), Column("days_late", "逾期天数", "int")]
PARTNER_PARK_COLUMNS = [Column("name", "园区", "link"), Column("county", "县（市、区）"), Column("star_label", "星级"), Column("role", "角色"),
                        Column("enterprises_total", "入园企业", "int"), Column("filing_coverage", "建档覆盖率", "pct"),
                        Column("credit_coverage", "授信覆盖率", "pct"), Column("coverage_target", "目标", "pct"),
                        Column("met_label", "是否达标", "status"), Column("demand_unmet_count", "需求未满足", "int")]


def bank_page(*, user: Any, org: Organisation, period: Period, periods: list[Period], explicit: bool = True) -> dict[str, Any]:
    """A bank (or insurer) branch: its filings, its 附表4 against last quarter and last year-end,
    its partner parks' coverage (附表2) and the institution-level targets it is measured on. Without
    an explicit period it opens on the latest quarter whose 附表4 is approved."""
    filings = list(Filing.objects.filter(branch=org).values("pk", "schedule", "period__code", "version", "status", "is_current",
                                                             "submitted_at", "days_late").order_by("-period__code", "schedule", "-version"))
    statuses = dict(FilingStatus.choices)
    filing_rows = [{"period": f["period__code"], "period_url": f"?period={f['period__code']}", "schedule": "附表4" if f["schedule"] == "T4" else "附表5", "version": f["version"],
                    "status_label": statuses.get(f["status"], f["status"]), "status": f["status"], "schedule_url": reverse("reports:filing_detail", args=[f["pk"]]),
                    "submitted_at": _local(f["submitted_at"]), "days_late": f["days_late"], "url": reverse("reports:filing_detail", args=[f["pk"]])}
                   for f in filings if f["is_current"]]
    t4 = {}
    for r in (T4Record.objects.filter(filing__branch=org, filing__status=FilingStatus.APPROVED)
              .values("filing__period__code", "filing__version", *[c.key for c in T4_COLUMNS]).order_by("filing__period__code", "filing__version")):
        t4[r["filing__period__code"]] = r
    from reports.targets.engine import shift_code

    if not explicit and period.code not in t4 and t4:
        latest = max((p for p in periods if p.code in t4), key=lambda p: (p.year, p.quarter), default=None)
        period = latest or period
    prev_q, prev_ye = shift_code(period.code, "previous_quarter"), period.previous_year_end_code
    now = t4.get(period.code)
    insurer = bool(org.institution_id and org.institution.type == InstitutionType.INSURER)
    sections = (S3,) if insurer else (S1, S2)
    ctx: dict[str, Any] = {"org": org, "insurer": insurer, "t4_now": now, "prev_q_code": prev_q, "prev_ye_code": prev_ye, "period": period}
    ctx["filings"] = Table("filings", "本机构报表及状态", FILING_COLUMNS, filing_rows, unit="")
    lines = []
    for section in sections:
        keys = [c.key for c in T4_COLUMNS if c.section == section]
        lines += _t4_lines(keys, now, t4.get(prev_q), t4.get(prev_ye))
    ctx["t4"] = Table("t4", "附表4主要指标：较上季末、较上年末", T4_LINE_COLUMNS, lines,
                      note=f"本期 {period.code}；上季末 {prev_q}；上年末 {prev_ye}。仅计审核通过的报表。")
    links = list(PartnerLink.objects.in_force(on=period.end).filter(branch=org)
                 .annotate(readable=_holds(access.filings_readable_q(user, "park", "park")))
                 .values("park_id", "park__code", "park__name", "park__county__name", "park__star_rating", "role", "readable")
                 .order_by("park__code"))
    t2 = {}  # the 附表2 figures of the partner parks whose 附表1 ``user`` may read (a partner bank: only those it leads)
    for r in (T2Summary.objects.filter(park_id__in=[l["park_id"] for l in links if l["readable"]], period=period,
                                       filing__status=FilingStatus.APPROVED)
              .values("park_id", "filing__version", "enterprises_total", "filing_coverage", "credit_coverage", "coverage_target",
                      "coverage_met", "demand_unmet_count").order_by("park_id", "filing__version")):
        t2[r["park_id"]] = r
    stars = dict(StarRating.choices)
    park_rows = []
    for link in links:
        fig = t2.get(link["park_id"]) or {}
        lead = link["role"] == PartnerRole.LEAD
        park_rows.append({"name": link["park__name"], "name_url": park_url(link["park__code"], period) if lead else "", "code": link["park__code"],
                          "county": link["park__county__name"], "star_label": stars.get(link["park__star_rating"], ""),
                          "role": "主办行" if lead else "伙伴银行", "enterprises_total": fig.get("enterprises_total"),
                          "filing_coverage": fig.get("filing_coverage"), "credit_coverage": fig.get("credit_coverage"),
                          "coverage_target": fig.get("coverage_target") or coverage_target(link["park__star_rating"]),
                          "met_label": ("未报送" if not fig else ("达标" if fig.get("coverage_met") else "未达标")) if link["readable"] else "",
                          "demand_unmet_count": fig.get("demand_unmet_count")})
    ctx["parks"] = Table("parks", "伙伴园区授信覆盖情况（附表2）", PARTNER_PARK_COLUMNS, park_rows,
                         note="担任主办行的园区可进入园区看板查看企业清单；园区附表1/2仅园区、主办行、监管部门和经信部门可查看，"
                              "非主办行的伙伴园区不显示其数据。")
    results = list(access.restrict(user, TargetResult.objects.filter(period=period, scope_code=f"org:{org.pk}"))
                   .select_related("target__target_set").order_by("target__target_set__order", "target__order"))
    ctx["targets"] = Table("targets", "逐家机构目标（济源2022、陕西2024口径）", TARGET_COLUMNS, _results(results), unit="")
    city_row = (Summary.objects.filter(scope=Summary.Scope.CITY, code=org.region.code, period=period)
                .values("built_at", "queued", "requested_at").first())
    ctx["freshness"] = Freshness.of(city_row, "地市汇总")
    codes = [p.code for p in sorted(periods, key=lambda p: (p.year, p.quarter))]
    if insurer:
        series = [{"name": "承保入园企业数", "data": [_f(t4.get(c, {}).get("insured_enterprises")) for c in codes]},
                  {"name": "承保小微企业园数", "data": [_f(t4.get(c, {}).get("insured_parks")) for c in codes]}]
        y_name = "户 / 个"
    else:
        series = [{"name": "入园企业贷款余额", "data": [_f(t4.get(c, {}).get("ent_loan_balance")) for c in codes]},
                  {"name": "入园企业授信金额", "data": [_f(t4.get(c, {}).get("ent_credit_amount")) for c in codes]}]
        y_name = "万元"
    ctx["charts"] = {"trend": {"type": "bar", "categories": codes, "yName": y_name, "series": series}}
    ctx["tables"] = [ctx["filings"], ctx["t4"], ctx["parks"], ctx["targets"]]
    return ctx


def _holds(q: Q):
    """``q`` as a boolean column (for ``annotate``)."""
    from django.db.models import BooleanField, ExpressionWrapper, Value

    if q == access.ALL:
        return Value(True)
    if q == access.NONE:
        return Value(False)
    return ExpressionWrapper(q, output_field=BooleanField())


def parks_visible(user: Any) -> list[dict[str, Any]]:
    """The parks whose dashboards ``user`` may open (a list page for operators and county bureaus)."""
    return list(Park.objects.filter(access.filings_readable_q(user, "park")).filter(status="active")
                .values("code", "name", "county__name", "star_rating").order_by("code")[:500])
