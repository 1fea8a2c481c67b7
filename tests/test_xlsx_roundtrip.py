"""xlsx round trips: a downloaded template, filled in and uploaded back, yields exactly those rows;
an export re-imports losslessly; a hand-made sheet with only the official labels is accepted;
exports escape formula-like text. Everything is driven by the schedule definitions."""
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from reports.filings import selectors, services
from reports.filings.imports import filing_upload
from reports.filings.models import ImportJob, T4Record
from reports.filings.xlsx import safe_cell
from reports.filings.xlsx.exporter import filing_export, t2_export
from reports.filings.xlsx.reader import read_rows
from reports.filings.xlsx.template import template_build
from reports.schedules import T1, T4, T5
from reports.schedules.base import AMOUNT, BOOL, CHOICE, INDUSTRY
from reports.schedules.t4 import NARRATIVE
from tests import factories as f

pytestmark = pytest.mark.usefixtures("_media")  # uploads in a temporary MEDIA_ROOT (conftest.py)


def stored(filing, schedule) -> list[dict]:
    """The filing's stored input values, blanks as None."""
    return [{c.key: (None if r.get(c.key) == "" else r.get(c.key)) for c in schedule.columns}
            for r in selectors.filing_row_values(filing=filing)]


def upload(user, filing, data, name="附表.xlsx") -> ImportJob:
    job = filing_upload(actor=user, filing=filing, name=name, data=data)
    assert job.status == ImportJob.Status.DONE, job.result
    return job


def sheet_values(data: bytes, sheet=0) -> list[list]:
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[sheet].iter_rows(values_only=True)


# --- template layout -----------------------------------------------------------------------------

@pytest.mark.parametrize("schedule, fixture", [(T1, "t1"), (T5, "t5")])
def test_template_has_title_filer_labels_hidden_keys_dropdowns_and_instructions(request, world, schedule, fixture):
    filing = request.getfixturevalue(fixture)
    wb = openpyxl.load_workbook(io.BytesIO(template_build(filing=filing)))
    ws = wb.worksheets[0]
    if schedule is T1:
        assert ws["A1"].value == "杭州市西湖智造小微企业园分类建档基础台帐"
        assert ws["A2"].value.startswith("填报单位：西湖园运营公司")
    else:
        assert ws["A1"].value == "甲银行杭州分行小微企业园“伙伴银行”情况表"
    assert "报送期：2020Q3" in ws["A2"].value and "单位：万元、%" in ws["A2"].value
    assert [c.value for c in ws[3]] == [c.header for c in schedule.columns]
    assert [c.value for c in ws[4]] == [c.key for c in schedule.columns]
    assert ws.row_dimensions[4].hidden
    assert ws.freeze_panes.endswith("5")
    listed = {str(dv.sqref).split(":")[0][:-1] for dv in ws.data_validations.dataValidation}
    letters = {c.key: openpyxl.utils.get_column_letter(i) for i, c in enumerate(schedule.columns, start=1)}
    assert listed == {letters[c.key] for c in schedule.columns if c.kind in (CHOICE, BOOL, INDUSTRY)}
    for c in schedule.columns:
        assert ws.column_dimensions[letters[c.key]].width == c.width
        if c.kind == AMOUNT:
            assert ws.column_dimensions[letters[c.key]].number_format == "#,##0.00"  # amounts with separators (issue 13: one number rule)
    instructions = [row for row in wb["填报说明"].iter_rows(values_only=True)]
    keys = {row[2] for row in instructions if len(row) > 2}
    assert {c.key for c in schedule.columns} <= keys


def test_t1_template_is_prefilled_with_the_parks_tenants(t1, world):
    rows = list(sheet_values(template_build(filing=t1)))[4:]
    assert rows[0][:4] == ("西湖甲企业有限公司", world.e_hz.uscc, "企业", "制造业")
    assert len(rows) == 1


def test_t5_template_is_prefilled_with_the_active_partner_links(t5, world):
    rows = list(sheet_values(template_build(filing=t5)))[4:]
    assert rows[0][:4] == ("330106001", "西湖智造小微企业园", "主办行", "测试支行")
    assert rows[0][6].date() == dt.date(2019, 7, 1)


