"""The bank dashboard: a bank (or insurer) branch's filings, its 附表4 against last quarter and
last year-end, its partner parks' coverage (附表2) and the institution-level targets it is
measured on. A bank's page is open to exactly the readers of its filings."""
from __future__ import annotations

from typing import Any, Iterable

from django.urls import reverse

from banks.choices import InstitutionType
from parks.choices import PartnerRole, StarRating
from parks.models import PartnerLink
from portal import access
from portal.models import Organisation
from reports.dashboards.charts import bank_charts
from reports.dashboards.common import holds, local, park_url, period_codes
from reports.dashboards.tables import Column, Freshness, Table
from reports.dashboards.targets import target_table
from reports.filings.choices import FilingStatus
from reports.filings.kinds import short_label
from reports.filings.models import Filing, Period, T2Summary, T4Record
from reports.schedules.numbers import growth
from reports.schedules.t2 import coverage_target
from reports.schedules.t4 import COLUMNS as T4_COLUMNS
from reports.schedules.t4 import S1, S2, S3
from reports.summaries.models import Summary
from reports.targets.engine import shift_code
from reports.targets.indicators import dec
from reports.targets.models import TargetResult


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
                   Column("q_delta", "比上季", "num", signed=True), Column("q_growth", "环比增速", "pct", signed=True),
                   Column("prev_ye", "上年末", "num"), Column("ye_delta", "比年初", "num", signed=True),
                   Column("ye_growth", "比年初增速", "pct", signed=True)]
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
    t4 = {}
    for r in (T4Record.objects.filter(filing__branch=org, filing__status=FilingStatus.APPROVED)
              .values("filing__period__code", "filing__version", *[c.key for c in T4_COLUMNS]).order_by("filing__period__code", "filing__version")):
        t4[r["filing__period__code"]] = r
    if not explicit and period.code not in t4 and t4:
        latest = max((p for p in periods if p.code in t4), key=lambda p: (p.year, p.quarter), default=None)
        period = latest or period
    prev_q, prev_ye = shift_code(period.code, "previous_quarter"), period.previous_year_end_code
    now = t4.get(period.code)
    insurer = bool(org.institution_id and org.institution.type == InstitutionType.INSURER)
    ctx: dict[str, Any] = {"org": org, "insurer": insurer, "t4_now": now, "prev_q_code": prev_q, "prev_ye_code": prev_ye, "period": period}
    ctx["filings"] = Table("filings", "本机构报表及状态", FILING_COLUMNS, _filing_rows(filings), unit="")
    lines = []
    for section in (S3,) if insurer else (S1, S2):
        keys = [c.key for c in T4_COLUMNS if c.section == section]
        lines += _t4_lines(keys, now, t4.get(prev_q), t4.get(prev_ye))
    ctx["t4"] = Table("t4", "附表4主要指标：较上季末、较上年末", T4_LINE_COLUMNS, lines,
                      note=f"本期 {period.code}；上季末 {prev_q}；上年末 {prev_ye}。仅计审核通过的报表。")
    ctx["parks"] = Table("parks", "伙伴园区授信覆盖情况（附表2）", PARTNER_PARK_COLUMNS, _partner_parks(user, org, period),
                         note="担任主办行的园区可进入园区看板查看企业清单；园区附表1/2仅园区、主办行、监管部门和经信部门可查看，"
                              "非主办行的伙伴园区不显示其数据。")
    results = list(access.restrict(user, TargetResult.objects.filter(period=period, scope_code=f"org:{org.pk}"))
                   .select_related("target__target_set").order_by("target__target_set__order", "target__order"))
    ctx["targets"] = target_table("targets", "逐家机构目标（济源2022、陕西2024口径）", results)
    city_row = (Summary.objects.filter(scope=Summary.Scope.CITY, code=org.region.code, period=period)
                .values("built_at", "queued", "requested_at").first())
    ctx["freshness"] = Freshness.of(city_row, "地市汇总")
    ctx["charts"] = bank_charts(period_codes(periods), t4, insurer)
    ctx["tables"] = [ctx["filings"], ctx["t4"], ctx["parks"], ctx["targets"]]
    return ctx


def _filing_rows(filings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The current version of each of the branch's filings, linked to its page."""
    statuses = dict(FilingStatus.choices)
    return [{"period": f["period__code"], "period_url": f"?period={f['period__code']}", "schedule": short_label(f["schedule"]),
             "version": f["version"], "status_label": statuses.get(f["status"], f["status"]), "status": f["status"],
             "schedule_url": reverse("reports:filing_detail", args=[f["pk"]]), "submitted_at": local(f["submitted_at"]),
             "days_late": f["days_late"], "url": reverse("reports:filing_detail", args=[f["pk"]])}
            for f in filings if f["is_current"]]


def _partner_parks(user: Any, org: Organisation, period: Period) -> list[dict[str, Any]]:
    """The parks the branch partners at period end with their 附表2 figures (only those whose 附表1
    ``user`` may read: a partner bank sees the figures of the parks it leads)."""
    links = list(PartnerLink.objects.in_force(on=period.end).filter(branch=org)
                 .annotate(readable=holds(access.filings_readable_q(user, "park", "park")))
                 .values("park_id", "park__code", "park__name", "park__county__name", "park__star_rating", "role", "readable")
                 .order_by("park__code"))
    t2 = {}
    for r in (T2Summary.objects.filter(park_id__in=[link["park_id"] for link in links if link["readable"]], period=period,
                                       filing__status=FilingStatus.APPROVED)
              .values("park_id", "filing__version", "enterprises_total", "filing_coverage", "credit_coverage", "coverage_target",
                      "coverage_met", "demand_unmet_count").order_by("park_id", "filing__version")):
        t2[r["park_id"]] = r
    return [_partner_park_row(link, t2.get(link["park_id"]) or {}, period) for link in links]


def _partner_park_row(link: dict[str, Any], fig: dict[str, Any], period: Period) -> dict[str, Any]:
    lead = link["role"] == PartnerRole.LEAD
    return {"name": link["park__name"], "name_url": park_url(link["park__code"], period) if lead else "", "code": link["park__code"],
            "county": link["park__county__name"], "star_label": dict(StarRating.choices).get(link["park__star_rating"], ""),
            "role": "主办行" if lead else "伙伴银行", "enterprises_total": fig.get("enterprises_total"),
            "filing_coverage": fig.get("filing_coverage"), "credit_coverage": fig.get("credit_coverage"),
            "coverage_target": fig.get("coverage_target") or coverage_target(link["park__star_rating"]),
            "met_label": ("未报送" if not fig else ("达标" if fig.get("coverage_met") else "未达标")) if link["readable"] else "",
            "demand_unmet_count": fig.get("demand_unmet_count")}
