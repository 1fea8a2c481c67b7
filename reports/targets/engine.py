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
(``rollups.t4_panel``; the 比年初 panel is the one stored in the summary, the others are built
here from the same per-branch records with the same function). The result's note says the
panel's coverage. A status is judged on unrounded values; the stored figures are rounded half-up
(``schedules.numbers``).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from banks.choices import InstitutionType
from portal.choices import NINGBO_CODE, ZHEJIANG_CODE

from reports.filings.models import Period, T4Record
from reports.summaries.models import Summary
from reports.targets.models import Target, TargetResult, TargetSet
from reports.filings.periods import shift_code
from reports.summaries.rollups import RATE_WEIGHTS, T4_ADDITIVE, T4_RATES, T4_RATIOS, approved_versions, t4_panel, t4_sum
from reports.schedules.numbers import PCT_PLACES, RATE_PLACES, growth, ratio, rounded, weighted

STORE_PLACES = 4  # TargetResult keeps 4 decimals
STAR_GROUPS = {"45": ("四星、五星级园区", ("5", "4")), "5": ("五星级园区", ("5",)), "4": ("四星级园区", ("4",)),
               "3": ("三星级园区", ("3",)), "other": ("其他星级园区", ("other",))}
# display unit -> how many native units (万元, 户) one display unit holds
UNIT_FACTOR = {"亿元": Decimal(10000), "万户": Decimal(10000)}
NINGBO_LABEL = {"incl": "含宁波", "excl": "不含宁波"}
EARLIER_LABEL = {"previous_quarter": "上季末", "previous_year_end": "上年末", "same_quarter_last_year": "上年同期"}
# ratios of the T2 totals, recomputed exactly from their counts (the stored ones are rounded)
PARK_RATIOS = {"filing_coverage": ("filed_count", "enterprises_total"), "credit_coverage": ("credited_count", "enterprises_total")}


def dec(value: Any) -> Decimal | None:
    """A JSON number or numeric string as a Decimal (None stays None)."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


# --- frames: what one scope looks like at one period --------------------------------------------

@dataclass
class Panel:
    """The same filers (bank branches) or parks at two periods: their sums now and then, and how
    many they are (``coverage``: comparable / current / baseline, and for 附表4 the expected)."""

    source: str  # banks | parks
    kind: str  # previous_year_end | same_quarter_last_year | previous_quarter
    current: dict
    baseline: dict
    coverage: dict
    new_filers: int = 0

    def describe(self) -> str:
        cov = self.coverage
        label = EARLIER_LABEL.get(self.kind, "")
        if self.source == "parks":
            return (f"与{label}比较按可比园区口径：{cov.get('comparable', 0)} / {cov.get('current', 0)} 个园区可比"
                    f"（{label}已审核 {cov.get('baseline', 0)} 个）")
        text = (f"与{label}比较按可比机构口径：{cov.get('comparable', 0)} / {cov.get('current', 0)} 家机构可比"
                f"（{label}已审核 {cov.get('baseline', 0)} 家）")
        if self.new_filers:
            text += f"；新填报机构 {self.new_filers} 家单列，不计入增减"
        if cov.get("expected"):
            text += f"；本期附表4已审核 {cov.get('current', 0)} / 应报 {cov['expected']}"
        return text


def _summary_panel(block: dict | None, kind: str = "previous_year_end") -> Panel | None:
    """The 比年初 panel a summary's 附表4 block stores (``rollups.banks_block``)."""
    if not block or not block.get("comparable") or not (block.get("coverage") or {}).get("comparable"):
        return None
    comparable = block["comparable"]
    return Panel("banks", kind, comparable.get("current") or {}, comparable.get("baseline") or {}, block.get("coverage") or {},
                 len(block.get("new_filers") or []))


