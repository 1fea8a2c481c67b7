"""Issue 11 — figures a regulator can sign. Every expected figure below is written by hand from
FORMS.md / 浙银保监发〔2020〕15号, never computed by the portal's own functions.

A. 垒小户 follows the notice: a 个体工商户 served by more than 2 banks; any other enterprise with
   0 < 单户授信 ≤ 1000万元 served by more than 3.
C. Text as typed: names and free text are stored exactly as typed (trimmed only); codes, numbers
   and options are normalised. An unchanged export re-uploaded reports 0 changes.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from parks.choices import PartnerRole
from reports import rollups, services, workflow
from reports.models import Filing, Period, T1Row
from tests import factories as f
from tests.test_api_helpers import api
from tests.test_t1_t2 import raw_row

MULTI_LABEL = "服务银行超过3家（个体工商户超过2家）企业数"


def approve(world, filing: Filing) -> Filing:
    workflow.filing_submit(actor=world.users["op_hz"], filing=filing)
    workflow.filing_confirm(actor=world.users["bank_a_hz"], filing=filing)
    workflow.filing_approve(actor=world.users["hz_branch"], filing=filing)
    return Filing.objects.get(pk=filing.pk)


@pytest.fixture
def park(world):
    """A Hangzhou park of 西湖园运营公司 whose lead bank is 甲银行杭州分行."""
    park = f.ParkFactory(code="330106111", name="西湖垒小户测试园", county=f.region("330106"), operator=world.op_hz, star_rating=3)
    f.PartnerLinkFactory(park=park, branch=world.bank_a_hz, role=PartnerRole.LEAD)
    return park


# --- A. 垒小户 ----------------------------------------------------------------------------------------

# (主体类型, 统一社会信用代码 prefix, 授信金额, 授信银行家数, counts as 垒小户?)
MULTI_CASES = [
    ("个体工商户", "92", "50", "3", True),  # 个体工商户: more than 2 banks
    ("个体工商户", "92", "1500", "3", True),  # 个体工商户: no 1000万 ceiling in the notice
    ("企业", "91", "1200", "4", False),  # 小微企业 above 1000万: not 垒小户
    ("企业", "91", "800", "4", True),  # 小微企业 ≤ 1000万 with 4 banks
    ("个体工商户", "92", "100", "2", False),  # 2 banks only
    ("企业", "91", "500", "3", False),  # 3 banks only
]
MULTI_EXPECTED = 3  # rows 1, 2 and 4 above, counted by hand


@pytest.fixture
def multi_bank_t1(world, park):
    period = Period.objects.get(code="2020Q3")
    rows = []
    for i, (entity_type, prefix, credit, banks, _) in enumerate(MULTI_CASES):
        ent = f.EnterpriseFactory(uscc=f.next_uscc("330106", prefix=prefix), entity_type="individual" if prefix == "92" else "enterprise")
        f.TenancyFactory(park=park, enterprise=ent)
        rows.append(raw_row(i, ent.uscc, credit, entity_type=entity_type, lending_bank_count=banks))
    op = world.users["op_hz"]
    filing = services.filing_open(actor=op, schedule="T1", period=period, park=park)
    result = services.filing_rows_replace(actor=op, filing=filing, raw_rows=rows)
    assert result.saved and not result.issues, result.issue_dicts()
    return approve(world, filing)


def test_multi_bank_follows_the_notice_on_every_row(multi_bank_t1):
    flags = list(T1Row.objects.filter(filing=multi_bank_t1).order_by("row_no").values_list("multi_bank", flat=True))
    assert flags == [case[-1] for case in MULTI_CASES]


def test_multi_bank_count_on_the_parks_t2_over_the_api(world, park, multi_bank_t1):
    response = api(world.users["op_hz"]).get("/api/v1/summaries/parks/", {"park": park.pk, "period": "2020Q3"})
    assert response.status_code == 200
    [t2] = response.json()["results"]
    assert t2["multi_bank_count"] == MULTI_EXPECTED
    rows = api(world.users["op_hz"]).get(f"/api/v1/filings/{multi_bank_t1.pk}/").json()["rows"]
    assert [r["multi_bank"] for r in rows] == [case[-1] for case in MULTI_CASES]


def test_multi_bank_count_on_the_t2_page_with_the_notices_label(client, world, multi_bank_t1):
    client.force_login(world.users["op_hz"])
    html = client.get(f"/filings/{multi_bank_t1.pk}/").content.decode()
    assert f'<span class="text-muted">{MULTI_LABEL}</span><span class="fw-semibold">{MULTI_EXPECTED}</span>' in html


def test_multi_bank_count_in_the_city_roll_up(world, park, multi_bank_t1):
    summary = rollups.summary_rebuild(scope="city", code="330100", period_id=multi_bank_t1.period_id)
    [row] = [p for p in summary.data["parks"] if p["code"] == "330106111"]
    assert row["multi_bank_count"] == MULTI_EXPECTED
    assert summary.data["total"]["multi_bank_count"] == MULTI_EXPECTED  # the only approved park of the city


def test_inclusive_count_counts_only_rows_with_a_loan_balance(world, park):
    """FORMS.md: 普惠型贷款户数 = inclusive rows WITH loan_balance > 0."""
    period = Period.objects.get(code="2020Q3")
    ents = [f.EnterpriseFactory(uscc=f.next_uscc("330106")) for _ in range(3)]
    for ent in ents:
        f.TenancyFactory(park=park, enterprise=ent)
    rows = [raw_row(0, ents[0].uscc, "100"),  # 小型, 100万 credit, loan 80: inclusive with a loan
            raw_row(1, ents[1].uscc, "200", loan_balance="", loan_rate=""),  # inclusive, no loan: not counted
            raw_row(2, ents[2].uscc, "0")]
    op = world.users["op_hz"]
    filing = services.filing_open(actor=op, schedule="T1", period=period, park=park)
    assert services.filing_rows_replace(actor=op, filing=filing, raw_rows=rows).saved
    filing = approve(world, filing)
    t2 = api(op).get("/api/v1/summaries/parks/", {"park": park.pk, "period": "2020Q3"}).json()["results"][0]
    assert (t2["inclusive_count"], Decimal(t2["inclusive_balance"])) == (1, Decimal("80.00"))
    summary = rollups.summary_rebuild(scope="city", code="330100", period_id=period.pk)
    assert summary.data["total"]["inclusive_count"] == 1


# --- C. text as typed -----------------------------------------------------------------------------------

NAME = "杭州甲乙（集团）有限公司"  # official names use full-width （）
DETAIL = "抵押物不足，需引入担保（拟于下季度）"
SOLUTION = "先走访，再对接“科技贷”"


def typed_row(uscc: str, **over) -> dict:
    return f.t1_cells(uscc, **{"enterprise_name": f"  {NAME}\u3000", "unmet_detail": DETAIL, "solution": SOLUTION, **over})


def stored_texts(filing: Filing) -> list[tuple]:
    return list(T1Row.objects.filter(filing=filing).order_by("row_no").values_list("enterprise_name", "unmet_detail", "solution"))


@pytest.fixture
def t1(world):
    period = Period.objects.get(code="2020Q3")
    return services.filing_open(actor=world.users["op_hz"], schedule="T1", period=period, park=world.p_hz)


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_text_as_typed_through_the_web_row_form(client, world, t1):
    from tests.test_filing_pages import form_data

    client.force_login(world.users["op_hz"])
    raw = {k: ("" if v is None else str(v)) for k, v in typed_row(world.e_hz.uscc).items()}
    raw["enterprise_name"] = f"  {NAME} "
    response = client.post(f"/filings/{t1.pk}/rows/add/", form_data(raw, t1.lock_version))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert stored_texts(t1) == [(NAME, DETAIL, SOLUTION)]
    # codes, numbers and options are still normalised: full-width digits, 是/否, a lower-case code
    row = {**raw, "uscc": world.e_hz.uscc.lower(), "employees": "５０", "credit_amount": "５００万元"}
    response = client.post(f"/filings/{t1.pk}/rows/1/edit/", form_data(row, Filing.objects.get(pk=t1.pk).lock_version))
    assert response.status_code == 302
    saved = T1Row.objects.get(filing=t1)
    assert (saved.uscc, saved.employees, saved.credit_amount, saved.enterprise_name) == (world.e_hz.uscc, 50, Decimal("500.00"), NAME)


def test_text_as_typed_through_the_api(world, t1):
    client = api(world.users["op_hz"])
    response = client.post(f"/api/v1/filings/{t1.pk}/rows/", {"rows": [typed_row(world.e_hz.uscc)]}, format="json")
    assert response.status_code == 200, response.json()
    assert stored_texts(t1) == [(NAME, DETAIL, SOLUTION)]
    [row] = client.get(f"/api/v1/filings/{t1.pk}/").json()["rows"]
    assert (row["enterprise_name"], row["unmet_detail"], row["solution"]) == (NAME, DETAIL, SOLUTION)
    # sending the same body again changes nothing
    again = client.post(f"/api/v1/filings/{t1.pk}/rows/", {"rows": [typed_row(world.e_hz.uscc)]}, format="json").json()
    assert (again["created"], again["updated"], again["unchanged"], again["deleted"]) == (0, 0, 1, 0)


def test_text_as_typed_through_xlsx_and_an_unchanged_export_reuploads_with_0_changes(world, t1, _media):
    from reports.imports import filing_upload
    from reports.xlsx.exporter import filing_export
    from reports.xlsx.template import template_build

    op = world.users["op_hz"]
    other = f.next_uscc("330106")
    data = f.xlsx_fill_grid(template_build(filing=t1), [typed_row(world.e_hz.uscc), typed_row(other, enterprise_name="乙公司（杭州）")])
    job = filing_upload(actor=op, filing=t1, name="附表1.xlsx", data=data)
    assert job.status == "done", job.result
    assert stored_texts(t1) == [(NAME, DETAIL, SOLUTION), ("乙公司（杭州）", DETAIL, SOLUTION)]
    job = filing_upload(actor=op, filing=t1, name="导出.xlsx", data=filing_export(filing=Filing.objects.get(pk=t1.pk)))
    assert job.status == "done", job.result
    assert (job.result["created"], job.result["updated"], job.result["unchanged"], job.result["deleted"]) == (0, 0, 2, 0)


def test_rows_stored_with_full_width_text_reupload_unchanged_and_the_reviewer_sees_no_edit(world, t1, _media):
    """Ledger rows written as typed by another path (the demo, an older import) — the case of the
    issue: re-uploading their export reported 修改 2 and the diff showed edits nobody made."""
    from reports.imports import filing_upload
    from reports.xlsx.exporter import filing_export

    op = world.users["op_hz"]
    assert services.filing_rows_replace(actor=op, filing=t1, raw_rows=[f.t1_cells(world.e_hz.uscc)]).saved
    T1Row.objects.filter(filing=t1).update(enterprise_name=NAME, unmet_detail=DETAIL, solution=SOLUTION)
    v1 = approve(world, Filing.objects.get(pk=t1.pk))
    v2 = workflow.filing_amend(actor=op, filing=v1)
    job = filing_upload(actor=op, filing=v2, name="导出.xlsx", data=filing_export(filing=v1))
    assert job.status == "done", job.result
    assert (job.result["updated"], job.result["unchanged"]) == (0, 1)
    diff = workflow.filing_diff(old=v1, new=Filing.objects.get(pk=v2.pk))
    assert (diff.added, diff.removed, diff.changed) == ([], [], [])
    assert stored_texts(v2) == [(NAME, DETAIL, SOLUTION)]


def test_registers_and_t5_keep_names_as_typed_and_compare_them_normalised(world):
    from parks import services as park_services
    from reports.schedules import T5

    code = f.next_uscc("330106")
    tenancy = park_services.tenancy_create(actor=world.users["op_hz"], park=world.p_hz, uscc=code, enterprise_name=f" {NAME} ",
                                           industry="C", entered_on=Period.objects.get(code="2020Q3").start)
    assert tenancy.enterprise.name == NAME
    period = Period.objects.get(code="2020Q3")
    t5 = services.filing_open(actor=world.users["bank_a_hz"], schedule="T5", period=period)
    row = {**f.t5_cells("330106001", "西湖智造小微企业园", sub_branch="西湖支行（营业部）", remarks="按季走访，逐户建档"),
           "park_code": "３３０１０６００１"}
    result = services.filing_rows_replace(actor=world.users["bank_a_hz"], filing=t5, raw_rows=[row])
    assert result.saved, result.issue_dicts()
    saved = t5.t5_rows.get()
    assert (saved.park_code, saved.sub_branch, saved.remarks) == ("330106001", "西湖支行（营业部）", "按季走访，逐户建档")
    assert not [i for i in result.issues if i.code == "park_name_differs"]
    # a register name typed with the other width is the same park (a comparison, never stored so)
    world.p_hz.name = "西湖智造（小微）企业园"
    world.p_hz.save()
    assert "park_name_differs" not in {i.code for i in T5.validate(
        [f.t5_cells("330106001", "西湖智造(小微)企业园")], selectors_ctx(t5))[1]}


def selectors_ctx(filing):
    from reports.selectors import filing_context

    return filing_context(filing=filing)


def test_main_bank_typed_with_full_width_brackets_matches_a_registered_institution(world, t1):
    f.InstitutionFactory(name="丙银行(浙江)股份有限公司", short_name="丙银行(浙江)")
    row = f.t1_cells(world.e_hz.uscc, main_bank="丙银行（浙江）")
    result = services.filing_rows_replace(actor=world.users["op_hz"], filing=t1, raw_rows=[row])
    assert result.saved and "main_bank_unknown" not in {i.code for i in result.issues}
    assert T1Row.objects.get(filing=t1).main_bank == "丙银行（浙江）"
