"""Bad xlsx input: every rule of FORMS.md for 附表1, 附表5 and 附表4, each with a file holding
exactly ONE bad cell. The answer names the Excel row, the column label and the value as typed,
nothing is saved, and the annotated copy marks that cell. Broken files (empty, no header, a missing
required column, zip bomb, xlsm, renamed CSV, 50 MB) get a clear message and save nothing.

Uploads go through ``reports.imports.filing_upload`` (the web view is tested elsewhere)."""
import io
import zipfile

import openpyxl
import pytest

from reports.filings import services
from reports.filings.imports import filing_upload
from reports.filings.models import Filing, ImportJob, T1Row, T4Record, T5Row
from reports.filings.xlsx.template import template_build
from reports.schedules import T1, T4, T5
from reports.schedules.parsing import normalise_text
from tests import factories as f

FIRST = 5  # first data row of the portal's template


pytestmark = pytest.mark.usefixtures("_media")  # uploads in a temporary MEDIA_ROOT (conftest.py)


def typed(value) -> str:
    return normalise_text(value) or "" if not isinstance(value, str) else value


def assert_one_bad_cell(job, *, schedule, key, row, value, code=None, message=None):
    """The job failed, and its only error on a row names row, label and value (and the reason)."""
    assert job.status == ImportJob.Status.FAILED and job.result["saved"] is False
    errors = [i for i in job.result["issues"] if i["level"] == "error"]
    on_rows = [i for i in errors if i["row"] is not None]
    assert len(on_rows) == 1, errors
    (issue,) = on_rows
    label = schedule.label_of(key)
    assert (issue["row"], issue["column"], issue["label"], issue["value"]) == (row, key, label, typed(value)), issue
    if code:
        assert issue["code"] == code, issue
    if message:
        assert message in issue["message"], issue
    assert f"第{row}行" in issue["text"] and f"“{label}”" in issue["text"]
    if issue["value"]:
        assert issue["value"] in issue["text"]
    # the annotated copy marks exactly that cell and lists the issue
    assert job.annotated
    wb = openpyxl.load_workbook(job.annotated.path)
    cell = wb.worksheets[0][issue["cell"]]
    assert cell.fill.fgColor.rgb.endswith("FFC7CE") and issue["message"] in cell.comment.text
    listed = list(wb["错误清单"].iter_rows(min_row=2, values_only=True))
    assert (row, issue["message"]) in {(r[0], r[4]) for r in listed}
    return issue


def saved_nothing(filing, model, before_rows):
    filing_now = Filing.objects.get(pk=filing.pk)
    assert filing_now.lock_version == filing.lock_version
    assert model.objects.filter(filing=filing).count() == before_rows


# --- 附表1 -----------------------------------------------------------------------------------------------

def _uscc_variants(code: str) -> dict:
    body = code[:17]
    wrong_check = next(ch for ch in "0123456789ABCDEFGHJKLMNPQRTUWXY" if ch != code[17])
    return {
        "length": code[:12],
        "forbidden": code[:9] + "I" + code[10:],
        "region": code[:2] + "A" + code[3:],
        "check": body + wrong_check,
    }


NO_LOAN = {"loan_balance": 0, "credit_loan_balance": 0, "medium_long_term_balance": 0, "renewal_balance": 0,
           "loan_rate": None, "financing_cost": None}