@dataclass
class Frame:
    """One scope at one period: a park group block of a summary (``total``, ``by_star``,
    ``park_count``, ``panels`` …), its banks' 附表4 sums (every approved filer: levels), the 比年初
    panel of those banks, and which per-branch 附表4 records belong to the scope (for the other
    like-for-like comparisons)."""

    parks: dict | None = None
    banks: dict | None = None
    ytd: Panel | None = None
    filers: Callable[[dict], bool] | None = None


@dataclass
class Ctx:
    """What an indicator sees: the frame now, the same scope at earlier periods, and the per-branch
    附表4 records (period code → branch id → record) for the comparable panels. ``used`` collects
    the panels an evaluation relied on (their coverage goes into the result's note)."""

    frame: Frame
    period_code: str
    frames_at: Callable[[str], Frame | None]
    records_at: Callable[[str], dict] = lambda code: {}
    used: list = field(default_factory=list)

    def earlier(self, kind: str) -> Frame | None:
        return self.frames_at(shift_code(self.period_code, kind))

    def bank_panel(self, kind: str) -> Panel | None:
        """This scope's banks now and at an earlier period, on the filers approved in both."""
        panel = None
        if kind == Target.Earlier.PREVIOUS_YEAR_END and self.frame.ytd is not None:
            panel = self.frame.ytd
        elif self.frame.filers is not None:
            pick = self.frame.filers
            now = [r for r in self.records_at(self.period_code).values() if pick(r)]
            then = [r for r in self.records_at(shift_code(self.period_code, kind)).values() if pick(r)]
            if now and then:
                p = t4_panel(now, then)
                if p["coverage"]["comparable"]:
                    panel = Panel("banks", kind, p["comparable"]["current"], p["comparable"]["baseline"], p["coverage"], len(p["new_filers"]))
        if panel is not None and panel not in self.used:
            self.used.append(panel)
        return panel

    def park_panel(self, kind: str) -> Panel | None:
        """This scope's parks now and at an earlier period, on the parks with an approved 附表1 in both."""
        block = ((self.frame.parks or {}).get("panels") or {}).get(kind)
        if not block or not (block.get("coverage") or {}).get("comparable"):
            return None
        panel = Panel("parks", kind, block.get("current") or {}, block.get("baseline") or {}, block["coverage"])
        if panel not in self.used:
            self.used.append(panel)
        return panel

    def with_frame(self, frame: Frame) -> Ctx:
        return Ctx(frame, self.period_code, self.frames_at, self.records_at, self.used)


# --- indicators -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Indicator:
    """``fn`` gives the unrounded value in the native unit; ``places``: the decimals it is shown
    and stored with when its unit is % (2 for ratios and growth rates, 4 for interest rates)."""

    label: str
    unit: str  # native unit: % / 万元 / 户 / 个
    fn: Callable[[Ctx], Decimal | None]
    source: str  # parks (附表1/2/3 roll-ups) or banks (附表4 roll-ups)
    places: int = PCT_PLACES


def park_value(total: dict | None, key: str) -> Decimal | None:
    """A figure of a T2-shaped total; coverages recomputed unrounded from their counts."""
    if not total:
        return None
    if key in PARK_RATIOS:
        num, den = PARK_RATIOS[key]
        return ratio(total.get(num), total.get(den), exact=True)
    return dec(total.get(key))


def bank_value(banks: dict | None, key: str) -> Decimal | None:
    """A figure of a 附表4 sum; ratios and weighted rates recomputed unrounded from their sums."""
    if not banks:
        return None
    if key in T4_RATIOS:
        num, den = T4_RATIOS[key]
        return ratio(banks.get(num), banks.get(den), exact=True) if num in banks else dec(banks.get(key))
    weights = (banks.get(RATE_WEIGHTS) or {}).get(key)
    if weights:
        return weighted(dec(weights[0]), dec(weights[1]), exact=True)
    return dec(banks.get(key))


def _park_total(key: str) -> Callable[[Ctx], Decimal | None]:
    def fn(ctx: Ctx) -> Decimal | None:
        parks = ctx.frame.parks
        return park_value(parks.get("total"), key) if parks else None
    return fn


