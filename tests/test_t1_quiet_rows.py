"""附表1's ``quiet_row`` (the flat look ``validate_rows`` takes before the row rules) says "nothing to
find" exactly when the rules find nothing, and fills in 主体类型 as they do — over random rows."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.uscc import uscc_make
from reports.schedules.base import Context
from reports.schedules.t1 import _rules, quiet_row

D = Decimal
AMOUNTS = st.sampled_from([None, D("0"), D("0.00"), D("-1"), D("0.01"), D("5"), D("9.99"), D("10"), D("800"), D("1000"), D("1000.01")])
RATES = st.sampled_from([None, D("0"), D("-1"), D("3.5"), D("15.4"), D("15.4001"), D("36"), D("36.01")])
COUNTS = st.sampled_from([None, 0, 1, 3, 4, 25, 400, 2000])
CODES = st.sampled_from([None, "", uscc_make("91330106000000001"), uscc_make("92330106000000002"), "913301060000000000",
                         "91330106", "9133010600000000IO"])
POOLS = {
    "uscc": CODES, "entity_type": st.sampled_from([None, "", "enterprise", "individual"]),
    "industry": st.sampled_from([None, "C", "F", "K", "A"]), "employees": COUNTS, "revenue": AMOUNTS, "total_assets": AMOUNTS,
    "size": st.sampled_from([None, "", "medium", "small", "micro"]), "has_demand": st.sampled_from([None, True, False]),
    "demand_amount": AMOUNTS, "demand_purpose": st.sampled_from([None, "", "plant"]),
    "lending_bank_count": COUNTS, "main_bank": st.sampled_from([None, "", "甲银行", "甲银行（杭州）", "丁银行"]),
    "credit_amount": AMOUNTS, "loan_balance": AMOUNTS, "credit_loan_balance": AMOUNTS, "medium_long_term_balance": AMOUNTS,
    "renewal_balance": AMOUNTS, "is_first_loan": st.sampled_from([None, True, False]), "loan_rate": RATES,
    "financing_cost": RATES, "insured": st.sampled_from([None, True, False]), "insured_amount": AMOUNTS,
    "demand_status": st.sampled_from([None, "", "met", "partial", "unmet"]),
    "unmet_reason": st.sampled_from([None, "", "bank"]), "unmet_detail": st.sampled_from([None, "", "抵押物不足"]),
    "solution": st.sampled_from([None, "", "信用贷"]),
}
QUIET = {  # a row the rules find nothing in: each example changes a few of its cells
    "uscc": uscc_make("91330106000000001"), "entity_type": None, "industry": "C", "employees": 25, "revenue": D("800"),
    "total_assets": None, "size": None, "has_demand": True, "demand_amount": D("10"), "demand_purpose": "plant",
    "lending_bank_count": 1, "main_bank": "甲银行", "credit_amount": D("1000"), "loan_balance": D("800"),
    "credit_loan_balance": D("5"), "medium_long_term_balance": None, "renewal_balance": D("0"), "is_first_loan": True,
    "loan_rate": D("3.5"), "financing_cost": D("3.5"), "insured": True, "insured_amount": D("5"), "demand_status": "unmet",
    "unmet_reason": "bank", "unmet_detail": "抵押物不足", "solution": "信用贷",
}


@st.composite
def rows(draw):
    keys = draw(st.lists(st.sampled_from(sorted(POOLS)), max_size=4, unique=True))
    return {**QUIET, **{k: draw(POOLS[k]) for k in keys}}


ROWS = rows()
CONTEXTS = st.sampled_from([
    Context(period_end=dt.date(2020, 9, 30), institution_names=frozenset({"甲银行股份有限公司", "甲银行"})),
    Context(period_end=dt.date(2020, 9, 30)),
    Context(period_end=dt.date(2020, 9, 30), rate_warning_threshold=D("5")),
])


def test_the_base_row_is_quiet():
    ctx = Context(period_end=dt.date(2020, 9, 30), institution_names=frozenset({"甲银行"}))
    assert list(_rules(dict(QUIET), ctx)) == [] and quiet_row(dict(QUIET), ctx)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(row=ROWS, ctx=CONTEXTS)
def test_quiet_row_is_true_exactly_when_the_row_rules_find_nothing(row, ctx):
    by_rules, by_look = dict(row), dict(row)
    found = list(_rules(by_rules, ctx))
    assert quiet_row(by_look, ctx) == (not found), found
    if not found:
        assert by_look == by_rules  # 主体类型 filled in from the code alike
