"""The demo's quality warnings against history (issue 16) on the latest period (2020Q4, in review):
a regulator login sees them on day one, first in its inbox. Planted on filings not yet approved
(the roll-ups, which count approved versions, are untouched), each a small world a test can
check against the previous approved quarter:

- 附表1 ``history_loan_jump``: two enterprises of one park whose 贷款余额 fell to 30 % of their
  previous approved row (the balances they contain cut alike, so every error rule still holds);
- 附表1 ``history_credited_drop`` and ``history_coverage_drop``: another park's 附表1 leaves out
  credited enterprises until its credited count and coverage fall past the province's thresholds
  (each a 未列入附表1 warning too: they are still tenants);
- 附表4 ``narrative_empty``: one bank leaves its 典型案例 empty; ``narrative_repeated``: another
  copies two sections (主要经验做法, 存在的困难) from its previous approved quarter;
- 附表4 ``history_inclusive_fall``: one bank's 普惠型小微企业贷款余额 below its approved year-end;
- 附表4 ``history_rate_outlier``: one bank's 入园企业新发放贷款利率 far outside its city's approved rates.

Then every current 附表4 of the period and the planted 附表1s are checked again
(``quality_services.filing_warnings_refresh``: the demo's other 附表4s show what the real rules
find, e.g. other 普惠 falls), and a filing in review with warnings gets its filer's explanation."""
from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import IO, Any

from django.db.models import Case, IntegerField, Value, When

from reports.demo.calibration import PERIOD_CODES, T1_EXPLANATION, T1_MISSING_EXPLANATION
from reports.demo.helpers import write
from reports.filings import quality, quality_selectors, selectors
from reports.filings.choices import FilingStatus, ScheduleCode
from reports.filings.models import Filing, Period, T1Row, T2Summary, T4Record
from reports.filings.quality_services import filing_warnings_refresh
from reports.filings.t2 import t2_rebuild
from reports.schedules import T1
from reports.schedules.numbers import MAD_SCALE, median

LOAN_CUT = Decimal("0.3")  # a planted 贷款余额: 30 % of the previous approved one (−70 %)
LOAN_KEYS = ("loan_balance", "credit_loan_balance", "medium_long_term_balance", "renewal_balance")
INCLUSIVE_KEYS = ("inclusive_loan_balance", "inclusive_renewal_balance", "inclusive_npl_balance")
INCLUSIVE_CUT = Decimal("0.9")  # a planted 普惠 balance: 90 % of the approved year-end
RATE_KEY = "ent_new_loan_rate"
EMPTY_SECTION = "cases"
REPEATED_SECTIONS = ("experience", "difficulties")
CENT = Decimal("0.01")
LABELS = {"history_loan_jump": "企业贷款余额变动", "history_credit_jump": "企业授信金额变动", "history_credited_drop": "园区获得授信企业数下降",
          "history_coverage_drop": "园区授信覆盖率下降", "history_inclusive_fall": "普惠型贷款余额较年初下降",
          "history_rate_outlier": "利率偏离同地市分布", "narrative_empty": "推进情况未填写", "narrative_repeated": "推进情况与上季度相同"}
EXPLANATIONS = {  # the filer's written explanation of each kind of warning (the reviewer reads it)
    "history_loan_jump": "部分企业本季度集中归还贷款，贷款余额较上季度明显下降。",
    "history_credit_jump": "部分企业授信到期后重新核定授信额度。",
    "history_credited_drop": "本季度部分已获授信企业尚未完成建档，下季度补报。",
    "history_coverage_drop": "授信覆盖率下降系部分已获授信企业尚未列入本季度台帐。",
    "history_inclusive_fall": "普惠型小微企业贷款余额较年初下降，系部分大额普惠贷款到期收回，新发放贷款尚未投放到位。",
    "history_rate_outlier": "本季度新发放贷款以中长期项目贷款为主，利率较同业偏高。",
    "narrative_empty": "典型案例正在整理，审核退回后补充。",
    "narrative_repeated": "本季度工作延续上季度安排，相关情况与上季度一致。",
    "tenant_missing": T1_MISSING_EXPLANATION,
    "loan_above_credit": T1_EXPLANATION,
}


def _in_review_first(qs):
    """Not approved, in review first (what the reviewer's inbox shows), then returned, then drafts."""
    rank = Case(When(status__in=(FilingStatus.SUBMITTED, FilingStatus.CONFIRMED), then=Value(0)),
                When(status=FilingStatus.RETURNED, then=Value(1)), default=Value(2), output_field=IntegerField())
    return qs.exclude(status=FilingStatus.APPROVED).annotate(review_rank=rank)


