"""The filing pages (reports.views): who may see and change which filing, the T1/T5 grid, the T4
form with 比年初增减, xlsx downloads and uploads, and the import job page."""
from __future__ import annotations

import io
import itertools

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parks.models import Park
from reports.filings import services
from reports.filings.models import Filing, ImportJob, Period, T1Row, T4Record, T5Row
from reports.schedules import T1
from tests import factories as f

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def t1_raw(uscc: str, name: str = "甲公司", **over: str) -> dict[str, str]:
    row = {"enterprise_name": name, "uscc": uscc, "industry": "C", "employees": "50", "revenue": "1200",
           "operating_status": "良好", "credit_status": "良好", "has_demand": "否", "lending_bank_count": "1",
           "main_bank": "甲银行", "credit_amount": "100", "loan_balance": "80", "loan_rate": "4.5"}
    row.update(over)
    return row


def form_data(raw: dict[str, str], lock_version: int) -> dict[str, str]:
    """The POST body a browser sends from the row form: every column (blank when not given) plus lock_version."""
    data = {col.key: "" for col in T1.columns}
    data.update(raw)
    for col in T1.columns:  # selects post the stored value, as a browser does
        if col.choices:
            data[col.key] = {label: key for key, label in col.choices}.get(data[col.key], data[col.key])
    data["lock_version"] = str(lock_version)
    return data


pytestmark = pytest.mark.usefixtures("_media")  # uploads in a temporary MEDIA_ROOT (conftest.py)


@pytest.fixture
def period(world) -> Period:
    return Period.objects.get(code="2020Q3")


@pytest.fixture
def t1(world, period) -> Filing:
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=period, park=world.p_hz)
    result = services.filing_rows_replace(actor=world.users["op_hz"], filing=filing, raw_rows=[t1_raw(world.e_hz.uscc)])
    assert result.saved, result.issue_dicts()
    filing.refresh_from_db()
    return filing


@pytest.fixture
def bank_filings(world, period) -> dict[str, Filing]:
    return {
        "t4_a": services.filing_open(actor=world.users["bank_a_hz"], schedule="T4", period=period),
        "t5_a": services.filing_open(actor=world.users["bank_a_hz"], schedule="T5", period=period),
        "t4_b": services.filing_open(actor=world.users["bank_b_hz"], schedule="T4", period=period),
    }


def url(name: str, filing: Filing, *args) -> str:
    return reverse(f"reports:{name}", args=[filing.pk, *args])


# --- who sees what ------------------------------------------------------------------------

def test_a_bank_can_neither_see_nor_download_nor_upload_another_banks_t4_t5(client, world, bank_filings):
    client.force_login(world.users["bank_b_hz"])
    for key in ("t4_a", "t5_a"):
        filing = bank_filings[key]
        for name in ("filing_detail", "filing_template", "filing_export", "filing_upload"):
            assert client.get(url(name, filing)).status_code == 404, (key, name)
        upload = ContentFile(b"PK\x03\x04", name="x.xlsx")
        assert client.post(url("filing_upload", filing), {"file": upload, "lock_version": "0"}).status_code == 404
    assert client.get(url("filing_rows", bank_filings["t5_a"])).status_code == 404
    assert client.get(url("row_add", bank_filings["t5_a"])).status_code == 404
    assert client.get(url("t4_edit", bank_filings["t4_a"])).status_code == 404
    # its own T4 is there
    assert client.get(url("filing_detail", bank_filings["t4_b"])).status_code == 200
    assert client.get(url("t4_edit", bank_filings["t4_b"])).status_code == 200


