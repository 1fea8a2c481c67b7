"""催报: the reviewer of an outstanding subject (its city's branch regulator, or the province) urges
it to file — an in-app message and an e-mail to the subject's users, at most once a day per
subject: a ReminderLog row of kind "urge" (unique per subject, kind and day, as the daily reminders)
is both the log and the guard."""
from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from parks.models import Park
from portal.choices import OrgKind
from portal.models import Organisation, User
from portal.notifications import notify, organisation_users
from reports.filings.choices import ScheduleCode
from reports.filings.models import Filing, Period
from reports.summaries.completeness import Item, completeness_items
from reports.summaries.models import ReminderLog
from reports.summaries.reminders import claim
from reports.workflow.transitions import is_reviewer, subject_city_code

log = logging.getLogger(__name__)

URGE = "urge"
URGEABLE = ("not_filed", "returned")  # the subject has still to file (again)
KINDS = ("park", "branch")
NOT_REVIEWER = "只有报送主体所在地市的银保监分局（或省局）可以催报。"


def urge_key(item: Item) -> str:
    """The subject's key in ReminderLog, the same as the daily reminders'."""
    return f"{item.kind}:{item.subject_id}:{item.schedules}"


def urge_marks(*, items: list[Item], period: Period, today: dt.date) -> None:
    """Set each item's ``urge``: "can" (outstanding, not urged today), "sent" (urged today) or "". One query."""
    sent = set(ReminderLog.objects.filter(period=period, kind=URGE, sent_on=today).values_list("subject_key", flat=True))
    for item in items:
        if item.state in URGEABLE:
            item.urge = "sent" if urge_key(item) in sent else "can"


def _probe(kind: str, subject_id: int) -> tuple[Filing, int | None]:
    """An unsaved filing of the subject (the transition table judges reviewers on a filing) and the
    organisation that files for it."""
    if kind == "park":
        park = Park.objects.select_related("county").filter(pk=subject_id).first()
        if park is not None:
            return Filing(schedule=ScheduleCode.T1, park=park), park.operator_id
    elif kind == "branch":
        branch = Organisation.objects.select_related("region").filter(pk=subject_id, kind=OrgKind.BANK_BRANCH).first()
        if branch is not None:
            return Filing(schedule=ScheduleCode.T4, branch=branch), branch.pk
    raise ValidationError("报送主体不存在。")


@transaction.atomic
def subject_urge(*, actor: User, period: Period, kind: str, subject_id: int, today: dt.date | None = None) -> ReminderLog:
    """Urge one outstanding subject of ``period`` to file; refused (ValidationError) when it has filed
    or was urged today already, and (PermissionDenied) for anyone but its reviewer."""
    today = today or timezone.localdate()
    probe, filer_org_id = _probe(kind, subject_id)
    if not is_reviewer(actor, probe):
        raise PermissionDenied(NOT_REVIEWER)
    item = next((i for i in completeness_items(period=period, today=today, city_code=subject_city_code(probe))
                 if i.kind == kind and i.subject_id == subject_id), None)
    if item is None or item.state not in URGEABLE:
        raise ValidationError(f"{probe.subject} 的 {period.code} 报表已报送或无需报送，无需催报。")
    users = list(organisation_users(organisation_ids=[filer_org_id] if filer_org_id else []))
    if not users:
        raise ValidationError(f"{item.name} 尚无有效的用户账号，无法发送催报。")
    sent = claim(period, urge_key(item), URGE, today)
    if sent is None:
        raise ValidationError(f"今天已向 {item.name} 催报过，每个报送主体每天最多催报一次。")
    sent.recipients = notify(users=users, **_message(actor, period, item), email=True)
    sent.save(update_fields=["recipients"])
    log.info("催报 %s %s by %s (%s users)", period.code, urge_key(item), actor.username, sent.recipients)
    return sent


def _message(actor: User, period: Period, item: Item) -> dict[str, str]:
    who = actor.organisation.name if actor.organisation_id else "监管部门"
    state = "已被退回，尚未重新提交" if item.state == "returned" else "尚未报送"
    late = f"，已逾期 {item.days_late} 天" if item.late else ""
    url = reverse("reports:filing_detail", args=[item.filing_id]) if item.filing_id else reverse("reports:filing_new")
    return {
        "title": f"【催报】{period.code} {item.schedules}请尽快报送",
        "body": f"{who}提醒：{item.name}的 {period.code} {item.schedules}{state}（填报截止日期 {period.filer_due:%Y-%m-%d}{late}），请尽快填报并提交。",
        "url": url,
    }