def _with_previous(filings) -> list[tuple[Filing, Filing]]:
    out = []
    for f in filings:
        previous = selectors.filing_previous_approved(filing=f)
        if previous is not None:
            out.append((f, previous))
    return out


def t1_candidates(*, period: Period) -> list[tuple[Filing, Filing]]:
    """The period's current 附表1s not approved, with their previous approved 附表1, in review first."""
    qs = Filing.objects.filter(period=period, schedule=ScheduleCode.T1, is_current=True).select_related("period", "park__county")
    return _with_previous(_in_review_first(qs).order_by("review_rank", "park__code"))


def t4_candidates(*, period: Period) -> list[tuple[Filing, Filing]]:
    """The period's current 附表4s of banks (not insurers) not approved, with their previous approved 附表4."""
    qs = (Filing.objects.filter(period=period, schedule=ScheduleCode.T4, is_current=True).exclude(branch__institution__type="insurer")
          .select_related("period", "branch__region", "branch__institution"))
    return _with_previous(_in_review_first(qs).order_by("review_rank", "branch__name"))


def _t1_rows_save(filing: Filing, rows: list[dict[str, Any]]) -> None:
    """Store ``rows`` (numbered 1…n, computed columns from the schedule) and rebuild the 附表2."""
    T1Row.objects.filter(filing=filing).delete()
    T1Row.objects.bulk_create([T1Row(filing=filing, **{**r, "row_no": n, **T1.compute(dict(r))}) for n, r in enumerate(rows, start=1)])
    Filing.objects.filter(pk=filing.pk).update(row_count=len(rows))
    t2_rebuild(filing=filing)


def _t1_rows(filing: Filing) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k not in ("id", "filing_id", "row_hash")}
            for r in T1Row.objects.filter(filing=filing).order_by("row_no").values()]


def plant_loan_jump(*, filing: Filing, previous: Filing, count: int = 2) -> list[str]:
    """``count`` enterprises (those with the largest previous 贷款余额 still near it now) whose 贷款余额
    falls to 30 % of the previous approved one. Returns their 统一社会信用代码s."""
    before = dict(T1Row.objects.filter(filing=previous, loan_balance__gt=0).values_list("uscc", "loan_balance"))
    rows = _t1_rows(filing)
    picked = sorted((r for r in rows if before.get(r["uscc"]) and r["loan_balance"] >= before[r["uscc"]] / 2),
                    key=lambda r: (-before[r["uscc"]], r["uscc"]))[:count]
    for r in picked:
        factor = before[r["uscc"]] * LOAN_CUT / r["loan_balance"]
        for key in LOAN_KEYS:
            r[key] = (r[key] * factor).quantize(CENT) if r[key] else r[key]
        r["loan_balance"] = (before[r["uscc"]] * LOAN_CUT).quantize(CENT)
    _t1_rows_save(filing, rows)
    return [r["uscc"] for r in picked]


def plant_credited_drop(*, filing: Filing, previous: Filing) -> list[str]:
    """Leave credited enterprises out of the 附表1 (fewest first: smallest credit) until its
    credited count and its coverage both fall past the thresholds against ``previous``'s 附表2.
    Returns the 统一社会信用代码s left out."""
    limits = quality_selectors.quality_thresholds()
    old = T2Summary.objects.filter(filing=previous).values("credited_count", "credit_coverage").get()
    total = selectors.park_tenants_at(park_id=filing.park_id, on=filing.period.end).count()
    rows = _t1_rows(filing)
    credited = sorted((r for r in rows if r["credit_amount"] > 0), key=lambda r: (r["credit_amount"], r["uscc"]))
    left_out: list[str] = []
    while credited:
        now = len(credited)
        count_fall = (old["credited_count"] - now) * 100 / old["credited_count"] if old["credited_count"] else Decimal(0)
        coverage_fall = old["credit_coverage"] - Decimal(now * 100) / total
        if count_fall > limits["park_credited_drop_share"] + 1 and coverage_fall > limits["park_coverage_drop_points"] + 1:
            break
        left_out.append(credited.pop(0)["uscc"])
    _t1_rows_save(filing, [r for r in rows if r["uscc"] not in set(left_out)])
    return left_out


def plant_narrative_empty(*, filing: Filing) -> None:
    T4Record.objects.filter(filing=filing).update(**{EMPTY_SECTION: ""})


def plant_narrative_repeated(*, filing: Filing, previous: Filing) -> None:
    before = T4Record.objects.filter(filing=previous).values(*REPEATED_SECTIONS).get()
    T4Record.objects.filter(filing=filing).update(**before)


