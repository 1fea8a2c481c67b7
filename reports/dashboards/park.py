"""The park dashboard: a park's coverage against its star target, its ledger completeness and
重点问题清单 (the rows of ITS approved 附表1), the 园区大脑 readings and its history."""
from __future__ import annotations

from typing import Any

from django.db.models import Max, Sum

from parks.models import BrainReading, Park, PartnerLink, Tenancy
from portal import access
from reports.dashboards.charts import park_charts
from reports.dashboards.common import period_codes
from reports.dashboards.tables import Column, Freshness, Table
from reports.filings.choices import FilingStatus, ScheduleCode
from reports.filings.models import Filing, Period, T1Row, T2Summary
from reports.schedules.t1 import DEMAND_STATUS, PURPOSE, UNMET_REASON
from reports.schedules.t2 import coverage_target
from reports.summaries.models import Summary
from reports.targets.indicators import dec

UNMET_LABELS = dict(UNMET_REASON)

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
    filings = list(Filing.objects.filter(park=park, schedule=ScheduleCode.T1).values(
        "pk", "period__code", "version", "status", "is_current", "submitted_at", "approved_at", "days_late").order_by("period__code", "version"))
    t2 = {}
    for r in (access.restrict(user, T2Summary.objects.filter(park=park, filing__status=FilingStatus.APPROVED))
              .values("period__code", "filing_id", "filing__version", "computed_at", *T2_KEYS).order_by("period__code", "filing__version")):
        t2[r["period__code"]] = r  # the latest approved version of each period wins
    now = t2.get(period.code)
    current = next((f for f in reversed(filings) if f["period__code"] == period.code and f["is_current"]), None)
    ctx: dict[str, Any] = {"park": park, "t2": now, "current_filing": current, "approved_filing_id": now and now["filing_id"]}
    target = coverage_target(park.star_rating)
    ctx["coverage"] = _coverage(now, target)
    city_row = (Summary.objects.filter(scope=Summary.Scope.CITY, code=park.county.city_code, period=period)
                .values("built_at", "queued", "requested_at").first())
    ctx["freshness"] = Freshness.of(city_row, "地市汇总")
    ctx["links"] = list(PartnerLink.objects.in_force(on=period.end).filter(park=park)
                        .values("branch__name", "role", "sub_branch").order_by("role", "branch__name"))
    # 重点问题清单 and ledger completeness: the rows of THIS park's approved 附表1 (the ledger page)
    problems, missing = _ledger(park, period, now)
    ctx["problems"] = Table("problems", "重点问题清单（有融资需求待满足的企业，B类）", PROBLEM_ROW_COLUMNS, problems, unit="单位：万元")
    ctx["missing"] = Table("missing", "未建档的在园企业", MISSING_COLUMNS, missing, unit="")
    codes = period_codes(periods)
    ctx["history"] = _history_table(filings, t2, codes)
    ctx["charts"] = park_charts(codes, t2, target, park.get_star_rating_display())
    ctx["brain"] = brain_table(park=park, period=period)
    ctx["tables"] = [ctx["problems"], ctx["missing"], ctx["brain"], ctx["history"]]
    return ctx


def _coverage(now: dict | None, target) -> dict[str, Any]:
    """The park's 授信覆盖率 against its target, and how many more enterprises it needs."""
    cov = now and dec(now["credit_coverage"])
    return {"actual": cov, "target": target, "met": None if cov is None else cov >= target,
            "gap": None if cov is None else cov - target,
            "needed": None if not now or cov is None or cov >= target else
            max(0, int((target * now["enterprises_total"] / 100).to_integral_value(rounding="ROUND_CEILING")) - now["credited_count"])}


def _ledger(park: Park, period: Period, now: dict | None) -> tuple[list[dict], list[dict]]:
    """The B-class rows of the approved 附表1 and the tenants in force that it does not list."""
    if not now:
        return [], []
    purposes, statuses = dict(PURPOSE), dict(DEMAND_STATUS)
    problems = []
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
    return problems, missing


HISTORY_KEYS = ("enterprises_total", "filing_coverage", "credit_coverage", "demand_unmet_count", "multi_bank_count")


def _history_table(filings: list[dict], t2: dict[str, dict], codes: list[str]) -> Table:
    return Table("history", "各期报送与覆盖情况", [
        Column("period", "报送期"), Column("status", "附表1状态"), Column("enterprises_total", "入园企业", "int"),
        Column("filing_coverage", "建档覆盖率", "pct"), Column("credit_coverage", "授信覆盖率", "pct"),
        Column("demand_unmet_count", "需求未满足", "int"), Column("multi_bank_count", "垒小户", "int")],
        [{"period": c, "status": _filing_status_label(filings, c),
          **({k: (dec(t2[c][k]) if k.endswith("coverage") else t2[c][k]) for k in HISTORY_KEYS} if c in t2 else {})}
         for c in reversed(codes)], unit="")


def brain_table(*, park: Park, period: Period) -> Table:
    """园区大脑 readings pushed over the API for the period's three months, one row per enterprise
    (beside the ledger): the last month with data and the quarter's totals."""
    rows = list(BrainReading.objects.filter(park=park, month__gte=period.start.replace(day=1), month__lte=period.end)
                .values("enterprise__name", "enterprise__uscc")
                .annotate(last_month=Max("month"), electricity=Sum("electricity_kwh"), water=Sum("water_t"), gas=Sum("gas_m3"),
                          hours=Sum("equipment_hours"))
                .order_by("enterprise__name"))
    for r in rows:
        r["last_month"] = r["last_month"].strftime("%Y-%m")
    return Table("brain", f"园区大脑读数（{period.code} 季度合计）", [
        Column("enterprise__name", "企业名称"), Column("enterprise__uscc", "统一社会信用代码"), Column("last_month", "最近月份"),
        Column("electricity", "用电量（千瓦时）", "num"), Column("water", "用水量（吨）", "num"), Column("gas", "用气量（立方米）", "num"),
        Column("hours", "设备运行时长（小时）", "num")], rows,
        note="由园区大脑通过 API 推送（POST /api/v1/parks/{id}/brain-readings/）。", unit="")


def _filing_status_label(filings: list[dict], code: str) -> str:
    versions = [f for f in filings if f["period__code"] == code]
    if not versions:
        return "未报送"
    cur = next((f for f in versions if f["is_current"]), versions[-1])
    label = dict(FilingStatus.choices).get(cur["status"], cur["status"])
    return f"{label}（第{cur['version']}版）" if cur["version"] > 1 else label


def parks_visible(user: Any) -> list[dict[str, Any]]:
    """The parks whose dashboards ``user`` may open (a list page for operators and county bureaus)."""
    return list(Park.objects.filter(access.filings_readable_q(user, "park")).filter(status="active")
                .values("code", "name", "county__name", "star_rating").order_by("code")[:500])