# id: (good overrides, bad key, bad value, code or None for a parse error, message fragment)
T1_CASES = {
    **{f"required-{c.key}": ({}, c.key, None, "required", "必填") for c in T1.columns if c.required},
    "uscc-length": ({}, "uscc", "length", "invalid_uscc", "应为18位"),
    "uscc-forbidden-letter": ({}, "uscc", "forbidden", "invalid_uscc", "不得包含字母 I"),
    "uscc-region-part": ({}, "uscc", "region", "invalid_uscc", "第3–8位"),
    "uscc-check-char": ({}, "uscc", "check", "invalid_uscc", "校验位错误"),
    "demand-amount-missing-with-demand": ({}, "demand_amount", None, "demand_amount_required", "必须大于0"),
    "demand-amount-zero-with-demand": ({}, "demand_amount", 0, "demand_amount_required", "必须大于0"),
    "demand-amount-without-demand": ({"has_demand": "否"}, "demand_amount", 200.5, "demand_amount_without_demand", "应为空或0"),
    "demand-purpose-required": ({}, "demand_purpose", None, "demand_purpose_required", "融资需求用途"),
    "demand-status-required": ({}, "demand_status", None, "demand_status_required", "满足情况"),
    "bank-count-zero-with-credit": ({}, "lending_bank_count", 0, "bank_count_zero", "至少为1"),
    "bank-count-without-credit": ({"credit_amount": 0}, "lending_bank_count", 2, "bank_count_without_credit", "应为0"),
    "main-bank-required": ({}, "main_bank", None, "main_bank_required", "主要授信银行"),
    "credit-loan-above-loan": ({}, "credit_loan_balance", 300.01, "credit_loan_balance_above_loan", "不能大于贷款余额"),
    "mlt-above-loan": ({}, "medium_long_term_balance", 400, "medium_long_term_balance_above_loan", "不能大于贷款余额"),
    "renewal-above-loan": ({}, "renewal_balance", 301, "renewal_balance_above_loan", "不能大于贷款余额"),
    "first-loan-without-loan": (NO_LOAN, "is_first_loan", "是", "first_loan_without_loan", "必须有贷款余额"),
    "loan-rate-required": ({}, "loan_rate", None, "loan_rate_required", "必须填写贷款加权平均利率"),
    "loan-rate-zero": ({}, "loan_rate", 0, "loan_rate_range", "不超过36%"),
    "loan-rate-above-36": ({}, "loan_rate", 36.01, "loan_rate_range", "不超过36%"),
    "insured-amount-required": ({}, "insured_amount", None, "insured_amount_required", "保险保额"),
    "unmet-reason-required": ({}, "unmet_reason", None, "unmet_reason_required", "未满足原因"),
    "unmet-detail-required": ({}, "unmet_detail", None, "unmet_detail_required", "原因说明"),
    "name-too-long": ({}, "enterprise_name", "长" * 101, "parse", "长度不能超过100"),
    "bad-amount": ({}, "revenue", "12x", "parse", "不是有效的金额"),
    "amount-in-yuan": ({}, "total_assets", "5000000元", "parse", "单位应为万元"),
    "negative-amount": ({}, "total_assets", -5, "parse", "不能为负数"),
    "bad-count": ({}, "employees", "十二个", "parse", "不是有效的数量"),
    "fractional-count": ({}, "employees", 12.5, "parse", "应为整数"),
    "bad-bool": ({}, "tech_type", "也许", "parse", "应为“是”或“否”"),
    "bad-choice": ({}, "operating_status", "很好", "parse", "应为以下之一"),
    "bad-industry": ({}, "industry", "宇宙业", "parse", "不是有效的行业门类"),
    "bad-rate": ({}, "loan_rate", "四点三", "parse", "不是有效的利率"),
}


@pytest.mark.parametrize("overrides, key, bad, code, message", T1_CASES.values(), ids=T1_CASES.keys())
def test_t1_one_bad_cell_is_named_by_row_label_and_value_and_nothing_is_saved(t1, world, overrides, key, bad, code, message):
    code_ok = f.next_uscc("330106")
    if key == "uscc" and bad in ("length", "forbidden", "region", "check"):
        bad = _uscc_variants(code_ok)[bad]
    row = f.t1_cells(code_ok, **overrides)
    row[key] = bad
    data = f.xlsx_fill_grid(template_build(filing=t1), [row])
    job = filing_upload(actor=world.users["op_hz"], filing=t1, name="附表1.xlsx", data=data)
    assert_one_bad_cell(job, schedule=T1, key=key, row=FIRST, value=bad, code=code, message=message)
    saved_nothing(t1, T1Row, 0)


def test_t1_duplicate_uscc_in_the_file_names_the_second_row(t1, world):
    code = f.next_uscc("330106")
    other = f.t1_cells(code, enterprise_name="另一家企业有限公司")
    data = f.xlsx_fill_grid(template_build(filing=t1), [f.t1_cells(code), other])
    job = filing_upload(actor=world.users["op_hz"], filing=t1, name="附表1.xlsx", data=data)
    issue = assert_one_bad_cell(job, schedule=T1, key="uscc", row=FIRST + 1, value=code, code="duplicate_uscc")
    assert f"第{FIRST}行" in issue["message"]  # the first occurrence, in Excel rows
    saved_nothing(t1, T1Row, 0)


