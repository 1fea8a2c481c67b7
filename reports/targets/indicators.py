from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from reports.filings.periods import shift_code
from reports.schedules.numbers import MINUS, PCT_PLACES, RATE_PLACES, growth, ratio, rounded, weighted
from reports.summaries.bank_figures import RATE_WEIGHTS, T4_RATIOS, t4_panel
from reports.targets.choices import Earlier

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
    """The 比年初 panel a summary's 附表4 block stores (``bank_figures.banks_block``)."""
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
        if kind == Earlier.PREVIOUS_YEAR_END and self.frame.ytd is not None:
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
        values = _panel_values(ctx, key, Earlier.PREVIOUS_YEAR_END)
        return None if values is None else values[0] - values[1]
    return fn


def _ytd_growth(key: str) -> Callable[[Ctx], Decimal | None]:
    def fn(ctx: Ctx) -> Decimal | None:
        values = _panel_values(ctx, key, Earlier.PREVIOUS_YEAR_END)
        return None if values is None else growth(*values, exact=True)
    return fn


def _yoy_growth(key: str) -> Callable[[Ctx], Decimal | None]:
    def fn(ctx: Ctx) -> Decimal | None:
        values = _panel_values(ctx, key, Earlier.SAME_QUARTER_LAST_YEAR)
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
    return text.replace("-", MINUS) if text not in ("-0", "") else "0"
