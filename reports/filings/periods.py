"""Quarter arithmetic and the default deadlines."""
from __future__ import annotations

import datetime as dt
import re

FILER_DAYS = 15
BRANCH_DAYS = 20
LOCK_DAYS = 60
FIRST_PERIOD = "2019Q2"  # 2019 H1, due 2019-08-15
BASELINE = "2018Q4"  # 2018 year-end figures of 附表4

_CODE = re.compile(r"^(\d{4})Q([1-4])$")


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end_month = 3 * quarter
    end = (dt.date(year + (end_month == 12), end_month % 12 + 1, 1)) - dt.timedelta(days=1)
    return start, end


def parse_code(code: str) -> tuple[int, int]:
    m = _CODE.match(code.strip().upper())
    if not m:
        raise ValueError(f"报送期格式应为 2020Q3，收到 {code!r}")
    return int(m.group(1)), int(m.group(2))


def shift_code(code: str, kind: str) -> str:
    """The period a comparison refers to: ``previous_quarter`` (上季末), ``previous_year_end``
    (上年末, the base of 比年初) or ``same_quarter_last_year`` (上年同期)."""
    year, quarter = parse_code(code)
    if kind == "previous_quarter":
        return f"{year - 1}Q4" if quarter == 1 else f"{year}Q{quarter - 1}"
    if kind == "previous_year_end":
        return f"{year - 1}Q4"
    if kind == "same_quarter_last_year":
        return f"{year - 1}Q{quarter}"
    raise ValueError(kind)


def period_defaults(year: int, quarter: int) -> dict:
    start, end = quarter_bounds(year, quarter)
    code = f"{year}Q{quarter}"
    values = {
        "code": code, "year": year, "quarter": quarter, "start": start, "end": end,
        "filer_due": end + dt.timedelta(days=FILER_DAYS), "branch_due": end + dt.timedelta(days=BRANCH_DAYS),
        "lock_date": end + dt.timedelta(days=LOCK_DAYS), "is_baseline": code == BASELINE,
    }
    if code == FIRST_PERIOD:
        # The first filing covered 2019 H1 and was due 2019-08-15 (浙银保监发〔2019〕164号 七).
        values.update(start=dt.date(2019, 1, 1), filer_due=dt.date(2019, 8, 15), branch_due=dt.date(2019, 8, 20),
                      lock_date=dt.date(2019, 9, 30))
    return values


def quarters_between(first: str, last: str) -> list[tuple[int, int]]:
    y, q = parse_code(first)
    ly, lq = parse_code(last)
    out = []
    while (y, q) <= (ly, lq):
        out.append((y, q))
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return out
