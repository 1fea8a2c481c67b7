"""附表3 is the branch regulator's own filing: generated from its city's summary (with the city's
附表4 totals), reviewable, exportable in the official layout, submitted to the province."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from portal.choices import OrgKind
from portal.models import Region, User
from reports.filings.choices import ScheduleCode
from reports.filings.models import Filing, Period
from reports.filings.xlsx.writer import (
    BOLD,
    LIGHT_FILL,
    MIDDLE_WRAP,
    RATIO_KEYS,
    append_figures,
    append_header,
    append_rows,
    append_title,
    new_workbook,
    workbook_bytes,
)
from reports.schedules.base import Issue
from reports.schedules.t2 import FIGURES, REGISTER
from reports.schedules.t4 import COLUMNS as T4_COLUMNS
from reports.summaries.comparable import bank_coverage
from reports.summaries.rollups import summary_rebuild
from reports.workflow.transitions import REGENERATE, refusal

PARK_KEYS = ("name", "county", "star_label", "digital_status", "batch") + tuple(c.key for c in FIGURES)  # after 序号
FIGURE_KEYS = tuple(c.key for c in FIGURES)


@transaction.atomic
def t3_generate(*, actor: User, period: Period, city: Region | None = None) -> Filing:
    """Rebuild the city summary and copy it into the branch's current T3 draft (created if needed)."""
    org = actor.organisation if actor.organisation_id else None
    if city is None:
        if org is None or org.kind != OrgKind.BRANCH_REGULATOR:
            raise PermissionDenied("附表3由银保监分局生成和报送。")
        city = org.region
    elif not actor.is_superuser and not (org and org.kind == OrgKind.BRANCH_REGULATOR and org.region_id == city.pk):
        raise PermissionDenied("只能生成本分局所在地市的附表3。")
    if period.is_baseline:
        raise ValidationError("2018年末基数期没有附表3。")
    filing = Filing.objects.filter(schedule=ScheduleCode.T3, period=period, city=city, is_current=True).first()
    if filing is None:
        filing = Filing.objects.create(schedule=ScheduleCode.T3, period=period, city=city, created_by=actor, updated_by=actor)
    else:
        refused = refusal(REGENERATE, user=actor, filing=filing)
        if refused is not None:
            raise refused
    summary = summary_rebuild(scope="city", code=city.code, period_id=period.pk)
    issues = t3_issues(summary.data)
    Filing.objects.filter(pk=filing.pk).update(
        snapshot={"data": summary.data, "source_versions": summary.source_versions, "built_at": summary.built_at.isoformat()},
        row_count=len(summary.data["parks"]), warning_count=len(issues), issues=[i.as_dict() for i in issues], updated_by=actor,
    )
    filing.refresh_from_db()
    return filing


def t3_completeness_text(data: dict[str, Any]) -> str:
    """“附表1/2 已审核 x / 应报 y；附表4/5 已审核 a / 应报 b” from the summary's completeness."""
    rows = data.get("completeness") or []
    parks = [sum(r.get(f"parks_{k}", 0) for r in rows) for k in ("approved", "expected")]
    banks = [sum(r.get(f"banks_{k}", 0) for r in rows) for k in ("approved", "expected")]
    return f"附表1/2 已审核 {parks[0]} / 应报 {parks[1]}；附表4/5 已审核 {banks[0]} / 应报 {banks[1]}"


def t3_filing_issues(filing: Filing) -> list[Issue]:
    """The checks of a stored 附表3 on submit (registered in ``services.GENERATED_CHECKS``)."""
    if not filing.snapshot:
        return [Issue("error", "", "附表3尚未生成", "t3_not_generated")]
    return t3_issues(filing.snapshot.get("data", {}))


def t3_issues(data: dict[str, Any]) -> list[Issue]:
    issues = []
    missing = len(data.get("not_filed", []))
    if missing:
        issues.append(Issue("warning", "", f"辖内有 {missing} 个园区的附表1/2未审核通过（未报送），不计入合计", "parks_not_filed"))
    return issues


def t3_export(*, filing: Filing) -> bytes:
    """The official layout: title, filer, period, unit; parks by county with subtotals, the city
    total, the star-level block, the 未报送 footnote; a second sheet with the city's 附表4 totals."""
    data = filing.snapshot.get("data") or {}
    wb = new_workbook()
    _parks_sheet(wb.create_sheet("附表3"), filing, data)
    _t4_sheet(wb.create_sheet("辖内附表4汇总"), filing, data)
    return workbook_bytes(wb)


def _kind(kind: str, key: str) -> str | None:
    """The report kind of a 附表2 / 附表4 figure: amounts, counts, ratios ×100 (pct), rates."""
    if kind == "rate":
        return "pct" if key.endswith(RATIO_KEYS) else "rate"
    return {"amount": "amount", "count": "int"}.get(kind)