def test_a_park_operator_sees_only_its_own_parks_t1(client, world, t1):
    client.force_login(world.users["op_hz2"])
    for name in ("filing_detail", "filing_rows", "filing_export", "filing_t2_export", "filing_template", "filing_upload", "row_add"):
        assert client.get(url(name, t1)).status_code == 404, name
    assert client.get(url("row_edit", t1, 1)).status_code == 404
    response = client.get(reverse("reports:filing_list"))
    assert t1.park.name not in response.content.decode()

    client.force_login(world.users["op_hz"])
    response = client.get(url("filing_detail", t1))
    assert response.status_code == 200
    assert "甲公司" in response.content.decode()
    assert t1.park.name in client.get(reverse("reports:filing_list")).content.decode()


def test_the_lead_bank_can_view_but_not_change_the_parks_t1(client, world, t1):
    client.force_login(world.users["bank_a_hz"])  # 主办行 of p_hz
    assert client.get(url("filing_detail", t1)).status_code == 200
    export = client.get(url("filing_export", t1))
    assert export.status_code == 200 and export["Content-Type"] == XLSX
    assert client.get(url("filing_t2_export", t1)).status_code == 200
    for name in ("filing_template", "filing_upload", "row_add"):
        assert client.get(url(name, t1)).status_code == 403, name
    assert client.get(url("row_edit", t1, 1)).status_code == 403
    assert client.post(url("row_edit", t1, 1), form_data(t1_raw(world.e_hz.uscc, name="改名"), t1.lock_version)).status_code == 403
    assert client.post(url("row_delete", t1, 1), {"lock_version": t1.lock_version}).status_code == 403
    assert client.post(url("filing_explanation", t1), {"explanation": "x", "lock_version": t1.lock_version}).status_code == 403
    assert T1Row.objects.get(filing=t1).enterprise_name == "甲公司"
    # the read-only page offers no edit buttons
    body = client.get(url("filing_detail", t1)).content.decode()
    assert "新增一行" not in body and "下载模板" not in body

    client.force_login(world.users["bank_b_hz"])  # partner bank, not lead: does not see the T1
    assert client.get(url("filing_detail", t1)).status_code == 404


def test_the_branch_regulator_views_its_citys_filings_and_cannot_change_them(client, world, t1, bank_filings):
    client.force_login(world.users["hz_branch"])
    for filing in (t1, bank_filings["t4_a"], bank_filings["t5_a"]):
        assert client.get(url("filing_detail", filing)).status_code == 200
        assert client.get(url("filing_export", filing)).status_code == 200
        assert client.get(url("filing_upload", filing)).status_code == 403
        assert client.get(url("filing_template", filing)).status_code == 403
    assert client.get(url("row_add", t1)).status_code == 403
    assert client.get(url("t4_edit", bank_filings["t4_a"])).status_code == 403
    assert client.post(url("t5_prefill", bank_filings["t5_a"]), {"lock_version": "0"}).status_code == 403

    client.force_login(world.users["wz_branch"])
    assert client.get(url("filing_detail", t1)).status_code == 404
    assert client.get(url("filing_detail", bank_filings["t4_a"])).status_code == 404


def test_only_filers_open_new_filings_and_only_their_own_schedules(client, world, period):
    client.force_login(world.users["op_hz"])
    page = client.get(reverse("reports:filing_new")).content.decode()
    assert "附表1" in page and "附表4" not in page and world.p_hz2.name not in page
    response = client.post(reverse("reports:filing_new"), {"schedule": "T1", "period": period.pk, "park": world.p_hz.pk})
    filing = Filing.objects.get(schedule="T1", park=world.p_hz, period=period)
    assert response.status_code == 302 and response["Location"] == filing.get_absolute_url()
    # someone else's park is not a valid choice
    response = client.post(reverse("reports:filing_new"), {"schedule": "T1", "period": period.pk, "park": world.p_hz2.pk})
    assert response.status_code == 200 and not Filing.objects.filter(park=world.p_hz2).exists()

    client.force_login(world.users["bank_a_hz"])
    page = client.get(reverse("reports:filing_new")).content.decode()
    assert "附表4" in page and "附表5" in page and "附表1 分类建档基础台帐" not in page
    response = client.post(reverse("reports:filing_new"), {"schedule": "T5", "period": period.pk})
    assert response.status_code == 302
    assert Filing.objects.filter(schedule="T5", branch=world.bank_a_hz, period=period).exists()

    client.force_login(world.users["hz_branch"])
    assert client.get(reverse("reports:filing_new")).status_code == 403


