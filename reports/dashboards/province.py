"""The province dashboard: the province summary of one side (含宁波 / 不含宁波), its cities, the
default target set's results province-wide and city by city, and the trends."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q
from django.db.models.fields.json import KT

from portal import access
from portal.choices import NINGBO_CODE, ZHEJIANG_CODE
from reports.dashboards.blocks import (
    banks_table,
    completeness_block,
    parks_scope_text,
    partners_table,
    star_rows,
    star_table,
    types_table,
)
from reports.dashboards.charts import province_charts, trend_results
from reports.dashboards.common import SIDES, city_url, period_codes, share, yi
from reports.dashboards.tables import Column, Freshness, Table
from reports.dashboards.targets import UNIT_KINDS, fmt_value, status_badge, target_table
from reports.filings.models import Period
from reports.schedules.t1 import UNMET_REASON
from reports.summaries.comparable import bank_coverage
from reports.summaries.models import Summary
from reports.targets.indicators import dec
from reports.targets.models import Target, TargetResult

CITY_FIGURES = ("enterprises_total", "filed_count", "filing_coverage", "credited_count", "credit_coverage", "demand_count",
                "demand_unmet_count", "demand_partial_count", "unmet_enterprise_count", "unmet_bank_count", "unmet_other_count",
                "multi_bank_count", "loan_balance", "first_loan_count", "loan_count")

CITY_COLUMNS = [
    Column("name", "地市", "link"), Column("park_count", "园区数", "int"), Column("filed_parks", "已报送园区", "int"),
    Column("enterprises_total", "入园企业数", "int"), Column("filing_coverage", "建档覆盖率", "pct"),
    Column("full_share", "建档全覆盖园区占比", "pct"), Column("credit_coverage", "授信覆盖率", "pct"),
    Column("cov_45", "四五星授信覆盖率", "pct"), Column("cov_3", "三星授信覆盖率", "pct"), Column("cov_other", "其他星级授信覆盖率", "pct"),
    Column("partner_share", "伙伴银行3–5家园区占比", "pct"), Column("multi_bank_count", "垒小户企业数", "int"),
]
PROBLEM_COLUMNS = [Column("name", "地市", "link"), Column("demand_count", "有融资需求", "int"), Column("demand_partial_count", "部分满足", "int"),
                   Column("demand_unmet_count", "未满足", "int"), Column("unmet_enterprise_count", "企业自身原因", "int"),
                   Column("unmet_bank_count", "银行服务原因", "int"), Column("unmet_other_count", "其他原因", "int")]
MULTI_COLUMNS = [Column("name", "地市", "link"), Column("multi_bank_count", "服务银行超过3家（个体工商户超过2家）企业数", "int"),
                 Column("filed_count", "已建档企业数", "int"), Column("multi_share", "占比", "pct")]


def _city_row(city: dict[str, Any], link: str) -> dict[str, Any]:
    total = city.get("total") or {}
    stars = {r["label"]: r for r in star_rows(city.get("by_star") or [])}
    row = {"code": city["code"], "name": city["name"], "name_url": link, "separately_planned": city.get("separately_planned"),
           "park_count": city.get("park_count") or 0, "filed_parks": city.get("filed_parks") or 0,
           "full_share": share(city.get("parks_at_full_coverage"), city.get("park_count")),
           "partner_share": share(city.get("parks_partner_3_5"), city.get("park_count")),
           "cov_45": stars["四星、五星合计"]["credit_coverage"], "cov_3": stars["三星"]["credit_coverage"],
           "cov_other": stars["其他星级"]["credit_coverage"]}
    for key in CITY_FIGURES:
        row[key] = dec(total.get(key)) if key.endswith(("coverage", "balance")) else (total.get(key) or 0)
    row["multi_share"] = share(row["multi_bank_count"], row["filed_count"])
    return row


def province_page(*, user: Any, period: Period, side: str, periods: list[Period], today: dt.date) -> dict[str, Any] | None:
    """Everything the province dashboard shows; None when ``user`` may not see it."""
    block = "incl_ningbo" if side == "incl" else "excl_ningbo"
    visible = access.restrict(user, Summary.objects.filter(scope=Summary.Scope.PROVINCE, code=ZHEJIANG_CODE))
    # the whole document in one read: cheaper than extracting a dozen paths from it (SQLite
    # re-parses the JSON for every path); its size depends on the cities, not on the parks
    found = visible.filter(period=period).values("built_at", "queued", "requested_at", "data").first()
    if found is None and not province_visible(user):
        return None
    found = found or {}
    data = found.get("data") or {}
    row = _side_row(found, data, block)
    ctx: dict[str, Any] = {"freshness": Freshness.of(row, "全省汇总"), "has_summary": bool(row.get("built_at")), "side": side}
    _add_targets(ctx, user=user, period=period, side=side)
    banks = row.get("banks") or {}
    ctx["kpi"] = _kpi(row, banks)
    ctx["bank_coverage"] = bank_coverage(banks)
    ctx["parks_scope"] = parks_scope_text(row.get("park_count"), row.get("register"))
    ctx["stars"] = star_table(row.get("by_star"))
    _add_city_tables(ctx, row, period=period, side=side)
    skip = "" if side == "incl" else NINGBO_CODE
    # completeness and timeliness by city (summaries.completeness: a bounded number of filing rows), kept in the province summary
    ctx["completeness"], ctx["completeness_total"] = completeness_block(
        data, lambda code: city_url(code, period, anchor="completeness"),
        f"填报截止 {period.filer_due:%Y-%m-%d}；逾期含逾期提交和逾期未报。", skip=skip)
    ctx["partners"] = _partners(user, period=period, side=side)
    ctx["bank_lines"] = banks_table(f"银行业金融机构主要指标（附表4合计，{dict(SIDES)[side]}）", banks, ctx["bank_coverage"])
    ctx["types"] = types_table(banks)
    codes = period_codes(periods)
    trend, figures = _trends(user, visible, side=side, block=block)
    ctx["charts"] = province_charts(codes, trend, figures, ctx)
    ctx["tables"] = [ctx[k] for k in ("targets", "stars", "cities", "completeness", "problems", "multi", "partners", "bank_lines", "types")]
    if ctx["city_matrix"]["rows"]:
        ctx["tables"].insert(1, ctx["city_matrix"]["table"])
    return ctx


def _side_row(found: dict[str, Any], data: dict[str, Any], block: str) -> dict[str, Any]:
    """The summary row with the figures of one side (含宁波 / 不含宁波) lifted out of its data."""
    side_block = data.get(block) or {}
    return {**found, "total": side_block.get("total"), "by_star": side_block.get("by_star"), "park_count": side_block.get("park_count"),
            "filed_parks": side_block.get("filed_parks"), "full": side_block.get("parks_at_full_coverage"),
            "partner_3_5": side_block.get("parks_partner_3_5"), "cities": data.get("cities"),
            "banks": (data.get("banks") or {}).get(block), "not_filed_count": data.get("not_filed_count"),
            "register": side_block.get("register")}


def _add_targets(ctx: dict[str, Any], *, user: Any, period: Period, side: str) -> None:
    """Targets of the default set: province-wide results on this side, the not-applicable ones and
    the city-by-city matrix."""
    results = list(access.restrict(user, TargetResult.objects.filter(period=period, target__target_set__is_default=True))
                   .filter(Q(ningbo=side) | Q(status=TargetResult.Status.NOT_APPLICABLE) | Q(scope_kind=Target.ScopeKind.CITY))
                   .select_related("target__target_set").order_by("target__order", "scope_code"))
    main = [r for r in results if r.scope_kind != Target.ScopeKind.CITY]
    ctx["target_set"] = main[0].target.target_set if main else None
    ctx["targets"] = target_table("targets", "目标完成情况", main)
    city_results = [r for r in results if r.scope_kind == Target.ScopeKind.CITY and (side == "incl" or r.scope_code != NINGBO_CODE)]
    ctx["city_matrix"] = _city_matrix(city_results)


def _kpi(row: dict[str, Any], banks: dict[str, Any]) -> dict[str, Any]:
    """The KPI cards."""
    total = row.get("total") or {}
    bank_total, change = banks.get("total") or {}, banks.get("change") or {}
    return {
        "park_count": row.get("park_count") or 0, "filed_parks": row.get("filed_parks") or 0,
        "not_filed": (row.get("park_count") or 0) - (row.get("filed_parks") or 0),
        "enterprises_total": total.get("enterprises_total") or 0, "filing_coverage": dec(total.get("filing_coverage")),
        "credit_coverage": dec(total.get("credit_coverage")), "full_share": share(row.get("full"), row.get("park_count")),
        "partner_share": share(row.get("partner_3_5"), row.get("park_count")),
        "inclusive_yi": yi(bank_total.get("inclusive_loan_balance")),
        "inclusive_growth": dec((change.get("inclusive_loan_balance") or {}).get("growth")),
        "inclusive_increase_yi": yi((change.get("inclusive_loan_balance") or {}).get("delta")),
        "financing_cost": dec(bank_total.get("inclusive_financing_cost")), "bank_filers": bank_total.get("filers") or 0,
        "multi_bank_count": total.get("multi_bank_count") or 0, "demand_unmet_count": total.get("demand_unmet_count") or 0,
    }


def _add_city_tables(ctx: dict[str, Any], row: dict[str, Any], *, period: Period, side: str) -> None:
    """The cities: coverage and 分类建档, 重点问题清单 by cause, 垒小户."""
    total = row.get("total") or {}
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


def _partners(user: Any, *, period: Period, side: str) -> Table:
    """Parks outside 3–5 partner banks, without or with several 主办行 (each city summary's check)."""
    city_partners = (access.restrict(user, Summary.objects.filter(scope=Summary.Scope.CITY, period=period))
                     .values("code", partners=F("data__partners"), city_name=KT("data__city__name")).order_by("code"))
    blocks = [(r["code"], r["city_name"], r["partners"]) for r in city_partners if side == "incl" or r["code"] != NINGBO_CODE]
    return partners_table(blocks, period)


def _trends(user: Any, visible, *, side: str, block: str) -> tuple[dict, dict]:
    """The stored target results and the summaries' key figures of every period, one query each."""
    trend = trend_results(access.restrict(user, TargetResult.objects.filter(target__target_set__is_default=True, ningbo=side,
                                                                             scope_kind__in=[Target.ScopeKind.PROVINCE, Target.ScopeKind.STAR_GROUP]))
                          .values("period__code", "target__code", "actual", "threshold", "status"))
    figures = {r["period__code"]: {"filing": (r["total"] or {}).get("filing_coverage"), "credit": (r["total"] or {}).get("credit_coverage")}
               for r in visible.values("period__code", total=F(f"data__{block}__total"))}
    return trend, figures


def province_visible(user: Any) -> bool:
    """May ``user`` see the province roll-up at all? Checked by the view before a prepared page is
    served, and here when the period has no province summary."""
    return access.scope_q(user, Summary) == access.ALL


def _city_matrix(results: list[TargetResult]) -> dict[str, Any]:
    """Cities × targets: each city's status on the targets evaluated city by city."""
    targets: dict[str, TargetResult] = {}
    cities: dict[str, dict[str, Any]] = {}
    for r in results:
        targets.setdefault(r.target.code, r)
        city = cities.setdefault(r.scope_code, {"code": r.scope_code, "name": r.scope_label, "cells": {}})
        city["cells"][r.target.code] = {"status": status_badge(r.status), "actual": fmt_value(r.actual, r.target.unit), "value": r.actual}
    heads = [{"code": c, "name": t.target.name, "short": c.split("-")[-1]} for c, t in sorted(targets.items())]
    rows = [dict(c, list=[c["cells"].get(h["code"]) for h in heads]) for c in sorted(cities.values(), key=lambda c: c["code"])]
    columns = [Column("name", "地市")]
    for h in heads:  # the export: each target's actual value (a number) and its status, side by side
        unit = targets[h["code"]].target.unit
        columns += [Column(h["code"], f"{h['code']} {h['name']}（{unit}）", UNIT_KINDS.get(unit, "amount")),
                    Column(f"{h['code']}_status", f"{h['code']} 状态", "status")]
    table_rows = [{"name": c["name"], **{k: v for h, cell in zip(heads, c["list"]) if cell
                                         for k, v in ((h["code"], cell["value"]), (f"{h['code']}_status", cell["status"]["label"]))}}
                  for c in rows]
    return {"heads": heads, "rows": rows, "table": Table("city_targets", "目标完成情况（分地市）", columns, table_rows, unit="")}
