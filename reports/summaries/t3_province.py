"""The province's 附表3 inbox and the province-wide 附表3.

The inbox lists the 11 cities with the state of their 附表3 for a period (the current version:
未报送 / 草稿 / 已提交 / 已退回 / 已审核通过, submitted at, version). The province-wide 附表3 is built
from the ACCEPTED city sheets only — each city's latest approved version, as the province accepted
it (its stored snapshot), never from ledger rows or live summaries — summed 含宁波 and 不含宁波
(Ningbo, 330200, is a separately planned city) with every ratio recomputed from the sums; the
cities not yet accepted are listed apart and counted in no total. Exported in the official layout
of the city sheet (``t3.t3_export``) with one block per city instead of per county."""
from __future__ import annotations

from typing import Any

from django.db.models import F

from portal.choices import NINGBO_CODE, ZHEJIANG_CODE, RegionLevel
from portal.models import Region
from reports.filings.choices import FilingStatus, ScheduleCode
from reports.filings.models import Filing, Period
from reports.filings.selectors import filings_latest_approved
from reports.filings.xlsx.writer import (
    BOLD,
    LIGHT_FILL,
    MIDDLE_WRAP,
    append_header,
    append_rows,
    append_title,
    cell_value,
    new_workbook,
    style_row,
    workbook_bytes,
)
from reports.schedules.t2 import FIGURES, coverage_target
from reports.summaries.park_figures import STAR_BLOCKS, figures_sum
from reports.summaries.t3 import FIGURE_KEYS

SIDES = (("incl_ningbo", "含宁波", None), ("excl_ningbo", "不含宁波", NINGBO_CODE))
STATUS_LABELS = {"not_filed": "未报送", **dict(FilingStatus.choices)}


def t3_inbox(*, period: Period) -> list[dict[str, Any]]:
    """One row per city of Zhejiang: its current 附表3 (status, version, submitted at) and the
    version the province accepted (its latest approved one, with the snapshot's figure blocks).
    Three queries, whatever the number of parks."""
    cities = list(Region.objects.filter(level=RegionLevel.CITY, province_code=ZHEJIANG_CODE).order_by("code").values("pk", "code", "name",
                                                                                                                  "separately_planned"))
    current = {f["city_id"]: f for f in Filing.objects.filter(schedule=ScheduleCode.T3, period=period, is_current=True)
               .values("pk", "city_id", "status", "version", "submitted_at", "approved_at", "days_late", "updated_at")}
    accepted = {f["city_id"]: f for f in filings_latest_approved(schedule=ScheduleCode.T3, period=period).values(
        "pk", "city_id", "version", "approved_at", total=F("snapshot__data__total"), by_star=F("snapshot__data__by_star"),
        counties=F("snapshot__data__counties"), park_count=F("snapshot__data__park_count"),
        filed_parks=F("snapshot__data__filed_parks"), not_filed=F("snapshot__data__not_filed"))}
    rows = []
    for c in cities:
        now, ok = current.get(c["pk"]), accepted.get(c["pk"])
        status = now["status"] if now else "not_filed"
        label = STATUS_LABELS[status]
        if now and ok and now["pk"] != ok["pk"]:
            label = f"{label}（修订第{now['version']}版；采用第{ok['version']}版）"
        rows.append({"code": c["code"], "name": c["name"], "separately_planned": c["separately_planned"], "status": status,
                     "status_label": label, "current": now, "accepted": ok})
    return rows


