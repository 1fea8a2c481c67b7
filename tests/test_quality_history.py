"""Issue 16 (parts 1 and 4): quality edits against history — each figure compared with the same
subject's previous approved quarter and year-end, rates with the city's approved distribution —
and the quarterly 推进情况 check. Every one is a warning needing a written explanation."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reports.filings import quality_services, services
from reports.filings.models import Filing, Period, QualityThreshold, T4Record
from reports.filings.quality import quality_count
from reports.workflow import services as workflow
from tests import factories as f
from tests.test_filing_pages import t1_raw


@pytest.fixture
def q2(world) -> Period:
    return Period.objects.get(code="2020Q2")


@pytest.fixture
def q3(world) -> Period:
    return Period.objects.get(code="2020Q3")


def codes(issues) -> list[str]:
    return [i.code for i in issues]


def only(issues, code: str):
    return [i for i in issues if i.code == code]


def approve_t1(world, filing: Filing) -> Filing:
    workflow.filing_submit(actor=world.users["op_hz"], filing=filing)
    workflow.filing_confirm(actor=world.users["bank_a_hz"], filing=filing)
    workflow.filing_approve(actor=world.users["hz_branch"], filing=filing)
    return Filing.objects.get(pk=filing.pk)


def t1_saved(world, period, rows):
    op = world.users["op_hz"]
    filing = services.filing_open(actor=op, schedule="T1", period=period, park=world.p_hz)
    res = services.filing_rows_replace(actor=op, filing=filing, raw_rows=rows, expected_lock_version=filing.lock_version)
    assert res.saved, res.issue_dicts()
    return res


@pytest.fixture
def ledger_q2(world, q2):
    """西湖智造's approved 2020Q2 附表1: 西湖甲企业, credit 100, loan 80."""
    res = t1_saved(world, q2, [t1_raw(world.e_hz.uscc, "西湖甲企业有限公司", credit_amount="100", loan_balance="80")])
    return approve_t1(world, res.filing)


# --- 附表1: an enterprise against its previous approved row ----------------------------------------

def test_a_60_percent_drop_warns_with_the_previous_value_and_a_40_percent_drop_does_not(world, q3, ledger_q2):
    res = t1_saved(world, q3, [t1_raw(world.e_hz.uscc, "西湖甲企业有限公司", credit_amount="100", loan_balance="32")])
    [jump] = only(res.warnings, "history_loan_jump")
    assert jump.level == "warning" and jump.column == "loan_balance" and jump.row == 1 and jump.name == "西湖甲企业有限公司"
    assert "2020Q2" in jump.message and "上期 80.00 万元" in jump.message and "本期 32.00 万元" in jump.message
    assert "−60.00%" in jump.message
    assert jump.value == "32.00（上期 80.00）"
    filing = Filing.objects.get(pk=res.filing.pk)
    stored = [i for i in filing.issues if i["code"] == "history_loan_jump"]
    assert stored and stored[0]["value"] == "32.00（上期 80.00）" and stored[0]["label"] == "贷款余额"
    assert quality_count(filing.issues) == 1 and filing.warning_count >= 1

    res = t1_saved(world, q3, [t1_raw(world.e_hz.uscc, "西湖甲企业有限公司", credit_amount="100", loan_balance="48")])
    assert "history_loan_jump" not in codes(res.warnings)
    assert quality_count(Filing.objects.get(pk=res.filing.pk).issues) == 0


def test_a_credit_jump_and_an_enterprise_new_to_the_park_compare_only_what_was_there(world, q3, ledger_q2):
    newcomer = f.TenancyFactory(park=world.p_hz, enterprise=f.EnterpriseFactory(name="西湖新企业有限公司")).enterprise
    res = t1_saved(world, q3, [t1_raw(world.e_hz.uscc, "西湖甲企业有限公司", credit_amount="300", loan_balance="80"),
                               t1_raw(newcomer.uscc, "西湖新企业有限公司", credit_amount="999", loan_balance="900")])
    [jump] = only(res.warnings, "history_credit_jump")
    assert jump.row == 1 and "+200.00%" in jump.message and "上期 100.00 万元" in jump.message
    assert not [i for i in res.warnings if i.code.startswith("history_") and i.row == 2]


# --- 附表2: the park's credited count and coverage -------------------------------------------------

def test_a_park_coverage_drop_warns(world, q2, q3):
    second = f.TenancyFactory(park=world.p_hz, enterprise=f.EnterpriseFactory(name="西湖乙企业有限公司")).enterprise
    rows = [t1_raw(world.e_hz.uscc, "西湖甲企业有限公司", credit_amount="100", loan_balance="80"),
            t1_raw(second.uscc, "西湖乙企业有限公司", credit_amount="50", loan_balance="40")]
    approve_t1(world, t1_saved(world, q2, rows).filing)  # 2 of 2 credited: coverage 100 %
    rows[1] = t1_raw(second.uscc, "西湖乙企业有限公司", credit_amount="0", loan_balance="0", lending_bank_count="0", main_bank="")
    res = t1_saved(world, q3, rows)  # 1 of 2: coverage 50 %
    [coverage] = only(res.warnings, "history_coverage_drop")
    assert "下降50.00个百分点" in coverage.message and "上期 100.00%" in coverage.message and "本期 50.00%" in coverage.message
    assert coverage.value == "50.00%（上期 100.00%）"
    [credited] = only(res.warnings, "history_credited_drop")
    assert "上期 2 户" in credited.message and "本期 1 户" in credited.message


