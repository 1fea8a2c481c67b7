"""Issue 11 — figures a regulator can sign. Every expected figure below is written by hand from
FORMS.md / 浙银保监发〔2020〕15号, never computed by the portal's own functions.

A. 垒小户 follows the notice: a 个体工商户 served by more than 2 banks; any other enterprise with
   0 < 单户授信 ≤ 1000万元 served by more than 3.
B. The ledger is held against the register: 入园 / 退园 inside a period refresh that park's 附表2
   and request the roll-ups; the 附表1 warns about every tenant missing from it and every row
   whose enterprise is not a tenant at period end; 建档覆盖率 counts current tenants only; the
   API's ``stale`` is real.
C. Text as typed: names and free text are stored exactly as typed (trimmed only); codes, numbers
   and options are normalised. An unchanged export re-uploaded reports 0 changes.
D. Timeliness is judged on the subject's first submission for the period, across versions.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from parks import services as park_services
from parks.choices import PartnerRole
from parks.models import Tenancy
from reports.filings import services, validation
from reports.filings.models import Filing, Period, T1Row, T2Summary
from reports.summaries import rollups
from reports.summaries.models import Summary
from reports.workflow import services as workflow
from reports.workflow.diff import filing_diff
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


# --- B. the ledger held against the register ----------------------------------------------------------

NAMES = ["西湖甲一企业有限公司", "西湖乙二企业有限公司", "西湖丙三企业有限公司", "西湖丁四企业有限公司"]
NEWCOMER = "西湖戊五企业（集团）有限公司"


@pytest.fixture
def q4(world, park):
    """2020Q4 附表1 of ``park`` listing its 4 tenants (all in since 2019), saved before any change."""
    period = Period.objects.get(code="2020Q4")
    ents = [f.EnterpriseFactory(name=name, uscc=f.next_uscc("330106")) for name in NAMES]
    tenancies = [f.TenancyFactory(park=park, enterprise=e) for e in ents]
    op = world.users["op_hz"]
    filing = services.filing_open(actor=op, schedule="T1", period=period, park=park)
    rows = [raw_row(i, e.uscc, "100" if i < 2 else "0", enterprise_name=e.name) for i, e in enumerate(ents)]
    result = services.filing_rows_replace(actor=op, filing=filing, raw_rows=rows)
    assert result.saved and not result.issues, result.issue_dicts()
    return {"filing": Filing.objects.get(pk=filing.pk), "tenancies": tenancies, "rows": rows, "period": period}


def t2_api(world, park, period="2020Q4") -> dict:
    [t2] = api(world.users["op_hz"]).get("/api/v1/summaries/parks/", {"park": park.pk, "period": period}).json()["results"]
    return {k: (Decimal(v) if k.endswith("coverage") and v is not None else v) for k, v in t2.items()}


def register_moves(world, park, q4) -> None:
    """丁四 leaves on 2020-11-15 (web page); 戊五 enters on 2020-11-20 (REST API)."""
    op = world.users["op_hz"]
    park_services.tenancy_update(actor=op, tenancy=q4["tenancies"][3], data={"left_on": dt.date(2020, 11, 15)})
    response = api(op).post("/api/v1/tenancies/", {"park": park.pk, "uscc": f.next_uscc("330106"), "enterprise_name": NEWCOMER,
                                                   "industry": "C", "entered_on": "2020-11-20"}, format="json")
    assert response.status_code == 201, response.json()


def test_before_any_change_the_t2_matches_the_register(world, park, q4):
    t2 = t2_api(world, park)
    assert (t2["enterprises_total"], t2["filed_count"], t2["filing_coverage"], t2["stale"]) == (4, 4, Decimal("100.00"), False)


def test_a_departure_and_an_arrival_mid_quarter_refresh_the_parks_t2(client, world, park, q4):
    op = world.users["op_hz"]
    # 退园 through the register page
    client.force_login(op)
    response = client.post(reverse("parks:tenancy_edit", args=[q4["tenancies"][3].pk]), {"entered_on": "2019-01-01", "left_on": "2020-11-15"})
    assert response.status_code == 302
    t2 = t2_api(world, park)
    # by hand: tenants at 2020-12-31 are 甲一 乙二 丙三 (3); rows of current tenants 3 → 100.00
    assert (t2["enterprises_total"], t2["filed_count"], t2["filing_coverage"]) == (3, 3, Decimal("100.00"))
    assert (t2["credited_count"], t2["credit_coverage"]) == (2, Decimal("66.67"))  # 2 / 3
    # 入园 through the API
    response = api(op).post("/api/v1/tenancies/", {"park": park.pk, "uscc": f.next_uscc("330106"), "enterprise_name": NEWCOMER,
                                                   "industry": "C", "entered_on": "2020-11-20"}, format="json")
    assert response.status_code == 201
    t2 = t2_api(world, park)
    # by hand: 4 tenants (甲一 乙二 丙三 戊五), 3 of them on the ledger → 75.00; 2 credited → 50.00
    assert (t2["enterprises_total"], t2["filed_count"], t2["filing_coverage"]) == (4, 3, Decimal("75.00"))
    assert t2["credit_coverage"] == Decimal("50.00") and t2["stale"] is False


def test_the_two_warnings_name_the_enterprises_on_the_page_on_save_and_on_submit(client, world, park, q4):
    register_moves(world, park, q4)
    filing = Filing.objects.get(pk=q4["filing"].pk)
    # the stored warnings were checked again when the register changed: the page shows them
    codes = {i["code"]: i["message"] for i in filing.issues}
    assert set(codes) == {"tenant_left", "tenant_missing"} and filing.warning_count == 2
    assert NAMES[3] in codes["tenant_left"] and "2020-11-15" in codes["tenant_left"]
    assert NEWCOMER in codes["tenant_missing"]
    client.force_login(world.users["op_hz"])
    html = client.get(f"/filings/{filing.pk}/").content.decode()
    assert NAMES[3] in html and NEWCOMER in html and "退园" in html and "未列入附表1" in html
    # saving the ledger again (unchanged) gives the same two warnings
    result = services.filing_rows_replace(actor=world.users["op_hz"], filing=filing, raw_rows=q4["rows"])
    assert result.saved
    left, missing = sorted(result.warnings, key=lambda i: i.code)
    assert (left.code, left.row, left.value) == ("tenant_left", 4, NAMES[3]) and NAMES[3] in left.message
    assert (missing.code, missing.row) == ("tenant_missing", None) and NEWCOMER in missing.message
    # submitting needs a written explanation of them; the reviewer sees both
    with pytest.raises(ValidationError) as exc:
        workflow.filing_submit(actor=world.users["op_hz"], filing=filing)
    assert "2 条提示" in exc.value.messages[0] and "书面说明" in exc.value.messages[0]
    assert {i.code for i in validation.filing_validate(filing=filing)} == {"tenant_left", "tenant_missing"}
    # the grid row form names the departed enterprise too
    result = services.filing_row_save(actor=world.users["op_hz"], filing=Filing.objects.get(pk=filing.pk), raw_row=q4["rows"][3], row_no=4)
    assert result.saved and [i.code for i in result.warnings] == ["tenant_left"]


def test_an_approved_ledger_is_refreshed_in_the_city_roll_up_and_is_stale_until_it_is_rebuilt(world, park, q4):
    filing = approve(world, q4["filing"])
    period = q4["period"]
    summary = rollups.summary_rebuild(scope="city", code="330100", period_id=period.pk)
    [row] = [p for p in summary.data["parks"] if p["code"] == "330106111"]
    assert (row["enterprises_total"], row["filed_count"], row["filing_coverage"]) == (4, 4, Decimal("100.00"))
    assert t2_api(world, park)["stale"] is False
    register_moves(world, park, q4)
    # the register change requested the city's roll-up (enqueued on commit): until it is rebuilt, stale
    assert Summary.objects.get(scope="city", code="330100", period=period).is_stale
    t2 = t2_api(world, park)
    assert (t2["enterprises_total"], t2["filed_count"], t2["filing_coverage"], t2["stale"]) == (4, 3, Decimal("75.00"), True)
    rollups.summary_rebuild_task.run("city", "330100", period.pk)  # what the worker does
    assert t2_api(world, park)["stale"] is False
    summary = Summary.objects.get(scope="city", code="330100", period=period)
    [row] = [p for p in summary.data["parks"] if p["code"] == "330106111"]
    assert (row["enterprises_total"], row["filed_count"], Decimal(row["filing_coverage"])) == (4, 3, Decimal("75.00"))
    # the approved ledger's own warnings were not rewritten (an approved version is a record) …
    assert Filing.objects.get(pk=filing.pk).warning_count == 0
    # … but an amendment is held against today's register
    v2 = workflow.filing_amend(actor=world.users["op_hz"], filing=filing)
    assert {i.code for i in validation.filing_validate(filing=v2)} == {"tenant_left", "tenant_missing"}


def test_a_register_change_made_around_the_portal_shows_stale_until_the_t2_is_recomputed(client, world, park, q4):
    Tenancy.objects.filter(pk=q4["tenancies"][3].pk).update(left_on=dt.date(2020, 11, 15))  # no history, no refresh
    tenancy = Tenancy.objects.get(pk=q4["tenancies"][3].pk)
    tenancy.save()  # a save outside the services: recorded in the register's history, nothing refreshed
    t2 = t2_api(world, park)
    assert (t2["enterprises_total"], t2["stale"]) == (4, True)
    client.force_login(world.users["op_hz"])
    html = client.get(f"/filings/{q4['filing'].pk}/").content.decode()
    assert 'data-testid="t2-stale"' in html and "待重算" in html
    services.filing_rows_replace(actor=world.users["op_hz"], filing=Filing.objects.get(pk=q4["filing"].pk), raw_rows=q4["rows"])
    t2 = t2_api(world, park)
    assert (t2["enterprises_total"], t2["filed_count"], t2["filing_coverage"], t2["stale"]) == (3, 3, Decimal("100.00"), False)


def test_an_admin_edit_of_the_register_refreshes_the_t2_too(client, world, park, q4):
    tenancy = q4["tenancies"][3]
    client.force_login(world.admin)
    response = client.post(f"/admin/parks/tenancy/{tenancy.pk}/change/", {
        "park": park.pk, "enterprise": tenancy.enterprise_id, "entered_on": "2019-01-01", "left_on": "2020-11-15"})
    assert response.status_code == 302, response.content.decode()[:3000]
    t2 = t2_api(world, park)
    assert (t2["enterprises_total"], t2["filed_count"], t2["filing_coverage"], t2["stale"]) == (3, 3, Decimal("100.00"), False)
    assert [i["code"] for i in Filing.objects.get(pk=q4["filing"].pk).issues] == ["tenant_left"]


def test_a_change_dated_after_a_period_does_not_touch_its_warnings_but_later_periods_are_held(world, park, q4):
    """A 退园 on 2021-02-01 leaves 2020Q4 as it was; a 2021Q1 ledger is held against it."""
    park_services.tenancy_update(actor=world.users["op_hz"], tenancy=q4["tenancies"][3], data={"left_on": dt.date(2021, 2, 1)})
    assert Filing.objects.get(pk=q4["filing"].pk).warning_count == 0
    t2 = t2_api(world, park)
    assert (t2["enterprises_total"], t2["filed_count"], t2["filing_coverage"]) == (4, 4, Decimal("100.00"))


def test_a_ledger_row_of_a_departed_enterprise_does_not_readmit_it(world, park):
    """Saving a 附表1 registers unknown enterprises, but never re-admits one that left the park."""
    period = Period.objects.get(code="2020Q4")
    gone = f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(name="早已退园企业有限公司", uscc=f.next_uscc("330106")),
                            left_on=dt.date(2020, 3, 31))
    op = world.users["op_hz"]
    filing = services.filing_open(actor=op, schedule="T1", period=period, park=park)
    result = services.filing_rows_replace(actor=op, filing=filing, raw_rows=[raw_row(0, gone.enterprise.uscc, "0", enterprise_name="早已退园企业有限公司")])
    assert result.saved and [i.code for i in result.warnings] == ["tenant_left"]
    assert "早已退园企业有限公司" in result.warnings[0].message and "2020-03-31" in result.warnings[0].message
    assert Tenancy.objects.filter(park=park, enterprise=gone.enterprise).count() == 1
    t2 = T2Summary.objects.get(filing=filing)
    assert (t2.enterprises_total, t2.filed_count, t2.filing_coverage) == (0, 0, None)


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
    response = client.post(f"/api/v1/filings/{t1.pk}/rows/", {"rows": [typed_row(world.e_hz.uscc)], "lock_version": t1.lock_version},
                           format="json")
    assert response.status_code == 200, response.json()
    assert stored_texts(t1) == [(NAME, DETAIL, SOLUTION)]
    [row] = client.get(f"/api/v1/filings/{t1.pk}/").json()["rows"]
    assert (row["enterprise_name"], row["unmet_detail"], row["solution"]) == (NAME, DETAIL, SOLUTION)
    # sending the same body again changes nothing
    again = client.post(f"/api/v1/filings/{t1.pk}/rows/", {"rows": [typed_row(world.e_hz.uscc)],
                                                           "lock_version": response.json()["lock_version"]}, format="json").json()
    assert (again["created"], again["updated"], again["unchanged"], again["deleted"]) == (0, 0, 1, 0)


def test_text_as_typed_through_xlsx_and_an_unchanged_export_reuploads_with_0_changes(world, t1, _media):
    from reports.filings.imports import filing_upload
    from reports.filings.xlsx.exporter import filing_export
    from reports.filings.xlsx.template import template_build

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
    from reports.filings.imports import filing_upload
    from reports.filings.xlsx.exporter import filing_export

    op = world.users["op_hz"]
    assert services.filing_rows_replace(actor=op, filing=t1, raw_rows=[f.t1_cells(world.e_hz.uscc)]).saved
    T1Row.objects.filter(filing=t1).update(enterprise_name=NAME, unmet_detail=DETAIL, solution=SOLUTION)
    v1 = approve(world, Filing.objects.get(pk=t1.pk))
    v2 = workflow.filing_amend(actor=op, filing=v1)
    job = filing_upload(actor=op, filing=v2, name="导出.xlsx", data=filing_export(filing=v1))
    assert job.status == "done", job.result
    assert (job.result["updated"], job.result["unchanged"]) == (0, 1)
    diff = filing_diff(old=v1, new=Filing.objects.get(pk=v2.pk))
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
    from reports.filings.selectors import filing_context

    return filing_context(filing=filing)


def test_main_bank_typed_with_full_width_brackets_matches_a_registered_institution(world, t1):
    f.InstitutionFactory(name="丙银行(浙江)股份有限公司", short_name="丙银行(浙江)")
    row = f.t1_cells(world.e_hz.uscc, main_bank="丙银行（浙江）")
    result = services.filing_rows_replace(actor=world.users["op_hz"], filing=t1, raw_rows=[row])
    assert result.saved and "main_bank_unknown" not in {i.code for i in result.issues}
    assert T1Row.objects.get(filing=t1).main_bank == "丙银行（浙江）"


# --- D. timeliness judged on the first submission ------------------------------------------------------

@pytest.fixture
def on_time(monkeypatch):
    """Run a block on 2020-10-10 10:00 (Asia/Shanghai): 5 days before 2020Q3's 2020-10-15 deadline."""
    from contextlib import contextmanager

    @contextmanager
    def at(moment=dt.datetime(2020, 10, 10, 10, 0)):
        real = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: timezone.make_aware(moment))
        try:
            yield
        finally:
            monkeypatch.setattr(timezone, "now", real)

    return at


