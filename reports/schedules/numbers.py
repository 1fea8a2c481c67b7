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


def rounded(value: Any, places: int = PCT_PLACES) -> Decimal | None:
    """``value`` rounded half-up to ``places`` decimals (None stays None)."""
    if value is None or value == "":
        return None
    return Decimal(str(value) if isinstance(value, float) else value).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


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
