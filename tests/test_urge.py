"""催报 from the completeness list: the reviewer of an outstanding subject (its city's branch, or
the province) sends it an in-app message and an e-mail, at most once a day per subject (ReminderLog,
kind "urge"); a second click the same day is refused with a message; nobody else may urge."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.models import Notification
from reports.filings.models import Period
from reports.summaries.models import ReminderLog
from reports.summaries.urge import subject_urge
from tests.inbox_helpers import park_t1_submitted

URL = reverse("reports:completeness_urge")


@pytest.fixture
def period(world):
    for key in ("op_hz", "op_hz2", "bank_a_hz", "bank_b_hz"):
        world.users[key].email = f"{key}@example.cn"
        world.users[key].save()
    return Period.objects.get(code="2020Q3")


def urge(client, period, kind, subject_id, **extra):
    return client.post(URL, {"period": period.code, "kind": kind, "subject": subject_id, **extra}, follow=True)


def said(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_the_branch_urges_an_unfiled_park_once_a_day(client, world, period, mailoutbox):
    client.force_login(world.users["hz_branch"])
    first = urge(client, period, "park", world.p_hz.pk)
    assert "已催报" in said(first)
    assert [m.to for m in mailoutbox] == [["op_hz@example.cn"]] and "【催报】" in mailoutbox[0].subject
    assert "杭州银保监分局提醒" in mailoutbox[0].body and "西湖智造小微企业园" in mailoutbox[0].body
    note = Notification.objects.get(user=world.users["op_hz"])
    assert note.title.startswith("【催报】2020Q3 附表1/2") and note.url == reverse("reports:filing_new")
    log = ReminderLog.objects.get(kind="urge")
    assert (log.subject_key, log.recipients, log.period_id) == (f"park:{world.p_hz.pk}:附表1/2", 1, period.pk)
    # the second click the same day: refused, nothing sent
    again = urge(client, period, "park", world.p_hz.pk)
    assert "今天已向 西湖智造小微企业园 催报过" in said(again)
    assert len(mailoutbox) == 1 and Notification.objects.filter(user=world.users["op_hz"]).count() == 1
    assert ReminderLog.objects.filter(kind="urge").count() == 1
    # another subject the same day, and the same subject the next day
    assert "已催报" in said(urge(client, period, "branch", world.bank_a_hz.pk))
    subject_urge(actor=world.users["hz_branch"], period=period, kind="park", subject_id=world.p_hz.pk,
                 today=dt.date.today() + dt.timedelta(days=1))
    assert len(mailoutbox) == 3 and ReminderLog.objects.filter(kind="urge").count() == 3


def test_only_the_subjects_reviewer_may_urge(client, world, period, mailoutbox):
    for key in ("wz_branch", "bank_a_hz", "op_hz2", "hz_jxj"):
        client.force_login(world.users[key])
        assert client.post(URL, {"period": period.code, "kind": "park", "subject": world.p_hz2.pk}).status_code == 403, key
    assert mailoutbox == [] and not ReminderLog.objects.filter(kind="urge").exists()
    client.force_login(world.users["province"])
    assert "已催报" in said(urge(client, period, "park", world.p_hz2.pk))
    # the province's urge counts for the day: the branch's is refused
    client.force_login(world.users["hz_branch"])
    assert "今天已向" in said(urge(client, period, "park", world.p_hz2.pk))
    assert len(mailoutbox) == 1


def test_a_subject_that_has_filed_is_not_urged(client, world, period):
    submitted = park_t1_submitted(period, code="330106301", name="西湖已报园")
    with pytest.raises(ValidationError, match="无需催报"):
        subject_urge(actor=world.users["hz_branch"], period=period, kind="park", subject_id=submitted.park_id)
    client.force_login(world.users["hz_branch"])
    assert client.post(URL, {"period": period.code, "kind": "nobody", "subject": "1"}).status_code == 403


def test_the_completeness_list_offers_the_button_and_then_says_it_was_sent(client, world, period):
    client.force_login(world.users["hz_branch"])
    url = f"{reverse('reports:completeness_list')}?period={period.code}&state=not_filed"
    html = client.get(url).content.decode()
    assert html.count('data-testid="urge"') == 4  # 2 parks + 2 banks of Hangzhou
    response = urge(client, period, "park", world.p_hz.pk, next=url)
    assert response.redirect_chain[-1][0] == url
    html = response.content.decode()
    assert html.count('data-testid="urge"') == 3 and html.count('data-testid="urged"') == 1
