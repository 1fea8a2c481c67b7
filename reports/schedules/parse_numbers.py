from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from reports.schedules.parsing import CENT, RATE_STEP, ParseError, normalise_text, prepare_str, quantize, to_decimal

# --------------------------------------------------------------------------- numbers


_AMOUNT_UNIT = re.compile(r"(?:\(万元\)|万元|万)$")


def _strip_amount_unit(text: str) -> str:
    text = text.lstrip("¥").strip()
    if text.upper().startswith("RMB"):
        text = text[3:].strip()
    stripped = _AMOUNT_UNIT.sub("", text).strip()
    if stripped != text:
        return stripped
    if text.endswith(("元", "(元)")) or text.endswith("亿"):
        # "500元" or "1.2亿": a unit other than 万元 would be a 10,000× error if read as 万元.
        raise ParseError("金额单位应为万元")
    return text


def parse_amount(value: Any) -> Decimal | None:
    """An amount in 万元, 2 decimals, rounded half-up.

    Accepts ``1,234.5``, ``１２３４．５``, `` 12 345.6 ``, a trailing ``万元``/``万``/``（万元）``,
    Excel floats and ints. A trailing ``元`` without ``万`` is rejected (unit mistake).
    """
    number = to_decimal(value, strip_suffix=_strip_amount_unit, invalid="不是有效的金额")
    if number is None:
        return None
    if number < 0 and not quantize(number, CENT).is_zero():
        raise ParseError("金额不能为负数")
    return quantize(number, CENT)


def _strip_percent(text: str) -> str:
    return re.sub(r"%$", "", text).strip()


def parse_rate(value: Any) -> Decimal | None:
    """A rate in % per year, up to 4 decimals (quantized to 0.0001, half-up).

    Accepts ``5.2``, ``5.2%``, ``５．２％``, ``5.20 %``. The number is taken as written: a value
    of 0.052 (e.g. an Excel cell formatted as percent) is NOT multiplied by 100 -- the range
    checks of the caller flag it instead of this parser guessing.
    """
    number = to_decimal(value, strip_suffix=_strip_percent, invalid="不是有效的利率")
    if number is None:
        return None
    if number < 0 and not quantize(number, RATE_STEP).is_zero():
        raise ParseError("利率不能为负数")
    return quantize(number, RATE_STEP)


_COUNT_UNIT = re.compile(r"(?:户|人|个|家|名|位|点)$")


def _strip_count_unit(text: str) -> str:
    return _COUNT_UNIT.sub("", text).strip()


def parse_count(value: Any) -> int | None:
    """A whole number ≥ 0: ``12``, ``"12.0"``, ``12.0``, ``"1,200"``, ``"１２"``, ``"12户"``."""
    if isinstance(value, float) and math.isfinite(value):
        # Excel arithmetic can give 11.999999999999998 for a count of 12.
        value = round(value, 6)
    number = to_decimal(value, strip_suffix=_strip_count_unit, invalid="不是有效的数量")
    if number is None:
        return None
    if number != number.to_integral_value():
        if number < 0:
            raise ParseError("数量不能为负数")
        raise ParseError("应为整数")
    if number < 0:
        raise ParseError("数量不能为负数")
    return int(number)


# --------------------------------------------------------------------------- yes / no

_TRUE_WORDS = frozenset({"是", "y", "yes", "1", "true", "√", "✓", "✔", "有", "是的"})
_FALSE_WORDS = frozenset({"否", "n", "no", "0", "false", "×", "✗", "✘", "无", "不是"})


def parse_bool(value: Any) -> bool | None:
    """是/否, Y/N, yes/no, 1/0, True/False, √/×, 有/无 (any case, full or half width)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        if value == 1:
            return True
        if value == 0:
            return False
        raise ParseError("应为“是”或“否”")
    if not isinstance(value, str):
        raise ParseError("应为“是”或“否”")
    text = prepare_str(value)
    if text is None:
        return None
    word = text.casefold()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise ParseError("应为“是”或“否”")




_PHONE_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x)\s*(\d{1,6})$", re.IGNORECASE)
_MOBILE = re.compile(r"(?:\+?86|0086)?(1[3-9]\d{9})")
_LANDLINE_SPLIT = re.compile(r"\((0\d{2,3})\)-?(\d{7,8})(?:-(\d{1,6}))?|(0\d{2,3})-(\d{7,8})(?:-(\d{1,6}))?")
_LANDLINE_COMPACT = re.compile(r"(0\d{9,11})")
_PHONE_ERROR = "不是有效的手机或固定电话号码"


def _area_code_length(digits: str) -> int:
    """Mainland area codes: 010 and 02x have 3 digits, all others 4."""
    return 3 if digits[1] in "12" else 4


def parse_phone(value: Any) -> str | None:
    """A mainland mobile (``13800138000``) or landline (``0571-87189701``, ``0571-87189701-123``).

    Spaces and dashes are allowed, a ``+86``/``86`` prefix on mobiles, parentheses around the area
    code, and an extension written ``-123`` or ``转123``.
    """
    if isinstance(value, bool):
        raise ParseError(_PHONE_ERROR)
    text = normalise_text(value)
    if text is None:
        return None
    extension = None
    match = _PHONE_EXTENSION.search(text)
    if match:
        extension = match.group(1)
        text = text[: match.start()]
    compact = re.sub(r"[\s\u2010-\u2015]", lambda m: "" if m.group().isspace() else "-", text)
    compact = compact.strip("-")
    if extension is None:
        match = _MOBILE.fullmatch(compact.replace("-", "").replace("(", "").replace(")", ""))
        if match:
            return match.group(1)
    match = _LANDLINE_SPLIT.fullmatch(compact)
    if match:
        groups = match.groups()
        area, number, tail = groups[0:3] if groups[0] else groups[3:6]
        if tail and extension:
            raise ParseError(_PHONE_ERROR)
        extension = extension or tail
    else:
        match = _LANDLINE_COMPACT.fullmatch(compact)
        if not match:
            raise ParseError(_PHONE_ERROR)
        digits = match.group(1)
        split = _area_code_length(digits)
        area, number = digits[:split], digits[split:]
    if len(area) != _area_code_length(area) or not 7 <= len(number) <= 8:
        raise ParseError(_PHONE_ERROR)
    return f"{area}-{number}" + (f"-{extension}" if extension else "")
