"""Writes of the quality edits against history (``quality``): the province's changes to their
thresholds — each kept in the model's django-simple-history (who, when, why) and in the audit log —
and a stored filing's warnings checked again (``filing_warnings_refresh``)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from portal import access
from portal.audit import audit_record, changes_between
from portal.choices import AuditAction
from reports.filings import selectors
from reports.filings.models import Filing, QualityThreshold
from reports.filings.quality_selectors import THRESHOLDS
from reports.filings.validation import filing_stored_issues
from reports.schedules import SCHEDULES

THRESHOLD_FIELDS = ("value",)


def quality_thresholds_ensure() -> list[QualityThreshold]:
    """Every threshold of ``THRESHOLDS`` stored (a missing one created with its default), in order."""
    for order, (key, label, default, unit, help_text) in enumerate(THRESHOLDS, start=1):
        QualityThreshold.objects.get_or_create(key=key, defaults={"label": label, "value": default, "unit": unit, "help": help_text,
                                                                  "order": order})
    return list(QualityThreshold.objects.order_by("order", "key"))


@transaction.atomic
def quality_threshold_update(*, actor: Any, threshold: QualityThreshold, value: Decimal, reason: str) -> dict[str, list]:
    """Set a threshold (≥ 0) with a reason; the changes (empty: nothing saved). Warnings stored on
    filings change at their next save or submission, which run the edits again."""
    access.require_settings(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写修改原因。"})
    if value is None or Decimal(value) < 0:
        raise ValidationError({"value": "阈值不能为负数。"})
    changes = changes_between({"value": threshold.value}, {"value": Decimal(value)})
    if not changes:
        return {}
    threshold.value = Decimal(value)
    threshold._change_reason = reason
    threshold._history_user = actor
    threshold._audit_recorded = True
    threshold.save()
    audit_record(actor=actor, action=AuditAction.THRESHOLD_CHANGE, obj=threshold, reason=reason, changes=changes)
    return changes


def filing_warnings_refresh(*, filing: Filing) -> int:
    """Check a stored filing again and store what it keeps (``validation.filing_stored_issues``:
    its warnings, quality edits against history included, and the required cells still empty),
    without counting as an edit (no lock_version, no updated_at). Used when what the filing is
    held against moves (the park's register, the demo's planted quarter). Returns the warnings."""
    schedule = SCHEDULES[filing.schedule]
    kept = filing_stored_issues(filing=filing, ctx=selectors.filing_context(filing=filing))
    errors = [i for i in kept if i.is_error]
    warnings = [i for i in kept if not i.is_error]
    Filing.objects.filter(pk=filing.pk).update(warning_count=len(warnings), error_count=len(errors),
                                               issues=[i.as_dict(schedule) for i in errors + warnings])
    return len(warnings)
