"""The printable filing: header, every row (or the 附表4 record and narrative), the signature block
and the timeline; fetched through the access module (another bank gets 404)."""
import pytest
from django.urls import reverse

from reports.filings import services
from reports.filings.models import Filing, Period
from reports.workflow import services as workflow
from tests.test_t1_t2 import raw_row
from tests.workflow_helpers import bank_package_drafted

SIGNATURES = ("填报人", "审核人", "负责人", "日期", "单位盖章")


@pytest.fixture
def period(world):
    return Period.objects.get(code="2020Q3")


@pytest.fixture
def t1_forwarded(world, period):
    user = world.users["op_hz"]
    filing = services.filing_open(actor=user, schedule="T1", period=period, park=world.p_hz)
    assert services.filing_rows_replace(actor=user, filing=filing, raw_rows=[raw_row(0, world.e_hz.uscc, "100")]).saved
    workflow.filing_submit(actor=user, filing=filing)
    workflow.filing_confirm(actor=world.users["bank_a_hz"], filing=filing, comment="已核对，同意转报")
    return Filing.objects.get(pk=filing.pk)


def print_url(filing):
    return reverse("reports:filing_print", args=[filing.pk])


def test_the_print_view_renders_header_rows_signature_block_and_timeline(client, world, t1_forwarded):
    client.force_login(world.users["hz_branch"])
    page = client.get(t1_forwarded.get_absolute_url()).content.decode()
    assert f'href="{print_url(t1_forwarded)}"' in page and "打印" in page
    text = client.get(print_url(t1_forwarded)).content.decode()
    header = text.split('data-testid="print-header"')[1].split("</table>")[0]
    for part in ("西湖智造小微企业园", "2020Q3", "第1版", "主办行已转报"):
        assert part in header, part
    assert "附表1 分类建档基础台帐" in text
    rows = text.split('data-testid="print-rows"')[1].split("</table>")[0]
    assert "台账企业0有限公司" in rows and world.e_hz.uscc in rows and "统一社会信用代码" in rows
    block = text.split('data-testid="signature-block"')[1].split('data-testid="print-timeline"')[0]
    assert all(label in block for label in SIGNATURES)
    timeline = text.split('data-testid="print-timeline"')[1]
    assert "提交" in timeline and "主办行确认转报" in timeline and "已核对，同意转报" in timeline
    assert "data-print" in text and "print.css" in text and "<script>" not in text  # no inline script (CSP)
    assert 'data-testid="draft-mark"' not in text


def test_the_print_view_of_a_t4_shows_its_sections_and_narrative(client, world, period):
    t4, _ = bank_package_drafted(world, period)
    client.force_login(world.users["bank_a_hz"])
    text = client.get(print_url(t4)).content.decode()
    assert "一、小微企业园金融服务" in text and "二、全辖小微企业金融服务" in text and "三、保险服务" not in text
    assert "1. 伙伴银行建设情况" in text and "推进情况" in text
    assert 'data-testid="draft-mark"' in text  # a draft says it is not yet filed
    assert all(label in text for label in SIGNATURES)


@pytest.mark.parametrize("who", ["bank_a_wz", "op_wz", "wz_branch"])
def test_the_print_view_is_access_checked(client, world, t1_forwarded, period, who):
    client.force_login(world.users[who])
    assert client.get(print_url(t1_forwarded)).status_code == 404
    t4, _ = bank_package_drafted(world, period)
    client.force_login(world.users["bank_b_hz"])  # another bank of the same city
    assert client.get(print_url(t4)).status_code == 404
