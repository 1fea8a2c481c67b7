"""Targets on the dashboards: one stored ``TargetResult`` as a row (its value, threshold, gap and
pace in words), the target tables of every page and the targets page (every target set with the
period's official results)."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from portal import access
from portal.choices import ZHEJIANG_CODE
from reports.dashboards.tables import Column, Freshness, Table
from reports.filings.models import Period
from reports.schedules.numbers import amount_text, count_text, pct_text, pp_text
from reports.summaries.models import Summary
from reports.targets.indicators import dec
from reports.targets.models import Target, TargetResult, TargetSet

UNIT_KINDS = {"%": "ratio", "户": "int", "个": "int", "家": "int"}  # a target's unit → the kind of its figures
STATUS_CLASS = {"met": "success", "unmet": "danger", "no_data": "secondary", "na": "light"}


def status_badge(status: str) -> dict[str, str]:
    return {"code": status, "label": dict(TargetResult.Status.choices).get(status, status), "css": STATUS_CLASS.get(status, "secondary")}


def fmt_value(value: Decimal | None, unit: str, *, gap: bool = False) -> str:
    """A target value in its unit: ``41.51%`` (a gap ``0.09 个百分点``), ``3,500.00 亿元``, ``1,234 户``."""
    if unit == "%":
        return pp_text(value, signed=False) if gap else pct_text(value)
    if unit in ("户", "个", "家"):
        return count_text(value, unit)
    return amount_text(value, unit)


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
        "pace_text": pace_text, "status": status_badge(r.status), "status_label": r.get_status_display(),
        "note": r.note, "source": f"{t.target_set.source_document} {t.source_clause}".strip(), "document": "" if "号" in clause_ref(t.source_clause) else t.target_set.source_document,
        "clause": t.source_clause, "clause_ref": clause_ref(t.source_clause), "due": t.effective_due_date, "unit": unit, "is_official": r.is_official,
        "official_side": t.get_ningbo_display() if t.scope_kind in (Target.ScopeKind.PROVINCE, Target.ScopeKind.STAR_GROUP,
                                                                     Target.ScopeKind.INSTITUTION_TYPE) else "",
        "notes": t.notes, "target_id": t.pk, "threshold": r.threshold, "comparator": cmp if r.status != TargetResult.Status.NOT_APPLICABLE else "",
        "document_full": t.target_set.source_document, "kind": UNIT_KINDS.get(unit, "amount"),
    }


TARGET_COLUMNS = [  # the xlsx layout of a target table (the page shows a richer one)
    Column("code", "编号"), Column("name", "目标"), Column("scope", "范围"), Column("indicator", "指标"), Column("actual", "实际值", "num"),
    Column("comparator", "比较"), Column("threshold", "目标值", "num"), Column("unit", "单位"), Column("basis", "目标值来源"),
    Column("gap", "差距（正数为超出）", "num", signed=True), Column("status_label", "状态", "status"), Column("pace_text", "进度要求"),
    Column("document_full", "来源文件"), Column("clause", "条款"), Column("notes", "口径说明"), Column("note", "说明"),
]




def results_rows(qs) -> list[dict[str, Any]]:
    return [result_row(r) for r in qs]


def target_table(key: str, title: str, results) -> Table:
    return Table(key, title, TARGET_COLUMNS, results_rows(results), unit="")


# --- the targets page ------------------------------------------------------------------------------

def targets_page(*, user: Any, period: Period) -> dict[str, Any]:
    """Every target set with its targets and the period's official results (province-wide, or a
    summary of the city-by-city ones)."""
    sets = list(TargetSet.objects.prefetch_related("targets").order_by("order", "code"))
    results = list(access.restrict(user, TargetResult.objects.filter(period=period))
                   .filter(is_official=True).select_related("target__target_set").order_by("target__order", "scope_code"))
    by_target: dict[int, list[TargetResult]] = {}
    for r in results:
        by_target.setdefault(r.target_id, []).append(r)
    blocks, tables = [], []
    for ts in sets:
        rows = [_target_row(ts, t, by_target.get(t.pk, [])) for t in ts.targets.all()]
        blocks.append({"set": ts, "rows": rows})
        tables.append(Table(ts.code, ts.name, TARGET_COLUMNS, rows, unit=""))
    summary = (Summary.objects.filter(scope=Summary.Scope.PROVINCE, code=ZHEJIANG_CODE, period=period)
               .values("built_at", "queued", "requested_at").first())
    return {"blocks": blocks, "tables": tables, "freshness": Freshness.of(summary, "全省汇总"), "statuses": TargetResult.Status.choices}


def _target_row(ts: TargetSet, t: Target, rs: list[TargetResult]) -> dict[str, Any]:
    """A target's row: its one result, or the counts of its results by status (city by city)."""
    wide = [r for r in rs if r.scope_kind != Target.ScopeKind.CITY or t.scope_kind == Target.ScopeKind.CITY]
    counts = {s: sum(1 for r in wide if r.status == s) for s, _ in TargetResult.Status.choices}
    main = wide[0] if len(wide) == 1 else None
    row = result_row(main) if main else {
        "code": t.code, "name": t.name, "scope": f"{t.get_scope_kind_display()}（{len(wide)}个）" if wide else t.get_scope_kind_display(),
        "actual_text": "—", "target_text": "", "basis": "", "gap_text": "—", "pace_text": "",
        "status": status_badge("no_data"), "status_label": "", "source": f"{ts.source_document} {t.source_clause}",
        "note": t.not_applicable_reason, "notes": t.notes, "clause": t.source_clause}
    row["counts"] = counts if not main else None
    row["summary"] = "、".join(f"{label} {counts[s]}" for s, label in TargetResult.Status.choices if counts[s]) if not main else ""
    if not main:
        row["status_label"] = row["summary"] or "无数据"
    return row
