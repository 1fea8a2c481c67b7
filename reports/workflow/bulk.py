"""Approving several filings at once (the review inbox). Each filing is approved by
``services.filing_approve`` in its own transaction — one workflow step, one FilingTransition, one
message to its filer, exactly as from its own page — after the transition table allowed it. Filings
with warnings are never approved in bulk: the reviewer opens them and reads the filer's explanation."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from portal.models import User
from reports.filings.models import Filing
from reports.workflow import services
from reports.workflow.transitions import A, from_statuses, refusal

APPROVE_FROM = from_statuses(A.APPROVE)
BULK_WARNINGS = "{what}有 {n} 条提示，不能批量审核通过：请打开报表查看说明后逐份审核。"


@dataclass
class BulkOutcome:
    approved: list[Filing] = field(default_factory=list)  # the filings asked for that are now approved
    refused: list[tuple[Filing, str]] = field(default_factory=list)  # untouched, with the reason


def _warnings_refusal(filing: Filing) -> str | None:
    """``filing`` and the members approved with it (a bank's package travels together) must have no
    warning."""
    for member in services.package(filing):
        if (member.pk == filing.pk or member.status in APPROVE_FROM) and member.warning_count > 0:
            return BULK_WARNINGS.format(what=f"{member.subject} {member.get_schedule_display()}", n=member.warning_count)
    return None


def filings_approve_bulk(*, actor: User, filings: list[Filing], comment: str = "") -> BulkOutcome:
    """Approve each of ``filings`` that the table lets ``actor`` approve now and that has no warning;
    the others are left as they were, each with the reason. A filing approved earlier in the same
    call as a member of a package counts as approved."""
    outcome = BulkOutcome()
    done: set[int] = set()
    for filing in filings:
        if filing.pk in done:
            outcome.approved.append(filing)
            continue
        try:
            with transaction.atomic():
                current = Filing.objects.select_for_update(of=("self",)).select_related(
                    "period", "park__county", "branch__region", "city").get(pk=filing.pk)
                exc = refusal(A.APPROVE, user=actor, filing=current)
                if exc is not None:
                    raise exc
                message = _warnings_refusal(current)
                if message:
                    raise ValidationError(message)
                result = services.filing_approve(actor=actor, filing=current, comment=comment)
        except (PermissionDenied, ValidationError) as exc:
            outcome.refused.append((filing, _message(exc)))
            continue
        done.update(m.pk for m in result.filings)
        outcome.approved.append(filing)
    return outcome


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return exc.messages[0]
    return str(exc) or "无权审核此报表。"