def test_t4_template_is_vertical_with_every_indicator_and_the_narrative_sheet(t4):
    data = template_build(filing=t4)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[:2] == ["附表4", "推进情况"] and "填报说明" in wb.sheetnames
    rows = f.xlsx_t4_rows(data)
    assert set(rows) == {c.key for c in T4.columns}
    ws = wb.worksheets[0]
    assert [ws.cell(3, c).value for c in range(1, 7)] == ["指标键", "序号", "指标", "本季末", "上年末", "比年初增减"]
    assert ws.cell(rows["ent_loan_balance"], 3).value == "入园企业贷款余额(万元)"
    assert [r[0] for r in wb["推进情况"].iter_rows(min_row=2, values_only=True)] == [c.label for c in NARRATIVE]


# --- template -> fill -> upload ----------------------------------------------------------------------

def test_t1_template_filled_in_and_uploaded_yields_exactly_those_rows(t1, world):
    new_code = f.next_uscc("330106")
    filled = f.xlsx_fill_grid(template_build(filing=t1), [
        f.t1_cells(new_code),
        {"enterprise_name": "西湖甲企业有限公司", "uscc": world.e_hz.uscc, "industry": "制造业", "employees": 8, "revenue": 120,
         "operating_status": "一般", "credit_status": "无信贷记录", "has_demand": "否", "lending_bank_count": 0},
    ])
    job = upload(world.users["op_hz"], t1, filled)
    assert job.result["created"] == 2 and job.result["saved"] and job.progress == 100
    second = {c.key: None for c in T1.columns}
    second.update(enterprise_name="西湖甲企业有限公司", uscc=world.e_hz.uscc, entity_type="enterprise", industry="C", employees=8,
                  revenue=Decimal("120.00"), operating_status="fair", credit_status="none", has_demand=False,
                  lending_bank_count=0, tech_type=False, is_first_loan=False, insured=False)
    assert stored(t1, T1) == [f.t1_stored(new_code), second]


def test_t5_template_filled_in_and_uploaded_yields_exactly_those_rows(t5, world):
    data = template_build(filing=t5)
    filled = f.xlsx_fill_grid(data, [f.t5_cells("330106001", "西湖智造小微企业园")])
    job = upload(world.users["bank_a_hz"], t5, filled)
    assert job.result["created"] == 1
    assert stored(t5, T5) == [f.t5_stored("330106001", "西湖智造小微企业园")]


def test_t4_template_filled_in_and_uploaded_yields_exactly_those_values_and_narrative(t4, world):
    texts = {c.label: f"{c.label}：第三季度情况说明。" for c in NARRATIVE}
    filled = f.xlsx_fill_t4(template_build(filing=t4), f.t4_cells(), texts)
    job = upload(world.users["bank_a_hz"], t4, filled)
    assert job.result["created"] == 1
    record = T4Record.objects.get(filing=t4)
    for key, value in f.t4_cells().items():
        column = T4.by_key[key]
        expected = Decimal(str(value)).quantize(Decimal("0.01") if column.kind == AMOUNT else Decimal("0.0001")) \
            if column.kind != "count" else value
        assert getattr(record, key) == expected, key
    assert record.insured_parks is None
    assert {c.label: getattr(record, c.key) for c in NARRATIVE} == texts


def test_t4_template_shows_the_change_since_the_previous_year_end(t4, world):
    base_period = services.period_ensure(year=2019, quarter=4)
    base = services.filing_open(actor=world.users["bank_a_hz"], schedule="T4", period=base_period)
    services.filing_t4_save(actor=world.users["bank_a_hz"], filing=base, raw_values=f.t4_cells(ent_loan_balance=3500))
    data = template_build(filing=t4)
    rows = f.xlsx_t4_rows(data)
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert ws.cell(rows["ent_loan_balance"], 5).value == 3500
    assert ws.cell(rows["ent_loan_balance"], 6).value.startswith("=IF(")
    services.filing_t4_save(actor=world.users["bank_a_hz"], filing=t4, raw_values=f.t4_cells())
    export = openpyxl.load_workbook(io.BytesIO(filing_export(filing=t4))).worksheets[0]
    row = rows["ent_loan_balance"]
    assert [export.cell(row, c).value for c in (4, 5, 6, 7)] == [4000, 3500, 500, pytest.approx(14.29)]