# --- the T1 grid ----------------------------------------------------------------------------

def test_grid_adds_edits_and_deletes_rows_through_the_client(client, world, t1):
    client.force_login(world.users["op_hz"])
    second = f.next_uscc("330106")
    response = client.post(url("row_add", t1), form_data(t1_raw(second, name="乙公司"), t1.lock_version))
    assert response.status_code == 302, (response.context["form"].errors, response.context.get("stale"))
    assert list(T1Row.objects.filter(filing=t1).order_by("row_no").values_list("enterprise_name", flat=True)) == ["甲公司", "乙公司"]
    t1.refresh_from_db()
    assert t1.row_count == 2 and t1.t2.filed_count == 2

    edit_page = client.get(url("row_edit", t1, 2)).content.decode()
    assert 'value="乙公司"' in edit_page and f'name="lock_version" value="{t1.lock_version}"' in edit_page
    response = client.post(url("row_edit", t1, 2), form_data(t1_raw(second, name="乙公司更名", credit_amount="600", loan_balance="500"), t1.lock_version))
    assert response.status_code == 302
    row = T1Row.objects.get(filing=t1, row_no=2)
    assert row.enterprise_name == "乙公司更名" and row.credit_tier == "500_1000"
    grid = client.get(url("filing_detail", t1)).content.decode()
    assert "500–1000万元" in grid and "A 已获授信" in grid  # computed columns shown with their labels

    t1.refresh_from_db()
    confirm = client.get(url("row_delete", t1, 2))
    assert confirm.status_code == 200 and "确认删除" in confirm.content.decode()
    assert T1Row.objects.filter(filing=t1, row_no=2).exists()  # GET deletes nothing
    response = client.post(url("row_delete", t1, 2), {"lock_version": t1.lock_version})
    assert response.status_code == 302
    assert list(T1Row.objects.filter(filing=t1).values_list("row_no", flat=True)) == [1]
    t1.refresh_from_db()
    assert t1.row_count == 1 and t1.t2.filed_count == 1

    response = client.get(url("filing_detail", t1))
    assert "已删除第2行" in response.content.decode()
    assert [r.name for r in response.context["grid"]] == ["甲公司"]
    grid = client.get(url("filing_detail", t1)).content.decode()
    assert "授信规模" in grid and "分类建档类别" in grid and "附表2" in grid


def test_an_invalid_cell_shows_its_error_on_that_field_and_saves_nothing(client, world, t1):
    client.force_login(world.users["op_hz"])
    before = list(T1Row.objects.filter(filing=t1).values())
    raw = t1_raw(f.next_uscc("330106"), name="丙公司", employees="很多人", loan_rate="40")
    response = client.post(url("row_add", t1), form_data(raw, t1.lock_version))
    assert response.status_code == 200
    body = response.content.decode()
    form = response.context["form"]
    assert form.errors["employees"] and form.errors["loan_rate"]
    assert 'data-field="employees"' in body and 'data-field="loan_rate"' in body
    assert "贷款加权平均利率应大于0且不超过36%" in body
    assert 'value="很多人"' in body  # the user's input is kept
    assert list(T1Row.objects.filter(filing=t1).values()) == before
    t1_after = Filing.objects.get(pk=t1.pk)
    assert t1_after.lock_version == t1.lock_version and t1_after.row_count == 1