def test_no_park_warning_when_coverage_holds(world, q3, ledger_q2):
    res = t1_saved(world, q3, [t1_raw(world.e_hz.uscc, "西湖甲企业有限公司", credit_amount="110", loan_balance="85")])
    assert not [c for c in codes(res.warnings) if c.startswith("history_")]


# --- 附表4: 普惠 balance against the approved year-end; rates against the city ---------------------

def approved_t4(branch, period, **values) -> Filing:
    """An approved 附表4 written straight to the database (history for the edits to read)."""
    filing = Filing.objects.create(schedule="T4", period=period, branch=branch, status="approved")
    T4Record.objects.create(filing=filing, **values)
    return filing


def t4_saved(world, period, narrative=None, **values):
    user = world.users["bank_a_hz"]
    t4 = services.filing_open(actor=user, schedule="T4", period=period)
    res = services.filing_t4_save(actor=user, filing=t4, raw_values=f.t4_cells(**values),
                                  narrative=f.t4_narrative() if narrative is None else narrative)
    assert res.saved, res.issue_dicts()
    return res


def test_a_fall_of_the_inclusive_balance_against_the_year_end_warns(world, q3):
    approved_t4(world.bank_a_hz, Period.objects.get(code="2019Q4"), inclusive_loan_balance=Decimal("20000"),
                ent_inclusive_balance=Decimal("1500"))
    res = t4_saved(world, q3, inclusive_loan_balance=18000)
    [fall] = only(res.warnings, "history_inclusive_fall")
    assert fall.column == "inclusive_loan_balance"
    assert "2019Q4" in fall.message and "年初 20,000.00 万元" in fall.message and "本期 18,000.00 万元" in fall.message
    assert "下降10.00%" in fall.message and fall.value == "18,000.00（年初 20,000.00）"
    # 入园企业普惠 balance rose (1500 → 2000): no warning for it
    assert len(only(res.warnings, "history_inclusive_fall")) == 1


def hz_banks_with_rates(q3, rates):
    for n, rate in enumerate(rates):
        inst = f.InstitutionFactory(name=f"城商银行{n}股份有限公司", short_name=f"城商银行{n}")
        branch = f.bank_branch("330100", inst, name=f"城商银行{n}杭州分行")
        approved_t4(branch, q3, ent_new_loan_rate=Decimal(rate), inclusive_new_loan_rate=Decimal("5.2"))


def test_a_rate_outside_the_citys_distribution_warns(world, q3):
    hz_banks_with_rates(q3, ["4.30", "4.35", "4.40", "4.45", "4.50"])
    approved_t4(world.bank_a_wz, q3, ent_new_loan_rate=Decimal("9.9"))  # another city: not in the sample
    res = t4_saved(world, q3, ent_new_loan_rate=9.0)
    [outlier] = only(res.warnings, "history_rate_outlier")
    assert outlier.column == "ent_new_loan_rate"
    assert "5 份" in outlier.message and "中位数 4.4000%" in outlier.message and "9.0000%" in outlier.message
    assert outlier.value == "9.0000%（中位数 4.4000%）"


def test_no_rate_warning_when_all_are_close_or_the_sample_is_small(world, q3):
    hz_banks_with_rates(q3, ["4.30", "4.35", "4.40", "4.45", "4.50"])
    assert not only(t4_saved(world, q3, ent_new_loan_rate=4.42).warnings, "history_rate_outlier")
    Filing.objects.filter(schedule="T4", period=q3, status="approved").first().delete()  # 4 left: too few
    assert not only(t4_saved(world, q3, ent_new_loan_rate=9.0).warnings, "history_rate_outlier")


# --- 推进情况 ---------------------------------------------------------------------------------------

def test_an_empty_narrative_section_warns(world, q3):
    res = t4_saved(world, q3, narrative=f.t4_narrative(cases=" "))
    [empty] = only(res.warnings, "narrative_empty")
    assert "典型案例" in empty.message
    stored = Filing.objects.get(pk=res.filing.pk)
    assert [i["code"] for i in stored.issues].count("narrative_empty") == 1


def test_a_narrative_identical_to_last_quarters_warns(world, q2, q3):
    approved_t4(world.bank_a_hz, q2, **f.t4_narrative(experience="整园授信，  批量审批"))
    res = t4_saved(world, q3, narrative=f.t4_narrative(experience="整园授信， 批量审批", cases="本季新案例"))
    repeated = only(res.warnings, "narrative_repeated")
    # 典型案例 was rewritten; the other five sections (whitespace aside) are last quarter's words
    assert len(repeated) == 5 and not [i for i in repeated if "典型案例" in i.message]
    assert any("主要经验做法" in i.message and "2020Q2" in i.message for i in repeated)