def test_an_amended_on_time_filing_stays_on_time_and_keeps_its_own_date(world, t1, on_time):
    from reports.summaries.completeness import completeness_items
    from reports.summaries.reminders import reminders_run

    op = world.users["op_hz"]
    period = t1.period
    assert period.filer_due == dt.date(2020, 10, 15)
    with on_time():
        assert services.filing_rows_replace(actor=op, filing=t1, raw_rows=[f.t1_cells(world.e_hz.uscc)]).saved
        v1 = approve(world, t1)
    assert v1.days_late == 0 and v1.submitted_at.date() == dt.date(2020, 10, 10)
    today = timezone.localdate()

    def item():
        return next(i for i in completeness_items(period=period, today=today, city_code="330100") if i.subject_id == world.p_hz.pk)

    # a correction: version 2, drafted years later — the approved version stands, nothing is late
    v2 = workflow.filing_amend(actor=op, filing=v1)
    assert (item().state, item().late, item().days_late) == ("approved", False, 0)
    assert services.filing_rows_replace(actor=op, filing=v2, raw_rows=[f.t1_cells(world.e_hz.uscc, employees=60)]).saved
    v2 = approve(world, v2)
    assert v2.version == 2 and v2.days_late == 0
    assert v2.submitted_at.date() > dt.date(2025, 1, 1) and Filing.objects.get(pk=v1.pk).submitted_at.date() == dt.date(2020, 10, 10)
    assert (item().state, item().late, item().days_late) == ("approved", False, 0)
    # the overdue list of the branch names the park that never filed, not this one
    Period.objects.exclude(pk=period.pk).update(lock_date=dt.date(2020, 1, 1))
    reminders_run(today=today)
    from portal.models import Notification

    overdue = Notification.objects.filter(title__contains="逾期未报送清单").values_list("body", flat=True)
    assert overdue and all("西湖智造小微企业园" not in body for body in overdue)
    assert any("余杭数字小微企业园" in body for body in overdue)


