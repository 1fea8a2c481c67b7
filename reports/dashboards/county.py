"""The county dashboard: one county's slice of its city summary — the county row, its parks (with
their 附表2 figures and star targets), its coverage by star level and its parks' completeness, all
kept in the city summary by the roll-up (``counties``, ``parks``, ``county_blocks``). The county
was fetched through ``access.counties_readable_q``: a county economy bureau reads its own county,
the city's branch and economy bureau every county of the city, the province every county."""
from __future__ import annotations

from typing import Any

from django.db.models import F
from django.urls import reverse

from parks.choices import Batch
from portal import access
from portal.models import Region
from reports.dashboards.blocks import COMPLETENESS_COLUMNS, star_table
from reports.dashboards.charts import coverage_bars, num, stars_chart
from reports.dashboards.city import PARK_MULTI_COLUMNS, PARK_PROBLEM_COLUMNS, ParkFilter, park_rows
from reports.dashboards.common import period_codes, share
from reports.dashboards.tables import Column, Freshness, Table
from reports.filings.models import Period
from reports.schedules.numbers import ratio
from reports.summaries.completeness import STATES
from reports.summaries.models import Summary
from reports.targets.indicators import dec

COUNTY_PARK_COLUMNS = [
    Column("code", "园区编码", sortable=True), Column("name", "园区名称", "link", sortable=True),
    Column("star_label", "星级", sortable=True), Column("batch_label", "批次"), Column("partner_bank_count", "伙伴银行", "int", True),
    Column("enterprises_total", "入园企业", "int", True), Column("filed_count", "已建档", "int"),
    Column("filing_coverage", "建档覆盖率", "pct", True), Column("credited_count", "获得授信", "int"),
    Column("credit_coverage", "授信覆盖率", "pct", True), Column("coverage_target", "目标", "pct"),
    Column("met_label", "是否达标", "status", True), Column("credit_amount", "授信金额", "amount"),
    Column("loan_balance", "贷款余额", "amount"), Column("demand_unmet_count", "需求未满足", "int", True),
    Column("first_loan_count", "首贷户", "int", True),
]
COUNTY_COMPLETENESS_COLUMNS = [Column("name", "县（市、区）", "link")] + COMPLETENESS_COLUMNS[1:]
BATCHES = dict(Batch.choices)
COMPLETENESS_NOTE = "应报：辖内每个运营中园区的附表1/2（银行的附表4/5、保险机构的附表4按地市报送，见地市看板）。"


