"""The city dashboard: a city summary's parks (filtered and sorted), counties, star blocks,
problems, partners and 附表4 lines, the city's targets and trends."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q
from django.urls import reverse

from portal import access
from portal.choices import ZHEJIANG_CODE, RegionLevel
from portal.models import Region
from reports.dashboards.blocks import banks_table, completeness_block, parks_scope_text, partners_table, star_table, types_table
from reports.dashboards.charts import city_charts, trend_results
from reports.dashboards.common import park_url, period_codes, share, yi
from reports.dashboards.tables import Column, Freshness, Table
from reports.dashboards.targets import target_table
from reports.filings.models import Period
from reports.schedules.t1 import UNMET_REASON
from reports.schedules.t2 import coverage_target
from reports.summaries.comparable import bank_coverage
from reports.summaries.models import Summary
from reports.targets.indicators import dec
from reports.targets.models import TargetResult

PARK_COLUMNS = [
    Column("code", "园区编码", sortable=True), Column("name", "园区名称", "link", sortable=True), Column("county", "县（市、区）", sortable=True),
    Column("star_label", "星级", sortable=True), Column("partner_bank_count", "伙伴银行", "int", True),
    Column("enterprises_total", "入园企业", "int", True), Column("filing_coverage", "建档覆盖率", "pct", True),
    Column("credit_coverage", "授信覆盖率", "pct", True), Column("coverage_target", "目标", "pct"),
    Column("met_label", "是否达标", "status", True), Column("demand_unmet_count", "需求未满足", "int", True),
    Column("multi_bank_count", "垒小户", "int", True), Column("first_loan_count", "首贷户", "int", True),
]
SORT_KEYS = {c.key for c in PARK_COLUMNS if c.sortable} | {"star_rating"}
COUNTY_COLUMNS = [Column("name", "县（市、区）", "link"), Column("park_count", "园区数", "int"), Column("filed_parks", "已报送", "int"),
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


def park_rows(parks: list[dict[str, Any]], period: Period) -> list[dict[str, Any]]:
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
        row["multi_share"] = share(p.get("multi_bank_count"), p.get("filed_count"))
        out.append(row)
    return out




def city_page(*, user: Any, city: Region, period: Period, periods: list[Period], today: dt.date, flt: ParkFilter) -> dict[str, Any] | None:
    visible = access.restrict(user, Summary.objects.filter(scope=Summary.Scope.CITY, code=city.code))
    row = visible.filter(period=period).values("built_at", "queued", "requested_at", "data").first()
    if row is None and not city_visible(user, city.code):
        return None
    row = row or {}
    data = row.get("data") or {}
    ctx: dict[str, Any] = {"freshness": Freshness.of(row, f"{city.name}汇总"), "has_summary": bool(row.get("built_at")), "city": city}
    parks = park_rows(data.get("parks") or [], period)
    _add_park_tables(ctx, data, parks, flt)
    ctx["counties"] = _counties_table(data, period)
    ctx["stars"] = star_table(data.get("by_star"))
    results = list(access.restrict(user, TargetResult.objects.filter(period=period, scope_code=city.code))
                   .select_related("target__target_set").order_by("target__target_set__order", "target__order"))
    ctx["targets"] = target_table("targets", "目标完成情况（本市）", results)
    _add_problem_tables(ctx, data, parks, city=city, period=period)
    banks = data.get("banks") or {}
    ctx["bank_coverage"] = bank_coverage(banks)
    ctx["parks_scope"] = parks_scope_text(data.get("park_count"), data.get("register"))
    ctx["bank_lines"] = banks_table("辖内银行业金融机构主要指标（附表4合计）", banks, ctx["bank_coverage"])
    ctx["types"] = types_table(banks)
    list_url = reverse("reports:completeness_list")
    ctx["completeness"], _total = completeness_block(data, lambda code: f"{list_url}?period={period.code}&city={code}",
                                                     f"填报截止 {period.filer_due:%Y-%m-%d}。")
    ctx["kpi"] = _kpi(data, banks)
    trend, figures = _trends(user, visible, city)
    ctx["charts"] = city_charts(period_codes(periods), trend, figures, ctx)
    ctx["tables"] = [ctx[k] for k in ("targets", "stars", "counties", "parks", "completeness", "problems", "multi", "partners", "bank_lines", "types")]
    return ctx


def _add_park_tables(ctx: dict[str, Any], data: dict[str, Any], parks: list[dict[str, Any]], flt: ParkFilter) -> None:
    """The park list as filtered and sorted, with the filter's choices."""
    ctx["park_filter"] = flt
    shown = flt.apply(parks)
    ctx["parks"] = Table("parks", "园区一览", PARK_COLUMNS, shown,
                         note=f"共 {len(parks)} 个园区，筛选后 {len(shown)} 个。{data.get('not_filed_note') or ''}")
    ctx["county_choices"] = [(c["code"], c["name"]) for c in data.get("counties") or []]
    ctx["star_choices"] = [("45", "四星、五星"), ("5", "五星"), ("4", "四星"), ("3", "三星"), ("other", "其他星级")]


