"""Columns of several types at once (numbers typed as text beside numbers, dates as Excel serials,
texts and dates, 是/否 beside booleans ...): ``compiled.column_vector`` reads them part by part and
must give every cell what the compiled parser gives it alone — and ``validate_rows`` exactly what
``Schedule.validate`` gives, rows and issues (messages, rows, columns), whatever the mix.
Deterministic random columns (seeded), plus the edge cases written out."""
import datetime
import random
from decimal import Decimal

import pytest

from reports.schedules import T1, T4, T5
from reports.schedules.base import Context
from reports.schedules.compiled import column_parser, column_vector, parse_columns, validate_rows
from reports.schedules.parsing import ParseError

NUMBERS_AS_TEXT = [
    "12", "12.0", " 12 ", "１２", "１２３４．５", "1,234.5", "1,234.50万元", "12 345.6", "12万", "3万元", "(万元)5", "¥12", "RMB 12",
    "500元", "1.2亿", "-0", "-0.004", "-3", "５．２％", "5.2%", "5.20 %", "12户", "7人", "1,5", "1e3", "abc", "0.1", "99999999999999.99",
    "100000000000000", "1,000,000", "2147483647", "2147483646", "\u200b12\u200b", "１２　３", "+5", "−5",
]
EMPTY = [None, "", " ", "-", "--", "—", "——", "／", "/", "\\", "\u3000", "－"]
BOOLS = [True, False, "是", "否", "Y", "n", "yes", "NO", "1", "0", "√", "×", "有", "无", "是的", "不是", "ＹＥＳ", "也许", 1, 0, 1.0, 0.0, 2]
DATES = [
    datetime.date(2020, 6, 30), datetime.datetime(2020, 6, 30), datetime.datetime(2020, 6, 30, 8, 30), datetime.date(1899, 12, 30),
    44012, 44012.0, 44012.75, 20200630, 20200630.0, 19999.0, 20001.0, 2958465.0, 3e6, "2020-06-30", "2020/6/30", "2020.6.30",
    "20200630", "2020年6月30日", "2020年6月30号", " 2020 - 06 - 30 ", "2020-06-30 08:30:00", "2020-02-30", "44012", "44012.5",
    "１９９９年１月１日", "1800-01-01", "30/06/2020", "昨天",
]
NUMBERS = [0, 1, 7, 12, 2**31 - 2, 2**31 - 1, 10**14, 0.0, -0.0, 0.1, 1.005, 2.675, 12.0, 11.999999999999998, 99.99999, 1234.5,
           99999999999999.995, 1e16, -1, -3.5, -0.004, float("nan"), float("inf")]
TEXTS = ["甲公司", " 乙公司 ", "杭州（滨江）有限公司", "x" * 101, "x" * 501, "\u200b甲\u200b", "'=1+1", "ｘ", "913301060000000000",
         " 91330106000000001x ", "９１３３０１０６０００００００００", "C", "制造业", "批发和零售业", "流动资金", "met", "已满足", "良好",
         "无信贷记录", "enterprise", "个体工商户", "规划、装修", "0571-87189701", "13800138000", "+86 138 0013 8000"]
OTHER = [Decimal("1.005"), Decimal("NaN"), Decimal("12"), datetime.time(8, 30)]
POOLS = [NUMBERS_AS_TEXT, EMPTY, BOOLS, DATES, NUMBERS, TEXTS, OTHER]
COLUMNS = [c for s in (T1, T4, T5) for c in s.columns]


def _same(value):
    return (type(value).__name__, str(value)) if isinstance(value, Decimal) else (type(value).__name__, value)


def _one(parse, cell):
    if cell is None:
        return ("value", _same(None))
    try:
        return ("value", _same(parse(cell)))
    except ParseError as exc:
        return ("error", exc.message)


def _mixed_column(rnd: random.Random, size: int) -> list:
    pools = rnd.sample(POOLS, rnd.randint(2, 4))  # a few kinds of cells in one column
    return [rnd.choice(rnd.choice(pools)) for _ in range(size)]


_KIND = {int: "number", float: "number"}


