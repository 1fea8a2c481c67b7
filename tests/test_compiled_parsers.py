"""The compiled per-column parsers (``reports.schedules.compiled``) give exactly what
``Column.parse`` gives, value or error message, on every kind of cell; ``validate_rows`` gives
exactly ``Schedule.validate``'s rows and issues; the orjson body parser reads what ``json`` reads."""
import datetime
import json
from decimal import Decimal

import pytest
import rest_framework.views  # noqa: F401 - DRF and its settings first (portal.api.parsers is one of them)

from portal.api.parsers import json_loads, json_loads_fast
from reports.schedules import T1, T4, T5
from reports.schedules.base import Context
from reports.schedules.compiled import column_parser, column_vector, validate_rows
from reports.schedules.parsing import ParseError

CELLS = [
    None, "", " ", "-", "—", "／", True, False, 0, 1, 2, -1, 7, 12.0, 37.0, 1e10, 2147483646.0, 2147483647.0, 11.999999999999998, 0.1, 1.005, 2.675, -0.0, -0.004, -3.5, 99.99999,
    10**13, 10**14 - 1, 10**14, 99999999999999.995, 1e16, float("inf"), float("nan"), 2**31 - 2, 2**31 - 1, 2**40,
    Decimal("1.005"), Decimal("NaN"), "12", "12.0", "1,234.5", "１２３", "12户", "5.2%", "５．２％", "500元", "3万元",
    "是", "否", "Y", "n", "√", "有", "met", "已满足", "部分满足", "unmet", "C", "制造业", "批发和零售业", "enterprise", "企业",
    "个体工商户", "good", "良好", "无信贷记录", "working_capital", "流动资金", "  甲银行 ", "杭州（滨江）有限公司",
    "\u200b甲\u200b", "x" * 101, "x" * 300, "913301060000000000", " 91330106000000001x ", "abc",
    datetime.date(2020, 9, 30), datetime.datetime(2020, 9, 30, 8, 0), ["a"], {"a": 1},
]


def _outcome(parse, raw):
    try:
        value = parse(raw)
    except ParseError as exc:
        return ("error", exc.message)
    except Exception as exc:  # noqa: BLE001 - the same failure either way
        return ("raises", type(exc).__name__)
    return ("value", type(value).__name__, value if not isinstance(value, Decimal) else str(value))


@pytest.mark.parametrize("col", [c for s in (T1, T4, T5) for c in s.columns], ids=lambda c: c.key)
def test_every_compiled_parser_answers_like_the_column(col):
    compiled = column_parser(col)
    for raw in CELLS + CELLS:  # twice: the second time from the memo
        assert _outcome(compiled, raw) == _outcome(col.parse, raw), (col.key, raw)
    assert col.parse(None) is None  # what compiled.parse_row takes for granted


def _rows():
    return [
        {"enterprise_name": "甲公司", "uscc": "913301060000000000", "industry": "C", "employees": 12, "revenue": 1234.5,
         "has_demand": True, "demand_amount": 10, "demand_purpose": "流动资金", "demand_status": "unmet",
         "unmet_reason": "bank", "credit_amount": "12户", "loan_balance": 20.0, "loan_rate": 40},
        {"enterprise_name": " 乙公司 ", "uscc": "913301060000000000", "industry": "制造业", "employees": "12",
         "revenue": "1,234.50万元", "tech_type": "是", "credit_amount": 100, "lending_bank_count": 2, "main_bank": "甲银行",
         "loan_balance": 50, "loan_rate": "5.2%", "financing_cost": 4.1},
        {},
    ]


def test_validate_rows_is_schedule_validate():
    ctx = Context(period_end=datetime.date(2020, 9, 30), institution_names=frozenset({"乙银行"}))
    assert validate_rows(T1, _rows(), ctx) == T1.validate(_rows(), ctx)


@pytest.mark.parametrize("body", [
    b'{"rows": [{"a": 1, "b": 1.005, "c": "\\u00e9", "d": null, "e": true}], "lock_version": 3}',
    b'[1, 2.5, "x", {"k": []}]', b'"text"', b'{"n": 12345678901234567890123}', b'{"a": 1, "a": 2}', b'{"a": 1e400}',
])
def test_the_fast_json_parser_reads_what_json_reads(body):
    assert json_loads_fast(body) == json_loads(body) == json.loads(body)


@pytest.mark.parametrize("body", [b'{"a": NaN}', b'{"a": "\\ud800"}', b"\xef\xbb\xbf{}", b"{", b"\xff"])
def test_the_fast_json_parser_refuses_like_json(body):
    with pytest.raises(Exception) as slow:
        json_loads(body)
    with pytest.raises(Exception) as fast:
        json_loads_fast(body)
    assert (type(fast.value), str(fast.value)) == (type(slow.value), str(slow.value))


def test_validate_rows_column_by_column_keeps_each_rows_errors_in_the_columns_order():
    # errors are found column after column; each row's come back as Schedule.validate lists them
    rows = [{"uscc": "913301060000000000", "employees": "多", "revenue": "很多", "loan_rate": "高", "tech_type": "也许"},
            {"uscc": "913301060000000000", "revenue": 5.0},
            {"employees": 2.5, "credit_amount": float("nan"), "is_first_loan": "x"}] * 3
    ctx = Context(period_end=datetime.date(2020, 9, 30))
    rows_fast, issues_fast = validate_rows(T1, rows, ctx)
    assert (rows_fast, issues_fast) == T1.validate(rows, ctx)
    first = [i.column for i in issues_fast if i.row == 1 and i.code == "parse"]
    assert first == [c.key for c in T1.columns if c.key in first] and len(first) == 4
    t5 = [{"park_code": "330106001", "since": float("nan"), "services": "规划、装修"}, {}]
    assert validate_rows(T5, t5, ctx) == T5.validate(t5, ctx)


_PLAIN_KINDS = (int, float, bool, str)


@pytest.mark.parametrize("col", [c for s in (T1, T4, T5) for c in s.columns], ids=lambda c: c.key)
def test_a_whole_column_read_at_once_gives_each_cells_value(col):
    """``column_vector`` (a column of one plain type read at once) answers what the compiled parser
    answers cell by cell, or gives the column back to it (None)."""
    compiled = column_parser(col)
    vector = column_vector(col, compiled)
    columns = [[c for c in CELLS if type(c) is kind] for kind in _PLAIN_KINDS]
    columns += [[None, *column, None] for column in columns] + [[None, None], [12, 12.0, None, 7], [0.1, -0.0, 2], ["  x", "x"], ["－", "杭州，滨江", None, "——", "ｘ"]]
    read_at_once = 0
    for column in columns + [[c] for c in CELLS if type(c) in _PLAIN_KINDS]:
        values = vector(list(column))
        if values is None:
            continue
        read_at_once += 1
        assert [("value", type(v).__name__, v if not isinstance(v, Decimal) else str(v)) for v in values] == \
            [("value", "NoneType", None) if c is None else _outcome(compiled, c) for c in column], (col.key, column)
    assert read_at_once > 1  # every column is read at once when its cells are readable (texts of any kind by a table)