def test_a_warning_is_shown_as_a_yellow_note_and_does_not_block(client, world, t1):
    client.force_login(world.users["op_hz"])
    raw = t1_raw(f.next_uscc("330106"), name="丁公司", loan_rate="18")
    response = client.post(url("row_add", t1), form_data(raw, t1.lock_version), follow=True)
    body = response.content.decode()
    assert T1Row.objects.filter(filing=t1, enterprise_name="丁公司").exists()
    assert "alert-warning" in body and "贷款加权平均利率高于15.4%" in body
    assert 'class="warn"' in body or "num warn" in body  # the stored warning marks the cell in the grid


def test_a_stale_lock_version_is_refused_with_the_message_and_nothing_changes(client, world, t1):
    client.force_login(world.users["op_hz"])
    stale = t1.lock_version
    # someone else saves first
    services.filing_row_save(actor=world.users["op_hz"], filing=t1, raw_row=t1_raw(world.e_hz.uscc, name="甲公司他人修改"),
                             row_no=1, expected_lock_version=stale)
    response = client.post(url("row_edit", t1, 1), form_data(t1_raw(world.e_hz.uscc, name="甲公司我的修改"), stale))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="stale"' in body and "您的修改未保存" in body
    assert T1Row.objects.get(filing=t1, row_no=1).enterprise_name == "甲公司他人修改"
    # deleting with the stale version is refused too
    response = client.post(url("row_delete", t1, 1), {"lock_version": stale}, follow=True)
    assert "您的修改未保存" in response.content.decode()
    assert T1Row.objects.filter(filing=t1, row_no=1).exists()
    # a form without lock_version is never saved blindly
    data = form_data(t1_raw(world.e_hz.uscc, name="无版本"), 0)
    del data["lock_version"]
    response = client.post(url("row_edit", t1, 1), data)
    assert response.status_code == 200 and "页面缺少版本信息" in response.content.decode()
    assert T1Row.objects.get(filing=t1, row_no=1).enterprise_name == "甲公司他人修改"


def test_the_category_filter_and_search_narrow_the_grid(client, world, t1):
    unmet = t1_raw(f.next_uscc("330106"), name="需求未满足企业", has_demand="是", demand_amount="30", demand_purpose="流动资金",
                   demand_status="未满足", unmet_reason="银行服务原因", unmet_detail="缺抵押", solution="推荐信用贷")
    services.filing_row_save(actor=world.users["op_hz"], filing=t1, raw_row=unmet)
    client.force_login(world.users["op_hz"])
    body = client.get(url("filing_detail", t1) + "?category=B").content.decode()
    assert "需求未满足企业" in body and "甲公司" not in body
    body = client.get(url("filing_detail", t1) + "?category=A").content.decode()
    assert "甲公司" in body and "需求未满足企业" not in body
    body = client.get(url("filing_rows", t1) + "?q=需求").content.decode()
    assert "需求未满足企业" in body and "甲公司" not in body
    body = client.get(url("filing_rows", t1) + f"?q={world.e_hz.uscc}").content.decode()
    assert "甲公司" in body and "需求未满足企业" not in body


def test_the_grid_is_paginated_by_fifty_rows(client, world, t1):
    rows = [t1_raw(f.next_uscc("330106"), name=f"分页企业{i:03d}") for i in range(60)]
    result = services.filing_rows_replace(actor=world.users["op_hz"], filing=t1, raw_rows=rows)
    assert result.saved
    client.force_login(world.users["op_hz"])
    first = client.get(url("filing_detail", t1))
    assert len(first.context["grid"]) == 50 and "分页企业049" in first.content.decode() and "分页企业050" not in first.content.decode()
    second = client.get(url("filing_detail", t1) + "?page=2")
    assert len(second.context["grid"]) == 10 and "分页企业059" in second.content.decode()