def test_a_resubmission_after_a_return_keeps_the_first_submissions_timeliness(world, t1, on_time):
    op = world.users["op_hz"]
    with on_time():
        assert services.filing_rows_replace(actor=op, filing=t1, raw_rows=[f.t1_cells(world.e_hz.uscc)]).saved
        workflow.filing_submit(actor=op, filing=t1)
        workflow.filing_return(actor=world.users["bank_a_hz"], filing=t1, comment="请核对从业人员")
    workflow.filing_submit(actor=op, filing=t1)
    t1 = Filing.objects.get(pk=t1.pk)
    assert t1.days_late == 0 and t1.submitted_at.date() > dt.date(2025, 1, 1)


def test_a_late_first_submission_stays_late_through_an_amendment(world, t1):
    op = world.users["op_hz"]
    assert services.filing_rows_replace(actor=op, filing=t1, raw_rows=[f.t1_cells(world.e_hz.uscc)]).saved
    v1 = approve(world, t1)
    late = (timezone.localdate() - dt.date(2020, 10, 15)).days
    assert v1.days_late == late > 0
    v2 = workflow.filing_amend(actor=op, filing=v1)
    assert Filing.objects.get(pk=v2.pk).days_late == late
    v2 = approve(world, v2)
    assert v2.days_late == late
