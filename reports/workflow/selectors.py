"""Reads of the workflow: when a subject first submitted (timeliness is judged on that), the
deadline it is judged against, and what waits for a lead bank's 转报."""
from __future__ import annotations

import datetime as dt

from django.db.models import Min, QuerySet
from django.utils import timezone

from parks.choices import PartnerRole
from parks.models import PartnerLink
from reports.filings.choices import FilingStatus
from reports.filings.kinds import FORWARDED, is_insurer_branch
from reports.filings.models import Filing
from reports.workflow.models import FilingTransition


def first_submitted_at(filing: Filing) -> dt.datetime | None:
    """When the subject first submitted this schedule for the period, across every version (the
    提交 steps of the workflow log); None if it never has."""
    return FilingTransition.objects.filter(
        action=FilingTransition.Action.SUBMIT, filing__schedule=filing.schedule, filing__period_id=filing.period_id,
        filing__park_id=filing.park_id, filing__branch_id=filing.branch_id, filing__city_id=filing.city_id,
    ).aggregate(first=Min("at"))["first"]


def subject_days_late(filing: Filing, *, due: dt.date, today: dt.date) -> int:
    """Days late of the subject's filing: judged on its first submission (``today`` when this is it)."""
    first = first_submitted_at(filing)
    day = timezone.localdate(first) if first is not None else today
    return max(0, (day - due).days)


def lead_bank_waiting(*, branch, on: dt.date | None = None) -> QuerySet[Filing]:
    """The current 附表1 of the parks whose 主办行 is ``branch`` (on ``on``, default today: the day
    ``transitions.is_lead_bank`` judges), submitted and waiting for its 转报. None for an insurer."""
    if branch is None or is_insurer_branch(branch):
        return Filing.objects.none()
    leads = PartnerLink.objects.in_force(on=on or timezone.localdate()).filter(branch=branch, role=PartnerRole.LEAD)
    return Filing.objects.filter(schedule__in=FORWARDED, status=FilingStatus.SUBMITTED, is_current=True,
                                 park_id__in=leads.values("park_id"))


def forward_list(*, branch, period_id: int | None = None) -> list[Filing]:
    """The bulk 转报 page's list: ``lead_bank_waiting`` with park and period, oldest period first;
    a filing with warnings (``warning_count``) must be opened and forwarded on its own."""
    qs = lead_bank_waiting(branch=branch).select_related("period", "park__county")
    if period_id:
        qs = qs.filter(period_id=period_id)
    return list(qs.order_by("period__year", "period__quarter", "park__code"))


def filing_due(filing: Filing) -> dt.date:
    """The deadline of a filing: the filers' (parks, banks) or, for a city's 附表3, the branch's."""
    return filing.period.branch_due if filing.city_id else filing.period.filer_due