# --- export -> re-import -------------------------------------------------------------------------------

def test_t1_export_reimports_losslessly(t1, world):
    codes = [f.next_uscc("330106") for _ in range(3)]
    rows = [f.t1_cells(codes[0]), f.t1_cells(codes[1], enterprise_name="  全角１２３企业  ", size=None, tech_type="否"),
            f.t1_cells(codes[2], has_demand="否", demand_amount=None, demand_purpose=None, demand_status=None,
                       unmet_reason=None, unmet_detail=None, solution=None, insured="否", insured_amount=None)]
    upload(world.users["op_hz"], t1, f.xlsx_fill_grid(template_build(filing=t1), rows))
    before = stored(t1, T1)
    export = filing_export(filing=t1)
    header = list(sheet_values(export))[2]
    assert list(header) == [c.header for c in T1.columns] + [c.label for c in T1.computed]
    job = upload(world.users["op_hz"], t1, export, name="导出.xlsx")
    assert job.result["unchanged"] == 3 and job.result["updated"] == job.result["created"] == job.result["deleted"] == 0
    assert stored(t1, T1) == before


def test_t5_export_reimports_losslessly(t5, world):
    upload(world.users["bank_a_hz"], t5, f.xlsx_fill_grid(template_build(filing=t5), [f.t5_cells("330106001", "西湖智造小微企业园")]))
    before = stored(t5, T5)
    job = upload(world.users["bank_a_hz"], t5, filing_export(filing=t5))
    assert job.result["unchanged"] == 1 and job.result["updated"] == 0
    assert stored(t5, T5) == before


def test_t4_export_reimports_losslessly(t4, world):
    texts = {c.label: f"{c.label}说明" for c in NARRATIVE}
    upload(world.users["bank_a_hz"], t4, f.xlsx_fill_t4(template_build(filing=t4), f.t4_cells(), texts))
    before = stored(t4, T4)
    narrative = {c.key: getattr(T4Record.objects.get(filing=t4), c.key) for c in NARRATIVE}
    job = upload(world.users["bank_a_hz"], t4, filing_export(filing=t4))
    assert job.result["unchanged"] == 1 and job.result["updated"] == 0
    assert stored(t4, T4) == before
    assert {c.key: getattr(T4Record.objects.get(filing=t4), c.key) for c in NARRATIVE} == narrative


def test_t2_export_has_the_register_and_figures_with_a_hidden_key_row(t1, world):
    upload(world.users["op_hz"], t1, f.xlsx_fill_grid(template_build(filing=t1), [f.t1_cells(world.e_hz.uscc)]))
    wb = openpyxl.load_workbook(io.BytesIO(t2_export(filing=t1)))
    ws = wb.worksheets[0]
    assert ws["A1"].value == "杭州市西湖智造小微企业园融资需求及融资成本情况汇总表"
    keys = [c.value for c in ws[4]]
    assert ws.row_dimensions[4].hidden and keys[:2] == ["park_name", "county"]
    data = dict(zip(keys, [c.value for c in ws[5]]))
    assert data["park_name"] == "西湖智造小微企业园" and data["filed_count"] == 1 and data["credited_count"] == 1
    assert data["credit_amount"] == 500 and data["partner_bank_count"] == 2


# --- tolerant reading ----------------------------------------------------------------------------------

def test_a_hand_made_sheet_with_only_official_labels_in_another_order_imports(t1, world):
    code = f.next_uscc("330106")
    # Official labels in another order, a "(万元)" / "（万元）" suffix, an extra column, full-width
    # digits and 万元 suffixes in the cells, lower-case full-width code, spaces in the labels.
    headers = ["备注（自用）", "统一社会信用代码", " 企业 名称 ", "所属行业", "从业人员(人)", "上年营业收入（万元）", "资产总额(万元)",
               "经营情况", "资信状况", "是否有融资需求", "授信银行家数", "主要授信银行", "授信金额（万元）", "贷款余额",
               "贷款加权平均利率(%)"]
    row = ["随便写", code.lower(), "手工表企业", "C", "１２３", "120.5万元", "1,234.5", "良好", "良好", "否", "1", "甲银行",
           "５００万元", "300万", "4.35%"]
    data = f.xlsx_plain(headers, [row])
    read = read_rows(schedule=T1, data=data)
    assert read.ok and read.header_row == 1 and read.row_numbers == [2]
    assert read.column_letters["uscc"] == "B" and read.column_letters["enterprise_name"] == "C"
    job = upload(world.users["op_hz"], t1, data)
    assert job.result["created"] == 1
    (saved,) = stored(t1, T1)
    assert saved["uscc"] == code and saved["enterprise_name"] == "手工表企业"
    assert saved["employees"] == 123 and saved["revenue"] == Decimal("120.50") and saved["total_assets"] == Decimal("1234.50")
    assert saved["credit_amount"] == Decimal("500.00") and saved["loan_balance"] == Decimal("300.00")
    assert saved["loan_rate"] == Decimal("4.3500") and saved["has_demand"] is False


