"""附表1 rules through the service, and 附表2 from a hand-built ledger: figures computed here by the
test itself (tier boundaries 10/50/500/1000, the loan-weighted rate, categories, coverage)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parks.models import Enterprise, Tenancy
from reports.filings import services
from reports.filings.models import Filing, Period, T1Row, T2Summary
from tests import factories as f

CREDITS = ["0", "9.99", "10", "49.99", "50", "499.99", "500", "1000", "1000.01"]


def raw_row(i: int, uscc: str, credit: str, **extra) -> dict:
    credit_d = Decimal(credit)
    row = {
        "enterprise_name": f"台账企业{i}有限公司", "uscc": uscc, "industry": "C", "employees": "30", "revenue": "800",
        "operating_status": "良好", "credit_status": "良好", "has_demand": "否",
        "lending_bank_count": "0" if credit_d == 0 else "1", "main_bank": "" if credit_d == 0 else "甲银行",
        "credit_amount": credit,
    }
    if credit_d > 0:
        loan = (credit_d * Decimal("0.8")).quantize(Decimal("0.01"))
        row.update(loan_balance=str(loan), loan_rate=str(Decimal("4") + Decimal(i) / 10))
    row.update(extra)
    return row


@pytest.fixture
def ledger(world):
    period = Period.objects.get(code="2020Q3")
    park = f.ParkFactory(code="330106077", name="台账测试园", county=f.region("330106"), operator=world.op_hz, star_rating=4)
    for branch in (world.bank_a_hz, world.bank_b_hz):
        f.PartnerLinkFactory(park=park, branch=branch)
    tenants = [f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(uscc=f.next_uscc("330106"))) for _ in range(12)]
    # one tenant left before the period: not counted
    gone = f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(uscc=f.next_uscc("330106")), left_on=dt.date(2020, 6, 30))
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=period, park=park)
    rows = [raw_row(i, tenants[i].enterprise.uscc, credit) for i, credit in enumerate(CREDITS)]
    # demand rows: one partial (B despite credit), one unmet without credit (B)
    rows[2].update(has_demand="是", demand_amount="30", demand_purpose="流动资金", demand_status="部分满足",
                   unmet_reason="银行服务原因", unmet_detail="抵押物不足")
    rows[0].update(has_demand="是", demand_amount="20", demand_purpose="购置设备", demand_status="未满足",
                   unmet_reason="企业自身原因", unmet_detail="财务不规范", solution="引入担保")
    rows[4].update(financing_cost="6.1", is_first_loan="是", renewal_balance="10", credit_loan_balance="20",
                   insured="是", insured_amount="88", lending_bank_count="4")
    result = services.filing_rows_replace(actor=world.users["op_hz"], filing=filing, raw_rows=rows)
    assert result.saved, result.issue_dicts()
    return {"filing": filing, "park": park, "rows": rows, "tenants": tenants, "gone": gone}


def test_t2_equals_figures_computed_by_hand(ledger):
    t2 = T2Summary.objects.get(filing=ledger["filing"])
    credits = [Decimal(c) for c in CREDITS]
    assert t2.enterprises_total == 12  # the tenant who left on 2020-06-30 does not count
    assert t2.filed_count == 9 and t2.filing_coverage == Decimal("75.00")  # 9/12
    assert t2.credited_count == 8
    assert t2.credit_coverage == (Decimal(8) * 100 / 12).quantize(Decimal("0.01")) == Decimal("66.67")
    assert t2.credit_amount == sum(credits)
    # tier boundaries: 9.99 | 10, 49.99 | 50, 499.99 | 500, 1000 | 1000.01
    assert (t2.tier_lt10_count, t2.tier_lt10_amount) == (1, Decimal("9.99"))
    assert (t2.tier_10_50_count, t2.tier_10_50_amount) == (2, Decimal("59.99"))
    assert (t2.tier_50_500_count, t2.tier_50_500_amount) == (2, Decimal("549.99"))
    assert (t2.tier_500_1000_count, t2.tier_500_1000_amount) == (2, Decimal("1500"))
    assert (t2.tier_gt1000_count, t2.tier_gt1000_amount) == (1, Decimal("1000.01"))
    loans = {i: (Decimal(c) * Decimal("0.8")).quantize(Decimal("0.01")) for i, c in enumerate(CREDITS) if Decimal(c) > 0}
    rates = {i: Decimal("4") + Decimal(i) / 10 for i in loans}
    assert t2.loan_count == 8 and t2.loan_balance == sum(loans.values())
    expected_rate = sum(rates[i] * loans[i] for i in loans) / sum(loans.values())
    assert t2.weighted_loan_rate == expected_rate.quantize(Decimal("0.0001"))
    assert t2.weighted_financing_cost == Decimal("6.1000")  # only one row has a cost
    assert t2.demand_count == 2 and t2.demand_amount == Decimal("50")
    assert (t2.demand_met_count, t2.demand_partial_count, t2.demand_unmet_count) == (0, 1, 1)
    assert (t2.unmet_enterprise_count, t2.unmet_bank_count, t2.unmet_other_count) == (1, 1, 0)
    assert t2.first_loan_count == 1 and t2.renewal_count == 1 and t2.renewal_balance == Decimal("10")
    assert t2.multi_bank_count == 1 and t2.insured_count == 1 and t2.insured_amount == Decimal("88")
    assert t2.partner_bank_count == 2
    # inclusive: small/micro by the 2011 rule (30 people, 800 万元 revenue → 小型) and 0 < credit ≤ 1000
    assert t2.inclusive_count == 7 and t2.inclusive_balance == sum(v for i, v in loans.items() if Decimal(CREDITS[i]) <= 1000)
    assert t2.coverage_target == Decimal("70") and t2.coverage_met is False


def test_categories_follow_demand_then_credit(ledger):
    cats = dict(T1Row.objects.filter(filing=ledger["filing"]).values_list("credit_amount", "category"))
    assert cats[Decimal("0")] == "B"  # unmet demand, no credit
    assert cats[Decimal("10")] == "B"  # partially met demand despite credit
    assert cats[Decimal("9.99")] == "A"
    rows = ledger["rows"]
    services.filing_rows_replace(actor=ledger["filing"].created_by, filing=ledger["filing"],
                                 raw_rows=[{**rows[0], "has_demand": "否", "demand_amount": "", "demand_purpose": "",
                                            "demand_status": "", "unmet_reason": "", "unmet_detail": "", "solution": ""}])
    assert T1Row.objects.get(filing=ledger["filing"]).category == "C"


def test_coverage_met_at_the_target(world):
    period = Period.objects.get(code="2020Q3")
    park = f.ParkFactory(code="330106078", county=f.region("330106"), operator=world.op_hz, star_rating=3)
    tenants = [f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(uscc=f.next_uscc("330106"))) for _ in range(5)]
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=period, park=park)
    rows = [raw_row(i, t.enterprise.uscc, "100" if i < 3 else "0") for i, t in enumerate(tenants)]
    assert services.filing_rows_replace(actor=world.users["op_hz"], filing=filing, raw_rows=rows).saved
    t2 = T2Summary.objects.get(filing=filing)
    assert t2.credit_coverage == Decimal("60.00") and t2.coverage_target == Decimal("60") and t2.coverage_met is True


def test_saving_t1_registers_unknown_enterprises_as_tenants_from_the_period_start(world):
    period = Period.objects.get(code="2020Q3")
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=period, park=world.p_hz)
    new_code = f.next_uscc("330106")
    rows = [raw_row(0, world.e_hz.uscc, "0"), raw_row(1, new_code, "0", enterprise_name="新登记企业有限公司")]
    assert services.filing_rows_replace(actor=world.users["op_hz"], filing=filing, raw_rows=rows).saved
    ent = Enterprise.objects.get(uscc=new_code)
    assert ent.name == "新登记企业有限公司"
    tenancy = Tenancy.objects.get(park=world.p_hz, enterprise=ent)
    assert tenancy.entered_on == period.start
    assert Tenancy.objects.filter(park=world.p_hz, enterprise=world.e_hz).count() == 1
    assert T2Summary.objects.get(filing=filing).enterprises_total == 2


def test_a_row_set_with_one_error_saves_nothing_and_names_row_column_and_value(world):
    period = Period.objects.get(code="2020Q3")
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=period, park=world.p_hz)
    good = raw_row(0, world.e_hz.uscc, "100")
    bad = raw_row(1, f.next_uscc("330106"), "100", loan_rate="37")
    result = services.filing_rows_replace(actor=world.users["op_hz"], filing=filing, raw_rows=[good, bad], row_numbers=[5, 6])
    assert not result.saved
    [err] = result.errors
    from reports.schedules import T1

    d = err.as_dict(T1)
    assert (d["row"], d["label"], d["value"]) == (6, "贷款加权平均利率(%)", "37")
    assert T1Row.objects.filter(filing=filing).count() == 0
    assert Filing.objects.get(pk=filing.pk).lock_version == filing.lock_version


def test_warnings_are_kept_on_the_filing(world):
    period = Period.objects.get(code="2020Q3")
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=period, park=world.p_hz)
    row = raw_row(3, world.e_hz.uscc, "100", loan_rate="16", main_bank="不存在银行")
    result = services.filing_rows_replace(actor=world.users["op_hz"], filing=filing, raw_rows=[row])
    assert result.saved
    filing.refresh_from_db()
    codes = {w["code"] for w in filing.issues}
    assert {"loan_rate_high", "main_bank_unknown"} <= codes and filing.warning_count == len(filing.issues)


def test_a_stale_save_is_refused_never_overwritten(world):
    period = Period.objects.get(code="2020Q3")
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=period, park=world.p_hz)
    opened_at = filing.lock_version
    services.filing_row_save(actor=world.users["op_hz"], filing=filing, raw_row=raw_row(0, world.e_hz.uscc, "100"),
                             expected_lock_version=opened_at)
    with pytest.raises(services.StaleFiling) as exc:
        services.filing_row_save(actor=world.users["op_hz"], filing=filing, raw_row=raw_row(1, f.next_uscc(), "5"),
                                 expected_lock_version=opened_at)
    assert "已被" in str(exc.value) and "未保存" in str(exc.value)
    assert T1Row.objects.filter(filing=filing).count() == 1


def test_only_the_parks_operator_opens_its_t1(world):
    period = Period.objects.get(code="2020Q3")
    for who in ("op_wz", "bank_a_hz", "hz_branch", "xihu_jxj"):
        with pytest.raises(PermissionDenied):
            services.filing_open(actor=world.users[who], schedule="T1", period=period, park=world.p_hz)
    with pytest.raises(ValidationError):
        services.filing_open(actor=world.users["op_hz"], schedule="T1", period=Period.objects.get(code="2018Q4"), park=world.p_hz)


def test_submitted_filings_are_read_only(world):
    period = Period.objects.get(code="2020Q3")
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=period, park=world.p_hz)
    Filing.objects.filter(pk=filing.pk).update(status="submitted")
    with pytest.raises(ValidationError):
        services.filing_rows_replace(actor=world.users["op_hz"], filing=filing, raw_rows=[raw_row(0, world.e_hz.uscc, "1")])


def test_t4_save_and_cross_checks(world):
    period = Period.objects.get(code="2020Q3")
    t5 = services.filing_open(actor=world.users["bank_a_hz"], schedule="T5", period=period)
    res = services.filing_rows_replace(actor=world.users["bank_a_hz"], filing=t5, raw_rows=[
        {"park_code": world.p_hz.code, "role": "主办行", "sub_branch": "甲银行西湖支行", "ent_credit_amount": "500"}])
    assert res.saved, res.issue_dicts()
    t4 = services.filing_open(actor=world.users["bank_a_hz"], schedule="T4", period=period)
    res = services.filing_t4_save(actor=world.users["bank_a_hz"], filing=t4, raw_values={
        "parks_served": "3", "partner_parks": "2", "lead_parks": "1", "ent_credit_amount": "400",
        "ent_loan_balance": "300", "ent_npl_balance": "301"}, narrative=f.t4_narrative(experience="整园授信"))
    assert not res.saved and [e.column for e in res.errors] == ["ent_npl_balance"]
    res = services.filing_t4_save(actor=world.users["bank_a_hz"], filing=t4, raw_values={
        "parks_served": "3", "partner_parks": "2", "lead_parks": "1", "ent_credit_amount": "400", "ent_loan_balance": "300"},
        narrative=f.t4_narrative(experience="整园授信"))
    assert res.saved
    assert {w.code for w in res.warnings} == {"partner_parks_vs_t5", "t5_credit_above_t4"}
    assert t4.t4.experience == "整园授信"


def test_after_the_lock_date_only_a_regulator_may_change_a_filing(world):
    period = Period.objects.get(code="2020Q3")
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=period, park=world.p_hz)
    Period.objects.filter(pk=period.pk).update(lock_date=dt.date(2020, 11, 29))
    with pytest.raises(ValidationError) as exc:
        services.filing_rows_replace(actor=world.users["op_hz"], filing=filing, raw_rows=[raw_row(0, world.e_hz.uscc, "1")])
    assert "锁定" in exc.value.messages[0]


def test_the_sql_aggregate_and_the_python_reference_agree(ledger):
    from reports.filings.selectors import filing_row_values
    from reports.schedules.t2 import t2_compute

    stored = T2Summary.objects.get(filing=ledger["filing"])
    reference = t2_compute(rows=filing_row_values(filing=ledger["filing"]), enterprises_total=12, partner_bank_count=2, star_rating=4)
    for key, value in reference.items():
        assert getattr(stored, key) == value, key


def test_computed_columns_display_their_labels():
    from reports.schedules import T1

    shown = {c.key: c.display(v) for c, v in zip(T1.computed, ("micro", "50_500", True, "B"))}
    assert shown == {"size_computed": "微型", "credit_tier": "50–500万元", "inclusive": "是", "category": "B 有需求待满足"}


def test_stored_warnings_use_the_filings_row_numbers_not_the_sheets(world):
    period = Period.objects.get(code="2020Q3")
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=period, park=world.p_hz)
    rows = [raw_row(0, world.e_hz.uscc, "100"), raw_row(1, f.next_uscc(), "100", loan_rate="16")]
    result = services.filing_rows_replace(actor=world.users["op_hz"], filing=filing, raw_rows=rows, row_numbers=[5, 6])
    assert [w.row for w in result.warnings] == [6]  # the answer to the upload names the sheet's row
    filing.refresh_from_db()
    assert [w["row"] for w in filing.issues] == [2]  # the filing keeps its own row_no


def test_an_unreadable_cell_does_not_cause_false_errors_in_other_columns(world):
    from reports.schedules import T1, Context

    row = raw_row(0, world.e_hz.uscc, "100", credit_amount="5000000元")
    _, issues = T1.validate([row], Context())
    assert [(i.column, i.code) for i in issues] == [("credit_amount", "parse")]


def test_rules_that_do_not_read_the_unreadable_cell_still_answer(world):
    from reports.schedules import T1, Context

    row = raw_row(0, world.e_hz.uscc, "100", employees="很多人", loan_rate="40")
    _, issues = T1.validate([row], Context())
    assert {(i.column, i.code) for i in issues} == {("employees", "parse"), ("loan_rate", "loan_rate_range")}


def test_values_too_large_for_the_database_are_refused_on_the_cell(world):
    from reports.schedules import T1, Context

    row = raw_row(0, world.e_hz.uscc, "100", employees="3000000000", revenue="200000000000000")
    _, issues = T1.validate([row], Context())
    assert {(i.column, i.code) for i in issues} == {("employees", "parse"), ("revenue", "parse")}
    assert all("数值过大" in i.message for i in issues)