def t3_province(*, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The province-wide 附表3 from the accepted city sheets of ``t3_inbox``: each accepted city's
    block, the totals 含宁波 and 不含宁波, and the cities not yet accepted (counted in no total)."""
    accepted = [r for r in rows if r["accepted"]]
    out: dict[str, Any] = {
        "cities": [{"code": r["code"], "name": r["name"], "version": r["accepted"]["version"], "total": r["accepted"]["total"] or {},
                    "counties": r["accepted"]["counties"] or [], "park_count": r["accepted"]["park_count"] or 0,
                    "filed_parks": r["accepted"]["filed_parks"] or 0, "not_filed": len(r["accepted"]["not_filed"] or [])}
                   for r in accepted],
        "not_accepted": [{"code": r["code"], "name": r["name"], "status_label": r["status_label"]} for r in rows if not r["accepted"]],
    }
    for key, label, exclude in SIDES:
        members = [r["accepted"] for r in accepted if r["code"] != exclude]
        out[key] = {"label": label, "cities": len(members), "total": figures_sum(m["total"] or {} for m in members),
                    "park_count": sum(m["park_count"] or 0 for m in members), "filed_parks": sum(m["filed_parks"] or 0 for m in members),
                    "not_filed": sum(len(m["not_filed"] or []) for m in members), "by_star": _stars(members)}
    return out


def _stars(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """五星 / 四星 / 三星 / 其他: the cities' star blocks summed, coverage against 70 / 60 / 50."""
    blocks = [{b["key"]: b for b in m["by_star"] or []} for m in members]
    out = []
    for key, label, stars in STAR_BLOCKS:
        parts = [b[key] for b in blocks if key in b]
        out.append({"key": key, "label": label, "park_count": sum(p.get("park_count") or 0 for p in parts),
                    "filed_parks": sum(p.get("filed_parks") or 0 for p in parts),
                    **figures_sum(parts, target=coverage_target(max(stars)))})
    return out


# --- the official layout ---------------------------------------------------------------------

def t3_province_export(*, period: Period, rows: list[dict[str, Any]], data: dict[str, Any]) -> bytes:
    wb = new_workbook()
    _province_sheet(wb.create_sheet("附表3"), period, data)
    _inbox_sheet(wb.create_sheet("各地市报送情况"), period, rows)
    return workbook_bytes(wb)


def _province_sheet(ws, period: Period, data: dict[str, Any]) -> None:
    """Title, filer, period, unit; each accepted city's counties closed by the city total; the
    province totals 含宁波 and 不含宁波; the star-level blocks; which cities are not counted."""
    append_title(ws, "浙江省小微企业园融资需求及融资成本情况汇总表")
    append_rows(ws, [[f"填报单位：浙江银保监局　报送期：{period.code}　单位：万元、%、户"]])
    append_header(ws, ["序号", "县（市、区）", "所属地市", "星级", "数字化园区", "批次"] + [c.label for c in FIGURES], alignment=MIDDLE_WRAP)
    n = 0
    for city in data["cities"]:
        for county in city["counties"]:
            n += 1
            ws.append([n, county["name"], city["name"], "", "", ""] + [cell_value(county.get(k)) for k in FIGURE_KEYS])
        ws.append(["", f"{city['name']}合计（第{city['version']}版）", "", "", "", ""] + [cell_value(city["total"].get(k)) for k in FIGURE_KEYS])
        style_row(ws, ws.max_row, font=BOLD, fill=LIGHT_FILL)
    for key, label, _exclude in SIDES:
        ws.append(["", f"全省合计（{label}）", "", "", "", ""] + [cell_value(data[key]["total"].get(k)) for k in FIGURE_KEYS])
        style_row(ws, ws.max_row, font=BOLD)
    for key, label, _exclude in SIDES:
        ws.append([])
        ws.append(["", f"按星级（{label}）", "", "", "", "", "运营中园区数", "其中：附表1已审核园区数", "入园企业数（已审核园区）",
                   "获得授信企业数（已审核园区）", "授信覆盖率(%)", "目标(%)", "是否达标"])
        for b in data[key]["by_star"]:
            ws.append(["", b["label"], "", "", "", "", b["park_count"], b["filed_parks"], b["enterprises_total"], b["credited_count"],
                       cell_value(b.get("credit_coverage")), cell_value(b.get("coverage_target")), cell_value(b.get("coverage_met"))])
    ws.append([])
    append_rows(ws, [[f"注：{t3_province_note(data)}"]])
    ws.freeze_panes = "C4"


def t3_province_note(data: dict[str, Any]) -> str:
    missing = "、".join(f"{c['name']}（{c['status_label']}）" for c in data["not_accepted"])
    text = f"合计只计省局已审核通过的地市附表3（{len(data['cities'])} 个地市，各取最新审核通过版本）"
    text += f"；尚未审核通过、不计入合计的地市：{missing}。" if missing else "；11个地市均已审核通过。"
    return text + "各地市附表3中未报送的园区不计入任何合计。"


def _inbox_sheet(ws, period: Period, rows: list[dict[str, Any]]) -> None:
    append_title(ws, f"{period.code} 各地市附表3报送情况")
    append_header(ws, ["地市代码", "地市", "状态", "当前版本", "提交时间", "采用版本", "审核通过时间"])
    for r in rows:
        now, ok = r["current"] or {}, r["accepted"] or {}
        ws.append([r["code"], r["name"], r["status_label"], now.get("version"), cell_value(now.get("submitted_at")),
                   ok.get("version"), cell_value(ok.get("approved_at"))])
