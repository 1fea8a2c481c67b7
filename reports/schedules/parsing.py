"""Tolerant cell parsers: input is forgiving, output is exact.

Every parser takes one raw cell value -- as it comes from a web form, a JSON body or an xlsx cell
read by openpyxl (``str``, ``int``, ``float``, ``Decimal``, ``bool``, ``date``/``datetime`` or
``None``) -- and returns the canonical value, or raises :class:`ParseError` carrying a short
Chinese reason meant for the person who filled the sheet. The caller adds the row, the column
label and the bad value to the message.

Empty input (``None``, ``""``, whitespace only, ``-``, ``—``, ``/``, ``／`` ...) returns ``None``;
whether a value is required is the caller's decision.

Codes, numbers and options are first normalised with Unicode NFKC (full-width digits, letters,
punctuation and the ideographic space become their ASCII forms), zero-width characters are dropped
and surrounding whitespace is stripped; numbers additionally lose internal spaces. Names and free
text are NOT normalised: :func:`text_as_typed` only trims them (official company names use
full-width （） and ，), and :func:`text_key` is the normalised form to compare them by.

Floats (Excel stores every number as an IEEE double) are converted through their shortest
``repr`` so binary artefacts such as ``0.30000000000000004`` never leak into stored values and
half-up rounding works on the decimal the user saw (``1.005`` → ``1.01``).
"""

from __future__ import annotations

import datetime
import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from parks.choices import Industry

__all__ = [
    "ParseError",
    "normalise_text",
    "text_as_typed",
    "text_key",
    "normalise_header",
    "parse_amount",
    "parse_rate",
    "parse_count",
    "parse_bool",
    "parse_choice",
    "parse_industry",
    "parse_date",
    "parse_multi_choice",
    "parse_phone",
]


class ParseError(ValueError):
    """A cell value that cannot be read; ``message`` is a short Chinese reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------- helpers

# Placeholders people type into a cell to mean "nothing here" (after NFKC: "／" → "/", "－" → "-").
_EMPTY_MARKERS = frozenset({"", "-", "--", "—", "——", "–", "/", "\\"})
# Characters NFKC keeps but that are invisible or meaningless in a cell.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_WHITESPACE_RUN = re.compile(r"\s+")
# Minus-like characters NFKC leaves alone.
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-"})

_CENT = Decimal("0.01")
_RATE_STEP = Decimal("0.0001")
# Anything at or above this is a typo or an attack, not a figure in 万元 or %; it also keeps
# quantize() far from the decimal context's precision.
_MAX_MAGNITUDE = Decimal("1e15")

_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_EXCEL_SERIAL_MIN = 20000  # 1954-10-03; smaller numbers are far more likely a typo
_EXCEL_SERIAL_MAX = 2958465  # 9999-12-31


def _clean(text: str) -> str:
    """NFKC, drop invisible characters, strip."""
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE).strip()


def _is_empty_text(text: str) -> bool:
    return text in _EMPTY_MARKERS


def _prepare_str(value: str) -> str | None:
    text = _clean(value)
    return None if _is_empty_text(text) else text


def _float_to_decimal(value: float) -> Decimal:
    if not math.isfinite(value):
        raise InvalidOperation
    # repr() is the shortest string that round-trips: 0.1 → "0.1", 1.005 → "1.005".
    return Decimal(repr(value))


_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_GROUPED_RE = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")


def _text_to_decimal(text: str) -> Decimal | None:
    """A plain decimal number in ``text`` (already cleaned, unit removed), or None."""
    text = text.translate(_MINUS_SIGNS)
    text = _WHITESPACE_RUN.sub("", text)
    if "," in text:
        # Thousands separators only: "1,234.5" yes, "1,5" (a European decimal comma) no.
        if not _GROUPED_RE.fullmatch(text):
            return None
        text = text.replace(",", "")
    if not _NUMBER_RE.fullmatch(text):
        return None
    return Decimal(text)


def _to_decimal(value: Any, *, strip_suffix, invalid: str) -> Decimal | None:
    """Shared front end of the numeric parsers.

    ``strip_suffix(text)`` removes an accepted unit from a string (or raises ParseError) and
    returns the remaining text. Returns None for empty input.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ParseError(invalid)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ParseError(invalid)
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        try:
            number = _float_to_decimal(value)
        except InvalidOperation:
            raise ParseError(invalid) from None
    elif isinstance(value, str):
        text = _prepare_str(value)
        if text is None:
            return None
        text = strip_suffix(text)
        parsed = _text_to_decimal(text)
        if parsed is None:
            raise ParseError(invalid)
        number = parsed
    else:
        raise ParseError(invalid)
    if abs(number) >= _MAX_MAGNITUDE:
        raise ParseError("数值过大")
    return number