def _check(col, cells):
    compiled = column_parser(col)
    values = column_vector(col, compiled)(list(cells))
    slow = [_one(compiled, c) for c in cells]
    if values is None:  # the column read cell by cell: only when a cell cannot be read (for its errors) or of one other type
        assert any(o[0] == "error" for o in slow) or len({_KIND.get(type(c), type(c)) for c in cells if c is not None}) == 1, (col.key, cells)
    else:
        assert [("value", _same(v)) for v in values] == slow, (col.key, cells)
    return values is not None


@pytest.mark.parametrize("col", COLUMNS, ids=lambda c: c.key)
def test_a_mixed_column_read_at_once_gives_each_cells_value(col):
    rnd = random.Random(f"mixed-{col.key}")
    for _ in range(150):
        _check(col, _mixed_column(rnd, rnd.randint(1, 40)))
    # columns with nothing unreadable: of two kinds or more, always read at once (``_check``)
    compiled = column_parser(col)
    readable = [c for pool in POOLS for c in pool if _one(compiled, c)[0] == "value"]
    for _ in range(60):
        _check(col, [rnd.choice(readable) for _ in range(rnd.randint(2, 30))])


@pytest.mark.parametrize("cells", [
    [12.0, "12", "１２", "1,200", " 7 ", None, "-", 3],  # counts typed as numbers and as text
    [1234.5, "1,234.50万元", "１２３４．５", "12 345.6", "", None, 0.1, 2.675, "-0", -0.0],  # amounts
    [5.2, "5.2%", "５．２％", "5.20 %", None, 36],  # rates
    [True, "是", "否", False, None, "√", 1, 0.0],  # yes / no
    [datetime.date(2020, 6, 30), 44012.0, "2020-06-30", "2020年6月30日", 20200630, datetime.datetime(2020, 6, 30, 8, 30), None],
])
def test_the_usual_mixes_of_a_sheet_are_read_at_once(cells):
    kinds = {"count": T1.by_key["employees"], "amount": T1.by_key["revenue"], "rate": T1.by_key["loan_rate"],
             "bool": T1.by_key["has_demand"], "date": T5.by_key["since"]}
    read = [key for key, col in kinds.items() if _check(col, cells)]
    assert read  # each of these mixes is some column's usual content, read at once there


def _raw_rows(schedule, rnd: random.Random, n: int) -> list[dict]:
    rows = []
    for _ in range(n):
        row = {}
        for col in schedule.columns:
            if rnd.random() < 0.85:
                pool = rnd.choice(POOLS) if rnd.random() < 0.3 else (
                    NUMBERS + NUMBERS_AS_TEXT if col.kind in ("amount", "rate", "count") else
                    BOOLS if col.kind == "bool" else DATES if col.kind == "date" else TEXTS + EMPTY)
                row[col.key] = rnd.choice(pool)
        rows.append(row)
    return rows


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("schedule", [T1, T5], ids=lambda s: s.code)
def test_validate_rows_over_mixed_columns_is_schedule_validate(schedule, seed):
    rnd = random.Random(f"{schedule.code}-{seed}")
    ctx = Context(period_end=datetime.date(2020, 9, 30), institution_names=frozenset({"甲银行", "乙银行"}))
    rows = _raw_rows(schedule, rnd, rnd.randint(1, 60))
    assert validate_rows(schedule, rows, ctx) == schedule.validate(rows, ctx)
    values, issues = parse_columns(schedule, rows, first_row=7)
    slow = [schedule.parse_row(raw, row=7 + i) for i, raw in enumerate(rows)]
    assert values == [v for v, _ in slow]
    assert [i for _, found in slow for i in found] == [i for n in sorted(issues) for i in issues[n]]


def test_rows_missing_keys_read_like_empty_cells():
    ctx = Context(period_end=datetime.date(2020, 9, 30))
    rows = [{"enterprise_name": "甲", "employees": "12"}, {"uscc": "913301060000000000", "revenue": 5.0, "employees": 3}, {}]
    assert validate_rows(T1, rows, ctx) == T1.validate(rows, ctx)