def test_t1_a_bad_row_among_good_rows_saves_none_of_them(t1, world):
    services.filing_rows_replace(actor=world.users["op_hz"], filing=t1, raw_rows=[f.t1_cells(world.e_hz.uscc)])
    t1.refresh_from_db()
    rows = [f.t1_cells(f.next_uscc("330106")) for _ in range(5)]
    rows[3]["revenue"] = "abc"
    job = filing_upload(actor=world.users["op_hz"], filing=t1, name="附表1.xlsx",
                        data=f.xlsx_fill_grid(template_build(filing=t1), rows))
    assert_one_bad_cell(job, schedule=T1, key="revenue", row=FIRST + 3, value="abc")
    saved_nothing(t1, T1Row, 1)
    assert T1Row.objects.get(filing=t1).uscc == world.e_hz.uscc


# --- 附表5 -----------------------------------------------------------------------------------------------

T5_CASES = {
    "park-not-a-partner": ("park_code", "330110001", "not_a_partner_park", "不是本机构有效的伙伴园区"),
    "required-park-code": ("park_code", None, "required", "必填"),
    "required-role": ("role", None, "required", "必填"),
    "required-sub-branch": ("sub_branch", None, "required", "必填"),
    "since-after-period-end": ("since", "2020-10-01", "since_after_period", "不能晚于报送期末"),
    "bad-date": ("since", "2020-13-45", "parse", "不是有效的日期"),
    "bad-phone": ("contact_phone", "12345", "parse", "不是有效的手机或固定电话号码"),
    "bad-services-option": ("services", "规划、装修", "parse", "“装修”不是有效选项"),
    "bad-role": ("role", "合伙人", "parse", "应为以下之一"),
    "bad-count": ("ent_credit_count", "十二", "parse", "不是有效的数量"),
    "bad-amount": ("ent_loan_balance", "六百", "parse", "不是有效的金额"),
    "bad-bool": ("plaque", "挂了", "parse", "应为“是”或“否”"),
}


@pytest.mark.parametrize("key, bad, code, message", T5_CASES.values(), ids=T5_CASES.keys())
def test_t5_one_bad_cell_is_named_by_row_label_and_value_and_nothing_is_saved(t5, world, key, bad, code, message):
    row = f.t5_cells("330106001", "西湖智造小微企业园")
    row[key] = bad
    job = filing_upload(actor=world.users["bank_a_hz"], filing=t5, name="附表5.xlsx",
                        data=f.xlsx_fill_grid(template_build(filing=t5), [row]))
    assert_one_bad_cell(job, schedule=T5, key=key, row=FIRST, value=bad, code=code, message=message)
    saved_nothing(t5, T5Row, 0)


def test_t5_duplicate_park_code_names_the_second_row(t5, world):
    rows = [f.t5_cells("330106001", "西湖智造小微企业园"), f.t5_cells("330106001", "西湖智造小微企业园", sub_branch="另一支行")]
    job = filing_upload(actor=world.users["bank_a_hz"], filing=t5, name="附表5.xlsx",
                        data=f.xlsx_fill_grid(template_build(filing=t5), rows))
    assert_one_bad_cell(job, schedule=T5, key="park_code", row=FIRST + 1, value="330106001", code="duplicate_park")
    saved_nothing(t5, T5Row, 0)


def test_t5_a_missing_partner_park_is_one_filing_level_error(t5, world):
    f.PartnerLinkFactory(park=world.p_hz2, branch=world.bank_a_hz)
    job = filing_upload(actor=world.users["bank_a_hz"], filing=t5, name="附表5.xlsx",
                        data=f.xlsx_fill_grid(template_build(filing=t5), [f.t5_cells("330106001", "西湖智造小微企业园")]))
    assert job.status == ImportJob.Status.FAILED
    errors = [i for i in job.result["issues"] if i["level"] == "error"]
    assert [(i["row"], i["code"], i["value"], i["label"]) for i in errors] == [(None, "partner_park_missing", "330110001", "园区编码")]
    assert "伙伴园区缺报：330110001 余杭数字小微企业园" in errors[0]["text"]
    saved_nothing(t5, T5Row, 0)


# --- 附表4 -----------------------------------------------------------------------------------------------

