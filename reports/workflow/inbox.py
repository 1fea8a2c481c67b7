"""The review inbox of a regulator: every filing waiting for THIS user's approve or return now, and,
listed apart, the filings under its review that wait for someone else's step first (a park's 附表1
waiting for its lead bank's 转报). Which is which is asked of the ONE transition table
(``transitions.refusal``), never derived again here: the filings are loaded once with
``with_workflow_facts``, so asking the table about all of them costs no further query. The landing
page counts the same lists (``reports.dashboards.landing``)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal import access
from portal.models import User
from portal.selectors import region_zhejiang_cities
from reports.filings.kinds import BANK_PACKAGE, short_label
from reports.filings.models import Filing
from reports.filings.quality import quality_count, quality_q
from reports.workflow.selectors import filing_due
from reports.workflow.transitions import A, from_statuses, lead_bank_name, refusal, with_workflow_facts

REVIEW_STATUSES = from_statuses(A.APPROVE, A.RETURN)  # the statuses the review steps start from


@dataclass
class InboxEntry:
    """One filing in the inbox, flattened for the table (sorting needs plain values)."""

    filing: Filing
    subject_name: str
    subject_code: str
    schedule: str  # 附表1 … 附表5
    city_name: str
    county_name: str
    submitted_at: dt.datetime | None
    due: dt.date
    days_left: int  # days to the deadline; negative: days overdue
    warnings: int
    version: int
    status: str
    status_label: str
    can_approve: bool = False
    can_return: bool = False
    waiting_for: str = ""  # whom the filing waits for (the lead bank's name)
    reason: str = ""  # why this user cannot act yet: the table's refusal
    package_warnings: int = 0  # warnings of the other members approved with it (a bank's 附表4+5)
    quality_warnings: int = 0  # its warnings of the quality edits against history (历史比对预警)

    @property
    def pk(self) -> int:
        return self.filing.pk

    @property
    def bulk_approvable(self) -> bool:
        """Filings with warnings (theirs, or a package member's) are opened and approved one by one,
        never in bulk (``bulk.filings_approve_bulk`` refuses them)."""
        return self.can_approve and self.warnings == 0 and self.package_warnings == 0


@dataclass
class Inbox:
    mine: list[InboxEntry] = field(default_factory=list)
    waiting: list[InboxEntry] = field(default_factory=list)


def inbox_filings(*, user: User) -> QuerySet[Filing]:
    """The current filings a review step may start from (the table's from-statuses of approve and
    return) that ``user`` may see: what the inbox sorts into its two lists, before any filter."""
    qs = Filing.objects.filter(is_current=True, status__in=REVIEW_STATUSES)
    return access.restrict(user, qs, access.VIEW)


def review_inbox(*, user: User, filings: QuerySet[Filing] | None = None, today: dt.date | None = None) -> Inbox:
    """``user``'s inbox over ``filings`` (a narrowing of ``inbox_filings``; default all of them), in a
    constant number of queries: ``mine`` (approve or return allowed now) and ``waiting`` (this user
    reviews them, but another step comes first), each sorted with the filings holding a quality
    warning against history first (``quality.quality_q``: the reviewer sees them first), then by
    deadline, then by submission."""
    today = today or timezone.localdate()
    qs = inbox_filings(user=user) if filings is None else filings
    cities = dict(region_zhejiang_cities().values_list("code", "name"))
    box = Inbox()
    facts = with_workflow_facts(qs, today=today).annotate(
        package_warnings=_package_warnings(), history_flagged=ExpressionWrapper(quality_q(), output_field=BooleanField()))
    for filing in facts:
        approve = refusal(A.APPROVE, user=user, filing=filing, today=today)
        give_back = refusal(A.RETURN, user=user, filing=filing, today=today)
        if approve is None or give_back is None:
            box.mine.append(_entry(filing, cities, today, can_approve=approve is None, can_return=give_back is None))
        elif isinstance(approve, ValidationError):  # the user's to review (``who`` holds), not yet
            box.waiting.append(_entry(filing, cities, today, waiting_for=lead_bank_name(filing), reason=approve.messages[0]))
    for entries in (box.mine, box.waiting):
        entries.sort(key=lambda e: (not e.filing.history_flagged, e.days_left, e.submitted_at or timezone.now(), e.pk))
    return box


def _package_warnings():
    """The warnings of the other current members of a bank's package that would be approved with it."""
    others = (Filing.objects.filter(branch_id=OuterRef("branch_id"), period_id=OuterRef("period_id"), schedule__in=BANK_PACKAGE,
                                    is_current=True, status__in=from_statuses(A.APPROVE))
              .exclude(pk=OuterRef("pk")).order_by().values("branch_id").annotate(n=Sum("warning_count")).values("n"))
    return Coalesce(Subquery(others[:1]), 0)


def _subject(filing: Filing, cities: dict[str, str]) -> tuple[str, str, str, str]:
    """(name, code, city name, county name) of the filing's subject."""
    if filing.park_id:
        county = filing.park.county
        return filing.park.name, filing.park.code, cities.get(county.city_code, ""), county.name
    if filing.branch_id:
        return filing.branch.name, "", filing.branch.region.name, ""
    return filing.city.name, filing.city.code, filing.city.name, ""


def _entry(filing: Filing, cities: dict[str, str], today: dt.date, **extra) -> InboxEntry:
    name, code, city, county = _subject(filing, cities)
    due = filing_due(filing)
    return InboxEntry(
        filing=filing, subject_name=name, subject_code=code, schedule=short_label(filing.schedule), city_name=city,
        county_name=county, submitted_at=filing.submitted_at, due=due, days_left=(due - today).days,
        warnings=filing.warning_count, version=filing.version, status=filing.status, status_label=filing.get_status_display(),
        package_warnings=filing.package_warnings if filing.branch_id else 0, quality_warnings=quality_count(filing.issues), **extra,
    )
