"""Bulk 转报: a lead bank forwards several of its parks' clean submitted 附表1 at once, each as its own
workflow step; a filing with warnings must be opened, and a park the bank does not lead is refused."""
import datetime as dt

import pytest
from django.urls import reverse

from parks.choices import PartnerRole
from reports.dashboards.landing import landing_panel
from reports.filings import services
from reports.filings.models import Filing, Period
from reports.workflow import services as workflow
from reports.workflow.models import FilingTransition
from reports.workflow.selectors import forward_list
from tests import factories as f
from tests.test_t1_t2 import raw_row

FORWARD_URL = reverse("reports:forward_list")


@pytest.fixture
def period(world):
    return Period.objects.get(code="2020Q3")


def submitted_t1(world, period, park, *, operator="op_hz", enterprise=None, warn=False) -> Filing:
    """``park``'s 附表1 with its one tenant's row, submitted (with warnings explained when ``warn``)."""
    user = world.users[operator]
    enterprise = enterprise or f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(uscc=f.next_uscc("330106"))).enterprise
    filing = services.filing_open(actor=user, schedule="T1", period=period, park=park)
    extra = {"loan_rate": "16"} if warn else {}
    assert services.filing_rows_replace(actor=user, filing=filing, raw_rows=[raw_row(0, enterprise.uscc, "100", **extra)]).saved
    filing.refresh_from_db()
    if warn:
        services.filing_explanation_save(actor=user, filing=filing, explanation="高风险行业，利率经审批", expected_lock_version=filing.lock_version)
    workflow.filing_submit(actor=user, filing=filing)
    filing.refresh_from_db()
    assert filing.status == "submitted" and bool(filing.warning_count) == warn
    return filing


def led_park(world, code: str, name: str):
    """Another park of 西湖园运营公司 whose lead bank is 甲银行杭州分行."""
    park = f.ParkFactory(code=code, name=name, county=f.region("330106"), operator=world.op_hz)
    f.PartnerLinkFactory(park=park, branch=world.bank_a_hz, role=PartnerRole.LEAD)
    return park


@pytest.fixture
def waiting(world, period):
    """For 甲银行杭州分行 (bank_a_hz): three clean 附表1 of parks it leads, one with warnings; and a
    clean one of 余杭数字 (乙银行's lead park, which 甲银行 neither leads nor sees)."""
    return {
        "hz": submitted_t1(world, period, world.p_hz, enterprise=world.e_hz),
        "a3": submitted_t1(world, period, led_park(world, "330106003", "西湖三号小微企业园")),
        "a4": submitted_t1(world, period, led_park(world, "330106004", "西湖四号小微企业园")),
        "warned": submitted_t1(world, period, led_park(world, "330106005", "西湖五号小微企业园"), warn=True),
        "other": submitted_t1(world, period, world.p_hz2, operator="op_hz2", enterprise=world.e_hz2),
    }


def confirms(filing):
    return list(FilingTransition.objects.filter(filing=filing, action="confirm").values_list("actor__username", "from_status", "to_status"))


def test_bulk_forward_forwards_exactly_the_selected_clean_filings(client, world, waiting):
    client.force_login(world.users["bank_a_hz"])
    response = client.post(FORWARD_URL, {"filing": [waiting["hz"].pk, waiting["a3"].pk], "comment": "已核对"})
    assert response.status_code == 302
    for key in ("hz", "a3"):
        assert Filing.objects.get(pk=waiting[key].pk).status == "confirmed"
        assert confirms(waiting[key]) == [("bank_a_hz", "submitted", "confirmed")]  # each its own step
        assert FilingTransition.objects.get(filing=waiting[key], action="confirm").comment == "已核对"
    for key in ("a4", "warned", "other"):
        assert Filing.objects.get(pk=waiting[key].pk).status == "submitted" and confirms(waiting[key]) == []
    page = client.get(response.url)
    assert "已转报 2 份附表1" in page.content.decode()


def test_bulk_forward_refuses_a_filing_with_warnings_and_one_of_a_park_the_bank_does_not_lead(world, waiting):
    chosen = [waiting["a4"], waiting["warned"], waiting["other"]]
    outcome = workflow.filings_confirm_many(actor=world.users["bank_a_hz"], filings=chosen)
    assert [fl.pk for fl in outcome.forwarded] == [waiting["a4"].pk]
    why = {fl.pk: message for fl, message in outcome.refused}
    assert set(why) == {waiting["warned"].pk, waiting["other"].pk}
    assert "提示" in why[waiting["warned"].pk] and "打开" in why[waiting["warned"].pk]
    assert "主办行" in why[waiting["other"].pk]
    for key in ("warned", "other"):
        assert Filing.objects.get(pk=waiting[key].pk).status == "submitted" and confirms(waiting[key]) == []
    # a partner bank that is not the lead is refused too
    outcome = workflow.filings_confirm_many(actor=world.users["bank_b_hz"], filings=[waiting["hz"]])
    assert outcome.forwarded == [] and "主办行" in outcome.refused[0][1]
    # the one with warnings is forwarded once opened, on its own
    workflow.filing_confirm(actor=world.users["bank_a_hz"], filing=waiting["warned"])
    assert Filing.objects.get(pk=waiting["warned"].pk).status == "confirmed"


def test_bulk_forward_of_an_unseen_or_warned_filing_through_the_page_changes_nothing(client, world, waiting):
    client.force_login(world.users["bank_a_hz"])
    response = client.post(FORWARD_URL, {"filing": [waiting["warned"].pk, waiting["other"].pk]}, follow=True)
    text = response.content.decode()
    assert "未转报" in text and "无权查看" in text
    assert Filing.objects.filter(pk__in=[waiting["warned"].pk, waiting["other"].pk], status="submitted").count() == 2


def test_the_forward_list_shows_the_lead_parks_waiting_and_makes_a_warned_one_be_opened(client, world, waiting):
    assert [fl.pk for fl in forward_list(branch=world.bank_a_hz)] == [waiting[k].pk for k in ("hz", "a3", "a4", "warned")]
    client.force_login(world.users["bank_a_hz"])
    text = client.get(FORWARD_URL).content.decode()
    assert f'name="filing" value="{waiting["hz"].pk}"' in text
    assert f'name="filing" value="{waiting["warned"].pk}" aria-label="选择 西湖五号小微企业园" disabled' in text
    assert "须打开查看" in text and world.p_hz2.name not in text
    assert "可批量转报 3 / 4 份" in text


@pytest.mark.parametrize("who", ["hz_branch", "op_hz", "insurer"])
def test_only_a_bank_may_open_the_forward_page(client, world, who):
    if who == "insurer":
        inst = f.InstitutionFactory(name="丙保险股份有限公司", short_name="丙保险", type="insurer")
        world.users[who] = f.UserFactory(username="insurer_hz", organisation=f.bank_branch("330100", inst, name="丙保险杭州分公司"))
    client.force_login(world.users[who])
    assert client.get(FORWARD_URL).status_code == 403


def test_the_lead_banks_to_do_links_to_the_forward_page(world, waiting, period):
    Period.objects.filter(end__gt=period.end).update(lock_date=dt.date(2020, 1, 1))  # 2020Q3 is the open period
    user = world.users["bank_a_hz"]
    todo = landing_panel(user=user, org=world.bank_a_hz, kind="bank_branch")["todo"]
    forward = [t for t in todo if "转报" in t["text"]]
    assert forward and forward[0]["url"].startswith(FORWARD_URL)
    assert forward[0]["text"].startswith("4 个主办园区")