def plant_inclusive_fall(*, candidates: list[Filing]) -> Filing | None:
    """The first candidate whose 普惠型小微企业贷款余额 is not already below its approved year-end:
    set to 90 % of it (the 普惠 balances it contains cut alike)."""
    for filing in candidates:
        year_end = quality_selectors.t4_year_end(filing=filing).values or {}
        record = T4Record.objects.get(filing=filing)
        old, now = year_end.get("inclusive_loan_balance"), record.inclusive_loan_balance
        if not old or not now or now < old:
            continue
        factor = old * INCLUSIVE_CUT / now
        for key in INCLUSIVE_KEYS:
            value = getattr(record, key)
            setattr(record, key, (value * factor).quantize(CENT) if value else value)
        record.inclusive_loan_balance = (old * INCLUSIVE_CUT).quantize(CENT)
        record.save(update_fields=list(INCLUSIVE_KEYS))
        return filing
    return None


def plant_rate_outlier(*, candidates: list[Filing]) -> Filing | None:
    """The candidate with the most approved rates in its city (at least the province's minimum):
    its 入园企业当季新发放贷款加权平均利率 set above the city's median by 1.5 × the z-score limit."""
    limits = quality_selectors.quality_thresholds()
    best, sample = None, []
    for filing in candidates:
        rates = quality_selectors.branch_city_rates(filing=filing)[RATE_KEY]
        if len(rates) >= limits["rate_min_sample"] and len(rates) > len(sample):
            best, sample = filing, rates
    if best is None:
        return None
    centre = median(sample)
    mad = median([abs(r - centre) for r in sample]) or Decimal("0.1")
    value = (centre + limits["rate_z_limit"] * Decimal("1.5") * mad / MAD_SCALE + Decimal("0.5")).quantize(Decimal("0.0001"))
    T4Record.objects.filter(filing=best).update(**{RATE_KEY: min(value, Decimal(36))})
    return best


def _explain(filing: Filing) -> None:
    """A filing in review (or returned) with warnings carries its filer's explanation of each kind."""
    filing.refresh_from_db(fields=["issues", "status", "explanation"])
    codes = list(dict.fromkeys(i.get("code", "") for i in filing.issues))
    text = "".join(EXPLANATIONS[c] for c in codes if c in EXPLANATIONS and EXPLANATIONS[c] not in filing.explanation)
    if text and filing.status != FilingStatus.DRAFT:
        Filing.objects.filter(pk=filing.pk).update(explanation=filing.explanation + text)


def demo_quality_build(*, stdout: IO[str] | None = None) -> dict[str, Any]:
    """Plant the warnings (see the module) on the demo's latest period and check its filings again;
    returns the planted filings (code → filing id) and the stored quality warnings by code."""
    period = Period.objects.get(code=PERIOD_CODES[-1])
    planted: dict[str, Any] = {}
    t1 = t1_candidates(period=period)
    if len(t1) >= 2:
        planted["loan_jump"] = (t1[0][0].pk, plant_loan_jump(filing=t1[0][0], previous=t1[0][1]))
        planted["credited_drop"] = (t1[1][0].pk, plant_credited_drop(filing=t1[1][0], previous=t1[1][1]))
    t4 = t4_candidates(period=period)
    if len(t4) >= 2:
        plant_narrative_empty(filing=t4[0][0])
        plant_narrative_repeated(filing=t4[1][0], previous=t4[1][1])
        planted["narrative_empty"], planted["narrative_repeated"] = t4[0][0].pk, t4[1][0].pk
    rest = [f for f, _ in t4[2:]]
    fall = plant_inclusive_fall(candidates=rest)
    outlier = plant_rate_outlier(candidates=[f for f in rest if f != fall])
    planted.update(inclusive_fall=fall and fall.pk, rate_outlier=outlier and outlier.pk)
    checked = list(Filing.objects.filter(period=period, schedule=ScheduleCode.T4, is_current=True))
    checked += Filing.objects.filter(pk__in=[planted[k][0] for k in ("loan_jump", "credited_drop") if k in planted])
    for filing in checked:
        filing_warnings_refresh(filing=filing)
        _explain(filing)
    counts = Counter(i["code"] for issues in Filing.objects.filter(pk__in=[f.pk for f in checked]).values_list("issues", flat=True)
                     for i in issues if quality.is_quality_code(i.get("code", "")))
    result = {"period": period.code, "planted": planted, "warnings": dict(counts)}
    write(stdout, quality_summary(result))
    return result


def quality_summary(result: dict[str, Any]) -> str:
    """One line of the seed command's summary."""
    counts = result["warnings"]
    kinds = "、".join(f"{LABELS[code]} {counts[code]}" for code in quality.QUALITY_CODES if counts.get(code))
    return f"{result['period']} 历史比对预警 {sum(counts.values())} 条（{kinds or '无'}），在审报表附有报送人的书面说明，审核待办中排在最前。"