T4_CASES = {
    # (good overrides, bad key, bad value, code)
    "partner-parks-above-parks-served": ({}, "partner_parks", 6, "partner_parks_above_parks_served"),
    "lead-parks-above-partner-parks": ({}, "lead_parks", 4, "lead_parks_above_partner_parks"),
    "ent-inclusive-count-above-loan-count": ({}, "ent_inclusive_count", 81, "ent_inclusive_count_above_ent_loan_count"),
    "ent-inclusive-balance-above-loan": ({}, "ent_inclusive_balance", 4000.01, "ent_inclusive_balance_above_ent_loan_balance"),
    "ent-credit-loan-above-loan": ({}, "ent_credit_loan_balance", 4001, "ent_credit_loan_balance_above_ent_loan_balance"),
    "ent-mlt-above-loan": ({}, "ent_mlt_balance", 4001, "ent_mlt_balance_above_ent_loan_balance"),
    "ent-renewal-above-loan": ({}, "ent_renewal_balance", 4001, "ent_renewal_balance_above_ent_loan_balance"),
    "ent-plant-equipment-above-loan": ({}, "ent_plant_equipment_balance", 4001, "ent_plant_equipment_balance_above_ent_loan_balance"),
    "ent-npl-above-loan": ({}, "ent_npl_balance", 4001, "ent_npl_balance_above_ent_loan_balance"),
    "sme-loan-above-all-loans": ({}, "sme_loan_balance", 100001, "sme_loan_balance_above_all_loan_balance"),
    "sme-credit-loan-above-sme-loan": ({}, "sme_credit_loan_balance", 40001, "sme_credit_loan_balance_above_sme_loan_balance"),
    "sme-renewal-above-sme-loan": ({}, "sme_renewal_balance", 40001, "sme_renewal_balance_above_sme_loan_balance"),
    "inclusive-renewal-above-sme-renewal": ({}, "inclusive_renewal_balance", 2001, "inclusive_renewal_balance_above_sme_renewal_balance"),
    "inclusive-renewal-above-inclusive-loan": ({"inclusive_loan_balance": 1500, "inclusive_npl_balance": 100}, "inclusive_renewal_balance",
                                               1600, "inclusive_renewal_balance_above_inclusive_loan_balance"),
    "all-npl-above-all-loans": ({}, "all_npl_balance", 100001, "all_npl_balance_above_all_loan_balance"),
    "inclusive-npl-above-inclusive-loan": ({}, "inclusive_npl_balance", 20001, "inclusive_npl_balance_above_inclusive_loan_balance"),
    "private-above-enterprise-loans": ({}, "private_enterprise_loan_balance", 60001, "private_enterprise_loan_balance_above_enterprise_loan_balance"),
    "ent-new-loan-rate-zero": ({}, "ent_new_loan_rate", 0, "ent_new_loan_rate_range"),
    "ent-new-loan-rate-above-36": ({}, "ent_new_loan_rate", 36.5, "ent_new_loan_rate_range"),
    "inclusive-new-loan-rate-zero": ({"inclusive_financing_cost": None}, "inclusive_new_loan_rate", 0, "inclusive_new_loan_rate_range"),
    "inclusive-new-loan-rate-above-36": ({}, "inclusive_new_loan_rate", 40, "inclusive_new_loan_rate_range"),
    "unparseable-amount": ({}, "manufacturing_mlt_balance", "十万", "parse"),
    "unparseable-count": ({}, "ent_first_loan_count", "五个", "parse"),
}


@pytest.mark.parametrize("overrides, key, bad, code", T4_CASES.values(), ids=T4_CASES.keys())
def test_t4_one_bad_cell_is_named_by_row_label_and_value_and_nothing_is_saved(t4, world, overrides, key, bad, code):
    values = f.t4_cells(**overrides)
    values[key] = bad
    template = template_build(filing=t4)
    job = filing_upload(actor=world.users["bank_a_hz"], filing=t4, name="附表4.xlsx", data=f.xlsx_fill_t4(template, values))
    row = f.xlsx_t4_rows(template)[key]
    issue = assert_one_bad_cell(job, schedule=T4, key=key, row=row, value=bad, code=code)
    assert issue["cell"] == f"D{row}"
    saved_nothing(t4, T4Record, 0)


# --- broken files --------------------------------------------------------------------------------------

def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (30 * 1024 * 1024))
    return buffer.getvalue()


def _header_only(filing) -> bytes:
    return f.xlsx_fill_grid(template_build(filing=filing), [])


