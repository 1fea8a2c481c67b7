"""THE rounding rule of the portal and the one definition of a ratio, a growth rate and a
weighted rate. Everything shown, exported, stored or compared goes through these functions:
附表2 (``t2``), 附表4 (``t4``), the roll-ups, the targets and the dashboards.

- Half-up (``ROUND_HALF_UP``), never banker's rounding: 1 / 800 = 0.125 % reads 0.13 %.
- Percentages (ratios, shares, coverages, growth rates) have 2 decimals; rates (加权平均利率,
  综合融资成本) 4 decimals; amounts 2 decimals.
- ``exact=True`` gives the unrounded value, for comparisons: a target's status is judged on it,
  only the displayed figure is rounded.

Pure: no Django, no database."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

PCT_PLACES = 2
RATE_PLACES = 4
AMOUNT_PLACES = 2
HUNDRED = Decimal(100)


_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(9)}


def rounded(value: Any, places: int = PCT_PLACES) -> Decimal | None:
    """``value`` rounded half-up to ``places`` decimals (None stays None)."""
    if type(value) is Decimal:  # the common case (sums of a roll-up: tens of thousands a build)
        return value.quantize(_QUANTA.get(places) or Decimal(1).scaleb(-places), ROUND_HALF_UP)
    if value is None or value == "":
        return None
    return Decimal(str(value) if isinstance(value, float) else value).quantize(_QUANTA.get(places) or Decimal(1).scaleb(-places), ROUND_HALF_UP)


def ratio(numerator: Any, denominator: Any, *, exact: bool = False) -> Decimal | None:
    """numerator / denominator × 100 (%), 2 decimals half-up; None when the denominator is 0 or
    missing (a missing numerator counts as 0)."""
    d = Decimal(denominator or 0)
    if d == 0:
        return None
    value = Decimal(numerator or 0) * HUNDRED / d
    return value if exact else rounded(value, PCT_PLACES)


def growth(current: Any, base: Any, *, exact: bool = False) -> Decimal | None:
    """增速: (current − base) / base × 100 (%); None when either is missing or the base is 0."""
    if current is None or base is None:
        return None
    return ratio(Decimal(current) - Decimal(base), base, exact=exact)


def change(current: Any, base: Any) -> tuple[Decimal | None, Decimal | None]:
    """比年初增减 (or any period-over-period change) and its 增速(%) of one value; counts stay whole."""
    if current is None or base is None:
        return None, None
    delta = current - base if isinstance(current, int) and isinstance(base, int) else Decimal(current) - Decimal(base)
    return delta, growth(current, base)


def weighted(weighted_sum: Any, weight: Any, *, exact: bool = False) -> Decimal | None:
    """A balance-weighted rate: Σ(rate × balance) / Σ balance, 4 decimals half-up."""
    w = Decimal(weight or 0)
    if w == 0:
        return None
    value = Decimal(weighted_sum or 0) / w
    return value if exact else rounded(value, RATE_PLACES)


# --- THE display rule: every number a page shows is written by one of these ---------------------
# Thousands separators; amounts (万元, 亿元) 2 decimals; counts whole; ratios 2 decimals with “%”;
# rates (利率, 融资成本) 4 decimals with “%”; a change of a ratio or rate in “个百分点” (2 decimals);
# signed changes with a real minus sign “−” (U+2212) and “+”; a missing value “—”. Half-up.

MINUS = "\u2212"
EMPTY = "—"
PP = "个百分点"


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value) if isinstance(value, float) else value)
    except (ArithmeticError, ValueError, TypeError):
        return None


def number_text(value: Any, places: int = AMOUNT_PLACES, *, signed: bool = False) -> str:
    """``value`` with thousands separators and ``places`` decimals (half-up); a negative number
    with “−”, a positive one with “+” when ``signed``; “—” when missing."""
    d = _decimal(value)
    if d is None:
        return EMPTY
    d = rounded(d, places)
    text = f"{abs(d):,.{places}f}"
    if d < 0:
        return MINUS + text
    return f"+{text}" if signed and d > 0 else text


def _with_unit(text: str, unit: str) -> str:
    return text if text == EMPTY or not unit else f"{text} {unit}"


def amount_text(value: Any, unit: str = "万元", *, signed: bool = False) -> str:
    """An amount: ``53,885,034.75 万元`` (``unit=""`` inside a table whose header names it)."""
    return _with_unit(number_text(value, AMOUNT_PLACES, signed=signed), unit)


def count_text(value: Any, unit: str = "", *, signed: bool = False) -> str:
    """A count: ``12,345`` (``12,345 户``)."""
    return _with_unit(number_text(value, 0, signed=signed), unit)


def pct_text(value: Any, places: int = PCT_PLACES, *, signed: bool = False) -> str:
    """A ratio, share, coverage or growth rate already ×100: ``41.51%`` (``−9.81%`` signed)."""
    text = number_text(value, places, signed=signed)
    return text if text == EMPTY else text + "%"


def rate_text(value: Any) -> str:
    """An interest rate or financing cost (年化 %): ``4.3500%``."""
    return pct_text(value, RATE_PLACES)


def pp_text(value: Any, *, signed: bool = True) -> str:
    """The change of a ratio or a rate: ``−0.09 个百分点`` (2 decimals)."""
    return _with_unit(number_text(value, PCT_PLACES, signed=signed), PP)


def figure_text(value: Any, kind: str, *, signed: bool = False) -> str:
    """A figure by its kind — ``amount`` (no unit: tables name it in the header), ``int`` / ``count``,
    ``pct`` / ``ratio`` (×100, “%”), ``rate`` (4 decimals, “%”), ``pp``; a ``signed`` change of a
    ratio or rate reads in 个百分点, of a ``pct`` (a growth rate) in %."""
    if kind in ("int", "count"):
        return count_text(value, signed=signed)
    if kind == "pp" or (signed and kind in ("ratio", "rate")):
        return pp_text(value)
    if kind in ("pct", "ratio"):
        return pct_text(value, signed=signed)
    if kind == "rate":
        return rate_text(value)
    return amount_text(value, "", signed=signed)


# --- robust statistics ----------------------------------------------------------------------------

def median(values: list[Any]) -> Decimal | None:
    """The median of ``values`` (the mean of the middle two for an even count); None when empty."""
    xs = sorted(Decimal(v) for v in values)
    if not xs:
        return None
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


MAD_SCALE = Decimal("0.6745")  # the normal distribution's 75th percentile: MAD → σ


def robust_z(value: Any, sample: list[Any]) -> Decimal | None:
    """The robust z-score of ``value`` in ``sample`` (Iglewicz & Hoaglin): 0.6745 × (x − median) / MAD,
    MAD the median absolute deviation. None when the sample is empty or its MAD is 0 (no spread)."""
    centre = median(sample)
    if value is None or centre is None:
        return None
    mad = median([abs(Decimal(v) - centre) for v in sample])
    if not mad:
        return None
    return MAD_SCALE * (Decimal(value) - centre) / mad
