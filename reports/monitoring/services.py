"""The writes a user makes on the monitoring lists: a comment on a reconciliation item, the
acknowledgement of a risk signal. Neither changes a filing or a figure."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal import access
from portal.models import User
from reports.monitoring.models import ReconciliationComment, ReconciliationItem, RiskSignal

NOTE_MAX = 1000


def _clean_text(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(f"请填写{what}。")
    if len(text) > NOTE_MAX:
        raise ValidationError(f"{what}最多{NOTE_MAX}字。")
    return text


@transaction.atomic
def reconciliation_comment_add(*, actor: User, item: ReconciliationItem, text: str) -> ReconciliationComment:
    """The park, the bank or the regulator explains a difference."""
    access.require(actor, access.CHANGE, item)
    return ReconciliationComment.objects.create(item=item, author=actor, organisation_id=actor.organisation_id,
                                                text=_clean_text(text, "说明"))


@transaction.atomic
def risk_signal_acknowledge(*, actor: User, signal: RiskSignal, note: str) -> RiskSignal:
    """The lending bank or the branch regulator acknowledges a signal with a note (again: the
    note and time are replaced)."""
    access.require(actor, access.CHANGE, signal)
    signal.note = _clean_text(note, "确认说明")
    signal.acknowledged_at, signal.acknowledged_by = timezone.now(), actor
    signal.save(update_fields=["note", "acknowledged_at", "acknowledged_by"])
    return signal