def _park_share(count_key: str) -> Callable[[Ctx], Decimal | None]:
    def fn(ctx: Ctx) -> Decimal | None:
        parks = ctx.frame.parks
        if not parks or parks.get(count_key) is None or not parks.get("park_count"):
            return None
        return ratio(parks[count_key], parks["park_count"], exact=True)
    return fn


def _first_loan_share(ctx: Ctx) -> Decimal | None:
    parks = ctx.frame.parks
    if not parks or not parks.get("total"):
        return None
    total = parks["total"]
    return ratio(total.get("first_loan_count"), total.get("loan_count"), exact=True)


def _bank(key: str) -> Callable[[Ctx], Decimal | None]:
    def fn(ctx: Ctx) -> Decimal | None:
        return bank_value(ctx.frame.banks, key)
    return fn


def _panel_values(ctx: Ctx, key: str, kind: str) -> tuple[Decimal, Decimal] | None:
    panel = ctx.bank_panel(kind)
    if panel is None:
        return None
    now, then = bank_value(panel.current, key), bank_value(panel.baseline, key)
    return None if now is None or then is None else (now, then)


def _ytd_increase(key: str) -> Callable[[Ctx], Decimal | None]:
    """比年初新增 on the comparable panel (filers approved now and at the previous year-end)."""
    def fn(ctx: Ctx) -> Decimal | None:
        values = _panel_values(ctx, key, Target.Earlier.PREVIOUS_YEAR_END)
        return None if values is None else values[0] - values[1]
    return fn


def _ytd_growth(key: str) -> Callable[[Ctx], Decimal | None]:
    def fn(ctx: Ctx) -> Decimal | None:
        values = _panel_values(ctx, key, Target.Earlier.PREVIOUS_YEAR_END)
        return None if values is None else growth(*values, exact=True)
    return fn


def _yoy_growth(key: str) -> Callable[[Ctx], Decimal | None]:
    def fn(ctx: Ctx) -> Decimal | None:
        values = _panel_values(ctx, key, Target.Earlier.SAME_QUARTER_LAST_YEAR)
        return None if values is None else growth(*values, exact=True)
    return fn


INDICATORS: dict[str, Indicator] = {
    # parks: 附表2/3 roll-ups
    "parks_full_filing_share": Indicator("分类建档全覆盖园区占比", "%", _park_share("parks_at_full_coverage"), "parks"),
    "filing_coverage": Indicator("入园企业分类建档覆盖率", "%", _park_total("filing_coverage"), "parks"),
    "credit_coverage": Indicator("入园企业授信覆盖率", "%", _park_total("credit_coverage"), "parks"),
    "partner_3_5_share": Indicator("伙伴银行3–5家的园区占比", "%", _park_share("parks_partner_3_5"), "parks"),
    "first_loan_share": Indicator("园区首贷户占贷款户比例", "%", _first_loan_share, "parks"),
    # banks: 附表4 roll-ups
    "inclusive_loan_balance": Indicator("普惠型小微企业贷款余额", "万元", _bank("inclusive_loan_balance"), "banks"),
    "inclusive_loan_increase": Indicator("普惠型小微企业贷款较年初新增", "万元", _ytd_increase("inclusive_loan_balance"), "banks"),
    "inclusive_loan_growth_ytd": Indicator("普惠型小微企业贷款较年初增速", "%", _ytd_growth("inclusive_loan_balance"), "banks"),
    "all_loan_growth_ytd": Indicator("各项贷款较年初增速", "%", _ytd_growth("all_loan_balance"), "banks"),
    "inclusive_loan_growth_yoy": Indicator("普惠型小微企业贷款同比增速", "%", _yoy_growth("inclusive_loan_balance"), "banks"),
    "inclusive_loan_count": Indicator("普惠型小微企业有贷款余额户数", "户", _bank("inclusive_loan_count"), "banks"),
    "inclusive_financing_cost": Indicator("普惠型小微企业综合融资成本", "%", _bank("inclusive_financing_cost"), "banks", RATE_PLACES),
    "inclusive_new_loan_rate": Indicator("新发放普惠型小微企业贷款加权平均利率", "%", _bank("inclusive_new_loan_rate"), "banks", RATE_PLACES),
    "sme_loan_balance": Indicator("小微企业贷款余额", "万元", _bank("sme_loan_balance"), "banks"),
    "sme_renewal_balance": Indicator("小微企业无还本续贷余额", "万元", _bank("sme_renewal_balance"), "banks"),
    "sme_renewal_count": Indicator("小微企业无还本续贷户数", "户", _bank("sme_renewal_count"), "banks"),
    "inclusive_renewal_balance": Indicator("普惠型小微企业无还本续贷余额", "万元", _bank("inclusive_renewal_balance"), "banks"),
    "inclusive_renewal_share": Indicator("普惠型无还本续贷余额占普惠型贷款余额比例", "%", _bank("inclusive_renewal_share"), "banks"),
    "sme_credit_loan_balance": Indicator("小微企业信用贷款余额", "万元", _bank("sme_credit_loan_balance"), "banks"),
    "credit_loan_share": Indicator("信用贷款占小微企业贷款比例", "%", _bank("credit_loan_share"), "banks"),
    "npl_ratio": Indicator("各项贷款不良率", "%", _bank("npl_ratio"), "banks"),
    "inclusive_npl_ratio": Indicator("普惠型小微企业贷款不良率", "%", _bank("inclusive_npl_ratio"), "banks"),
    "private_share": Indicator("民营企业贷款占企业贷款比重", "%", _bank("private_share"), "banks"),
}


