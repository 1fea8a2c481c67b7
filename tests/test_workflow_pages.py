"""Workflow pages: buttons by role, actions through POST, the timeline, the diff view,
completeness (with drill-down and export) for regulators only, notifications, 附表3 pages."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portal.models import Notification
from reports.filings import services
from reports.filings.models import Filing, Period
from reports.workflow import services as workflow
from tests.test_t1_t2 import raw_row


@pytest.fixture
def t1(world):
    period = Period.objects.get(code="2020Q3")
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=period, park=world.p_hz)
    assert services.filing_rows_replace(actor=world.users["op_hz"], filing=filing, raw_rows=[raw_row(0, world.e_hz.uscc, "100")]).saved
    return Filing.objects.get(pk=filing.pk)


def post_action(client, filing, action, comment=""):
    return client.post(reverse("reports:filing_action", args=[filing.pk, action]), {"comment": comment})


def test_buttons_follow_the_role_and_state(client, world, t1):
    url = t1.get_absolute_url()
    client.force_login(world.users["op_hz"])
    html = client.get(url).content.decode()
    assert 'data-action="submit"' in html and 'data-action="approve"' not in html
    client.force_login(world.users["bank_a_hz"])
    assert 'data-action=' not in client.get(url).content.decode()
    workflow.filing_submit(actor=world.users["op_hz"], filing=t1)
    html = client.get(url).content.decode()
    assert 'data-action="confirm"' in html and 'data-action="return"' in html


def test_the_park_path_through_the_pages_with_a_timeline(client, world, t1):
    client.force_login(world.users["op_hz"])
    assert post_action(client, t1, "submit").status_code == 302
    client.force_login(world.users["bank_a_hz"])
    post_action(client, t1, "confirm", "已核对")
    client.force_login(world.users["hz_branch"])
    response = post_action(client, t1, "return", "")
    assert status_of(t1) == "confirmed"  # refused: no comment
    follow = client.get(response["Location"])
    assert "退回时必须填写退回意见" in follow.content.decode()
    post_action(client, t1, "return", "请补充企业")
    client.force_login(world.users["op_hz"])
    post_action(client, t1, "submit")
    client.force_login(world.users["bank_a_hz"])
    post_action(client, t1, "confirm")
    client.force_login(world.users["hz_branch"])
    post_action(client, t1, "approve")
    assert status_of(t1) == "approved"
    timeline = client.get(t1.get_absolute_url()).content.decode()
    for text in ("提交", "主办行确认转报", "退回", "请补充企业", "审核通过"):
        assert text in timeline


def status_of(filing):
    return Filing.objects.get(pk=filing.pk).status


def test_a_wrong_organisation_cannot_act_through_the_page(client, world, t1):
    client.force_login(world.users["op_wz"])
    assert post_action(client, t1, "submit").status_code == 404  # cannot even see it
    client.force_login(world.users["wz_branch"])
    assert post_action(client, t1, "approve").status_code == 404
    client.force_login(world.users["bank_b_hz"])  # partner, not lead: cannot see the park's T1
    assert post_action(client, t1, "confirm").status_code == 404
    client.force_login(world.users["bank_a_hz"])
    assert post_action(client, t1, "submit").status_code == 403
    assert status_of(t1) == "draft"


def test_diff_page_lists_exactly_the_changed_cells(client, world, t1):
    workflow.filing_submit(actor=world.users["op_hz"], filing=t1)
    workflow.filing_confirm(actor=world.users["bank_a_hz"], filing=t1)
    workflow.filing_approve(actor=world.users["hz_branch"], filing=t1)
    v2 = workflow.filing_amend(actor=world.users["op_hz"], filing=t1)
    services.filing_rows_replace(actor=world.users["op_hz"], filing=v2, raw_rows=[raw_row(0, world.e_hz.uscc, "100", employees="45")])
    client.force_login(world.users["hz_branch"])
    html = client.get(reverse("reports:filing_diff", args=[v2.pk])).content.decode()
    assert "修改的单元格（1）" in html and "从业人员(人)" in html and ">30<" in html and ">45<" in html


def test_completeness_is_for_regulators_with_drill_down_and_export(client, world, t1):
    for who in ("bank_a_hz", "op_hz", "xihu_jxj"):
        client.force_login(world.users[who])
        assert client.get(reverse("reports:completeness")).status_code == 403
    client.force_login(world.users["province"])
    html = client.get(reverse("reports:completeness") + "?period=2020Q3").content.decode()
    assert "杭州市" in html and "温州市" in html
    client.force_login(world.users["hz_branch"])
    page = client.get(reverse("reports:completeness") + "?period=2020Q3")
    assert [r.city.code for r in page.context["rows"]] == ["330100"]
    items = client.get(reverse("reports:completeness_list") + "?period=2020Q3&state=not_filed&city=330300")
    names = {i.name for i in items.context["page"]}
    assert names == {"西湖智造小微企业园", "余杭数字小微企业园", "甲银行杭州分行", "乙银行杭州分行"}  # its own city only
    export = client.get(reverse("reports:completeness") + "?period=2020Q3&format=xlsx")
    ws = load_workbook(io.BytesIO(export.content)).active
    assert ws["A1"].value.startswith("2020Q3") and ws["A4"].value == "杭州市" and ws["B4"].value == 4


def test_notifications_show_an_unread_count_and_open_marks_read(client, world, t1):
    workflow.filing_submit(actor=world.users["op_hz"], filing=t1)
    client.force_login(world.users["bank_a_hz"])
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="unread-count">1<' in html
    note = Notification.objects.get(user=world.users["bank_a_hz"])
    assert client.get(reverse("notification_open", args=[note.pk]))["Location"] == t1.get_absolute_url()
    assert 'data-testid="unread-count"' not in client.get(reverse("home")).content.decode()
    client.force_login(world.users["op_wz"])
    assert client.get(reverse("notification_open", args=[note.pk])).status_code == 404


def test_t3_pages_generate_submit_and_export(client, world, t1):
    workflow.filing_submit(actor=world.users["op_hz"], filing=t1)
    workflow.filing_confirm(actor=world.users["bank_a_hz"], filing=t1)
    workflow.filing_approve(actor=world.users["hz_branch"], filing=t1)
    client.force_login(world.users["bank_a_hz"])
    assert client.post(reverse("reports:t3") + "?period=2020Q3").status_code == 403
    client.force_login(world.users["hz_branch"])
    response = client.post(reverse("reports:t3") + "?period=2020Q3")
    t3 = Filing.objects.get(schedule="T3", city__code="330100")
    assert response["Location"] == t3.get_absolute_url()
    html = client.get(t3.get_absolute_url()).content.decode()
    assert "西湖区小计" in html and "杭州市合计" in html and 'data-action="submit"' in html
    # two parks unfiled → explain, then submit
    client.post(reverse("reports:filing_explanation", args=[t3.pk]), {"explanation": "余杭园区尚在建档", "lock_version": t3.lock_version})
    post_action(client, t3, "submit")
    assert status_of(t3) == "submitted"
    client.force_login(world.users["wz_branch"])
    assert client.get(t3.get_absolute_url()).status_code == 404
    client.force_login(world.users["province"])
    post_action(client, t3, "approve")
    assert status_of(t3) == "approved"
    wb = load_workbook(io.BytesIO(client.get(reverse("reports:t3_export", args=[t3.pk])).content))
    assert wb.sheetnames == ["附表3", "辖内附表4汇总"]
