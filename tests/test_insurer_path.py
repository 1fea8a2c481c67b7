"""Insurers (``Institution.is_insurer``) file 附表4 only — section 三 and the narrative under insurer
headings — have their own to-do, are never a park's 主办行 and never asked for 附表5 (伙伴银行情况表)."""
import datetime as dt
import io
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from parks import services as park_services
from parks.choices import PartnerRole
from portal.models import Notification
from reports.dashboards.landing import landing_panel
from reports.filings import services
from reports.filings.forms import schedules_for
from reports.filings.models import Filing, Period
from reports.filings.xlsx.exporter import filing_export
from reports.filings.xlsx.reader import _read_narrative
from reports.filings.xlsx.template import template_build
from reports.schedules.t4 import INSURER_NARRATIVE_LABELS
from reports.summaries.completeness import completeness_items
from reports.workflow import services as workflow
from tests import factories as f

BANK_HEADING = "伙伴银行建设情况"
INSURER_HEADING = INSURER_NARRATIVE_LABELS["partner_bank_progress"]
BANK_ONLY = ("转报", "主办行", "附表5")


@pytest.fixture
def insurer(world):
    inst = f.InstitutionFactory(name="丙保险股份有限公司", short_name="丙保险", type="insurer")
    branch = f.bank_branch("330100", inst, name="丙保险杭州分公司")
    return f.UserFactory(username="insurer_hz", organisation=branch)


@pytest.fixture
def open_q3(world):
    """2020Q3 is the open period (the landing page's)."""
    period = Period.objects.get(code="2020Q3")
    Period.objects.filter(end__gt=period.end).update(lock_date=dt.date(2020, 1, 1))
    return period


def test_an_insurer_files_only_t4_and_the_new_filing_form_does_not_offer_t5(client, insurer, world):
    assert [code for code, _ in schedules_for(insurer)] == ["T4"]
    assert [code for code, _ in schedules_for(world.users["bank_a_hz"])] == ["T4", "T5"]
    client.force_login(insurer)
    text = client.get(reverse("reports:filing_new")).content.decode()
    assert 'value="T4"' in text and 'value="T5"' not in text
    with pytest.raises(ValidationError) as exc:
        services.filing_open(actor=insurer, schedule="T5", period=Period.objects.get(code="2020Q3"))
    assert "附表5" in exc.value.messages[0]


def test_the_new_filing_form_is_preset_by_the_link(client, world):
    period = Period.objects.get(code="2020Q3")
    client.force_login(world.users["bank_a_hz"])
    form = client.get(reverse("reports:filing_new"), {"schedule": "T5", "period": period.pk}).context["form"]
    assert form["schedule"].value() == "T5" and str(form["period"].value()) == str(period.pk)


def test_an_insurers_t4_shows_insurer_narrative_headings_and_submits_alone(client, insurer, world):
    period = Period.objects.get(code="2020Q3")
    t4 = services.filing_open(actor=insurer, schedule="T4", period=period)
    assert services.filing_t4_save(actor=insurer, filing=t4, raw_values={"insured_parks": "3", "insured_enterprises": "40", "premium": "12"},
                                   narrative=f.t4_narrative(partner_bank_progress="承保园区3个")).saved
    client.force_login(insurer)
    for url in (t4.get_absolute_url(), reverse("reports:t4_edit", args=[t4.pk])):
        text = client.get(url).content.decode()
        assert INSURER_HEADING in text and BANK_HEADING not in text and "三、保险服务" in text
        assert "伙伴银行园区数" not in text
    workflow.filing_submit(actor=insurer, filing=t4)  # no 附表5 asked for
    assert Filing.objects.get(pk=t4.pk).status == "submitted"
    client.force_login(world.users["bank_a_hz"])
    bank_t4 = services.filing_open(actor=world.users["bank_a_hz"], schedule="T4", period=period)
    assert BANK_HEADING in client.get(bank_t4.get_absolute_url()).content.decode()


def test_an_insurer_cannot_be_proposed_as_a_lead_bank(insurer, world):
    with pytest.raises(ValidationError) as exc:
        park_services.partner_link_propose(actor=insurer, data={"park": world.p_hz, "role": PartnerRole.LEAD, "since": dt.date(2020, 1, 1)})
    assert "主办行" in " ".join(exc.value.message_dict["role"])


def test_an_insurers_landing_has_only_insurer_work(insurer, world, open_q3):
    panel = landing_panel(user=insurer, org=insurer.organisation, kind="bank_branch")
    texts = [t["text"] for t in panel["todo"]] + panel["duties"]
    assert not [t for t in texts if any(word in t for word in BANK_ONLY)], texts
    [missing] = [t for t in panel["todo"] if "附表4尚未填报" in t["text"]]
    assert parse_qs(urlparse(missing["url"]).query) == {"schedule": ["T4"], "period": [str(open_q3.pk)]}
    bank = landing_panel(user=world.users["bank_a_hz"], org=world.bank_a_hz, kind="bank_branch")
    t5 = [t for t in bank["todo"] if "附表5尚未填报" in t["text"]]
    assert t5 and parse_qs(urlparse(t5[0]["url"]).query)["schedule"] == ["T5"]


def test_an_insurers_xlsx_narrative_uses_insurer_headings_and_reads_back(insurer):
    t4 = services.filing_open(actor=insurer, schedule="T4", period=Period.objects.get(code="2020Q3"))
    for built in (template_build(filing=t4), filing_export(filing=t4)):
        sheet = load_workbook(io.BytesIO(built))["推进情况"]
        headings = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert headings[0] == INSURER_HEADING and BANK_HEADING not in headings
    assert _read_narrative([[INSURER_HEADING, "承保园区3个"]]) == {"partner_bank_progress": "承保园区3个"}
    assert _read_narrative([[BANK_HEADING, "伙伴银行5家"]]) == {"partner_bank_progress": "伙伴银行5家"}


def test_the_completeness_list_names_an_insurers_package_t4_and_a_banks_t4_t5(insurer, world):
    period = Period.objects.get(code="2020Q3")
    t4 = services.filing_open(actor=insurer, schedule="T4", period=period)
    services.filing_t4_save(actor=insurer, filing=t4, raw_values={"insured_parks": "3", "insured_enterprises": "40", "premium": "12"},
                            narrative=f.t4_narrative(partner_bank_progress="承保园区3个"))
    workflow.filing_submit(actor=insurer, filing=t4)
    services.filing_open(actor=world.users["bank_a_hz"], schedule="T4", period=period)
    items = {i.name: i.schedules for i in completeness_items(period=period, today=dt.date(2020, 10, 1), city_code="330100")
             if i.kind == "branch"}
    assert items["丙保险杭州分公司"] == "附表4"
    assert items[world.bank_a_hz.name] == "附表4/5"
    titles = list(Notification.objects.filter(title__contains="丙保险杭州分公司").values_list("title", flat=True))
    assert titles and all("2020Q3 附表4已提交" in t for t in titles), titles