def to_unit(value: Decimal | None, unit: str) -> Decimal | None:
    """A native value (万元, 户, %) in the target's display unit, unrounded."""
    if value is None:
        return None
    return Decimal(value) / UNIT_FACTOR.get(unit, Decimal(1))


def shown(value: Decimal | None, unit: str, indicator: Indicator | None = None) -> Decimal | None:
    """A value in the target's unit as stored and shown: % with the indicator's decimals (2 for
    ratios and growth rates, 4 for interest rates), other units 4 decimals; half-up."""
    places = (indicator.places if indicator else PCT_PLACES) if unit == "%" else STORE_PLACES
    return rounded(value, places)


def fmt_number(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


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
    for kind in Target.Earlier.values:
        codes.add(shift_code(period.code, kind))
    codes |= {shift_code(c, Target.Earlier.PREVIOUS_YEAR_END) for c in list(codes)}
    return sorted(codes)


def _group_only(block: dict | None) -> dict | None:
    return None if block is None else {k: block.get(k) for k in GROUP_KEYS}


def data_load(period: Period) -> Data:
    """Summaries (province and cities) and branch 附表4 sums of the period and its earlier periods,
    in a fixed number of queries; only the blocks the indicators read are fetched."""
    from portal.models import Region

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
    base = data.branches.get(shift_code(code, Target.Earlier.PREVIOUS_YEAR_END), {}).get(branch_id)
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
        label = Target.Earlier(target.earlier).label
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


def default_target_set() -> TargetSet | None:
    return TargetSet.objects.filter(is_default=True).first() or TargetSet.objects.order_by("order", "code").first()


# --- the four target sets of TARGETS.md -----------------------------------------------------------

def _t(code: str, name: str, clause: str, indicator: str = "", *, cmp: str = ">=", kind: str = "number", value: Any = None,
       other: str = "", earlier: str = "", factor: Any = 1, margin: Any = 0, unit: str = "%", scope: str = "province",
       scope_value: str = "", ningbo: str = "excl", by_city: bool = False, na: str = "", notes: str = "") -> dict[str, Any]:
    return {"code": code, "name": name, "source_clause": clause, "indicator": indicator, "comparator": cmp,
            "threshold_kind": kind, "threshold_value": None if value is None else Decimal(str(value)),
            "threshold_indicator": other, "earlier": earlier, "threshold_factor": Decimal(str(factor)),
            "threshold_margin": Decimal(str(margin)), "unit": unit, "scope_kind": scope, "scope_value": scope_value,
            "ningbo": ningbo, "also_by_city": by_city, "applicable": not na, "not_applicable_reason": na, "notes": notes}


ZJ_CLAUSE_1 = "二（一）……力争2020年末实现辖内小微企业园分类建档全覆盖。"
ZJ_CLAUSE_2 = ("二（一）……力争对省级部门认定的四星、五星级小微企业园的入园企业授信比例达到70%以上，三星级园区达到60%以上，"
               "其他星级园区达到50%以上。")
ZJ_CLAUSE_RENEWAL = ("二（八）力争2020年末，辖内小微企业无还本续贷余额超过3000亿元、户数超过25万户；其中，普惠型小微企业无还本续贷余额"
                     "超过2000亿元，普惠型小微企业无还本续贷余额占普惠型小微企业贷款余额超过10%。")
ZJ_CLAUSE_CREDIT = "二（九）力争2020年末，辖内小微企业信用贷款余额超过4500亿元，余额占小微企业贷款占比超过12%。"
ZJ_CLAUSE_GOAL = ("一、……普惠型小微企业贷款较年初增速不低于各项贷款较年初增速。力争2020年辖内新增普惠型小微企业贷款3500亿元以上，"
                  "普惠型小微企业贷款综合融资成本降低0.5个百分点以上。")
NOT_COLLECTED = "附表1–5未采集"

TARGET_SETS: list[dict[str, Any]] = [
    {
        "code": "ZJ2020", "name": "浙江省进一步深化“4+1”小微金融工作行动方案", "order": 1, "is_default": True,
        "source_document": "浙银保监发〔2020〕15号", "region_note": "浙江省", "due_date": dt.date(2020, 12, 31),
        "issuer": "浙江银保监局、省经信厅、省科技厅、省商务厅、省市场监管局、省地方金融监管局",
        "notes": ("园区数量口径含宁波（第一批505个含宁波83个，第二、三批272个含宁波33个；数字化示范园区21个、试点园区31个，试点含宁波4个），"
                  "“辖内”信贷目标为浙江银保监局辖内，不含宁波。"),
        "targets": [
            _t("ZJ2020-01", "小微企业园分类建档全覆盖", ZJ_CLAUSE_1, "parks_full_filing_share", value=100, ningbo="incl", by_city=True,
               notes="建档覆盖率达到100%的园区占园区总数的比例；未报送附表1的园区计为未覆盖。"),
            _t("ZJ2020-02", "四星、五星级园区入园企业授信比例≥70%", ZJ_CLAUSE_2, "credit_coverage", value=70, scope="star_group",
               scope_value="45", ningbo="incl", by_city=True, notes="四星、五星级园区获得授信企业数之和 ÷ 入园企业数之和。"),
            _t("ZJ2020-03", "三星级园区入园企业授信比例≥60%", ZJ_CLAUSE_2, "credit_coverage", value=60, scope="star_group",
               scope_value="3", ningbo="incl", by_city=True),
            _t("ZJ2020-04", "其他星级园区入园企业授信比例≥50%", ZJ_CLAUSE_2, "credit_coverage", value=50, scope="star_group",
               scope_value="other", ningbo="incl", by_city=True, notes="二星、一星及未评定星级的园区。"),
            _t("ZJ2020-05", "每个园区伙伴银行3–5家", "浙银保监发〔2019〕164号 四：……原则上同一小微工业园对接服务银行3-5家。"
               "（本方案二（七）深化“伙伴银行”建设）", "partner_3_5_share", value=100, ningbo="incl", by_city=True,
               notes="期末有效伙伴银行关系为3–5家的园区占园区总数的比例。"),
            _t("ZJ2020-06", "新增普惠型小微企业贷款3500亿元以上", ZJ_CLAUSE_GOAL, "inclusive_loan_increase", value=3500, unit="亿元",
               notes="普惠型小微企业贷款余额 − 上年末余额（附表4合计，不含宁波）。"),
            _t("ZJ2020-07", "普惠型小微企业贷款较年初增速不低于各项贷款较年初增速", ZJ_CLAUSE_GOAL, "inclusive_loan_growth_ytd",
               kind="indicator", other="all_loan_growth_ytd", by_city=True),
            _t("ZJ2020-08", "普惠型小微企业贷款综合融资成本降低0.5个百分点以上", ZJ_CLAUSE_GOAL, "inclusive_financing_cost", cmp="<=",
               kind="earlier_period", earlier="previous_year_end", margin=-0.5, by_city=True,
               notes="按普惠型小微企业贷款余额加权的综合融资成本，与上年末比较。"),
            _t("ZJ2020-09", "小微企业无还本续贷余额超过3000亿元", ZJ_CLAUSE_RENEWAL, "sme_renewal_balance", cmp=">", value=3000, unit="亿元"),
            _t("ZJ2020-10", "小微企业无还本续贷户数超过25万户", ZJ_CLAUSE_RENEWAL, "sme_renewal_count", cmp=">", value=25, unit="万户"),
            _t("ZJ2020-11", "普惠型小微企业无还本续贷余额超过2000亿元", ZJ_CLAUSE_RENEWAL, "inclusive_renewal_balance", cmp=">", value=2000,
               unit="亿元"),
            _t("ZJ2020-12", "普惠型无还本续贷余额占普惠型贷款余额超过10%", ZJ_CLAUSE_RENEWAL, "inclusive_renewal_share", cmp=">", value=10,
               by_city=True),
            _t("ZJ2020-13", "小微企业信用贷款余额超过4500亿元", ZJ_CLAUSE_CREDIT, "sme_credit_loan_balance", cmp=">", value=4500, unit="亿元"),
            _t("ZJ2020-14", "信用贷款占小微企业贷款比例超过12%", ZJ_CLAUSE_CREDIT, "credit_loan_share", cmp=">", value=12, by_city=True),
            _t("ZJ2020-15", "提高首贷户占比", "二（六）……做到“三个提高”：提高有效走访对接比例，提高首贷户占比，提高省金融综合服务平台线上对接率。",
               "first_loan_share", cmp=">", kind="earlier_period", earlier="same_quarter_last_year", by_city=True,
               notes="园区台帐中当年首贷户数 ÷ 贷款户数，与上年同期比较。"),
            _t("ZJ2020-16", "提高有效走访对接比例和省金融综合服务平台线上对接率",
               "二（六）……提高有效走访对接比例，……提高省金融综合服务平台线上对接率。",
               na=f"{NOT_COLLECTED}“百行进万企”走访对接和省金融综合服务平台线上对接数据。"),
            _t("ZJ2020-17", "新增“无贷户”银担合作监测考核", "二（五）……重点针对新增“无贷户”银担合作情况加大监测考核力度。",
               na=f"{NOT_COLLECTED}政府性融资担保（银担合作）贷款数据。"),
        ],
    },
    {
        "code": "JY2022", "name": "济源示范区金融业高质量服务小微企业的指导意见", "order": 2,
        "source_document": "济管财金〔2022〕25号", "region_note": "河南省济源示范区（按本平台逐家机构口径监测）",
        "due_date": dt.date(2022, 12, 31), "issuer": "济源示范区财政金融局、人民银行济源市中心支行、河南银保监局济源监管组",
        "notes": "逐家银行机构（地市一级管理机构）评估，不含保险机构。",
        "targets": [
            _t("JY2022-01", "“两增”：普惠型小微企业贷款增速不低于各项贷款增速", "一（一）……普惠型小微企业贷款实现增速和有余额户数“两增”。",
               "inclusive_loan_growth_ytd", kind="indicator", other="all_loan_growth_ytd", scope="institution", ningbo="incl",
               notes="较年初增速。"),
            _t("JY2022-02", "“两增”：有贷款余额户数不低于年初", "一（一）……普惠型小微企业贷款实现增速和有余额户数“两增”。",
               "inclusive_loan_count", kind="earlier_period", earlier="previous_year_end", unit="户", scope="institution", ningbo="incl"),
            _t("JY2022-03", "新发放普惠型小微企业贷款利率稳中有降",
               "一（二）……确保2022年新发放的普惠型小微企业贷款利率在2021年基础上继续保持稳中有降。", "inclusive_new_loan_rate", cmp="<=",
               kind="earlier_period", earlier="same_quarter_last_year", scope="institution", ningbo="incl"),
            _t("JY2022-04", "普惠型小微企业贷款不良率不高于各项贷款不良率3个百分点以内",
               "三（二）……严格执行“普惠型小微企业贷款不良率不高于各项贷款不良率3个百分点以内”的容忍度标准。", "inclusive_npl_ratio",
               cmp="<=", kind="indicator", other="npl_ratio", margin=3, scope="institution", ningbo="incl"),
            _t("JY2022-05", "普惠金融类指标权重占比在10%以上", "三（三）……内部绩效考核“普惠金融类指标权重占比在10%以上”。",
               scope="institution", na=f"{NOT_COLLECTED}银行内部绩效考核指标权重。"),
            _t("JY2022-06", "内部转移定价（FTP）优惠力度不低于50个基点", "三（三）……“内部转移定价(FTP)优惠力度不低于50个基点”的要求执行到位。",
               scope="institution", na=f"{NOT_COLLECTED}内部资金转移定价（FTP）数据。"),
            _t("JY2022-07", "完成全年普惠型小微企业信贷计划", "一（一）……同时完成全年制定的普惠型小微企业信贷计划。",
               scope="institution", na=f"{NOT_COLLECTED}各机构普惠型小微企业信贷计划。"),
        ],
    },
    {
        "code": "ZH2022", "name": "镇海区“双创”普惠金融专项行动实施方案", "order": 3,
        "source_document": "宁波市镇海区人民政府办公室 2020年10月26日印发", "region_note": "宁波市镇海区（按宁波市口径监测）",
        "due_date": dt.date(2022, 12, 31), "issuer": "宁波市镇海区人民政府办公室",
        "notes": "镇海区为县级区域，附表4按地市报送：以宁波市（计划单列市）汇总口径监测；“年均”目标按同比监测。",
        "targets": [
            _t("ZH2022-01", "民营企业贷款占全部企业贷款比重保持在65%以上", "二……力争到2022年末民营企业贷款占全部企业贷款的比重保持在65%以上。",
               "private_share", value=65, scope="city", scope_value=NINGBO_CODE),
            _t("ZH2022-02", "普惠小微贷款年均增速达30%以上", "二……普惠小微贷款年均增速达30%以上。", "inclusive_loan_growth_yoy", value=30,
               scope="city", scope_value=NINGBO_CODE),
            _t("ZH2022-03", "普惠小微信用贷占比年均提升2个百分点", "二……普惠小微信用贷占比、制造业中长期贷款占比年均提升2个百分点。",
               "credit_loan_share", kind="earlier_period", earlier="same_quarter_last_year", margin=2, scope="city", scope_value=NINGBO_CODE,
               notes="附表4未单列普惠型信用贷款：以小微企业信用贷款占比衡量。"),
            _t("ZH2022-04", "普惠小微企业无还本续贷年均增加10%以上", "二……普惠小微企业无还本续贷笔数年均增加10%以上。", "sme_renewal_count",
               kind="earlier_period", earlier="same_quarter_last_year", factor="1.1", unit="户", scope="city", scope_value=NINGBO_CODE,
               notes="附表4采集户数而非笔数：以小微企业无还本续贷户数衡量。"),
            _t("ZH2022-05", "制造业中长期贷款占比年均提升2个百分点", "二……制造业中长期贷款占比年均提升2个百分点。", scope="city",
               scope_value=NINGBO_CODE, na="附表4仅采集制造业中长期贷款余额，未采集制造业贷款余额（占比的分母）。"),
            _t("ZH2022-06", "双创企业首贷户占比达15%以上", "二……双创企业信用贷款占比年均提升2个百分点，双创企业首贷户占比达15%以上。",
               scope="city", scope_value=NINGBO_CODE, na=f"{NOT_COLLECTED}“双创”企业标识。"),
            _t("ZH2022-07", "小微企业担保费平均费率不超过1%", "七（二）……担保费平均费率原则上不超过1%。", scope="city", scope_value=NINGBO_CODE,
               na=f"{NOT_COLLECTED}融资担保费率。"),
            _t("ZH2022-08", "支持普惠小微企业贷款的担保金额占比不低于60%", "七（二）……支持普惠小微企业贷款的担保金额占比不低于60%。",
               scope="city", scope_value=NINGBO_CODE, na=f"{NOT_COLLECTED}政策性融资担保业务数据。"),
        ],
    },
    {
        "code": "SX2024", "name": "2024年陕西银行业保险业服务小微企业高质量发展", "order": 4,
        "source_document": "国家金融监督管理总局陕西监管局办公室《关于2024年陕西银行业保险业服务小微企业高质量发展的通知》",
        "region_note": "陕西省（按本平台机构类型口径监测）", "due_date": dt.date(2024, 12, 31), "issuer": "国家金融监督管理总局陕西监管局",
        "notes": "适用于城市商业银行、农村中小银行（农商行·农信、村镇银行）。",
        "targets": [
            _t("SX2024-01", "城市商业银行、农村中小银行：普惠型小微企业贷款增速不低于各项贷款增速",
               "二（一）城市商业银行法人机构、农村中小银行全年力争实现小微企业贷款余额持续增长、普惠型小微企业贷款增速不低于各项贷款增速目标。",
               "inclusive_loan_growth_ytd", kind="indicator", other="all_loan_growth_ytd", scope="institution",
               scope_value="city_commercial,rural,village", ningbo="incl", notes="逐家机构，较年初增速。"),
            _t("SX2024-02", "小微企业贷款余额持续增长",
               "二（一）城市商业银行法人机构、农村中小银行全年力争实现小微企业贷款余额持续增长。", "sme_loan_balance", cmp=">",
               kind="earlier_period", earlier="previous_quarter", unit="万元", scope="institution_type",
               scope_value="city_commercial,rural,village", ningbo="incl", notes="按机构类型合计，与上季末比较。"),
            _t("SX2024-03", "落实总行下达的普惠型小微企业信贷投放任务",
               "二（一）大型商业银行、股份制银行一级分行及城市商业银行异地分行要落实好总行下达的普惠型小微企业信贷投放任务。",
               scope="institution_type", na=f"{NOT_COLLECTED}总行下达的信贷投放任务。"),
            _t("SX2024-04", "合理确定内部资金转移定价（FTP）优惠幅度", "五（八）……合理确定内部资金转移定价（FTP）优惠幅度及小微业务条线绩效考核标准。",
               scope="institution_type", na=f"{NOT_COLLECTED}内部资金转移定价（FTP）数据。"),
        ],
    },
]


def target_sets_load(target_set_model=TargetSet, target_model=Target) -> int:
    """Create (or update) the four target sets of TARGETS.md; used by the data migration (with
    historical models) and by tests that flush the database. Returns the number of targets."""
    n = 0
    for spec in TARGET_SETS:
        spec = dict(spec)
        targets = spec.pop("targets")
        ts, _ = target_set_model.objects.update_or_create(code=spec["code"], defaults=spec)
        for order, t in enumerate(targets, start=1):
            target_model.objects.update_or_create(code=t["code"], defaults={**t, "target_set": ts, "order": order})
            n += 1
    return n