def _figures(values: dict[str, Any]) -> list[tuple[Any, str | None]]:
    return [(_met(values.get(c.key)) if c.kind == "bool" else values.get(c.key), _kind(c.kind, c.key)) for c in FIGURES]


def _met(value: Any) -> str:
    return "" if value is None else ("达标" if value else "未达标")


def _parks_sheet(ws, filing: Filing, data: dict[str, Any]) -> None:
    city = filing.city
    append_title(ws, f"{city.name}小微企业园融资需求及融资成本情况汇总表")
    append_rows(ws, [[f"填报单位：{city.name}银保监分局　报送期：{filing.period.code}　单位：万元、%、户"]])
    append_header(ws, ["序号"] + [c.label for c in REGISTER] + [c.label for c in FIGURES], alignment=MIDDLE_WRAP)
    _county_blocks(ws, data)
    append_figures(ws, [("", None), (f"{city.name}合计", None)] + [("", None)] * 4 + _figures(data.get("total", {})), font=BOLD)
    ws.append([])
    _star_block(ws, data)
    ws.append([])
    append_rows(ws, [[f"注：{data.get('not_filed_note', '')}未报送园区 {len(data.get('not_filed', []))} 个。按星级一栏的入园企业数、授信覆盖率"
                      "只计附表1已审核通过的园区。"], [f"报送完整性：{t3_completeness_text(data)}。"]])
    ws.freeze_panes = "C4"


def _county_blocks(ws, data: dict[str, Any]) -> None:
    """The parks of each county (numbered through), each county closed by its subtotal."""
    by_county: dict[str, list] = {}
    for p in data.get("parks", []):
        by_county.setdefault(p["county_code"], []).append(p)
    n = 0
    for county in data.get("counties", []):
        for p in by_county.get(county["code"], []):
            n += 1
            if p["filed"]:
                append_figures(ws, [(n, "int")] + [(p.get(k), None) for k in PARK_KEYS[:5]] + _figures(p))
            else:
                append_rows(ws, [[n, p["name"], p["county"], p["star_label"], p["digital_status"], p["batch"], "未报送"]])
        append_figures(ws, [("", None), (f"{county['name']}小计", None)] + [("", None)] * 4 + _figures(county), font=BOLD, fill=LIGHT_FILL)


def _star_block(ws, data: dict[str, Any]) -> None:
    ws.append(["", "按星级", "", "", "", "", "运营中园区数", "其中：附表1已审核园区数", "入园企业数（已审核园区）", "获得授信企业数（已审核园区）",
               "授信覆盖率(%)", "目标(%)", "是否达标"])
    for b in data.get("by_star", []):
        append_figures(ws, [("", None), (b["label"], None)] + [("", None)] * 4
                       + [(b.get(k), "int") for k in ("park_count", "filed_parks", "enterprises_total", "credited_count")]
                       + [(b.get("credit_coverage"), "pct"), (b.get("coverage_target"), "pct"), (_met(b.get("coverage_met")), None)])


def _t4_sheet(ws, filing: Filing, data: dict[str, Any]) -> None:
    """The city's 附表4 totals: every approved filer now, the comparable panel now and at the year-end."""
    append_rows(ws, [[f"{filing.city.name}小微企业园金融服务情况监测表（汇总）"], [f"报送期：{filing.period.code}　单位：万元、%、个、户"],
                     ["指标", "本季末（全部已审核机构）", "可比机构本季末", "可比机构上年末", "比年初增减（可比口径）", "增速(%)", "新填报机构本季末（单列）"]])
    banks = data.get("banks", {})
    total, change = banks.get("total", {}), banks.get("change", {})
    comparable = banks.get("comparable") or {}
    cur, base, new = comparable.get("current") or {}, comparable.get("baseline") or {}, banks.get("new_filers_total") or {}
    for col in T4_COLUMNS:
        ch = change.get(col.key, {})
        kind = _kind(col.kind, col.key)
        append_figures(ws, [(col.label, None)] + [(v, kind) for v in (total.get(col.key), cur.get(col.key), base.get(col.key))]
                       + [(ch.get("delta"), "pp" if col.kind == "rate" else kind), (ch.get("growth"), "pct"), (new.get(col.key), kind)])
    for key, label in (("npl_ratio", "不良率(%)"), ("inclusive_share", "普惠型占比(%)"), ("credit_loan_share", "信用贷款占比(%)")):
        append_figures(ws, [(label, None)] + [(v, "pct") for v in (total.get(key), cur.get(key), base.get(key))])
    ws.append([])
    append_rows(ws, [[f"注：{bank_coverage(banks)['note']}"]])
