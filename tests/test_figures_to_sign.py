"""Issue 11 — figures a regulator can sign. Every expected figure below is written by hand from
FORMS.md / 浙银保监发〔2020〕15号, never computed by the portal's own functions.

A. 垒小户 follows the notice: a 个体工商户 served by more than 2 banks; any other enterprise with
   0 < 单户授信 ≤ 1000万元 served by more than 3.
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
