import datetime as dt

import pytest

from portal.models import Notification
from reports.filings import services
from reports.filings.models import Period
from reports.summaries.completeness import completeness_by_city, completeness_items, completeness_totals
from reports.summaries.models import ReminderLog
from reports.summaries.reminders import reminders_run
from reports.workflow import services as workflow
from tests.test_t1_t2 import raw_row


@pytest.fixture
def scene(world):
    """p_hz approved, p_hz2 submitted (to be forwarded), p_wz nothing; bank_a_hz a draft package."""
    period = Period.objects.get(code="2020Q3")
    op = world.users["op_hz"]
    f1 = services.filing_open(actor=op, schedule="T1", period=period, park=world.p_hz)
    services.filing_rows_replace(actor=op, filing=f1, raw_rows=[raw_row(0, world.e_hz.uscc, "10")])
    workflow.filing_submit(actor=op, filing=f1)
    workflow.filing_confirm(actor=world.users["bank_a_hz"], filing=f1)
    workflow.filing_approve(actor=world.users["hz_branch"], filing=f1)
    op2 = world.users["op_hz2"]
    f2 = services.filing_open(actor=op2, schedule="T1", period=period, park=world.p_hz2)
    services.filing_rows_replace(actor=op2, filing=f2, raw_rows=[raw_row(0, world.e_hz2.uscc, "10")])
    workflow.filing_submit(actor=op2, filing=f2)
    services.filing_open(actor=world.users["bank_a_hz"], schedule="T4", period=period)
    for key in ("op_hz", "op_hz2", "op_wz", "bank_a_hz", "bank_b_hz", "bank_a_wz", "hz_branch", "wz_branch"):
        world.users[key].email = f"{key}@example.cn"
        world.users[key].save()
    return period


def test_completeness_counts_equal_an_independent_count(world, scene):
    today = dt.date(2020, 10, 20)
    rows = {r.city.code: r for r in completeness_by_city(period=scene, today=today)}
    hz, wz = rows["330100"], rows["330300"]
    # independently: Hangzhou expects 2 parks + 2 banks with links; Wenzhou 1 park + 1 bank
    assert hz.expected == 4 and wz.expected == 2
    assert hz.counts["approved"] == 1 and hz.counts["awaiting"] == 1 and hz.counts["not_filed"] == 2
    assert wz.counts["not_filed"] == 2 and wz.counts["approved"] == 0
    # submitted in 2026 for a 2020-10-15 deadline: both Hangzhou submissions are late; the outstanding ones too
    assert hz.counts["late"] == 4 and wz.counts["late"] == 2
    assert sum(r.expected for r in rows.values()) == 6 == completeness_totals(list(rows.values()))["expected"]
    items = completeness_items(period=scene, today=today, city_code="330100")
    assert {(i.name, i.state) for i in items} == {
        ("西湖智造小微企业园", "approved"), ("余杭数字小微企业园", "awaiting"), ("甲银行杭州分行", "not_filed"), ("乙银行杭州分行", "not_filed")}


def test_reminders_5_2_0_days_before_are_sent_once_per_filing_and_day(world, scene, mailoutbox):
    Period.objects.exclude(pk=scene.pk).update(lock_date=dt.date(2020, 1, 1))  # no overdue lists of older periods
    five_before = dt.date(2020, 10, 10)
    first = reminders_run(today=five_before)
    again = reminders_run(today=five_before)
    # outstanding: p_wz (T1), bank_a_hz/bank_b_hz/bank_a_wz (T4/5); p_hz approved, p_hz2 submitted
    assert first["filer"] == 4 and again["filer"] == 0
    assert len(mailoutbox) == 4
    assert {m.to[0] for m in mailoutbox} == {"op_wz@example.cn", "bank_a_hz@example.cn", "bank_b_hz@example.cn", "bank_a_wz@example.cn"}
    assert "5 天后" in mailoutbox[0].subject
    assert Notification.objects.filter(user=world.users["op_wz"]).count() == 1
    assert reminders_run(today=dt.date(2020, 10, 11))["filer"] == 0  # 4 days before: no reminder day
    assert reminders_run(today=dt.date(2020, 10, 13))["filer"] == 4  # 2 days before
    assert reminders_run(today=dt.date(2020, 10, 15))["filer"] == 4  # the day itself
    assert reminders_run(today=dt.date(2020, 10, 15))["filer"] == 0
    assert Notification.objects.filter(user=world.users["op_wz"]).count() == 3


def test_each_branch_gets_its_overdue_list_once_a_day(world, scene, mailoutbox):
    Period.objects.exclude(pk=scene.pk).update(lock_date=dt.date(2020, 1, 1))  # only 2020Q3 is still open
    day = dt.date(2020, 10, 16)
    assert reminders_run(today=day)["overdue"] == 2
    assert reminders_run(today=day)["overdue"] == 0
    hz_mail = [m for m in mailoutbox if m.to == ["hz_branch@example.cn"]]
    assert len(hz_mail) == 1 and "2 项" in hz_mail[0].subject
    assert "甲银行杭州分行" in hz_mail[0].body and "西湖智造" not in hz_mail[0].body
    assert ReminderLog.objects.filter(period=scene, kind="overdue", sent_on=day).count() == 2
    assert reminders_run(today=day + dt.timedelta(days=1))["overdue"] == 2


def test_reminder_task_is_registered_in_the_beat_schedule():
    from django.conf import settings

    from portal.celery import app

    assert settings.CELERY_BEAT_SCHEDULE["filing-reminders"]["task"] == "reports.summaries.reminders.reminders_send"
    assert "reports.summaries.reminders.reminders_send" in app.tasks
