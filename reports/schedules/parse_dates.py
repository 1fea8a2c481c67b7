from __future__ import annotations

import datetime
import math
import re
from decimal import Decimal
from typing import Any

from reports.schedules.parsing import EXCEL_EPOCH, EXCEL_SERIAL_MAX, EXCEL_SERIAL_MIN, WHITESPACE_RUN, ParseError, prepare_str

# --------------------------------------------------------------------------- dates

_DATE_SEPARATED = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def _excel_serial(number: float) -> datetime.date:
    if not EXCEL_SERIAL_MIN < number <= EXCEL_SERIAL_MAX:
        raise ParseError("不是有效的日期")
    return EXCEL_EPOCH + datetime.timedelta(days=int(number))


def _make_date(year: str, month: str, day: str) -> datetime.date:
    try:
        result = datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise ParseError("不是有效的日期") from None
    return _in_range(result)


def _in_range(date: datetime.date) -> datetime.date:
    if not 1900 <= date.year <= 2100:
        raise ParseError("不是有效的日期")
    return date


def parse_date(value: Any) -> datetime.date | None:
    """A date from a date/datetime, an Excel serial number (> 20000) or text such as
    ``2020-06-30``, ``2020/6/30``, ``2020.6.30``, ``20200630``, ``2020年6月30日``."""
    if value is None:
        return None
    if isinstance(value, datetime.date):
        # calamine reads a NaN (or 0) in a date-formatted cell as 1899-12-30: the same years as typed text
        return _in_range(value.date() if isinstance(value, datetime.datetime) else value)
    if isinstance(value, bool):
        raise ParseError("不是有效的日期")
    if isinstance(value, (int, float, Decimal)):
        if not (value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)):  # NaN / ±inf: a cell error, not a crash
            raise ParseError("不是有效的日期")
        if value == int(value) and 19000101 <= value <= 21001231:
            # 20200630 typed into a cell Excel treats as a number.
            return parse_date(str(int(value)))
        return _excel_serial(float(value))
    if not isinstance(value, str):
        raise ParseError("不是有效的日期")
    text = prepare_str(value)
    if text is None:
        return None
    match = _DATE_SEPARATED.fullmatch(text)
    if match:
        return _make_date(*match.groups())
    compact = WHITESPACE_RUN.sub("", text)
    match = _DATE_COMPACT.fullmatch(compact)
    if match:
        return _make_date(*match.groups())
    if re.fullmatch(r"\d{5}(?:\.\d+)?", compact):
        # A serial number that lost its date format on the way through text (e.g. "44012").
        return _excel_serial(float(compact))
    raise ParseError("不是有效的日期")


