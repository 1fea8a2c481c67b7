"""Tolerant cell parsers: input is forgiving, output is exact. This module: the error, the shared
helpers and text; numbers, yes/no and phones in ``parse_numbers``, options and industries in
``parse_choices``, dates in ``parse_dates``.

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
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any


class ParseError(ValueError):
    """A cell value that cannot be read; ``message`` is a short Chinese reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------- helpers

# Placeholders people type into a cell to mean "nothing here" (after NFKC: "／" → "/", "－" → "-").
EMPTY_MARKERS = _EMPTY_MARKERS = frozenset({"", "-", "--", "—", "——", "–", "/", "\\"})  # what is_empty_text reads as empty
# Characters NFKC keeps but that are invisible or meaningless in a cell.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
WHITESPACE_RUN = re.compile(r"\s+")
# Minus-like characters NFKC leaves alone.
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-"})

CENT = Decimal("0.01")
RATE_STEP = Decimal("0.0001")
# Anything at or above this is a typo or an attack, not a figure in 万元 or %; it also keeps
# quantize() far from the decimal context's precision.
_MAX_MAGNITUDE = Decimal("1e15")

EXCEL_EPOCH = datetime.date(1899, 12, 30)
EXCEL_SERIAL_MIN = 20000  # 1954-10-03; smaller numbers are far more likely a typo
EXCEL_SERIAL_MAX = 2958465  # 9999-12-31


def clean_text(text: str) -> str:
    """NFKC, drop invisible characters, strip."""
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE).strip()


def is_empty_text(text: str) -> bool:
    return text in _EMPTY_MARKERS


def prepare_str(value: str) -> str | None:
    text = clean_text(value)
    return None if is_empty_text(text) else text


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
    text = WHITESPACE_RUN.sub("", text)
    if "," in text:
        # Thousands separators only: "1,234.5" yes, "1,5" (a European decimal comma) no.
        if not _GROUPED_RE.fullmatch(text):
            return None
        text = text.replace(",", "")
    if not _NUMBER_RE.fullmatch(text):
        return None
    return Decimal(text)


def to_decimal(value: Any, *, strip_suffix, invalid: str) -> Decimal | None:
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
        text = prepare_str(value)
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


def quantize(number: Decimal, step: Decimal) -> Decimal:
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
    text = WHITESPACE_RUN.sub(" ", clean_text(text))
    return None if is_empty_text(text) else text


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
    return None if is_empty_text(clean_text(text)) else text


def text_key(value: Any) -> str:
    """The comparison key of a name (never stored): NFKC, no whitespace, case-folded, so that
    “甲银行（杭州）” and “甲银行(杭州)” match."""
    if value is None:
        return ""
    return WHITESPACE_RUN.sub("", clean_text(str(value))).casefold()


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
    text = WHITESPACE_RUN.sub("", text).replace("：", ":").casefold()
    while True:
        previous = text
        text = text.strip("*")
        text = _HEADER_UNIT.sub("", text)
        if text.endswith("%") and len(text) > 1:
            text = text[:-1]
        if text == previous:
            return text


# --------------------------------------------------------------------------- lists, phones


