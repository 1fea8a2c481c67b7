"""The chart JSON of the dashboards (rendered by ``static/js/dashboards.js``): each page's charts
from the figures its selector read."""
from __future__ import annotations

from typing import Any

from reports.summaries.completeness import STATES
from reports.targets.indicators import dec

STATE_COLORS = {"approved": "#2ca58d", "awaiting": "#f0a030", "returned": "#c9482b", "not_filed": "#9aa5b1"}


def num(value: Any) -> float | None:
    v = dec(value)
    return None if v is None else float(v)


def trend_results(qs) -> dict[str, dict[str, dict]]:
    """target code → period code → {actual, threshold, status}."""
    out: dict[str, dict[str, dict]] = {}
    for r in qs:
        out.setdefault(r["target__code"], {})[r["period__code"]] = {"actual": r["actual"], "threshold": r["threshold"], "status": r["status"]}
    return out


def series(trend: dict[str, dict[str, dict]], code: str, codes: list[str], key: str = "actual") -> list[float | None]:
    values = trend.get(code, {})
    return [None if values.get(c, {}).get(key) is None else float(values[c][key]) for c in codes]


def stars_chart(stars: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "bar", "categories": [r["label"] for r in stars], "yName": "%",
            "series": [{"name": "授信覆盖率", "data": [num(r["credit_coverage"]) for r in stars]},
                       {"name": "目标", "type": "line", "data": [num(r["coverage_target"]) for r in stars], "step": True}]}


def coverage_bars(rows: list[dict[str, Any]], label: str = "name") -> dict[str, Any]:
    """建档 and 授信 coverage side by side, one category per row (cities, counties)."""
    return {"type": "bar", "categories": [r[label] for r in rows], "yName": "%",
            "series": [{"name": "建档覆盖率", "data": [num(r["filing_coverage"]) for r in rows]},
                       {"name": "授信覆盖率", "data": [num(r["credit_coverage"]) for r in rows]}]}


def causes_chart(causes: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "pie", "series": [{"name": "未满足原因", "data": causes}]}


def province_charts(codes: list[str], trend: dict, figures: dict, ctx: dict) -> dict[str, Any]:
    return {
        "stars": stars_chart(ctx["stars"].rows),
        "trend": {"type": "line", "categories": codes, "yName": "%",
                  "series": [{"name": "四星、五星级授信覆盖率", "data": series(trend, "ZJ2020-02", codes)},
                             {"name": "三星级授信覆盖率", "data": series(trend, "ZJ2020-03", codes)},
                             {"name": "其他星级授信覆盖率", "data": series(trend, "ZJ2020-04", codes)},
                             {"name": "入园企业建档覆盖率", "data": [num(figures.get(c, {}).get("filing")) for c in codes]}]},
        "growth": {"type": "line", "categories": codes, "yName": "%",
                   "series": [{"name": "普惠型贷款较年初增速", "data": series(trend, "ZJ2020-07", codes)},
                              {"name": "各项贷款较年初增速", "data": series(trend, "ZJ2020-07", codes, "threshold"), "dashed": True}]},
        "cost": {"type": "line", "categories": codes, "yName": "%",
                 "series": [{"name": "普惠型综合融资成本", "data": series(trend, "ZJ2020-08", codes)},
                            {"name": "目标（上年末−0.5个百分点）", "data": series(trend, "ZJ2020-08", codes, "threshold"), "dashed": True}]},
        "cities": coverage_bars(ctx["cities"].rows),
        "causes": causes_chart(ctx["unmet_causes"]),
        "completeness": {"type": "stack", "categories": [r["name"] for r in ctx["completeness"].rows], "yName": "份",
                         "series": [{"name": label, "data": [r[k] for r in ctx["completeness"].rows], "color": STATE_COLORS[k]}
                                    for k, label in STATES if k != "late"]},
    }


def city_charts(codes: list[str], trend: dict, figures: dict, ctx: dict) -> dict[str, Any]:
    return {
        "stars": stars_chart(ctx["stars"].rows),
        "trend": {"type": "line", "categories": codes, "yName": "%",
                  "series": [{"name": "授信覆盖率", "data": [num(figures.get(c, {}).get("credit")) for c in codes]},
                             {"name": "建档覆盖率", "data": [num(figures.get(c, {}).get("filing")) for c in codes]},
                             {"name": "普惠型贷款较年初增速", "data": series(trend, "ZJ2020-07", codes)},
                             {"name": "各项贷款较年初增速", "data": series(trend, "ZJ2020-07", codes, "threshold"), "dashed": True}]},
        "counties": coverage_bars(ctx["counties"].rows),
        "causes": causes_chart(ctx["unmet_causes"]),
    }


def park_charts(codes: list[str], t2: dict[str, dict], target: Any, star_label: str) -> dict[str, Any]:
    return {"trend": {"type": "line", "categories": codes, "yName": "%",
                      "series": [{"name": "授信覆盖率", "data": [num(t2.get(c, {}).get("credit_coverage")) for c in codes]},
                                 {"name": "建档覆盖率", "data": [num(t2.get(c, {}).get("filing_coverage")) for c in codes]},
                                 {"name": f"目标（{star_label}）", "data": [float(target)] * len(codes), "dashed": True}]}}


def bank_charts(codes: list[str], t4: dict[str, dict], insurer: bool) -> dict[str, Any]:
    if insurer:
        lines = [{"name": "承保入园企业数", "data": [num(t4.get(c, {}).get("insured_enterprises")) for c in codes]},
                 {"name": "承保小微企业园数", "data": [num(t4.get(c, {}).get("insured_parks")) for c in codes]}]
        y_name = "户 / 个"
    else:
        lines = [{"name": "入园企业贷款余额", "data": [num(t4.get(c, {}).get("ent_loan_balance")) for c in codes]},
                 {"name": "入园企业授信金额", "data": [num(t4.get(c, {}).get("ent_credit_amount")) for c in codes]}]
        y_name = "万元"
    return {"trend": {"type": "bar", "categories": codes, "yName": y_name, "series": lines}}