def _quantize(number: Decimal, step: Decimal) -> Decimal:
    result = number.quantize(step, rounding=ROUND_HALF_UP)
    # "-0", "-0.001" → 0.00, never a negative zero.
    return abs(result) if result.is_zero() else result


# --------------------------------------------------------------------------- text


def normalise_text(value: Any) -> str | None:
    """NFKC, strip, collapse whitespace runs to one space; empty → None.

    Numbers given to a text column become their string (``12.0`` → ``"12"``, ``12.5`` →
    ``"12.5"``); dates become ISO dates.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer() and abs(value) < 1e16:
            text = str(int(value))
        else:
            text = repr(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            return None
        text = str(int(value)) if value == value.to_integral_value() else format(value, "f")
    elif isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            text = value.date().isoformat()
        else:
            text = value.isoformat(sep=" ")
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    else:
        text = str(value)
    text = _WHITESPACE_RUN.sub(" ", _clean(text))
    return None if _is_empty_text(text) else text


_TRIM = "".join(chr(c) for c in _INVISIBLE)


def text_as_typed(value: Any) -> str | None:
    """A name or free text exactly as typed: surrounding whitespace (and invisible characters at
    the ends) trimmed, nothing else touched -- full-width （）、，、digits stay as they are. Empty
    or a placeholder (``-``, ``—``, ``／`` ...) → None. A number or date given to a text column
    becomes its string as :func:`normalise_text` writes it (``12.0`` → ``"12"``)."""
    if value is None:
        return None
    if not isinstance(value, str):
        return normalise_text(value)
    text = value
    while True:  # whitespace and invisible characters may alternate at the ends
        trimmed = text.strip().strip(_TRIM)
        if trimmed == text:
            break
        text = trimmed
    return None if _is_empty_text(_clean(text)) else text


def text_key(value: Any) -> str:
    """The comparison key of a name (never stored): NFKC, no whitespace, case-folded, so that
    “甲银行（杭州）” and “甲银行(杭州)” match."""
    if value is None:
        return ""
    return _WHITESPACE_RUN.sub("", _clean(str(value))).casefold()


_HEADER_UNIT = re.compile(
    r"[(\[【]\s*(?:单位\s*:\s*)?"
    r"(?:万元|元|千元|亿元|%|‰|人|个|户|家|点|笔|次|名|位|年|月|日|天|万元/人|人次)"
    r"\s*[)\]】]$"
)


def normalise_header(label: Any) -> str:
    """Key for matching xlsx header labels against the official ones.

    NFKC, all whitespace removed (including line breaks of wrapped headers), ``：`` → ``:``,
    required-markers ``*`` removed, and any trailing unit suffix such as ``(万元)``, ``（万元）``,
    ``(%)``, ``(人)``, ``(个)``, ``(户)`` dropped. Official labels may themselves end in a unit
    (``从业人员(人)``), so apply this to BOTH sides before comparing. Idempotent.
    """
    if label is None:
        return ""
    text = unicodedata.normalize("NFKC", str(label)).translate(_INVISIBLE)
    text = _WHITESPACE_RUN.sub("", text).replace("：", ":").casefold()
    while True:
        previous = text
        text = text.strip("*")
        text = _HEADER_UNIT.sub("", text)
        if text.endswith("%") and len(text) > 1:
            text = text[:-1]
        if text == previous:
            return text


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
    number = _to_decimal(value, strip_suffix=_strip_amount_unit, invalid="不是有效的金额")
    if number is None:
        return None
    if number < 0 and not _quantize(number, _CENT).is_zero():
        raise ParseError("金额不能为负数")
    return _quantize(number, _CENT)


def _strip_percent(text: str) -> str:
    return re.sub(r"%$", "", text).strip()


def parse_rate(value: Any) -> Decimal | None:
    """A rate in % per year, up to 4 decimals (quantized to 0.0001, half-up).

    Accepts ``5.2``, ``5.2%``, ``５．２％``, ``5.20 %``. The number is taken as written: a value
    of 0.052 (e.g. an Excel cell formatted as percent) is NOT multiplied by 100 -- the range
    checks of the caller flag it instead of this parser guessing.
    """
    number = _to_decimal(value, strip_suffix=_strip_percent, invalid="不是有效的利率")
    if number is None:
        return None
    if number < 0 and not _quantize(number, _RATE_STEP).is_zero():
        raise ParseError("利率不能为负数")
    return _quantize(number, _RATE_STEP)


_COUNT_UNIT = re.compile(r"(?:户|人|个|家|名|位|点)$")


def _strip_count_unit(text: str) -> str:
    return _COUNT_UNIT.sub("", text).strip()


def parse_count(value: Any) -> int | None:
    """A whole number ≥ 0: ``12``, ``"12.0"``, ``12.0``, ``"1,200"``, ``"１２"``, ``"12户"``."""
    if isinstance(value, float) and math.isfinite(value):
        # Excel arithmetic can give 11.999999999999998 for a count of 12.
        value = round(value, 6)
    number = _to_decimal(value, strip_suffix=_strip_count_unit, invalid="不是有效的数量")
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
    text = _prepare_str(value)
    if text is None:
        return None
    word = text.casefold()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise ParseError("应为“是”或“否”")


# --------------------------------------------------------------------------- choices

_LOOSE_DROP = str.maketrans("", "", "·・•、,.;:()[]-_/ \t")


def _loose(text: str) -> str:
    """Comparison key ignoring case, spaces and separator punctuation (·, 、, ...)."""
    return _WHITESPACE_RUN.sub("", _clean(text)).casefold().translate(_LOOSE_DROP)


_MISSING = object()


@functools.lru_cache(maxsize=256)
def _choice_index(choices: tuple) -> dict[tuple[str, str], Any]:
    index: dict[tuple[str, str], Any] = {}
    for stored, label in choices:
        index.setdefault(("v", _clean(str(stored)).casefold()), stored)
        index.setdefault(("l", _clean(str(label))), stored)
    return index


def parse_choice(value: Any, choices: Iterable[tuple[Any, Any]]) -> Any:
    """The stored value of the choice whose value (case-insensitive) or label matches.

    ``choices`` is Django style ``[(value, label), ...]`` (e.g. ``SomeTextChoices.choices``).
    Labels also match with spaces and ``·``/``、`` style separators ignored.
    """
    text = normalise_text(value)
    if text is None:
        return None
    folded = text.casefold()
    if isinstance(choices, tuple):  # the schedules pass tuples: an exact match costs one lookup
        index = _choice_index(choices)
        hit = index.get(("v", folded), index.get(("l", text), _MISSING))
        if hit is not _MISSING:
            return hit
    choices = list(choices)
    labels = [str(label) for _, label in choices]
    # 1. exact value or label; 2. the same ignoring spaces and separators.
    for stored, label in choices:
        if folded == _clean(str(stored)).casefold() or text == _clean(str(label)):
            return stored
    key = _loose(text)
    if key:
        hits = {
            stored
            for stored, label in choices
            if key in (_loose(str(stored)), _loose(str(label)))
        }
        if len(hits) == 1:
            return hits.pop()
    raise ParseError(f"应为以下之一：{'、'.join(labels)}")


# --------------------------------------------------------------------------- industry

# Common names (and names from GB/T 4754-2002/2011) of each 门类, beyond its official label.
# Matching ignores punctuation, the connectives 和/及/与/的 and a trailing 业 (see _industry_key).
_INDUSTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "A": ("农林牧渔", "农业", "林业", "畜牧业", "牧业", "渔业", "农林牧渔服务业"),
    "B": ("采矿", "矿业"),
    "C": ("制造",),
    "D": (
        "电力热力燃气及水的生产和供应业",
        "电力燃气及水的生产和供应业",
        "电力",
        "电力热力燃气",
        "水电燃气",
        "电力热力燃气及水生产和供应",
    ),
    "E": ("建筑",),
    "F": ("批发零售", "批发", "零售", "商贸"),
    "G": (
        "交通运输",
        "交通运输仓储邮政",
        "交通运输仓储及邮政业",
        "运输业",
        "物流",
        "物流业",
        "仓储",
        "仓储业",
        "邮政",
        "快递",
    ),
    "H": ("住宿餐饮", "住宿", "餐饮"),
    "I": (
        "软件和信息技术服务业",
        "信息技术",
        "信息技术服务",
        "信息技术服务业",
        "软件",
        "软件业",
        "信息传输",
        "信息服务业",
        "互联网",
        "信息传输计算机服务和软件业",
        "IT",
    ),
    "J": ("金融",),
    "K": ("房地产", "房地产开发", "房地产开发经营", "物业管理"),
    "L": ("租赁商务服务", "商务服务", "商务服务业", "租赁"),
    "M": (
        "科学研究技术服务",
        "科学研究",
        "技术服务",
        "科技服务",
        "科技服务业",
        "科学研究技术服务和地质勘查业",
    ),
    "N": ("水利环境公共设施管理", "公共设施管理", "水利"),
    "O": ("居民服务", "居民服务和其他服务业", "修理", "修理业"),
    "P": ("教育业",),
    "Q": ("卫生", "卫生社会工作", "社会工作", "医疗卫生", "卫生社会保障和社会福利业"),
    "R": ("文化体育娱乐", "文体娱乐", "文化", "体育", "娱乐"),
    "S": ("公共管理", "公共管理和社会组织", "公共管理社会保障和社会组织"),
    "T": ("国际组织",),
}

_INDUSTRY_ERROR = "不是有效的行业门类，应为门类字母（A–T）或门类名称"


def _industry_key(text: str) -> str:
    key = _loose(text)
    key = re.sub(r"[和及与的、,，]", "", key)
    return key[:-1] if key.endswith("业") and len(key) > 1 else key


def _build_industry_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for letter, label in Industry.choices:
        for name in (label, *_INDUSTRY_ALIASES.get(letter, ())):
            key = _industry_key(name)
            if index.get(key, letter) != letter:  # pragma: no cover - guarded by a test
                raise RuntimeError(f"industry alias {name!r} is ambiguous")
            index[key] = letter
    return index


_industry_index: dict[str, str] | None = None


def _industry_lookup(name: str) -> str | None:
    global _industry_index
    if _industry_index is None:
        _industry_index = _build_industry_index()
    key = _industry_key(name)
    return _industry_index.get(key) if key else None


_LETTER_FIRST = re.compile(r"\(?([A-T])\)?(?:\d{2,4})?\s*[-.、:_—\s]*\s*(.+)", re.IGNORECASE)
_LETTER_LAST = re.compile(r"(.+?)[\s\-]*\(([A-T])\)", re.IGNORECASE)
_LETTER_CODE = re.compile(r"([A-T])\d{2,4}", re.IGNORECASE)


def parse_industry(value: Any) -> str | None:
    """The GB/T 4754-2017 门类 letter (``"A"``–``"T"``).

    Accepts the letter (any case, full width), the official label from
    ``parks.choices.Industry`` with or without punctuation, common short names (``制造业``,
    ``批发零售``, ``软件和信息技术服务业``, ``住宿餐饮``, ``农林牧渔`` ...), a label prefixed with its
    letter (``C 制造业``, ``C-制造业``, ``C制造业``), a label followed by ``(C)``, and a code with
    大类/中类/小类 digits (``C36``, ``C3670 汽车零部件及配件制造``). A letter that contradicts the
    name (``C 批发业``) is an error.
    """
    text = normalise_text(value)
    if text is None:
        return None
    compact = _WHITESPACE_RUN.sub("", text)
    if len(compact) == 1 and compact.upper() in _INDUSTRY_ALIASES:
        return compact.upper()
    letter = _industry_lookup(compact)
    if letter:
        return letter
    match = _LETTER_CODE.fullmatch(compact)
    if match:
        return match.group(1).upper()
    match = _LETTER_CODE.match(compact)
    if match and not compact[match.end()].isascii():
        # "C3670汽车零部件及配件制造": the code is more precise than any name we could match.
        return match.group(1).upper()
    for pattern, letter_group, name_group in ((_LETTER_FIRST, 1, 2), (_LETTER_LAST, 2, 1)):
        match = pattern.fullmatch(compact)
        if not match:
            continue
        given = match.group(letter_group).upper()
        named = _industry_lookup(match.group(name_group))
        if named is None:
            continue
        if named != given:
            raise ParseError(f"行业门类字母“{given}”与名称不一致")
        return given
    raise ParseError(_INDUSTRY_ERROR)


# --------------------------------------------------------------------------- dates

_DATE_SEPARATED = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def _excel_serial(number: float) -> datetime.date:
    if not _EXCEL_SERIAL_MIN < number <= _EXCEL_SERIAL_MAX:
        raise ParseError("不是有效的日期")
    return _EXCEL_EPOCH + datetime.timedelta(days=int(number))


def _make_date(year: str, month: str, day: str) -> datetime.date:
    try:
        result = datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise ParseError("不是有效的日期") from None
    if not 1900 <= result.year <= 2100:
        raise ParseError("不是有效的日期")
    return result


def parse_date(value: Any) -> datetime.date | None:
    """A date from a date/datetime, an Excel serial number (> 20000) or text such as
    ``2020-06-30``, ``2020/6/30``, ``2020.6.30``, ``20200630``, ``2020年6月30日``."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise ParseError("不是有效的日期")
    if isinstance(value, (int, float, Decimal)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ParseError("不是有效的日期")
        if value == int(value) and 19000101 <= value <= 21001231:
            # 20200630 typed into a cell Excel treats as a number.
            return parse_date(str(int(value)))
        return _excel_serial(float(value))
    if not isinstance(value, str):
        raise ParseError("不是有效的日期")
    text = _prepare_str(value)
    if text is None:
        return None
    match = _DATE_SEPARATED.fullmatch(text)
    if match:
        return _make_date(*match.groups())
    compact = _WHITESPACE_RUN.sub("", text)
    match = _DATE_COMPACT.fullmatch(compact)
    if match:
        return _make_date(*match.groups())
    if re.fullmatch(r"\d{5}(?:\.\d+)?", compact):
        # A serial number that lost its date format on the way through text (e.g. "44012").
        return _excel_serial(float(compact))
    raise ParseError("不是有效的日期")


# --------------------------------------------------------------------------- lists, phones

_MULTI_SPLIT = re.compile(r"[、,;/\s]+")


def parse_multi_choice(value: Any, options: Sequence[str]) -> list[str] | None:
    """Several of ``options`` separated by 、 , ， ; ； / or whitespace.

    Returns the chosen options in the order of ``options``, without duplicates. A list/tuple
    (e.g. from a JSON body) is accepted too.
    """
    if value is None:
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        parts = [_clean(str(item)) for item in value if item is not None]
        parts = [p for part in parts for p in _MULTI_SPLIT.split(part)]
    else:
        text = normalise_text(value)
        if text is None:
            return None
        parts = _MULTI_SPLIT.split(text)
    parts = [part for part in parts if part and not _is_empty_text(part)]
    if not parts:
        return None
    canonical = {_clean(option): option for option in options}
    chosen = set()
    for part in parts:
        if part not in canonical:
            raise ParseError(f"“{part}”不是有效选项，应为{'、'.join(options)}")
        chosen.add(canonical[part])
    return [option for option in options if option in chosen]


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
