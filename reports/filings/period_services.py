"""The province's settings of reporting periods: opening the next quarter with the default
deadlines (``periods.period_defaults``) and moving a period's deadlines and lock date. Every change
is recorded in the audit log with who, from where and why (``portal.audit``)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from portal import access
from portal.audit import audit_record, changes_between
from portal.choices import AuditAction
from reports.filings.models import Period
from reports.filings.periods import period_defaults

EDITABLE_FIELDS = ("filer_due", "branch_due", "lock_date")


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写修改原因。"})
    return reason


def period_next_quarter(*, today: dt.date | None = None) -> tuple[int, int]:
    """The quarter after the latest period (the current quarter when there is none)."""
    latest = Period.objects.filter(is_baseline=False).order_by("-year", "-quarter").first()
    if latest is None:
        today = today or dt.date.today()
        return today.year, (today.month - 1) // 3 + 1
    return (latest.year + 1, 1) if latest.quarter == 4 else (latest.year, latest.quarter + 1)


def period_open_next(*, actor: Any, reason: str = "") -> Period:
    """Open the next quarter's period with the default deadlines (季后15日 / 20日, lock 60 days)."""
    access.require_settings(actor)
    with transaction.atomic():
        year, quarter = period_next_quarter()
        values = period_defaults(year, quarter)
        if Period.objects.filter(code=values["code"]).exists():
            raise ValidationError(f"报送期 {values['code']} 已存在。")
        period = Period.objects.create(**values)
        audit_record(actor=actor, action=AuditAction.PERIOD_OPEN, obj=period, reason=reason or "开设新报送期（默认截止日期）",
                     changes={k: [None, str(values[k])] for k in EDITABLE_FIELDS})
    return period


def _dates_check(period: Period, data: dict[str, dt.date]) -> None:
    errors = {}
    for key in EDITABLE_FIELDS:
        if data[key] < period.end:
            errors[key] = f"不能早于季末日期 {period.end:%Y-%m-%d}。"
    if "branch_due" not in errors and data["branch_due"] < data["filer_due"]:
        errors["branch_due"] = "分局报送截止日期不能早于填报截止日期。"
    if "lock_date" not in errors and data["lock_date"] < data["branch_due"]:
        errors["lock_date"] = "锁定日期不能早于分局报送截止日期。"
    if errors:
        raise ValidationError(errors)


def period_update(*, actor: Any, period: Period, data: dict[str, Any], reason: str) -> Period:
    """Move a period's filer deadline, branch deadline and lock date; logged with the reason."""
    access.require_settings(actor)
    reason = _reason_required(reason)
    new = {k: data[k] for k in EDITABLE_FIELDS}
    _dates_check(period, new)
    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=period.pk)
        changes = changes_between({k: getattr(period, k) for k in EDITABLE_FIELDS}, new)
        if not changes:
            return period
        for key, value in new.items():
            setattr(period, key, value)
        period.save(update_fields=list(new))
        audit_record(actor=actor, action=AuditAction.PERIOD_CHANGE, obj=period, reason=reason, changes=changes)
    return period
