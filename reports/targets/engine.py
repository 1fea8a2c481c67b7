"""The target engine: indicators computed from the roll-up summaries, each target's
threshold (a number, another indicator, or the same indicator at an earlier period × factor ±
margin) and the stored results.

``target_results_rebuild(period_id=…)`` is called after each roll-up (and by the demo, tests and
benchmarks): it recomputes every target of every set for one period from the ``Summary`` rows of
that period and the earlier periods the thresholds refer to, and replaces the period's
``TargetResult`` rows in one transaction (idempotent). Scopes by institution read the latest
approved 附表4 record of each bank branch (one summary record per branch and quarter, never
ledger rows). Values are stored in the target's unit (亿元, 万户 …; 1亿元 = 10,000万元).

Like for like: every comparison between two periods (比年初 increase and growth, same quarter
last year, the previous quarter, "cost down 0.5 points on the year-end") is computed on the
comparable panel — the filers (or parks) with an approved filing in BOTH periods
(``bank_figures.t4_panel``; the 比年初 panel is the one stored in the summary, the others are built
here from the same per-branch records with the same function). The result's note says the
panel's coverage. A status is judged on unrounded values; the stored figures are rounded half-up
(``schedules.numbers``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from portal import generation
from reports.filings.models import Period
from reports.filings.periods import shift_code
from reports.schedules.numbers import rounded
from reports.targets.choices import Earlier
from reports.targets.indicators import (
    INDICATORS,
    STORE_PLACES,
    Ctx,
    Frame,
    Indicator,
    fmt_number,
    shown,
    to_unit,
)
from reports.targets.models import Target, TargetResult
from reports.targets.scopes import Data, data_load, scopes_for

# --- evaluation -----------------------------------------------------------------------------------

@dataclass
class Outcome:
    actual: Decimal | None
    threshold: Decimal | None
    basis: str
    status: str
    gap: Decimal | None = None
    pace: Decimal | None = None
    quarters_left: int | None = None
    note: str = ""


def _with_adjustment(base: Decimal, target: Target) -> Decimal:
    """base × factor ± margin, unrounded."""
    return base * Decimal(target.threshold_factor) + Decimal(target.threshold_margin)


def _adjust_text(target: Target) -> str:
    text = ""
    factor, margin = Decimal(target.threshold_factor), Decimal(target.threshold_margin)
    if factor != 1:
        text += f" × {fmt_number(factor)}"
    if margin > 0:
        text += f" + {fmt_number(margin)}"
    elif margin < 0:
        text += f" − {fmt_number(-margin)}"
    return text


def quarters_between_dates(start: dt.date, end: dt.date) -> int:
    """How many quarter-ends fall after ``start`` up to and including ``end``."""
    return max(0, (end.year * 4 + (end.month - 1) // 3) - (start.year * 4 + (start.month - 1) // 3))


def _earlier_pair(indicator: Indicator, ctx: Ctx, kind: str) -> tuple[Decimal | None, Decimal | None]:
    """An indicator now and at an earlier period on the comparable panel: the same banks (or the
    same parks) in both periods — never the whole set now against the whole set then."""
    if indicator.source == "banks":
        panel = ctx.bank_panel(kind)
        if panel is None:
            return indicator.fn(ctx), None
        return (indicator.fn(ctx.with_frame(Frame(banks=panel.current))),
                indicator.fn(ctx.with_frame(Frame(banks=panel.baseline))))
    panel = ctx.park_panel(kind)
    if panel is None:
        return indicator.fn(ctx), None
    return (indicator.fn(ctx.with_frame(Frame(parks={"total": panel.current}))),
            indicator.fn(ctx.with_frame(Frame(parks={"total": panel.baseline}))))


def evaluate(target: Target, ctx: Ctx, period: Period) -> Outcome:
    """One target on one scope at one period. The status is judged on unrounded values; actual,
    threshold and gap are stored rounded (half-up) as the dashboards show them."""
    indicator = INDICATORS.get(target.indicator)
    if indicator is None:
        return Outcome(None, None, "", TargetResult.Status.NO_DATA, note="指标未定义")
    unit = target.unit
    basis, threshold = "", None
    if target.threshold_kind == Target.ThresholdKind.EARLIER:
        code = shift_code(period.code, target.earlier)
        now, base = _earlier_pair(indicator, ctx, target.earlier)
        actual = to_unit(now, unit)
        base = to_unit(base, unit)
        label = Earlier(target.earlier).label
        basis = f"{label}（{code}）{_adjust_text(target)}"
        if base is not None:
            threshold = _with_adjustment(base, target)
            basis = f"{label}（{code}）{fmt_number(shown(base, unit, indicator))}{unit}{_adjust_text(target)}"
    else:
        actual = to_unit(indicator.fn(ctx), unit)
        if target.threshold_kind == Target.ThresholdKind.NUMBER:
            threshold = None if target.threshold_value is None else Decimal(target.threshold_value)
            basis = "固定目标"
        elif target.threshold_kind == Target.ThresholdKind.INDICATOR:
            other = INDICATORS.get(target.threshold_indicator)
            base = to_unit(other.fn(ctx), unit) if other else None
            basis = f"{other.label if other else target.threshold_indicator}{_adjust_text(target)}"
            if base is not None:
                threshold = _with_adjustment(base, target)
                basis = f"{other.label} {fmt_number(shown(base, unit, other))}{unit}{_adjust_text(target)}"
    note = "；".join(p.describe() for p in ctx.used)[:300]
    shown_actual = shown(actual, unit, indicator)
    if actual is None or threshold is None:
        missing = "实际值" if actual is None else "对比值"
        text = f"{missing}暂无数据" + (f"（{note}）" if note else "")
        return Outcome(shown_actual, shown(threshold, unit, indicator), basis, TargetResult.Status.NO_DATA, note=text[:300])
    if target.comparator in (Target.Comparator.GE, Target.Comparator.GT):
        exact_gap = actual - threshold
    else:
        exact_gap = threshold - actual
    strict = target.comparator in (Target.Comparator.GT, Target.Comparator.LT)
    met = exact_gap > 0 if strict else exact_gap >= 0  # judged unrounded
    shown_threshold = shown(threshold, unit, indicator)
    gap = shown_actual - shown_threshold if target.comparator in (Target.Comparator.GE, Target.Comparator.GT) else shown_threshold - shown_actual
    outcome = Outcome(shown_actual, shown_threshold, basis, TargetResult.Status.MET if met else TargetResult.Status.UNMET, gap=gap, note=note)
    due = target.effective_due_date
    if not met and due is not None and period.end < due:
        outcome.quarters_left = quarters_between_dates(period.end, due)
        if outcome.quarters_left:
            outcome.pace = rounded(-gap / outcome.quarters_left, STORE_PLACES)
    return outcome


def target_results_for(target: Target, data: Data, *, now: dt.datetime) -> list[TargetResult]:
    period = data.period
    if not target.applicable:
        return [TargetResult(target=target, period=period, scope_kind=target.scope_kind, scope_code="-", scope_label="—",
                             status=TargetResult.Status.NOT_APPLICABLE, note=target.not_applicable_reason[:300], computed_at=now)]
    out = []
    indicator = INDICATORS.get(target.indicator)
    for scope in scopes_for(target, data):
        frame = scope.frames_at(period.code)
        if scope.optional and indicator is not None and indicator.source == "parks" and not (frame and frame.parks and frame.parks.get("park_count")):
            continue  # e.g. a city without four- or five-star parks
        if frame is None:
            res = Outcome(None, None, "", TargetResult.Status.NO_DATA, note="尚无汇总数据")
        else:
            res = evaluate(target, Ctx(frame, period.code, scope.frames_at, data.records_at), period)
        out.append(TargetResult(target=target, period=period, scope_kind=scope.kind, scope_code=scope.code, scope_label=scope.label[:100],
                                ningbo=scope.ningbo, is_official=scope.ningbo in ("", target.ningbo),
                                actual=res.actual, threshold=res.threshold, basis=res.basis[:200], gap=res.gap, pace=res.pace,
                                quarters_left=res.quarters_left, status=res.status, note=res.note, computed_at=now))
    return out


def target_results_rebuild(*, period_id: int) -> int:
    """Recompute and store every target's results for one period from its summaries (idempotent:
    the period's rows are replaced in one transaction, serialised by a lock on the period row)."""
    period = Period.objects.get(pk=period_id)
    now = timezone.now()
    if period.is_baseline:
        TargetResult.objects.filter(period=period).delete()
        generation.bump()
        return 0
    data = data_load(period)
    targets = list(Target.objects.select_related("target_set").order_by("target_set__order", "order", "code"))
    rows: list[TargetResult] = []
    for target in targets:
        rows += target_results_for(target, data, now=now)
    with transaction.atomic():
        Period.objects.select_for_update().filter(pk=period.pk).first()
        _results_delete(period_id=period.pk)
        TargetResult.objects.bulk_create(rows, batch_size=1000)
        generation.bump()  # bulk writes send no post_save: the dashboards' prepared pages are unreachable now
    return len(rows)


def _results_delete(*, period_id: int) -> None:
    """The period's results in one statement (nothing refers to a result; no ``post_delete`` per
    row: the caller bumps the generation once)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(TargetResult._meta.db_table)} WHERE period_id = %s", [period_id])


def target_results_rebuild_all() -> int:
    return sum(target_results_rebuild(period_id=pk) for pk in Period.objects.filter(is_baseline=False).values_list("pk", flat=True))




def province_summary_built_receiver(sender, *, period_id: int, **kwargs) -> None:
    """Target results are recomputed after every province summary."""
    target_results_rebuild(period_id=period_id)
