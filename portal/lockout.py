"""Login lockout (django-axes) and its unlocking.

Failed logins are counted per (username, address) AND per address alone
(``AXES_LOCKOUT_PARAMETERS``), each against its own limit:

- ``AXES_FAILURE_LIMIT`` (5) wrong passwords for one username from one address lock that username
  *from that address* only: a stranger can no longer lock the province regulator out of its own
  office by typing its username five times;
- ``AXES_IP_FAILURE_LIMIT`` (20) failures from one address, over any usernames, lock the address:
  spraying one password over many usernames is stopped.

axes compares one count with one limit, so :class:`PortalAxesHandler` scales each parameter
set's count to the base limit (a set reaches the limit exactly when its own count reaches its
own limit). A successful login clears only that user's failures from that address: axes' default
would clear the whole address's count too, letting an attacker with one valid account reset it
at will. Locked or not, the answer is the same page whether the username exists or not.

:func:`user_unlock` lets the province regulator (or a superuser) clear a user's failures from a
portal page; each unlock is written to the admin log (LogEntry) with who unlocked whom."""
from __future__ import annotations

from dataclasses import dataclass

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from portal import access
from portal.models import User


def _limits() -> tuple[int, int]:
    base = int(settings.AXES_FAILURE_LIMIT)
    return base, int(getattr(settings, "AXES_IP_FAILURE_LIMIT", base))


class PortalAxesHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        base, per_address = _limits()
        worst = 0
        parameters = get_lockout_parameters(request, credentials)
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials)):
            count = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            own = per_address if parameter in ("ip_address", ["ip_address"]) else base
            worst = max(worst, count * base // own)  # >= base exactly when count >= own
        return worst

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful login: this user's failures from this address, nothing else."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        deleted, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return deleted


# --- unlocking --------------------------------------------------------------------------------------

@dataclass
class LoginFailures:
    count: int  # failed logins within the cool-off time, from every address
    locked: bool  # locked from at least one address


def _recent(qs):
    cool_off = get_cool_off()
    return qs.filter(attempt_time__gte=timezone.now() - cool_off) if cool_off else qs


def login_failures_for(*, usernames: list[str]) -> dict[str, LoginFailures]:
    """Recent failed logins of each username that has any (one query)."""
    base, _ = _limits()
    out: dict[str, LoginFailures] = {}
    rows = (_recent(AccessAttempt.objects.filter(username__in=usernames))
            .values("username", "ip_address").annotate(n=Sum("failures_since_start")))
    for row in rows:
        seen = out.setdefault(row["username"], LoginFailures(0, False))
        seen.count += row["n"] or 0
        seen.locked = seen.locked or (row["n"] or 0) >= base
    return out


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> int:
    """Clear ``user``'s failed logins (every address), logged as who unlocked whom; returns how many
    failure records were cleared."""
    if not access.can_unlock_user(actor, user):
        raise PermissionDenied("只有省局监管员或系统管理员可以解锁账号。")
    cleared, _ = AccessAttempt.objects.filter(username=user.get_username()).delete()
    LogEntry.objects.log_actions(user_id=actor.pk, queryset=[user], action_flag=CHANGE, single_object=True,
                                 change_message=f"解锁登录：清除{cleared}条登录失败记录（操作人：{actor.get_username()}）")
    return cleared
