"""The target engine (TARGETS.md): indicators computed from the roll-up summaries, each target's
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
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from banks.choices import InstitutionType
from portal.choices import NINGBO_CODE, ZHEJIANG_CODE
from portal.models import Region
from reports.filings.models import Period, T4Record
from reports.filings.periods import shift_code
from reports.schedules.numbers import ratio, rounded
from reports.summaries.bank_figures import T4_ADDITIVE, T4_RATES, t4_sum
from reports.summaries.models import Summary
from reports.summaries.park_figures import approved_versions
from reports.targets.choices import Earlier
from reports.targets.indicators import (
    INDICATORS,
    NINGBO_LABEL,
    STAR_GROUPS,
    STORE_PLACES,
    Ctx,
    Frame,
    Indicator,
    Panel,
    _summary_panel,
    fmt_number,
    shown,
    to_unit,
)
from reports.targets.models import Target, TargetResult

# --- scopes ---------------------------------------------------------------------------------------

@dataclass
class Scope:
    kind: str
    code: str
    label: str
    frames_at: Callable[[str], Frame | None]
    ningbo: str = ""  # incl / excl for province-wide scopes
    optional: bool = False  # a by-city scope: left out where the city has no park of the group


@dataclass
class Data:
    """Everything a period's evaluation reads, loaded once: block paths of the summaries of the
    period and the periods its thresholds refer to, and the per-branch 附表4 records."""

    period: Period
    province: dict[str, dict] = field(default_factory=dict)  # period code -> province data subset
    cities: dict[str, dict[str, dict]] = field(default_factory=dict)  # period code -> city code -> subset
    city_names: dict[str, str] = field(default_factory=dict)
    branches: dict[str, dict[int, dict]] = field(default_factory=dict)  # period code -> branch id -> T4 sum
    records: dict[str, dict[int, dict]] = field(default_factory=dict)  # period code -> branch id -> T4 record

    def records_at(self, code: str) -> dict[int, dict]:
        return self.records.get(code, {})


PROVINCE_KEYS = ("incl_ningbo", "excl_ningbo", "banks")
GROUP_KEYS = ("total", "by_star", "park_count", "filed_parks", "parks_at_full_coverage", "parks_partner_3_5", "panels")
CITY_KEYS = GROUP_KEYS + ("banks", "city")


def _needed_codes(period: Period) -> list[str]:
    codes = {period.code}
    for kind in Earlier.values:
        codes.add(shift_code(period.code, kind))
    codes |= {shift_code(c, Earlier.PREVIOUS_YEAR_END) for c in list(codes)}
    return sorted(codes)


def _group_only(block: dict | None) -> dict | None:
    return None if block is None else {k: block.get(k) for k in GROUP_KEYS}


def data_load(period: Period) -> Data:
    """Summaries (province and cities) and branch 附表4 sums of the period and its earlier periods,
    in a fixed number of queries; only the blocks the indicators read are fetched."""
    data = Data(period=period)
    codes = _needed_codes(period)
    province_paths = {f"p_{k}": F(f"data__{k}") for k in ("incl_ningbo__total", "incl_ningbo__by_star", "incl_ningbo__panels",
                                                             "excl_ningbo__total", "excl_ningbo__by_star", "excl_ningbo__panels", "banks")}
    scalars = ("park_count", "filed_parks", "parks_at_full_coverage", "parks_partner_3_5")
    for side in ("incl_ningbo", "excl_ningbo"):
        for key in scalars:
            province_paths[f"p_{side}__{key}"] = F(f"data__{side}__{key}")
    for row in (Summary.objects.filter(scope=Summary.Scope.PROVINCE, code=ZHEJIANG_CODE, period__code__in=codes)
                .values("period__code", "built_at", **province_paths)):
        if row["built_at"] is None:
            continue
        subset: dict[str, Any] = {"banks": row["p_banks"] or {}}
        for side in ("incl_ningbo", "excl_ningbo"):
            subset[side] = {"total": row[f"p_{side}__total"], "by_star": row[f"p_{side}__by_star"] or [],
                            "panels": row[f"p_{side}__panels"] or {}, **{k: row[f"p_{side}__{k}"] for k in scalars}}
        data.province[row["period__code"]] = subset
    city_paths = {f"c_{k}": F(f"data__{k}") for k in CITY_KEYS}
    for row in (Summary.objects.filter(scope=Summary.Scope.CITY, period__code__in=codes, built_at__isnull=False)
                .values("period__code", "code", **city_paths)):
        data.cities.setdefault(row["period__code"], {})[row["code"]] = {k: row[f"c_{k}"] for k in CITY_KEYS}
    data.city_names = dict(Region.objects.filter(level="city", province_code=ZHEJIANG_CODE).values_list("code", "name"))
    # per branch: the latest approved 附表4 of each branch at each needed period
    periods = {p.code: p for p in Period.objects.filter(code__in=codes)}
    filing_period: dict[int, str] = {}
    for code, p in periods.items():
        for filing_id, _version in approved_versions(schedule="T4", period=p, branch__region__province_code=ZHEJIANG_CODE).values():
            filing_period[filing_id] = code
    if filing_period:
        records = T4Record.objects.filter(filing_id__in=list(filing_period)).values(
            "filing_id", branch_id=F("filing__branch_id"), branch_name=F("filing__branch__name"),
            city=F("filing__branch__region__code"), type=F("filing__branch__institution__type"), *T4_ADDITIVE, *T4_RATES)
        for rec in records:
            code = filing_period[rec["filing_id"]]
            data.records.setdefault(code, {})[rec["branch_id"]] = rec
            total = t4_sum([rec], by_type=False)
            total.update(branch_id=rec["branch_id"], branch_name=rec["branch_name"], city=rec["city"], type=rec["type"])
            data.branches.setdefault(code, {})[rec["branch_id"]] = total
    return data


def _merge_star_blocks(blocks: list[dict]) -> dict:
    """Several by_star entries as one group block (counts summed, coverages recomputed)."""
    total: dict[str, Any] = defaultdict(int)
    park_count = 0
    for b in blocks:
        park_count += b.get("park_count") or 0
        for key in ("enterprises_total", "filed_count", "credited_count", "loan_count", "first_loan_count"):
            total[key] += b.get(key) or 0
    total = dict(total)
    total["filing_coverage"] = ratio(total.get("filed_count"), total.get("enterprises_total"))
    total["credit_coverage"] = ratio(total.get("credited_count"), total.get("enterprises_total"))
    return {"total": total, "park_count": park_count}


def _star_frame(block: dict | None, group: str) -> Frame | None:
    if not block or not block.get("by_star"):
        return None
    keys = STAR_GROUPS[group][1]
    return Frame(parks=_merge_star_blocks([b for b in block["by_star"] if b["key"] in keys]))


def _side_filter(ningbo: str) -> Callable[[dict], bool]:
    return (lambda r: True) if ningbo == "incl" else (lambda r: r["city"] != NINGBO_CODE)


def _province_frame(subset: dict | None, ningbo: str) -> Frame | None:
    if subset is None:
        return None
    side = "incl_ningbo" if ningbo == "incl" else "excl_ningbo"
    banks = (subset.get("banks") or {}).get(side) or {}
    return Frame(parks=subset.get(side), banks=banks.get("total") or None, ytd=_summary_panel(banks), filers=_side_filter(ningbo))


def _city_frame(subset: dict | None, city: str) -> Frame | None:
    if subset is None:
        return None
    banks = subset.get("banks") or {}
    return Frame(parks=_group_only(subset), banks=banks.get("total") or None, ytd=_summary_panel(banks),
                 filers=lambda r: r["city"] == city)


def _type_frame(subset: dict | None, ningbo: str, type_code: str) -> Frame | None:
    """One institution type of a province side: its sums now and its own 比年初 panel."""
    if subset is None:
        return None
    side = "incl_ningbo" if ningbo == "incl" else "excl_ningbo"
    block = (subset.get("banks") or {}).get(side) or {}

    def pick(total: dict | None) -> dict | None:
        return next((t for t in (total or {}).get("by_type", []) if t["type"] == type_code), None)

    banks = pick(block.get("total"))
    if banks is None:
        return None
    comparable = block.get("comparable") or {}
    now, then = pick(comparable.get("current")), pick(comparable.get("baseline"))
    ytd = None
    if now and then and now.get("filers"):
        coverage = {"comparable": now["filers"], "current": banks.get("filers", 0), "baseline": (pick(block.get("baseline")) or {}).get("filers", 0)}
        ytd = Panel("banks", "previous_year_end", now, then, coverage, coverage["current"] - coverage["comparable"])
    in_side = _side_filter(ningbo)
    return Frame(banks=banks, ytd=ytd, filers=lambda r: r["type"] == type_code and in_side(r))


def _types(value: str) -> list[str]:
    return [t.strip() for t in value.split(",") if t.strip()]


def scopes_for(target: Target, data: Data) -> list[Scope]:
    """The scopes a target is evaluated on at this period. Province-wide scopes (province, star
    group, institution type) are evaluated both 含宁波 and 不含宁波 (the target's own side is its
    official result, the other is for comparison); ``also_by_city`` adds every city; ``institution``
    lists every branch with an approved 附表4 (Ningbo's left out when the target excludes it)."""
    kind, value = target.scope_kind, target.scope_value.strip()
    K = Target.ScopeKind
    scopes: list[Scope] = []

    def city_at(city: str) -> Callable[[str], Frame | None]:
        return lambda code: _city_frame(data.cities.get(code, {}).get(city), city)

    cities = sorted(data.city_names)
    for side in ("incl", "excl"):
        tag = NINGBO_LABEL[side]
        block = "incl_ningbo" if side == "incl" else "excl_ningbo"
        if kind == K.PROVINCE:
            scopes.append(Scope(K.PROVINCE, f"{ZHEJIANG_CODE}:{side}", f"全省（{tag}）",
                                lambda code, side=side: _province_frame(data.province.get(code), side), side))
        elif kind == K.STAR_GROUP:
            label = STAR_GROUPS.get(value, (value, ()))[0]
            scopes.append(Scope(K.STAR_GROUP, f"star:{value}:{side}", f"{label}（{tag}）",
                                lambda code, block=block: _star_frame((data.province.get(code) or {}).get(block), value), side))
        elif kind == K.INSTITUTION_TYPE:
            labels = dict(InstitutionType.choices)
            for t in _types(value) or [t for t in labels if t != InstitutionType.INSURER]:
                scopes.append(Scope(K.INSTITUTION_TYPE, f"type:{t}:{side}", f"{labels.get(t, t)}（{tag}）",
                                    lambda code, t=t, side=side: _type_frame(data.province.get(code), side, t), side))
    if kind == K.CITY:
        scopes += [Scope(K.CITY, c, data.city_names.get(c, c), city_at(c)) for c in ([value] if value else cities)]
    elif kind == K.INSTITUTION:
        wanted = set(_types(value)) or {t for t, _ in InstitutionType.choices if t != InstitutionType.INSURER}
        now = data.branches.get(data.period.code, {})
        for branch_id, rec in sorted(now.items(), key=lambda kv: (kv[1]["city"], kv[1]["branch_name"])):
            if rec["type"] not in wanted or (target.ningbo == "excl" and rec["city"] == NINGBO_CODE):
                continue
            scopes.append(Scope(K.INSTITUTION, f"org:{branch_id}", rec["branch_name"],
                                lambda code, b=branch_id: _branch_frame(data, code, b)))
    if target.also_by_city and kind in (K.PROVINCE, K.STAR_GROUP):
        for c in cities:
            if kind == K.PROVINCE:
                frames_at = city_at(c)
            else:
                frames_at = (lambda city: (lambda code: _star_frame(data.cities.get(code, {}).get(city), value)))(c)
            scopes.append(Scope(K.CITY, c, data.city_names.get(c, c), frames_at, optional=True))
    return scopes


def _branch_frame(data: Data, code: str, branch_id: int) -> Frame | None:
    """One institution: its own 附表4 (a panel of one: comparable when it filed in both periods)."""
    rec = data.branches.get(code, {}).get(branch_id)
    if rec is None:
        return None
    base = data.branches.get(shift_code(code, Earlier.PREVIOUS_YEAR_END), {}).get(branch_id)
    ytd = Panel("banks", "previous_year_end", rec, base, {"comparable": 1, "current": 1, "baseline": 1}) if base else None
    return Frame(banks=rec, ytd=ytd, filers=lambda r: r["branch_id"] == branch_id)


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
        return 0
    data = data_load(period)
    targets = list(Target.objects.select_related("target_set").order_by("target_set__order", "order", "code"))
    rows: list[TargetResult] = []
    for target in targets:
        rows += target_results_for(target, data, now=now)
    with transaction.atomic():
        Period.objects.select_for_update().filter(pk=period.pk).first()
        TargetResult.objects.filter(period=period).delete()
        TargetResult.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def target_results_rebuild_all() -> int:
    return sum(target_results_rebuild(period_id=pk) for pk in Period.objects.filter(is_baseline=False).values_list("pk", flat=True))




def province_summary_built_receiver(sender, *, period_id: int, **kwargs) -> None:
    """Target results are recomputed after every province summary."""
    target_results_rebuild(period_id=period_id)