def test_the_explanation_of_warnings_is_saved(client, world, t1):
    client.force_login(world.users["op_hz"])
    response = client.post(url("filing_explanation", t1), {"explanation": "利率偏高系担保费计入。", "lock_version": t1.lock_version})
    assert response.status_code == 302
    t1.refresh_from_db()
    assert t1.explanation == "利率偏高系担保费计入。"
    # stale explanation refused
    client.post(url("filing_explanation", t1), {"explanation": "覆盖", "lock_version": t1.lock_version - 1})
    assert Filing.objects.get(pk=t1.pk).explanation == "利率偏高系担保费计入。"


# --- T5 -------------------------------------------------------------------------------------

def test_t5_is_prefilled_from_the_partner_links(client, world, bank_filings):
    t5 = bank_filings["t5_a"]
    client.force_login(world.users["bank_a_hz"])
    page = client.get(url("filing_detail", t5)).content.decode()
    assert "从伙伴银行关系预填" in page
    response = client.post(url("t5_prefill", t5), {"lock_version": t5.lock_version})
    assert response.status_code == 302
    rows = list(T5Row.objects.filter(filing=t5).values("park_code", "park_name", "role", "sub_branch"))
    assert rows == [{"park_code": world.p_hz.code, "park_name": world.p_hz.name, "role": "lead", "sub_branch": world.link_a_hz.sub_branch}]
    page = client.get(url("filing_detail", t5)).content.decode()
    assert world.p_hz.name in page and 'data-testid="prefill"' not in page


# --- T4 -------------------------------------------------------------------------------------

def test_the_t4_page_shows_the_change_against_the_previous_year_q4(client, world, bank_filings):
    bank = world.users["bank_a_hz"]
    base = services.filing_open(actor=bank, schedule="T4", period=Period.objects.get(code="2019Q4"))
    saved = services.filing_t4_save(actor=bank, filing=base, raw_values={"parks_served": "3", "partner_parks": "2", "ent_loan_balance": "1000"})
    assert saved.saved, saved.issue_dicts()
    t4 = bank_filings["t4_a"]
    client.force_login(bank)
    response = client.post(url("t4_edit", t4), {"parks_served": "5", "partner_parks": "4", "ent_loan_balance": "1,250.5",
                                                "partner_bank_progress": "已与5个园区建立伙伴关系。", "lock_version": t4.lock_version})
    assert response.status_code == 302, response.content.decode()[:3000]
    record = T4Record.objects.get(filing=t4)
    assert record.parks_served == 5 and str(record.ent_loan_balance) == "1250.50"
    assert record.partner_bank_progress == "已与5个园区建立伙伴关系。"

    body = client.get(url("filing_detail", t4)).content.decode()
    assert "比年初增减" in body and "2019Q4" in body
    assert '<td class="num text-success" data-role="change" data-testid="change-parks_served">+2</td>' in body
    assert 'data-testid="change-ent_loan_balance">+250.50</td>' in body
    assert 'data-testid="change-service_points">—</td>' in body  # no value, no change
    assert "三、保险服务" not in body  # a bank fills sections 一 and 二
    assert "已与5个园区建立伙伴关系。" in body

    client.force_login(world.users["bank_b_hz"])  # no 2019Q4 filing: dashes and a note
    body = client.get(url("filing_detail", bank_filings["t4_b"])).content.decode()
    assert "未找到本机构 2019Q4 附表4" in body


def test_t4_errors_land_on_their_fields_and_nothing_is_saved(client, world, bank_filings):
    t4 = bank_filings["t4_a"]
    client.force_login(world.users["bank_a_hz"])
    response = client.post(url("t4_edit", t4), {"parks_served": "2", "partner_parks": "3", "ent_new_loan_rate": "abc",
                                                "lock_version": t4.lock_version})
    assert response.status_code == 200
    form = response.context["form"]
    assert "partner_parks" in form.errors and "ent_new_loan_rate" in form.errors
    assert 'data-field="partner_parks"' in response.content.decode()
    assert not T4Record.objects.filter(filing=t4).exists()
    # stale
    response = client.post(url("t4_edit", t4), {"parks_served": "2", "lock_version": t4.lock_version + 5})
    assert 'data-testid="stale"' in response.content.decode()
    assert not T4Record.objects.filter(filing=t4).exists()


