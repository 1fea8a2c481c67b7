"""The audit log's writing side: ``audit_record`` (called by the services that change settings and by
the workflow), the middleware that remembers the request's address for it, and the receivers that
record registry changes (every django-simple-history record), logins, failed logins and lockouts.

Portal imports no domain app: an event keeps its object as model label, id and text label. The
page that reads the log is the last stage's (``reports.dashboards.audit``)."""
from __future__ import annotations

import contextvars
from typing import Any

from django.db.models import Model

from portal.choices import AuditAction
from portal.models import AuditEvent

_request_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_request_ip", default=None)

HISTORY_ACTIONS = {"+": AuditAction.CREATE, "~": AuditAction.CHANGE, "-": AuditAction.DELETE}


def request_ip(request: Any) -> str | None:
    """The client's address as the server saw it (a proxy in front must pass it as REMOTE_ADDR)."""
    return (getattr(request, "META", {}) or {}).get("REMOTE_ADDR") or None


class AuditRequestMiddleware:
    """Remembers the request's address while it is handled, so that the services record it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_ip.set(request_ip(request))
        try:
            return self.get_response(request)
        finally:
            _request_ip.reset(token)


def current_ip() -> str | None:
    return _request_ip.get()


def object_ref(obj: Model | None) -> dict[str, str]:
    """An object as the audit log keeps it: model label, id, text label and link."""
    if obj is None:
        return {}
    try:
        url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
    except Exception:  # noqa: BLE001 - a missing URL must never stop the write it records
        url = ""
    return {"object_type": obj._meta.label_lower, "object_id": str(obj.pk), "object_label": str(obj)[:300], "object_url": url[:300]}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` of the fields whose value differs."""
    return {k: [_jsonable(before.get(k)), _jsonable(v)] for k, v in after.items() if before.get(k) != v}


def audit_record(*, actor: Any, action: str, obj: Model | None = None, reason: str = "", changes: dict | None = None,
                 ip: str | None = None, actor_name: str = "", **ref: str) -> AuditEvent:
    """Record one event; ``obj`` (or ``object_type`` / ``object_id`` / ``object_label`` keywords) is what it
    was done to. The address is the current request's unless given."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    fields = {**object_ref(obj), **ref}
    return AuditEvent.objects.create(
        actor=user, actor_name=actor_name or (user.get_username() if user else ""),
        organisation_id=getattr(user, "organisation_id", None), ip=ip or current_ip(), action=action,
        reason=(reason or "").strip(), changes=changes or {}, **fields)


# --- receivers (connected in ``PortalConfig.ready``) ----------------------------------------------

def history_record_receiver(sender, *, instance, history_instance, history_user=None, history_change_reason=None, **kwargs) -> None:
    """Every registry change kept by django-simple-history (parks, enterprises, tenancies, partner
    links, institutions, organisations, targets) appears in the audit log."""
    if getattr(instance, "_audit_recorded", False):  # the service recorded it itself, with its fields and reason
        return
    action = HISTORY_ACTIONS.get(getattr(history_instance, "history_type", ""), AuditAction.CHANGE)
    audit_record(actor=history_user, action=action, obj=instance, reason=history_change_reason or "")


def login_receiver(sender, *, request, user, **kwargs) -> None:
    audit_record(actor=user, action=AuditAction.LOGIN, ip=request_ip(request), **object_ref(user))


def logout_receiver(sender, *, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditAction.LOGOUT, ip=request_ip(request), **object_ref(user))


def login_failed_receiver(sender, *, credentials, request=None, **kwargs) -> None:
    name = str((credentials or {}).get("username", ""))[:150]
    audit_record(actor=None, action=AuditAction.LOGIN_FAILED, actor_name=name, ip=request_ip(request))


def locked_out_receiver(sender, *, request=None, username=None, ip_address=None, **kwargs) -> None:
    audit_record(actor=None, action=AuditAction.LOCKED_OUT, actor_name=str(username or "")[:150],
                 ip=ip_address or request_ip(request))
