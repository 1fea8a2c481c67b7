"""Quality edits against history (issue 16): a figure is valid by the schedule's rules yet unlikely
against what the same subject filed before or what its city files now (FFIEC's validity vs quality
distinction). Each is a warning — the filer explains it in writing before submission (the existing
mechanism), the reviewer sees the previous value beside the new one (in the message and ``value``):

- 附表1: an enterprise's loan balance or credit moving more than a share against its row (same
  统一社会信用代码) in the park's previous approved 附表1 (``history_loan_jump`` / ``history_credit_jump``);
- 附表2 (from the 附表1 rows): the park's credited count or credit coverage dropping against its previous
  approved 附表2 (``history_credited_drop`` / ``history_coverage_drop``);
- 附表4: a 普惠 balance falling against the approved year-end (``history_inclusive_fall``);
- a rate (the park's 附表2 weighted loan rate, the bank's 附表4 rates) outside its city's distribution
  this period: robust z-score on the median / MAD of the approved filings' rates (``history_rate_outlier``);
- 附表4 推进情况: a section empty (``narrative_empty``) or identical to the previous approved quarter's
  (``narrative_repeated``).

Thresholds are data the province edits (``QualityThreshold``, ``quality_selectors.THRESHOLDS``).
Run on every save (``services``) and on submission (``validation.filing_issues``)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable

from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.db.models.lookups import Contains

from reports.filings import quality_selectors as qs
from reports.filings.choices import ScheduleCode
from reports.filings.models import Filing
from reports.schedules import T4, Issue
from reports.schedules.base import nz, warning
from reports.schedules.numbers import amount_text, count_text, growth, median, number_text, pct_text, rate_text, robust_z
from reports.schedules.t2 import t2_compute
from reports.schedules.t4 import RATES, narrative_columns

NARRATIVE_CODES = ("narrative_empty", "narrative_repeated")
# THE codes of these edits: the filing header's count, the inbox's sort, column and filter.
QUALITY_CODES = ("history_loan_jump", "history_credit_jump", "history_credited_drop", "history_coverage_drop",
                 "history_inclusive_fall", "history_rate_outlier", *NARRATIVE_CODES)
ENTERPRISE_FIGURES = (("loan_balance", "贷款余额", "history_loan_jump"), ("credit_amount", "授信金额", "history_credit_jump"))
INCLUSIVE_BALANCES = ("inclusive_loan_balance", "ent_inclusive_balance")


def is_quality_code(code: str) -> bool:
    """A warning of these edits (the reviewer sees their number on the filing's header)."""
    return code in QUALITY_CODES


def quality_q(path: str = "") -> Q:
    """Filings (the Filing at ``path``) whose stored issues hold a warning of these edits. The
    issues' JSON read as text (``"code": "…"`` is how both PostgreSQL's jsonb and SQLite's JSON text
    write a pair; a quote inside a message is escaped, so never matches), one test per code."""
    text = Cast(f"{path}__issues" if path else "issues", output_field=TextField())
    q = Q()
    for code in QUALITY_CODES:
        q |= Q(Contains(text, f'"code": "{code}"'))
    return q


def quality_count(issues: Iterable[dict[str, Any]]) -> int:
    """How many of a filing's stored issues (``Filing.issues``) are quality edits against history."""
    return sum(1 for i in issues if is_quality_code(i.get("code", "")))


def quality_issues(*, filing: Filing, rows: list[dict[str, Any]], narrative: dict[str, str] | None = None,
                   insurer: bool = False) -> list[Issue]:
    """The quality warnings of ``rows`` (stored or about to be saved) of ``filing``. 附表4:
    ``narrative`` overrides the stored 推进情况 for the sections it names (a save in progress)."""
    if filing.period.is_baseline or not rows:
        return []
    limits = qs.quality_thresholds()
    if filing.schedule == ScheduleCode.T1:
        return enterprise_moves(rows=rows, previous=qs.t1_previous_rows(filing=filing), share=limits["enterprise_change_share"]) + \
            park_checks(filing=filing, rows=rows, limits=limits)
    if filing.schedule == ScheduleCode.T4:
        values = rows[0]
        text = {**qs.t4_stored_narrative(filing=filing), **{k: v for k, v in (narrative or {}).items() if v is not None}}
        rates = qs.branch_city_rates(filing=filing)
        out = inclusive_fall(values=values, year_end=qs.t4_year_end(filing=filing), share=limits["bank_inclusive_fall_share"])
        for key in RATES:
            out += rate_outlier(column=key, label=T4.label_of(key), value=values.get(key), sample=rates[key], limits=limits)
        return out + narrative_checks(text=text, previous=qs.t4_previous_narrative(filing=filing), insurer=insurer)
    return []


def _beyond(change: Decimal | None, limit: Decimal) -> bool:
    return change is not None and abs(change) > limit


def enterprise_moves(*, rows: list[dict[str, Any]], previous: qs.Previous, share: Decimal) -> list[Issue]:
    """附表1: each row's loan balance / credit against the same enterprise's previous approved row."""
    out: list[Issue] = []
    for n, row in enumerate(rows, start=1):
        before = previous.values.get(row.get("uscc") or "")
        if before is None:
            continue
        for key, label, code in ENTERPRISE_FIGURES:
            old, new = before.get(key), nz(row.get(key))
            if not old:  # nothing to move from: a new loan is not a jump
                continue
            change = growth(new, old, exact=True)
            if _beyond(change, share):
                message = (f"{label}较{previous.period}（已审核）变动{pct_text(change, signed=True)}：上期 {amount_text(old)}，"
                           f"本期 {amount_text(new)}，超过±{number_text(share)}%，请说明原因")
                out.append(Issue("warning", key, message, code, row=row.get("row_no") or n, name=str(row.get("enterprise_name") or ""),
                                 value=f"{amount_text(new, '')}（上期 {amount_text(old, '')}）"))
    return out


def park_checks(*, filing: Filing, rows: list[dict[str, Any]], limits: dict[str, Decimal]) -> list[Issue]:
    """附表2 as these rows make it: credited count and coverage against the previous approved 附表2,
    and the weighted loan rate against the city's approved parks this period."""
    tenants, total = qs.park_register_now(filing=filing)
    now = t2_compute(rows=rows, enterprises_total=total, partner_bank_count=0, star_rating=filing.park.star_rating, tenants=tenants)
    out: list[Issue] = []
    previous = qs.t2_previous(filing=filing)
    if previous.values:
        old_n, new_n = previous.values["credited_count"], now["credited_count"]
        drop = growth(new_n, old_n, exact=True)
        if drop is not None and -drop > limits["park_credited_drop_share"]:
            out.append(warning("", f"附表2获得授信企业数较{previous.period}（已审核）下降{pct_text(-drop)}：上期 {count_text(old_n)} 户，"
                                   f"本期 {count_text(new_n)} 户，超过{number_text(limits['park_credited_drop_share'])}%，请说明原因",
                               "history_credited_drop", value=f"{count_text(new_n)}（上期 {count_text(old_n)}）"))
        old_c, new_c = previous.values["credit_coverage"], now["credit_coverage"]
        if old_c is not None and new_c is not None and old_c - new_c > limits["park_coverage_drop_points"]:
            out.append(warning("", f"附表2授信覆盖率较{previous.period}（已审核）下降{number_text(old_c - new_c)}个百分点：上期 {pct_text(old_c)}，"
                                   f"本期 {pct_text(new_c)}，超过{number_text(limits['park_coverage_drop_points'])}个百分点，请说明原因",
                               "history_coverage_drop", value=f"{pct_text(new_c)}（上期 {pct_text(old_c)}）"))
    return out + rate_outlier(column="", label="附表2加权平均利率", value=now["weighted_loan_rate"],
                              sample=qs.park_city_rates(filing=filing), limits=limits)


def rate_outlier(*, column: str, label: str, value: Any, sample: list[Decimal], limits: dict[str, Decimal]) -> list[Issue]:
    """A rate whose robust z-score in its city's approved rates this period exceeds the limit."""
    if value is None or len(sample) < max(int(limits["rate_min_sample"]), 1):
        return []
    z = robust_z(value, sample)
    if z is None or abs(z) <= limits["rate_z_limit"]:
        return []
    centre = median(sample)
    message = (f"{label} {rate_text(value)} 偏离本地市同期已审核报表（{len(sample)} 份）的分布：中位数 {rate_text(centre)}，"
               f"稳健Z值 {number_text(z)}，超过±{number_text(limits['rate_z_limit'])}，请说明原因")
    return [warning(column, message, "history_rate_outlier", value=f"{rate_text(value)}（中位数 {rate_text(centre)}）")]


def inclusive_fall(*, values: dict[str, Any], year_end: qs.Previous, share: Decimal) -> list[Issue]:
    """附表4: a 普惠 balance below the approved year-end by more than ``share`` (%)."""
    out: list[Issue] = []
    for key in INCLUSIVE_BALANCES:
        old, new = (year_end.values or {}).get(key), values.get(key)
        if not old or new is None or new >= old:
            continue
        fall = -growth(new, old, exact=True)  # the fall in % of the year-end balance
        if fall > share:
            label = T4.label_of(key)
            out.append(warning(key, f"{label}较{year_end.period}年末（已审核）下降{pct_text(fall)}：年初 {amount_text(old)}，本期 {amount_text(new)}，"
                                    "请说明原因", "history_inclusive_fall", value=f"{amount_text(new, '')}（年初 {amount_text(old, '')}）"))
    return out


def _words(text: Any) -> str:
    return " ".join(str(text or "").split())


def narrative_checks(*, text: dict[str, Any], previous: qs.Previous, insurer: bool) -> list[Issue]:
    """附表4 推进情况: each section empty, or word for word the previous approved quarter's."""
    out: list[Issue] = []
    for col in narrative_columns(insurer=insurer):
        now = _words(text.get(col.key))
        if not now:
            out.append(warning("", f"推进情况“{col.label}”未填写，请填写本季度情况", "narrative_empty"))
        elif previous.values and now == _words(previous.values.get(col.key)):
            out.append(warning("", f"推进情况“{col.label}”与{previous.period}（已审核）完全相同，请填写本季度情况",
                               "narrative_repeated", value=f"与{previous.period}相同"))
    return out
