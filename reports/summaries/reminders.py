"""Daily reminders (Celery beat): filers whose filings are outstanding 5, 2 and 0 days before
the deadline get an e-mail and an in-app message; after the deadline each branch regulator gets
its city's overdue list. A ReminderLog row per (subject, kind, day) makes the job idempotent:
run twice on one day, it sends each reminder once."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from celery import shared_task
from django.db import IntegrityError, transaction
from django.utils import timezone

from parks.models import Park
from portal.choices import OrgKind
from portal.models import Organisation
from portal.notifications import notify, organisation_users
from reports.filings.models import Period
from reports.summaries.completeness import completeness_items
from reports.summaries.models import ReminderLog

DAYS_BEFORE = {5: "d5", 2: "d2", 0: "d0"}


def claim(period: Period, subject_key: str, kind: str, day: dt.date) -> ReminderLog | None:
    """Record the reminder; None if it was already sent today (the unique constraint decides)."""
    try:
        with transaction.atomic():
            return ReminderLog.objects.create(period=period, subject_key=subject_key, kind=kind, sent_on=day)
    except IntegrityError:
        return None


def reminders_run(*, today: dt.date) -> dict[str, int]:
    sent = {"filer": 0, "overdue": 0}
    for period in Period.objects.filter(is_baseline=False, filer_due__gte=today, filer_due__lte=today + dt.timedelta(days=5)):
        left = (period.filer_due - today).days
        kind = DAYS_BEFORE.get(left)
        if kind is None:
            continue
        items = [i for i in completeness_items(period=period, today=today) if i.state in ("not_filed", "returned")]
        park_ops = dict(_park_operators([i.subject_id for i in items if i.kind == "park"]))
        for item in items:
            org_id = park_ops.get(item.subject_id) if item.kind == "park" else item.subject_id
            if not org_id:
                continue
            log = claim(period, f"{item.kind}:{item.subject_id}:{item.schedules}", kind, today)
            if log is None:
                continue
            when = "今天" if left == 0 else f"{left} 天后（{period.filer_due:%m月%d日}）"
            title = f"{period.code} {item.schedules}将于{when}截止报送"
            body = f"{item.name}的 {period.code} {item.schedules}尚未报送（截止日期 {period.filer_due:%Y-%m-%d}），请及时填报并提交。"
            log.recipients = notify(users=organisation_users(organisation_ids=[org_id]), title=title, body=body, url=item.url, email=True)
            log.save(update_fields=["recipients"])
            sent["filer"] += 1
    for period in Period.objects.filter(is_baseline=False, filer_due__lt=today, lock_date__gte=today):
        overdue = defaultdict(list)
        for item in completeness_items(period=period, today=today):
            if item.state in ("not_filed", "returned") and item.late:  # late: judged on the first submission
                overdue[item.city_code].append(item)
        branches = Organisation.objects.filter(kind=OrgKind.BRANCH_REGULATOR, region__code__in=list(overdue)).values_list("pk", "region__code")
        for org_id, city in branches:
            log = claim(period, f"city:{city}:overdue", "overdue", today)
            if log is None:
                continue
            lines = "\n".join(f"· {i.name}（{i.schedules}，逾期 {i.days_late} 天）" for i in overdue[city])
            title = f"{period.code} 辖内逾期未报送清单（{len(overdue[city])} 项）"
            log.recipients = notify(users=organisation_users(organisation_ids=[org_id]), title=title, body=lines,
                                    url=f"/completeness/?period={period.code}", email=True)
            log.save(update_fields=["recipients"])
            sent["overdue"] += 1
    return sent


def _park_operators(park_ids: list[int]):
    return Park.objects.filter(pk__in=park_ids, operator__isnull=False).values_list("pk", "operator_id")


@shared_task(acks_late=True, reject_on_worker_lost=True)
def reminders_send(today: str | None = None) -> dict[str, int]:
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return reminders_run(today=day)
