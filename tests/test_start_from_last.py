"""Issue 14: a quarter started from the last (附表1 / 附表5 从上期带入 with the register's changes, 附表4's
上期 column), names beside codes in every error list and diff, and the park's to-do over every open period."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from parks import services as park_services
from parks.choices import PartnerRole
from reports.filings import services
from reports.filings.imports import filing_upload
from reports.filings.models import Filing, ImportJob, Period, T1Row, T5Row
from reports.filings.xlsx.template import template_build
from reports.workflow import services as workflow
from reports.workflow.diff import filing_diff
from tests import factories as f
from tests.test_filing_pages import t1_raw

pytestmark = pytest.mark.usefixtures("_media")


@pytest.fixture
def q3(world) -> Period:
    return Period.objects.get(code="2020Q3")


@pytest.fixture
def q4(world) -> Period:
    return Period.objects.get(code="2020Q4")


def approve_t1(world, filing: Filing) -> Filing:
    workflow.filing_submit(actor=world.users["op_hz"], filing=filing)
    workflow.filing_confirm(actor=world.users["bank_a_hz"], filing=filing)
    workflow.filing_approve(actor=world.users["hz_branch"], filing=filing)
    return Filing.objects.get(pk=filing.pk)


@pytest.fixture
def ledger_q3(world, q3):
    """西湖智造's approved 2020Q3 附表1: 西湖甲企业 (stays) and 西湖乙企业 (leaves on 2020-11-15);
    then 西湖丙企业 enters on 2020-10-20 — both recorded through parks.services."""
    op = world.users["op_hz"]
    leaving = park_services.tenancy_create(actor=op, park=world.p_hz, uscc=f.next_uscc("330106"), enterprise_name="西湖乙企业有限公司",
                                           industry="C", entered_on=dt.date(2019, 1, 1))
    filing = services.filing_open(actor=op, schedule="T1", period=q3, park=world.p_hz)
    rows = [t1_raw(world.e_hz.uscc, "西湖甲企业有限公司", employees="80", main_bank="甲银行"),
            t1_raw(leaving.enterprise.uscc, "西湖乙企业有限公司")]
    assert services.filing_rows_replace(actor=op, filing=filing, raw_rows=rows).saved
    approved = approve_t1(world, filing)
    park_services.tenancy_update(actor=op, tenancy=leaving, data={"left_on": dt.date(2020, 11, 15)})
    entering = park_services.tenancy_create(actor=op, park=world.p_hz, uscc=f.next_uscc("330106"), enterprise_name="西湖丙企业有限公司",
                                            industry="I", entity_type="enterprise", entered_on=dt.date(2020, 10, 20))
    return approved, leaving.enterprise, entering.enterprise


# --- 附表1 from the last ---------------------------------------------------------------------------

def test_t1_starts_from_the_last_approved_ledger_plus_the_registers_changes(world, q4, ledger_q3):
    source, left, entered = ledger_q3
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=q4, park=world.p_hz)
    result = services.filing_start_from_previous(actor=world.users["op_hz"], filing=filing, expected_lock_version=filing.lock_version)
    assert result.saved
    rows = {r.uscc: r for r in T1Row.objects.filter(filing=filing)}
    assert set(rows) == {world.e_hz.uscc, entered.uscc}
    stayed = rows[world.e_hz.uscc]
    assert (stayed.enterprise_name, stayed.employees, stayed.main_bank, str(stayed.loan_balance)) == ("西湖甲企业有限公司", 80, "甲银行", "80.00")
    new = rows[entered.uscc]
    assert (new.enterprise_name, new.industry, new.entity_type, new.employees, new.revenue) == ("西湖丙企业有限公司", "I", "enterprise", None, None)
    assert result.plan.source.pk == source.pk
    assert result.plan.departed == [(left.uscc, "西湖乙企业有限公司")]
    assert result.plan.added == [(entered.uscc, "西湖丙企业有限公司")]
    # the new tenant's figures are the operator's to type: stored as errors on its cells, and no submission before
    filing.refresh_from_db()
    required = {i["column"] for i in filing.issues if i["level"] == "error"}
    assert required == {"employees", "revenue", "operating_status", "credit_status", "has_demand", "lending_bank_count"}
    assert filing.error_count == 6 and {i["name"] for i in filing.issues if i["level"] == "error"} == {"西湖丙企业有限公司"}
    with pytest.raises(ValidationError, match=r"有 6 个错误（如：第2行（西湖丙企业有限公司） 从业人员\(人\)为必填项）"):
        workflow.filing_submit(actor=world.users["op_hz"], filing=filing)


def test_completing_the_new_tenants_row_clears_its_stored_errors(world, q4, ledger_q3):
    _, _, entered = ledger_q3
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=q4, park=world.p_hz)
    services.filing_start_from_previous(actor=world.users["op_hz"], filing=filing)
    row_no = T1Row.objects.get(filing=filing, uscc=entered.uscc).row_no
    filing.refresh_from_db()
    saved = services.filing_row_save(actor=world.users["op_hz"], filing=filing, row_no=row_no,
                                     raw_row=t1_raw(entered.uscc, "西湖丙企业有限公司", industry="I"))
    assert saved.saved
    filing.refresh_from_db()
    assert filing.error_count == 0 and not [i for i in filing.issues if i["level"] == "error"]


def test_a_filing_with_rows_or_without_an_approved_earlier_one_cannot_start_from_the_last(world, q3, q4, ledger_q3):
    op = world.users["op_hz"]
    q2 = services.filing_open(actor=op, schedule="T1", period=Period.objects.get(code="2020Q2"), park=world.p_hz)
    with pytest.raises(ValidationError, match="没有 2020Q2 之前已审核通过的附表1"):
        services.filing_start_from_previous(actor=op, filing=q2)
    q4_filing = services.filing_open(actor=op, schedule="T1", period=q4, park=world.p_hz)
    assert services.filing_rows_replace(actor=op, filing=q4_filing, raw_rows=[t1_raw(world.e_hz.uscc)]).saved
    with pytest.raises(ValidationError, match="只有空表可以从上期带入"):
        services.filing_start_from_previous(actor=op, filing=q4_filing)


def test_the_result_page_lists_the_departed_enterprises(client, world, q4, ledger_q3):
    _, left, entered = ledger_q3
    client.force_login(world.users["op_hz"])
    q4_period = q4
    response = client.post(reverse("reports:filing_new"), {"schedule": "T1", "period": q4_period.pk, "park": world.p_hz.pk,
                                                            "start_from_previous": "on"})
    filing = Filing.objects.get(schedule="T1", period=q4_period, park=world.p_hz)
    assert response.status_code == 302 and response["Location"] == reverse("reports:filing_started", args=[filing.pk])
    page = client.get(response["Location"]).content.decode()
    assert f"已退园，未带入：西湖乙企业有限公司（{left.uscc}）" in page
    assert f"西湖丙企业有限公司（{entered.uscc}）" in page and "2020Q3 第1版" in page
    assert "已带入 <b>1</b> 家仍在园企业，新增 <b>1</b> 家新入园企业，\n      <b>1</b> 家已退园企业未带入" in page


def test_the_empty_grid_offers_to_start_from_the_last(client, world, q4, ledger_q3):
    client.force_login(world.users["op_hz"])
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=q4, park=world.p_hz)
    page = client.get(filing.get_absolute_url()).content.decode()
    assert 'data-testid="start-offer"' in page and "以 2020Q3 第1版（已审核通过）为底稿" in page
    response = client.post(reverse("reports:filing_start", args=[filing.pk]), {"lock_version": filing.lock_version})
    assert response["Location"] == reverse("reports:filing_started", args=[filing.pk])
    assert T1Row.objects.filter(filing=filing).count() == 2
    page = client.get(filing.get_absolute_url()).content.decode()
    assert 'data-testid="start-offer"' not in page
    assert "有 <b>6</b> 个必填项待补充" in page and '<td class="num err" title="从业人员(人)为必填项">' in page


# --- 附表5 from the last ---------------------------------------------------------------------------

def test_t5_starts_from_the_last_approved_one_plus_the_partner_links_in_force(world, q3, q4):
    bank = world.users["bank_a_hz"]
    ended_park = f.ParkFactory(code="330106009", name="西湖旧伙伴小微企业园", county=f.region("330106"), operator=world.op_hz)
    ended = f.PartnerLinkFactory(park=ended_park, branch=world.bank_a_hz, role=PartnerRole.PARTNER)
    t5 = services.filing_open(actor=bank, schedule="T5", period=q3)
    assert services.filing_rows_replace(actor=bank, filing=t5, raw_rows=[
        {"park_code": world.p_hz.code, "role": "主办行", "sub_branch": "甲银行西湖支行", "contact_name": "张经理",
         "reported_to_regulator": "是", "ent_credit_amount": "100"},
        {"park_code": ended_park.code, "role": "伙伴银行", "sub_branch": "甲银行古荡支行", "reported_to_regulator": "是"}]).saved
    t4 = services.filing_open(actor=bank, schedule="T4", period=q3)
    assert services.filing_t4_save(actor=bank, filing=t4, raw_values={
        "parks_served": "2", "partner_parks": "2", "lead_parks": "1", "ent_credit_amount": "100"}, narrative=f.t4_narrative()).saved
    t5.refresh_from_db()
    workflow.filing_submit(actor=bank, filing=t5)
    workflow.filing_approve(actor=world.users["hz_branch"], filing=Filing.objects.get(pk=t5.pk))
    assert Filing.objects.get(pk=t5.pk).status == "approved"
    park_services.partner_link_end(actor=world.users["op_hz"], link=ended, until=dt.date(2020, 11, 30))
    f.PartnerLinkFactory(park=world.p_hz2, branch=world.bank_a_hz, role=PartnerRole.PARTNER, sub_branch="甲银行余杭支行",
                         since=dt.date(2020, 10, 8))

    q4_t5 = services.filing_open(actor=bank, schedule="T5", period=q4)
    result = services.filing_start_from_previous(actor=bank, filing=q4_t5)
    assert result.saved, result.save.issue_dicts()
    rows = {r.park_code: r for r in T5Row.objects.filter(filing=q4_t5)}
    assert set(rows) == {world.p_hz.code, world.p_hz2.code}
    assert (rows[world.p_hz.code].contact_name, rows[world.p_hz.code].role, str(rows[world.p_hz.code].ent_credit_amount)) == ("张经理", "lead", "100.00")
    assert (rows[world.p_hz2.code].sub_branch, rows[world.p_hz2.code].since) == ("甲银行余杭支行", dt.date(2020, 10, 8))
    assert result.plan.departed == [(ended_park.code, "西湖旧伙伴小微企业园")]
    assert result.plan.added == [(world.p_hz2.code, "余杭数字小微企业园")]


# --- 附表4: 上期 -----------------------------------------------------------------------------------

def test_t4_shows_last_quarters_values_beside_each_field(client, world, q3, q4):
    bank = world.users["bank_a_hz"]
    q3_t4 = services.filing_open(actor=bank, schedule="T4", period=q3)
    assert services.filing_t4_save(actor=bank, filing=q3_t4, raw_values={"parks_served": "3", "ent_credit_amount": "1200.5"}).saved
    q4_t4 = services.filing_open(actor=bank, schedule="T4", period=q4)
    assert services.filing_t4_save(actor=bank, filing=q4_t4, raw_values={"parks_served": "5", "ent_credit_amount": "1000"}).saved
    client.force_login(bank)
    page = client.get(q4_t4.get_absolute_url()).content.decode()
    assert "上期（2020Q3）" in page
    assert 'data-testid="previous-ent_credit_amount">1,200.50<' in page
    assert 'data-testid="change-prev-ent_credit_amount">\u2212200.50<' in page
    assert 'data-testid="change-prev-parks_served">+2<' in page
    edit = client.get(reverse("reports:t4_edit", args=[q4_t4.pk])).content.decode()
    assert 'data-prev="1200.50"' in edit and "js/t4.js" in edit and "<script>" not in edit


# --- names beside codes ----------------------------------------------------------------------------

def test_the_upload_error_list_names_the_enterprise(client, world, q3):
    op = world.users["op_hz"]
    filing = services.filing_open(actor=op, schedule="T1", period=q3, park=world.p_hz)
    rows = [f.t1_cells(world.e_hz.uscc, enterprise_name="西湖甲企业有限公司", loan_rate=40)]
    job = filing_upload(actor=op, filing=filing, name="台账.xlsx", data=f.xlsx_fill_grid(template_build(filing=filing), rows))
    assert job.status == ImportJob.Status.FAILED
    [issue] = [i for i in job.result["issues"] if i["column"] == "loan_rate"]
    assert issue["name"] == "西湖甲企业有限公司" and issue["text"].startswith("第5行（西湖甲企业有限公司）")
    client.force_login(op)
    page = client.get(reverse("reports:import_job", args=[job.pk])).content.decode()
    assert '<td data-testid="issue-name">西湖甲企业有限公司</td>' in page
    import openpyxl

    listed = list(openpyxl.load_workbook(job.annotated.path)["错误清单"].iter_rows(min_row=2, values_only=True))
    assert any(r[0] == 5 and r[1] == "西湖甲企业有限公司" for r in listed)


def test_the_save_error_list_names_the_enterprise(world, q3):
    op = world.users["op_hz"]
    filing = services.filing_open(actor=op, schedule="T1", period=q3, park=world.p_hz)
    result = services.filing_rows_replace(actor=op, filing=filing, raw_rows=[t1_raw(world.e_hz.uscc, "西湖甲企业有限公司", loan_rate="37")],
                                          row_numbers=[7])
    [error] = result.errors
    assert error.as_dict()["name"] == "西湖甲企业有限公司" and error.row == 7


def test_the_version_diff_names_the_enterprise_beside_its_code(client, world, q3):
    op = world.users["op_hz"]
    filing = services.filing_open(actor=op, schedule="T1", period=q3, park=world.p_hz)
    assert services.filing_rows_replace(actor=op, filing=filing, raw_rows=[t1_raw(world.e_hz.uscc, "西湖甲企业有限公司")]).saved
    v1 = approve_t1(world, filing)
    v2 = workflow.filing_amend(actor=op, filing=v1)
    newcomer = f.next_uscc("330106")
    assert services.filing_rows_replace(actor=op, filing=v2, raw_rows=[
        t1_raw(world.e_hz.uscc, "西湖甲企业有限公司", employees="60"), t1_raw(newcomer, "西湖新来企业有限公司")]).saved
    diff = filing_diff(old=v1, new=Filing.objects.get(pk=v2.pk))
    assert [str(r) for r in diff.added] == [f"西湖新来企业有限公司（{newcomer}）"]
    assert [(c.name, c.key, c.label, c.old, c.new) for c in diff.changed] == [
        ("西湖甲企业有限公司", world.e_hz.uscc, "从业人员(人)", "50", "60")]
    client.force_login(op)
    page = client.get(reverse("reports:filing_diff", args=[v2.pk])).content.decode()
    assert "<b>西湖甲企业有限公司</b><br><span class=\"text-muted small\">" + world.e_hz.uscc in page
    assert "<b>西湖新来企业有限公司</b>" in page


# --- the park's to-do ------------------------------------------------------------------------------

def test_the_parks_todo_lists_every_open_period_not_filed_or_returned(client, world, q3, q4):
    today = dt.date.today()
    Period.objects.exclude(code__in=["2020Q3", "2020Q4"]).update(lock_date=today - dt.timedelta(days=1))
    op = world.users["op_hz"]
    filing = services.filing_open(actor=op, schedule="T1", period=q3, park=world.p_hz)
    assert services.filing_rows_replace(actor=op, filing=filing, raw_rows=[t1_raw(world.e_hz.uscc)]).saved
    workflow.filing_submit(actor=op, filing=filing)
    workflow.filing_return(actor=world.users["bank_a_hz"], filing=Filing.objects.get(pk=filing.pk), comment="授信金额有误")
    client.force_login(op)
    todo = [t["text"] for t in client.get("/").context["todo"]]
    assert todo == ["西湖智造小微企业园：2020Q4 附表1尚未填报", "西湖智造小微企业园：2020Q3 附表1已退回，待提交"]