def test_an_insurer_sees_only_the_insurance_section(client, world, period):
    insurer = f.InstitutionFactory(name="丙保险股份有限公司", short_name="丙保险", type="insurer")
    branch = f.bank_branch("330100", insurer, name="丙保险杭州分公司")
    user = f.UserFactory(username="insurer_hz", organisation=branch)
    t4 = services.filing_open(actor=user, schedule="T4", period=period)
    client.force_login(user)
    body = client.get(url("t4_edit", t4)).content.decode()
    assert "三、保险服务" in body and "承保小微企业园数" in body
    assert "一、小微企业园金融服务" not in body and "各项贷款余额" not in body


# --- xlsx -----------------------------------------------------------------------------------

def test_downloads_are_xlsx_attachments(client, world, t1):
    client.force_login(world.users["op_hz"])
    for name in ("filing_template", "filing_export", "filing_t2_export"):
        response = client.get(url(name, t1))
        assert response.status_code == 200, name
        assert response["Content-Type"] == XLSX
        assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
        assert response.content[:2] == b"PK"


def test_an_upload_goes_through_the_import_and_shows_the_job(client, world, t1):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([col.label for col in T1.columns])
    good = t1_raw(world.e_hz.uscc, name="上传企业")
    bad = t1_raw(f.next_uscc("330106"), name="错误企业", employees="abc")
    for raw in (good, bad):
        ws.append([raw.get(col.key, "") for col in T1.columns])
    buf = io.BytesIO()
    wb.save(buf)
    client.force_login(world.users["op_hz"])
    assert 'accept=".xlsx"' in client.get(url("filing_upload", t1)).content.decode()
    response = client.post(url("filing_upload", t1), {"file": ContentFile(buf.getvalue(), name="台账.xlsx"), "lock_version": t1.lock_version})
    assert response.status_code == 302
    job = ImportJob.objects.get(filing=t1)
    assert response["Location"] == reverse("reports:import_job", args=[job.pk])
    assert job.status == "failed"
    page = client.get(response["Location"]).content.decode()
    assert "未导入" in page and "从业人员(人)" in page and "abc" in page
    assert T1Row.objects.get(filing=t1).enterprise_name == "甲公司"  # all or nothing
    # a file that is not xlsx is refused by the form
    response = client.post(url("filing_upload", t1), {"file": ContentFile(b"a,b", name="台账.csv"), "lock_version": t1.lock_version})
    assert response.status_code == 200 and "只接受 .xlsx" in response.content.decode()