def test_header_found_below_free_text_rows_and_empty_rows_skipped(t5, world):
    headers = [c.label for c in T5.columns]
    cells = f.t5_cells("330106001", "西湖智造小微企业园")
    data = f.xlsx_plain(headers, [[None] * len(headers), [cells[c.key] for c in T5.columns], [None] * len(headers)],
                        above=[["伙伴银行情况表"], [], ["单位：万元"]])
    read = read_rows(schedule=T5, data=data)
    assert read.ok and read.header_row == 4 and read.row_numbers == [6]
    upload(world.users["bank_a_hz"], t5, data)
    assert stored(t5, T5) == [f.t5_stored("330106001", "西湖智造小微企业园")]


def test_a_text_uscc_stays_text_and_integer_floats_are_counts(t1):
    code = "913301060000000013"  # 18 digits typed as text: must not become a float
    labels = [c.label for c in T1.columns]
    data = f.xlsx_plain(labels, [["甲", code, "企业", "制造业", 12.0, 3000] + [None] * (len(labels) - 6)])
    read = read_rows(schedule=T1, data=data)
    assert read.ok and read.raw_rows[0]["uscc"] == code
    values, issues = T1.parse_row(read.raw_rows[0])
    assert values["employees"] == 12 and isinstance(values["employees"], int) and not issues


def test_a_horizontal_t4_sheet_is_accepted_too(t4, world):
    values = f.t4_cells()
    data = f.xlsx_plain([T4.by_key[k].label for k in values], [list(values.values())])
    job = upload(world.users["bank_a_hz"], t4, data)
    assert job.result["created"] == 1
    assert T4Record.objects.get(filing=t4).ent_loan_balance == Decimal("4000.00")


# --- formula injection -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ['=HYPERLINK("x")', "+1+2", "-3", "@SUM(A1)", "\t=1", "\r=1"])
def test_safe_cell_escapes_formula_like_text(text):
    assert safe_cell(text) == "'" + text
    assert safe_cell("普通文本") == "普通文本" and safe_cell(-3) == -3 and safe_cell(Decimal("1.5")) == Decimal("1.5")


def test_export_escapes_cells_starting_with_formula_characters(t1, world):
    evil = '=HYPERLINK("x")'
    result = services.filing_rows_replace(actor=world.users["op_hz"], filing=t1, raw_rows=[
        {**f.t1_cells(world.e_hz.uscc), "enterprise_name": evil, "unmet_detail": "@attack", "solution": "+cmd"}])
    assert result.saved, result.issue_dicts()
    data = filing_export(filing=t1)
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert ws["A5"].value == "'" + evil and ws["A5"].data_type == "s"
    letters = {c.value: c.column_letter for c in ws[4]}
    assert ws[f"{letters['unmet_detail']}5"].value == "'@attack" and ws[f"{letters['solution']}5"].value == "'+cmd"
    # calamine (the upload reader) sees a plain string, not a formula
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[4][0] == "'" + evil
    # and re-importing the export gives the original text back
    job = upload(world.users["op_hz"], t1, data)
    assert job.result["unchanged"] == 1
    assert stored(t1, T1)[0]["enterprise_name"] == evil


def test_template_prefill_is_escaped_too(t1, world):
    world.e_hz.name = "=cmd|' /C calc'!A0"
    world.e_hz.save()
    rows = list(sheet_values(template_build(filing=t1)))
    assert rows[4][0] == "'=cmd|' /C calc'!A0"