def _without_column(filing, key) -> bytes:
    data = f.xlsx_fill_grid(template_build(filing=filing), [f.t1_cells(f.next_uscc("330106"))])
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    column = next(c.column for c in ws[4] if c.value == key)
    ws.delete_cols(column)
    return f.xlsx_bytes(wb)


FILE_CASES = {
    "empty-file": (lambda t1: b"", "附表1.xlsx", "文件为空"),
    "no-data-rows": (_header_only, "附表1.xlsx", "工作表没有数据行"),
    "no-header": (lambda t1: f.xlsx_plain(["甲", "乙"], [[1, 2]]), "附表1.xlsx", "未找到表头：前10行中没有找到附表1的列标题"),
    "empty-sheet": (lambda t1: f.xlsx_plain([], []), "附表1.xlsx", "工作表为空"),
    "missing-required-column": (lambda t1: _without_column(t1, "revenue"), "附表1.xlsx", "缺少必填列“上年营业收入”"),
    "zip-bomb": (lambda t1: _zip_bomb(), "附表1.xlsx", "压缩炸弹"),
    "xlsm": (lambda t1: template_build(filing=t1), "附表1.xlsm", "不接受启用宏的工作簿"),
    "csv-renamed": (lambda t1: "企业名称,统一社会信用代码\n甲,913301060000000013\n".encode("utf-8"), "附表1.xlsx", "CSV"),
    "fifty-megabytes": (lambda t1: b"PK\x03\x04" + b"\0" * (50 * 1024 * 1024), "附表1.xlsx", "文件大小超过上限"),
    "corrupt-zip": (lambda t1: b"PK\x03\x04" + b"garbage" * 100, "附表1.xlsx", "损坏"),
}


@pytest.mark.parametrize("build, name, message", FILE_CASES.values(), ids=FILE_CASES.keys())
def test_a_broken_file_gets_a_clear_message_and_saves_nothing(t1, world, build, name, message):
    services.filing_rows_replace(actor=world.users["op_hz"], filing=t1, raw_rows=[f.t1_cells(world.e_hz.uscc)])
    t1.refresh_from_db()
    job = filing_upload(actor=world.users["op_hz"], filing=t1, name=name, data=build(t1))
    assert job.status == ImportJob.Status.FAILED and job.result["saved"] is False
    said = (job.result.get("rejected") or "") + " ".join(i["message"] for i in job.result["issues"])
    assert message in said, job.result
    saved_nothing(t1, T1Row, 1)


def test_a_missing_required_column_is_one_error_per_column_without_row(t1, world):
    job = filing_upload(actor=world.users["op_hz"], filing=t1, name="附表1.xlsx", data=_without_column(t1, "uscc"))
    assert [(i["row"], i["column"], i["message"]) for i in job.result["issues"]] == [(None, "uscc", "缺少必填列“统一社会信用代码”")]


def test_a_t4_sheet_without_any_indicator_is_refused(t4, world):
    job = filing_upload(actor=world.users["bank_a_hz"], filing=t4, name="附表4.xlsx", data=f.xlsx_plain(["甲"], [[1]]))
    assert job.status == ImportJob.Status.FAILED
    assert "没有找到附表4的指标名称" in job.result["issues"][0]["message"]
    saved_nothing(t4, T4Record, 0)


def _with_cell_xml(data: bytes, old: bytes, new: bytes) -> bytes:
    """The workbook ``data`` with ``old`` replaced by ``new`` in its first sheet's XML."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert old in content
                content = content.replace(old, new)
            target.writestr(item, content)
    return out.getvalue()


@pytest.mark.parametrize("stored", [b"NaN", b"inf"])
def test_t5_a_nan_in_a_date_cell_is_a_cell_error_not_a_crash(t5, world, stored):
    row = f.t5_cells("330106001", "西湖智造小微企业园", since=43831)  # an Excel serial, 2020-01-01
    data = _with_cell_xml(f.xlsx_fill_grid(template_build(filing=t5), [row]), b"<v>43831</v>", b"<v>" + stored + b"</v>")
    job = filing_upload(actor=world.users["bank_a_hz"], filing=t5, name="附表5.xlsx", data=data)
    assert job.status == ImportJob.Status.FAILED
    [issue] = [i for i in job.result["issues"] if i["level"] == "error"]
    assert (issue["row"], issue["column"], issue["code"], issue["message"]) == (FIRST, "since", "parse", "不是有效的日期")
    saved_nothing(t5, T5Row, 0)
