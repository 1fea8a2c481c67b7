"""Presentation of filings: the filing list table and the builders of the editable grids, the
附表2 summary panel and the 附表4 sections (all driven by the schedule definitions)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html

from reports.filings.choices import FilingStatus, ScheduleCode
from reports.filings.kinds import short_label
from reports.filings.models import Filing, T2Summary
from reports.schedules.base import AMOUNT, COUNT, RATE, Column, Computed, Schedule
from reports.schedules.numbers import PCT_PLACES, amount_text, count_text, number_text, pct_text, pp_text, rate_text, ratio
from reports.schedules.numbers import change as t4_change
from reports.schedules.t2 import FIGURES

STATUS_BADGE = {
    FilingStatus.DRAFT: "text-bg-secondary",
    FilingStatus.SUBMITTED: "text-bg-primary",
    FilingStatus.CONFIRMED: "text-bg-info",
    FilingStatus.RETURNED: "text-bg-danger",
    FilingStatus.APPROVED: "text-bg-success",
}



def status_badge(filing: Filing) -> str:
    return format_html('<span class="badge {}">{}</span>', STATUS_BADGE.get(filing.status, "text-bg-light"),
                       filing.get_status_display())


class FilingTable(tables.Table):
    schedule = tables.Column(verbose_name="报表", order_by=("schedule", "id"))
    subject = tables.Column(verbose_name="报送主体", empty_values=(), order_by=("park__name", "branch__name", "city__name"))
    period = tables.Column(verbose_name="报送期", accessor="period__code", order_by=("period__year", "period__quarter"))
    version = tables.Column(verbose_name="版本")
    status = tables.Column(verbose_name="状态")
    row_count = tables.Column(verbose_name="行数", attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    warning_count = tables.Column(verbose_name="提示数", attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    updated_at = tables.Column(verbose_name="最后修改")

    class Meta:
        model = Filing
        fields = ("schedule", "subject", "period", "version", "status", "row_count", "warning_count", "updated_at")
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "filing-table"}

    def render_schedule(self, record: Filing) -> str:
        title = record.get_schedule_display()
        short = short_label(record.schedule)
        return format_html('<a href="{}"><b>{}</b> {}</a>', record.get_absolute_url(), short, title.removeprefix(short).strip())

    def render_subject(self, record: Filing) -> str:
        subject = record.subject
        return str(subject) if subject is not None else "—"

    def render_version(self, value: int) -> str:
        return f"第{value}版"

    def render_status(self, record: Filing) -> str:
        return status_badge(record)

    def render_warning_count(self, value: int) -> str:
        if value:
            return format_html('<span class="badge text-bg-warning">{}</span>', value)
        return "0"

    def render_updated_at(self, record: Filing) -> str:
        when = timezone.localtime(record.updated_at).strftime("%Y-%m-%d %H:%M")
        who = record.updated_by.display_name if record.updated_by_id else ""
        return format_html('{} <span class="text-muted small">{}</span>', when, who)


# --- the editable grids (T1 / T5) ----------------------------------------------------------

@dataclass
class GridCell:
    text: str
    css: str = ""
    note: str = ""  # a warning on this cell


@dataclass
class GridRow:
    row_no: int
    name: str
    cells: list[GridCell] = field(default_factory=list)
    warned: bool = False


@dataclass
class GridHeader:
    label: str
    css: str = ""
    required: bool = False
    help: str = ""


NUMERIC = (AMOUNT, RATE, COUNT)


def computed_display(c: Computed, value: Any) -> str:
    """A computed value as shown: choice keys become their labels (授信规模, 分类建档类别 …)."""
    if c.choices and value not in (None, ""):
        return dict(c.choices).get(value, str(value))
    return c.display(value)


def _cell_css(kind: str) -> str:
    return "num" if kind in NUMERIC else ""


def grid_headers(schedule: Schedule, computed_keys: Iterable[str] = ()) -> list[GridHeader]:
    """Column headers: the first column (the row's name) is rendered separately as a sticky column."""
    out = [GridHeader(col.header, _cell_css(col.kind), col.required, col.help) for col in schedule.columns[1:]]
    computed = {c.key: c for c in schedule.computed}
    out += [GridHeader(computed[k].label, "computed") for k in computed_keys]
    return out


def grid_rows(schedule: Schedule, rows: Iterable[Any], issues: list[dict[str, Any]],
              computed_keys: Iterable[str] = ()) -> list[GridRow]:
    """Display rows; cells carrying a stored warning (``filing.issues``) are marked."""
    notes: dict[tuple[int, str], list[str]] = {}
    errors: set[tuple[int, str]] = set()  # required cells still empty on rows 从上期带入 added
    for issue in issues or []:
        if issue.get("row") is not None:
            notes.setdefault((issue["row"], issue.get("column") or ""), []).append(issue.get("message", ""))
            if issue.get("level") == "error":
                errors.add((issue["row"], issue.get("column") or ""))
    computed = {c.key: c for c in schedule.computed}
    first = schedule.columns[0]
    out: list[GridRow] = []
    for row in rows:
        no = row.row_no
        grid_row = GridRow(row_no=no, name=first.display(getattr(row, first.key)) or "—")
        for col in schedule.columns[1:]:
            note = "；".join(notes.get((no, col.key), []))
            css = _cell_css(col.kind) + (" err" if (no, col.key) in errors else " warn" if note else "")
            grid_row.cells.append(GridCell(col.display(getattr(row, col.key)), css.strip(), note))
        for key in computed_keys:
            c: Computed = computed[key]
            grid_row.cells.append(GridCell(computed_display(c, getattr(row, key)), "computed" + (" cat-" + str(getattr(row, key)) if key == "category" else "")))
        grid_row.warned = any((no, k) in notes for k in [""] + [c.key for c in schedule.columns])
        if (no, first.key) in notes:
            grid_row.warned = True
        out.append(grid_row)
    return out


# --- 附表2 panel -------------------------------------------------------------------------------

HEADLINE = ("enterprises_total", "filed_count", "filing_coverage", "credited_count", "credit_coverage",
            "credit_amount", "loan_balance", "weighted_loan_rate", "demand_unmet_count")


def _fmt(c: Computed, value: Any) -> str:
    """A 附表2 figure with its unit: ``2,455.00 万元``, ``41.51%`` (ratios ×100), ``4.3500%``, ``1,234``."""
    if c.choices:
        return computed_display(c, value) or "—"
    if c.kind == RATE:
        return pct_text(value) if c.key.endswith(("coverage", "coverage_target")) else rate_text(value)
    if c.kind == AMOUNT:
        return amount_text(value)
    if c.kind == COUNT:
        return count_text(value)
    text = computed_display(c, value)
    return text if text not in ("", None) else "—"


T2_STALE_TEXT = {
    "register": "园区登记信息（入园/退园、伙伴银行关系）在本表计算后有变更，附表2待重算",
    "rollup": "地市汇总更新中…（附表3及看板尚未计入最新数据）",
}


def t2_panel(t2: T2Summary | None, park: Any, stale: str | None = None) -> dict[str, Any] | None:
    if t2 is None:
        return None
    figures = {c.key: c for c in FIGURES}
    register = [("园区名称", park.name), ("所在县(市、区)", park.county.name), ("星级", park.get_star_rating_display()),
                ("数字化园区", park.get_digital_status_display()), ("批次", park.get_batch_display())]
    return {
        "t2": t2,
        "register": register,
        "headline": [(figures[k].label, _fmt(figures[k], getattr(t2, k)), k) for k in HEADLINE],
        "all": [(c.label, _fmt(c, getattr(t2, c.key))) for c in FIGURES],
        "target": t2.coverage_target,
        "met": t2.coverage_met,
        "partner_ok": 3 <= (t2.partner_bank_count or 0) <= 5,
        "stale": T2_STALE_TEXT.get(stale or "", ""),
    }


# --- 附表4 sections ----------------------------------------------------------------------------

@dataclass
class T4Line:
    column: Column
    value: str
    baseline: str
    change: str
    growth: str
    change_css: str = ""
    previous: str = "—"  # 上期: the previous period's value of the same filer
    change_prev: str = "—"
    change_prev_css: str = ""
    base_raw: str = ""  # the plain numbers the live calculation (static/js/t4.js) reads
    prev_raw: str = ""


def signed(col: Column, delta: Decimal | None) -> str:
    """A change of one 附表4 figure: counts whole, amounts 2 decimals, a rate in 个百分点; “+” / “−”."""
    if delta is None:
        return "—"
    if col.kind == COUNT:
        return count_text(delta, signed=True)
    if col.kind == RATE:
        return pp_text(delta)
    return amount_text(delta, "", signed=True)


def _css(delta: Decimal | None) -> str:
    return "text-success" if delta and delta > 0 else ("text-danger" if delta and delta < 0 else "")


def _raw(value: Any) -> str:
    return "" if value is None else str(value)


def t4_lines(columns: Iterable[Column], record: dict[str, Any] | None, baseline: dict[str, Any] | None,
             previous: dict[str, Any] | None = None) -> list[T4Line]:
    """One line per indicator: 本季末, 年初数 and 比年初增减 / 增速, 上期 and 比上期增减."""
    lines = []
    for col in columns:
        current = (record or {}).get(col.key)
        base = (baseline or {}).get(col.key)
        prev = (previous or {}).get(col.key)
        delta, growth = t4_change(current, base)
        delta_prev, _ = t4_change(current, prev)
        lines.append(T4Line(
            column=col,
            value=col.display(current) or "—",
            baseline=col.display(base) or "—",
            change=signed(col, delta),
            growth=pct_text(growth, signed=True) if col.kind != RATE else "—",
            change_css=_css(delta),
            previous=col.display(prev) or "—",
            change_prev=signed(col, delta_prev),
            change_prev_css=_css(delta_prev),
            base_raw=_raw(base),
            prev_raw=_raw(prev),
        ))
    return lines


def t4_ratios(values: dict[str, Any] | None, *, insurer: bool) -> list[tuple[str, str]]:
    """不良率, 普惠型占比 and 信用贷款占比, recomputed from the balances (×100, 2 decimals)."""
    if not values or insurer:
        return []
    pairs = (
        ("入园企业贷款不良率(%)", "ent_npl_balance", "ent_loan_balance"),
        ("入园企业普惠型贷款占比(%)", "ent_inclusive_balance", "ent_loan_balance"),
        ("入园企业信用贷款占比(%)", "ent_credit_loan_balance", "ent_loan_balance"),
        ("各项贷款不良率(%)", "all_npl_balance", "all_loan_balance"),
        ("普惠型小微企业贷款不良率(%)", "inclusive_npl_balance", "inclusive_loan_balance"),
        ("小微企业信用贷款占比(%)", "sme_credit_loan_balance", "sme_loan_balance"),
    )
    out = []
    for label, num, den in pairs:
        value = ratio(values.get(num), values.get(den)) if values.get(num) is not None else None
        out.append((label, number_text(value, PCT_PLACES)))
    return out


# --- the row form, in groups of fields -----------------------------------------------------

FORM_GROUPS = {
    ScheduleCode.T1: (("enterprise_name", "企业基本信息"), ("operating_status", "经营、资信与融资需求"),
           ("lending_bank_count", "授信与贷款"), ("insured", "保险服务与需求满足情况")),
    ScheduleCode.T5: (("park_code", "园区与合作关系"), ("agreement_signed", "合作落实情况"), ("operator_credit_amount", "金融服务")),
}


def form_groups(schedule: Schedule, form: Any, warnings: dict[str, list[str]]) -> list[tuple[str, list[tuple[Column, Any, list[str]]]]]:
    """(heading, [(column, bound field, warnings)]) in the schedule's column order."""
    starts = dict(FORM_GROUPS.get(schedule.code, ()))
    groups: list[tuple[str, list[tuple[Column, Any, list[str]]]]] = []
    for col in schedule.columns:
        if not groups or col.key in starts:
            groups.append((starts.get(col.key, ""), []))
        groups[-1][1].append((col, form[col.key], warnings.get(col.key, [])))
    return groups
