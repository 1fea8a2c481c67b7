"""Reads of the workflow log: when a subject first submitted (timeliness is judged on that), and
the deadline it is judged against."""
from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.utils import timezone

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


def filing_due(filing: Filing) -> dt.date:
    """The deadline of a filing: the filers' (parks, banks) or, for a city's 附表3, the branch's."""
    return filing.period.branch_due if filing.city_id else filing.period.filer_due