def county_page(*, user: Any, county: Region, period: Period, periods: list[Period], flt: ParkFilter) -> dict[str, Any]:
    """``county`` came from ``Region.objects.filter(access.counties_readable_q(user))``; the page
    reads its city's summary only (one row), never ledger rows."""
    city_summaries = Summary.objects.filter(scope=Summary.Scope.CITY, code=county.city_code)
    row = city_summaries.filter(period=period).values("built_at", "queued", "requested_at", "data").first() or {}
    data = row.get("data") or {}
    county_row = next((c for c in data.get("counties") or [] if c["code"] == county.code), None) or {}
    block = (data.get("county_blocks") or {}).get(county.code) or {}
    parks = park_rows([p for p in data.get("parks") or [] if p["county_code"] == county.code], period)
    for p in parks:
        p["batch_label"] = BATCHES.get(p.get("batch"), p.get("batch"))
    ctx: dict[str, Any] = {"county": county, "freshness": Freshness.of(row, "地市汇总"), "has_summary": bool(row.get("built_at")),
                           "park_filter": flt, "kpi": _kpi(county_row, parks)}
    shown = flt.apply(parks)
    ctx["parks"] = Table("parks", "园区一览（附表2）", COUNTY_PARK_COLUMNS, shown,
                         note=f"共 {len(parks)} 个运营中园区，筛选后 {len(shown)} 个。{data.get('not_filed_note') or ''}")
    ctx["star_choices"] = [("45", "四星、五星"), ("5", "五星"), ("4", "四星"), ("3", "三星"), ("other", "其他星级")]
    ctx["stars"] = star_table(block.get("by_star"))
    ctx["completeness"] = _completeness_table(user, county, period, block.get("completeness"))
    filed = [p for p in parks if p["filed"]]
    ctx["problems"] = Table("problems", "重点问题清单：各园区有融资需求未满足情况", PARK_PROBLEM_COLUMNS,
                            sorted([p for p in filed if p.get("demand_count")], key=lambda p: (-(p.get("demand_unmet_count") or 0), p["code"])))
    ctx["multi"] = Table("multi", "垒小户预警：服务银行超过3家（个体工商户超过2家）的入园企业", PARK_MULTI_COLUMNS,
                         sorted([p for p in filed if p.get("multi_bank_count")], key=lambda p: (-p["multi_bank_count"], p["code"])))
    ctx["not_filed"] = [p for p in parks if not p["filed"]]
    codes = period_codes(periods)
    trend = _trend(city_summaries, county)
    ctx["charts"] = {
        "stars": stars_chart(ctx["stars"].rows),
        "parks": coverage_bars(filed),
        "trend": {"type": "line", "categories": codes, "yName": "%",
                  "series": [{"name": "授信覆盖率", "data": [num(trend.get(c, {}).get("credit_coverage")) for c in codes]},
                             {"name": "建档覆盖率", "data": [num(trend.get(c, {}).get("filing_coverage")) for c in codes]}]},
    }
    ctx["tables"] = [ctx[k] for k in ("stars", "parks", "completeness", "problems", "multi")]
    return ctx


def _kpi(county_row: dict[str, Any], parks: list[dict[str, Any]]) -> dict[str, Any]:
    filed = [p for p in parks if p["filed"]]
    return {
        "park_count": len(parks), "filed_parks": len(filed),
        "enterprises_total": county_row.get("enterprises_total") or 0, "filed_count": county_row.get("filed_count") or 0,
        "filing_coverage": dec(county_row.get("filing_coverage")), "credited_count": county_row.get("credited_count") or 0,
        "credit_coverage": dec(county_row.get("credit_coverage")), "credit_amount": dec(county_row.get("credit_amount")),
        "loan_balance": dec(county_row.get("loan_balance")),
        "met_share": share(sum(1 for p in filed if p.get("coverage_met")), len(filed)),
        "demand_unmet_count": county_row.get("demand_unmet_count") or 0,
        "multi_bank_count": county_row.get("multi_bank_count") or 0,
    }


def _completeness_table(user: Any, county: Region, period: Period, row: dict[str, Any] | None) -> Table:
    """The county's parks: expected / not filed / late / awaiting / returned / approved (附表1/2);
    the regulators drill down to the list of filings."""
    rows = []
    if row:
        url = f"{reverse('reports:completeness_list')}?period={period.code}&city={county.city_code}&county={county.code}" \
            if access.is_regulator(user) else ""
        rows.append({"code": county.code, "name": county.name, "name_url": url, "expected": row["expected"],
                     **{k: row.get(k, 0) for k, _ in STATES}, "rate": ratio(row.get("approved", 0), row["expected"])})
    return Table("completeness", "报送完整性与及时性（园区附表1/2）", COUNTY_COMPLETENESS_COLUMNS, rows,
                 note=f"填报截止 {period.filer_due:%Y-%m-%d}。{COMPLETENESS_NOTE}", unit="单位：份")


def _trend(city_summaries, county: Region) -> dict[str, dict[str, Any]]:
    """period code → the county's row in that period's city summary (one query)."""
    out = {}
    for r in city_summaries.values("period__code", counties=F("data__counties")):
        for c in r["counties"] or []:
            if c.get("code") == county.code:
                out[r["period__code"]] = c
    return out