# --- thresholds: data the province edits, with history ---------------------------------------------

def test_a_threshold_edited_by_the_province_changes_the_outcome_and_is_in_history(client, world, q3, ledger_q2):
    row = [t1_raw(world.e_hz.uscc, "西湖甲企业有限公司", credit_amount="100", loan_balance="48")]  # −40 %
    assert "history_loan_jump" not in codes(t1_saved(world, q3, row).warnings)
    client.force_login(world.users["province"])
    page = client.get(reverse("reports:quality_threshold_list"))
    assert page.status_code == 200 and "企业贷款余额、授信金额较上期变动幅度" in page.content.decode()
    threshold = QualityThreshold.objects.get(key="enterprise_change_share")
    url = reverse("reports:quality_threshold_settings", args=[threshold.pk])
    assert client.post(url, {"value": "30", "reason": ""}).status_code == 200  # a reason is required
    assert QualityThreshold.objects.get(pk=threshold.pk).value == 50
    response = client.post(url, {"value": "30", "reason": "2020年起收紧"})
    assert response.status_code == 302
    threshold.refresh_from_db()
    assert threshold.value == 30
    latest = threshold.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == "2020年起收紧" and latest.history_user == world.users["province"]
    assert "2020年起收紧" in client.get(url).content.decode()
    assert "history_loan_jump" in codes(t1_saved(world, q3, row).warnings)


def test_only_the_province_edits_thresholds(client, world):
    threshold = quality_services.quality_thresholds_ensure()[0]
    with pytest.raises(PermissionDenied):
        quality_services.quality_threshold_update(actor=world.users["hz_branch"], threshold=threshold, value=Decimal(1), reason="x")
    client.force_login(world.users["op_hz"])
    assert client.get(reverse("reports:quality_threshold_list")).status_code == 403


# --- submission: refused until the history warning is explained -----------------------------------

def test_submit_is_refused_until_the_history_warning_is_explained(client, world, q3, ledger_q2):
    op = world.users["op_hz"]
    filing = t1_saved(world, q3, [t1_raw(world.e_hz.uscc, "西湖甲企业有限公司", credit_amount="100", loan_balance="32")]).filing
    client.force_login(world.users["hz_branch"])
    header = client.get(reverse("reports:filing_detail", args=[filing.pk])).content.decode()
    assert 'data-testid="history-count"' in header and "历史比对提示 1" in header
    with pytest.raises(ValidationError) as exc:
        workflow.filing_submit(actor=op, filing=filing)
    assert "书面说明" in exc.value.messages[0]
    filing.refresh_from_db()
    services.filing_explanation_save(actor=op, filing=filing, explanation="企业归还部分贷款", expected_lock_version=filing.lock_version)
    workflow.filing_submit(actor=op, filing=filing)
    assert Filing.objects.get(pk=filing.pk).status == "submitted"


def _to_the_branch(world, op_key, bank_key, park, period, row):
    """A park's 附表1 saved, explained if it warns, submitted and forwarded by its lead bank."""
    op = world.users[op_key]
    filing = services.filing_open(actor=op, schedule="T1", period=period, park=park)
    assert services.filing_rows_replace(actor=op, filing=filing, raw_rows=[row]).saved
    filing.refresh_from_db()
    services.filing_explanation_save(actor=op, filing=filing, explanation="已核实", expected_lock_version=filing.lock_version)
    workflow.filing_submit(actor=op, filing=filing)
    workflow.filing_confirm(actor=world.users[bank_key], filing=filing)
    return filing


def test_the_reviewers_queue_lists_filings_with_history_warnings_first(client, world, q2, q3):
    # 余杭 (code 330110001, listed after 西湖 330106001) drops its loan by 60 % against its approved 2020Q2
    def yuhang(loan: str) -> dict:
        return t1_raw(world.e_hz2.uscc, "余杭乙企业有限公司", credit_amount="100", loan_balance=loan)

    approved = _to_the_branch(world, "op_hz2", "bank_b_hz", world.p_hz2, q2, yuhang("80"))
    workflow.filing_approve(actor=world.users["hz_branch"], filing=approved)
    _to_the_branch(world, "op_hz2", "bank_b_hz", world.p_hz2, q3, yuhang("32"))
    _to_the_branch(world, "op_hz", "bank_a_hz", world.p_hz, q3, t1_raw(world.e_hz.uscc, "西湖甲企业有限公司"))
    client.force_login(world.users["hz_branch"])
    page = client.get(reverse("reports:completeness_list"), {"period": q3.code, "state": "awaiting"})
    assert [i.name for i in page.context["page"]] == [world.p_hz2.name, world.p_hz.name]
    assert [i.history_warnings for i in page.context["page"]] == [1, 0]
    assert "历史比对提示 1" in page.content.decode()