def test_the_job_page_renders_a_result_with_issues(client, world, t1):
    issues = [
        {"level": "error", "row": 5, "column": "uscc", "label": "统一社会信用代码", "value": "91330106XXXX",
         "message": "统一社会信用代码校验位错误", "code": "invalid_uscc"},
        {"level": "warning", "row": 7, "column": "loan_rate", "label": "贷款加权平均利率(%)", "value": "16",
         "message": "贷款加权平均利率高于15.4%", "code": "loan_rate_high"},
    ]
    job = ImportJob.objects.create(filing=t1, created_by=world.users["op_hz"], original_name="台账.xlsx", status="failed",
                                   progress=100, total_rows=12, result={"saved": False, "created": 3, "updated": 0, "unchanged": 0,
                                                                         "deleted": 0, "issues": issues, "rejected": None})
    job.annotated.save("台账-错误标注.xlsx", ContentFile(b"PK\x03\x04annotated"), save=True)
    client.force_login(world.users["op_hz"])
    response = client.get(reverse("reports:import_job", args=[job.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    for text in ("统一社会信用代码校验位错误", "91330106XXXX", "贷款加权平均利率高于15.4%", "错误", "提示", "下载错误标注文件"):
        assert text in body, text
    assert "hx-get" not in body  # finished: no polling
    annotated = client.get(reverse("reports:import_job_annotated", args=[job.pk]))
    assert annotated.status_code == 200 and b"".join(annotated.streaming_content) == b"PK\x03\x04annotated"

    running = ImportJob.objects.create(filing=t1, created_by=world.users["op_hz"], original_name="大文件.xlsx", status="running", progress=40)
    partial = client.get(reverse("reports:import_job_status", args=[running.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in partial and "40%" in partial
    assert reverse("reports:import_job_status", args=[running.pk]) in partial

    client.force_login(world.users["op_hz2"])  # another park's operator
    assert client.get(reverse("reports:import_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:import_job_status", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:import_job_annotated", args=[job.pk])).status_code == 404


# --- the filing list --------------------------------------------------------------------------

FILING_LIST_QUERIES = 4  # user, count, page of filings (+ joins), period choices; session and unread count cached

_batch = itertools.count()


def _grow_filings(world, n: int) -> None:
    period = Period.objects.get(code="2020Q3")
    base = next(_batch) * 10_000
    county = f.region("330106")
    parks = Park.objects.bulk_create(
        Park(code=f"F{base + i:07d}", name=f"批量园区{base + i}", county=county, operator=world.op_hz, batch=1, park_type="service")
        for i in range(n))
    Filing.objects.bulk_create(Filing(schedule="T1", period=period, park=p, updated_by=world.users["op_hz"]) for p in parks)


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_filing_list_query_count_is_pinned_and_the_same_for_10_and_200_filings(client, world, django_assert_num_queries):
    client.force_login(world.users["province"])
    path = reverse("reports:filing_list")
    client.get(path)  # warm: the unread count in the cache
    _grow_filings(world, 10)
    small = _queries(client, path)
    _grow_filings(world, 190)
    with django_assert_num_queries(FILING_LIST_QUERIES):
        response = client.get(path)
    assert small == FILING_LIST_QUERIES
    assert response.context["table"].page.paginator.count == 200
    body = response.content.decode()
    for header in ("报表", "报送主体", "报送期", "版本", "状态", "行数", "提示数", "最后修改"):
        assert f">{header}<" in body or f">{header}</a>" in body, header
    assert _queries(client, path + "?q=批量&schedule=T1&status=draft&page=2") <= FILING_LIST_QUERIES
    # the park operator sees its own filings only
    client.force_login(world.users["op_hz2"])
    assert client.get(path).context["table"].page.paginator.count == 0


def test_the_filing_list_filters_by_period_schedule_status_and_subject(client, world, t1, bank_filings):
    client.force_login(world.users["hz_branch"])
    path = reverse("reports:filing_list")
    assert client.get(path).context["table"].page.paginator.count == 4
    assert client.get(path + "?schedule=T4").context["table"].page.paginator.count == 2
    assert client.get(path + f"?q={world.p_hz.name}").context["table"].page.paginator.count == 1
    assert client.get(path + "?q=甲银行").context["table"].page.paginator.count == 2
    other = Period.objects.get(code="2020Q2")
    assert client.get(path + f"?period={other.pk}").context["table"].page.paginator.count == 0
    assert client.get(path + "?status=approved").context["table"].page.paginator.count == 0


# --- admin ----------------------------------------------------------------------------------

def test_the_admin_lists_periods_filings_and_import_jobs(client, world, t1):
    client.force_login(world.admin)
    for name in ("reports_period_changelist", "reports_filing_changelist", "reports_importjob_changelist"):
        assert client.get(reverse(f"admin:{name}")).status_code == 200, name
    assert client.get(reverse("admin:reports_filing_change", args=[t1.pk])).status_code == 200
    period = Period.objects.get(code="2020Q3")
    assert client.get(reverse("admin:reports_period_change", args=[period.pk])).status_code == 200
    assert "filer_due" in client.get(reverse("admin:reports_period_changelist")).content.decode()
