"""The province's changes to target sets and targets. Every change is kept in the models'
django-simple-history (with who and the reason) and in the audit log (with the changed fields and
the address), and the stored target results are recomputed at once."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from portal import access
from portal.audit import audit_record, changes_between
from portal.choices import AuditAction
from reports.filings.models import Period
from reports.targets.engine import target_results_rebuild
from reports.targets.models import Target, TargetSet

TARGET_FIELDS = ("name", "comparator", "threshold_kind", "threshold_value", "threshold_indicator", "earlier", "threshold_factor",
                 "threshold_margin", "unit", "due_date", "applicable", "not_applicable_reason", "notes")
TARGET_SET_FIELDS = ("name", "source_document", "issuer", "region_note", "due_date", "is_default", "notes")


def target_results_recompute() -> int:
    """Recompute the stored results of every period that has a roll-up (as after a roll-up)."""
    period_ids = (Period.objects.filter(is_baseline=False, summaries__isnull=False).distinct()
                  .order_by("year", "quarter").values_list("pk", flat=True))
    return sum(target_results_rebuild(period_id=pk) for pk in period_ids)


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写修改原因。"})
    return reason


def _save_with_history(obj: Any, *, actor: Any, fields: tuple[str, ...], data: dict[str, Any], reason: str,
                       action: str) -> dict[str, list]:
    """Apply ``data`` to ``obj`` (validated by its ``clean``), save it with the reason in its history and
    record the changed fields in the audit log; the changes (empty: nothing saved)."""
    new = {k: data[k] for k in fields if k in data}
    changes = changes_between({k: getattr(obj, k) for k in new}, new)
    if not changes:
        return {}
    for key, value in new.items():
        setattr(obj, key, value)
    obj.full_clean(validate_unique=False)
    obj._change_reason = reason
    obj._history_user = actor
    obj._audit_recorded = True
    with transaction.atomic():
        obj.save()
        audit_record(actor=actor, action=action, obj=obj, reason=reason, changes=changes)
    return changes


def target_update(*, actor: Any, target: Target, data: dict[str, Any], reason: str) -> tuple[Target, int]:
    """Change a target's threshold (or its wording, due date, applicability); the results are
    recomputed. Returns the target and how many results were stored (0: nothing changed)."""
    access.require_settings(actor)
    reason = _reason_required(reason)
    changes = _save_with_history(target, actor=actor, fields=TARGET_FIELDS, data=data, reason=reason, action=AuditAction.TARGET_CHANGE)
    return target, (target_results_recompute() if changes else 0)


def target_set_update(*, actor: Any, target_set: TargetSet, data: dict[str, Any], reason: str) -> tuple[TargetSet, int]:
    """Change a target set (its document, due date, default flag, notes — the plan's park counts
    among them); the results are recomputed (the due date moves the targets' pace)."""
    access.require_settings(actor)
    reason = _reason_required(reason)
    changes = _save_with_history(target_set, actor=actor, fields=TARGET_SET_FIELDS, data=data, reason=reason,
                                 action=AuditAction.TARGET_SET_CHANGE)
    return target_set, (target_results_recompute() if changes else 0)