def _counties_table(data: dict[str, Any], period: Period) -> Table:
    """One row per county, each linked to its county dashboard."""
    return Table("counties", "分县（市、区）汇总", COUNTY_COLUMNS,
                 [dict(c, name_url=f"{reverse('dashboards:county', args=[c['code']])}?period={period.code}",
                       **{k: dec(c.get(k)) for k in ("filing_coverage", "credit_coverage", "credit_amount", "loan_balance",
                                                     "weighted_loan_rate")}) for c in data.get("counties") or []],
                 note="点击县（市、区）查看其监测看板。")


def _add_problem_tables(ctx: dict[str, Any], data: dict[str, Any], parks: list[dict[str, Any]], *, city: Region, period: Period) -> None:
    """重点问题清单 and 垒小户 of the filed parks, the partner checks, the parks not filed."""
    total = data.get("total") or {}
    filed = [p for p in parks if p["filed"]]
    problem_rows = sorted([p for p in filed if p.get("demand_count")], key=lambda p: (-(p.get("demand_unmet_count") or 0), p["code"]))
    ctx["problems"] = Table("problems", "重点问题清单：各园区有融资需求未满足情况", PARK_PROBLEM_COLUMNS, problem_rows,
                            note="点击园区查看企业清单、未满足原因及解决措施。")
    ctx["unmet_causes"] = [{"name": label, "value": total.get(f"unmet_{key}_count") or 0} for key, label in UNMET_REASON]
    ctx["multi"] = Table("multi", "垒小户预警：服务银行超过3家（个体工商户超过2家）的入园企业", PARK_MULTI_COLUMNS,
                         sorted([p for p in filed if p.get("multi_bank_count")], key=lambda p: (-p["multi_bank_count"], p["code"])))
    ctx["partners"] = partners_table([(city.code, city.name, data.get("partners"))], period)
    ctx["not_filed"] = data.get("not_filed") or []


def _kpi(data: dict[str, Any], banks: dict[str, Any]) -> dict[str, Any]:
    total = data.get("total") or {}
    return {
        "park_count": data.get("park_count") or 0, "filed_parks": data.get("filed_parks") or 0,
        "enterprises_total": total.get("enterprises_total") or 0, "filing_coverage": dec(total.get("filing_coverage")),
        "credit_coverage": dec(total.get("credit_coverage")), "full_share": share(data.get("parks_at_full_coverage"), data.get("park_count")),
        "partner_share": share(data.get("parks_partner_3_5"), data.get("park_count")),
        "multi_bank_count": total.get("multi_bank_count") or 0, "demand_unmet_count": total.get("demand_unmet_count") or 0,
        "inclusive_yi": yi((banks.get("total") or {}).get("inclusive_loan_balance")),
        "inclusive_growth": dec(((banks.get("change") or {}).get("inclusive_loan_balance") or {}).get("growth")),
        "inclusive_increase_yi": yi(((banks.get("change") or {}).get("inclusive_loan_balance") or {}).get("delta")),
    }


def _trends(user: Any, visible, city: Region) -> tuple[dict, dict]:
    trend = trend_results(access.restrict(user, TargetResult.objects.filter(target__target_set__is_default=True, scope_code=city.code))
                          .values("period__code", "target__code", "actual", "threshold", "status"))
    figures = {r["period__code"]: {"filing": (r["total"] or {}).get("filing_coverage"), "credit": (r["total"] or {}).get("credit_coverage")}
               for r in visible.values("period__code", total=F("data__total"))}
    return trend, figures


def city_visible(user: Any, code: str) -> bool:
    """May ``user`` see the roll-up of city ``code`` (whether it exists or not)? Checked by the
    view before a prepared page is served, and here when the city has no summary."""
    q = access.scope_q(user, Summary)
    return q == access.ALL or q == Q(scope=Summary.Scope.CITY, code=code)


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


