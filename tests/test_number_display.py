"""One display rule for numbers (reports.schedules.numbers, the ``numbers`` template filters) and
numbers that stay numbers in every xlsx export (reports.filings.xlsx.writer)."""
from __future__ import annotations

import io

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from reports.filings.models import Period
from reports.filings.xlsx.writer import append_figures, safe_cell
from reports.summaries.models import Summary
from reports.summaries.t3 import t3_export, t3_generate
from tests import test_rollups

two_parks = test_rollups.two_parks  # the fixture: 2020Q3 with two Hangzhou parks filed and approved


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


# --- the template filters ---------------------------------------------------------------------

@pytest.mark.parametrize("source, value, expected", [
    ("{{ v|amount }}", "53885034.75", "53,885,034.75 万元"),
    ('{{ v|amount:"亿元" }}', 5388.503475, "5,388.50 亿元"),
    ('{{ v|amount:"" }}', 2455, "2,455.00"),
    ("{{ v|signed_amount }}", "5337409.11", "+5,337,409.11 万元"),
    ("{{ v|signed_amount }}", "-5337409.11", "\u22125,337,409.11 万元"),
    ("{{ v|count }}", 31234, "31,234"),
    ('{{ v|count:"户" }}', 1234, "1,234 户"),
    ("{{ v|pct }}", "41.51", "41.51%"),
    ("{{ v|pct }}", "0.125", "0.13%"),  # half-up, never banker's rounding
    ("{{ v|signed_pct }}", "-9.81", "\u22129.81%"),
    ("{{ v|rate }}", "4.35", "4.3500%"),
    ("{{ v|pp }}", "-0.0900", "\u22120.09 个百分点"),
    ("{{ v|pp }}", "0.5", "+0.50 个百分点"),
    ('{{ v|figure:"int" }}', 1234567, "1,234,567"),
    ("{{ v|amount }}", None, "—"),
    ("{{ v|pct }}", "", "—"),
])
def test_number_filters_write_separators_units_and_a_real_minus(source, value, expected):
    assert render(source, v=value) == expected


# --- the province dashboard: a small world written by hand ----------------------------------------

@pytest.fixture
def hand_summary(world):
    period = Period.objects.get(code="2020Q3")
    block = {"park_count": 1234, "filed_parks": 1200, "parks_at_full_coverage": 600, "parks_partner_3_5": 617,
             "total": {"enterprises_total": 31234, "filed_count": 30000, "filing_coverage": "41.51", "credit_coverage": "70.50",
                       "demand_unmet_count": 2455, "multi_bank_count": 12}}
    banks = {"total": {"inclusive_loan_balance": "53885034.75", "inclusive_financing_cost": "5.4256", "filers": 3},
             "comparable": {"current": {"inclusive_loan_balance": "53885034.75", "inclusive_financing_cost": "5.3356"},
                            "baseline": {"inclusive_loan_balance": "53983134.75", "inclusive_financing_cost": "5.4256"}},
             "change": {"inclusive_loan_balance": {"delta": "-98100.00", "growth": "-0.18"}},
             "coverage": {"comparable": 3, "current": 3, "baseline": 3, "expected": 3}}
    data = {"incl_ningbo": block, "excl_ningbo": block, "banks": {"incl_ningbo": banks, "excl_ningbo": banks}, "cities": []}
    Summary.objects.update_or_create(scope="province", code="330000", period=period,
                                     defaults={"data": data, "built_at": timezone.now()})
    return world


def test_province_dashboard_shows_separators_and_units(client, hand_summary):
    client.force_login(hand_summary.users["province"])
    html = client.get(reverse("dashboards:province"), {"period": "2020Q3"}).content.decode()
    assert "31,234" in html  # 入园企业
    assert "1,200 / 1,234" in html  # 园区（已报送 / 应报）
    assert "5,388.50 亿元" in html  # 53,885,034.75 万元
    assert "\u22129.81 亿元（\u22120.18%）" in html  # 较年初: a real minus, the unit and the growth
    assert "41.51%" in html and "5.4256%" in html


def test_dashboard_export_keeps_numbers_numeric_with_formats(client, hand_summary):
    client.force_login(hand_summary.users["province"])
    response = client.get(reverse("dashboards:province"), {"period": "2020Q3", "format": "xlsx", "table": "banks"})
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in ws[3]]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=4) if r[0].value}
    line = rows[next(k for k in rows if "普惠型小微企业贷款余额" in str(k))]
    now, delta = line[header.index("本期末（全部已审核机构）")], line[header.index("比年初增减（可比口径）")]
    assert now.data_type == "n" and now.value == pytest.approx(53885034.75) and now.number_format == "#,##0.00"
    assert delta.data_type == "n" and delta.value == pytest.approx(-98100) and delta.number_format == "#,##0.00"
    growth = line[header.index("增速")]
    assert growth.data_type == "n" and growth.value == pytest.approx(-0.18) and growth.number_format == '0.00"%"'
    cost = rows[next(k for k in rows if "综合融资成本" in str(k))]
    cost_delta = cost[header.index("比年初增减（可比口径）")]
    assert cost_delta.value == pytest.approx(-0.09) and cost_delta.number_format == '0.00" 个百分点"'
    assert not any(isinstance(c.value, str) and c.value.startswith("'-") for r in ws.iter_rows() for c in r)


def test_writer_figures_are_numbers_status_apart_and_text_formula_safe():
    wb = Workbook()
    ws = wb.active
    append_figures(ws, [("=HYPERLINK(\"http://x\")", None), ("-9.81", "pct"), (41.51, "pct"), (2455, "int"), ("未达标", None),
                        (-1234.5, "amount")])
    name, change, coverage, count, status, amount = ws[1]
    assert name.data_type == "s" and name.value.startswith("'=")  # text starting with = stays escaped
    assert change.data_type == "n" and change.value == -9.81 and change.number_format == '0.00"%"'
    assert coverage.value == 41.51 and count.value == 2455 and count.number_format == "#,##0"
    assert status.value == "未达标"  # the status in its own column, never glued to a figure
    assert amount.value == -1234.5 and amount.number_format == "#,##0.00"
    assert safe_cell(-9.81) == -9.81 and safe_cell("-9.81%") == "'-9.81%"


def test_t3_export_figures_are_numbers_with_formats_and_the_status_apart(world, request):
    period = request.getfixturevalue("two_parks")
    t3 = t3_generate(actor=world.users["hz_branch"], period=period)
    ws = load_workbook(io.BytesIO(t3_export(filing=t3)))["附表3"]
    header = [c.value for c in ws[3]]
    total = next(r for r in ws.iter_rows(min_row=4) if r[1].value == "杭州市合计")
    enterprises, coverage = total[header.index("入园企业数")], total[header.index("授信覆盖率(%)")]
    assert enterprises.data_type == "n" and enterprises.number_format == "#,##0"
    assert coverage.data_type == "n" and coverage.number_format == '0.00"%"' and 0 < coverage.value <= 100
    amounts = [total[i] for i, label in enumerate(header) if label == "授信金额"]
    assert amounts and amounts[0].data_type == "n" and amounts[0].number_format == "#,##0.00"
    start = next(r[0].row for r in ws.iter_rows(min_row=4) if r[1].value == "按星级")
    stars = [r for r in ws.iter_rows(min_row=start + 1) if r[1].value and isinstance(r[10].value, (int, float))]
    assert stars and all(r[10].number_format == '0.00"%"' and r[12].value in ("达标", "未达标") for r in stars)
