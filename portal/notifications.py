"""In-app notifications (and e-mail) for users of an organisation.

The header of every page shows the user's unread count (``portal.context_processors``). It is kept in
the cache under a token of the user's own (a generation, as ``portal.generation`` keeps one for the
prepared pages): every change to a user's notifications — ``notify`` creating them,
``notifications_mark_read`` reading them — sends ``notifications_changed``, whose receiver
(``unread_changed_receiver``, wired in ``PortalConfig.ready``) drops the token of each user concerned;
their next page gets a new token and counts again. Nothing else writes notifications.
"""
from __future__ import annotations

import uuid
from typing import Iterable

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import Signal
from django.utils import timezone

from portal.models import Notification, User

# sent with ``users`` (the User objects whose notifications were created or read)
notifications_changed = Signal()


def organisation_users(*, organisation_ids: Iterable[int]) -> QuerySet[User]:
    return User.objects.filter(organisation_id__in=list(organisation_ids), is_active=True)


def notify(*, users: Iterable[User], title: str, body: str = "", url: str = "", email: bool = False) -> int:
    users = list(users)
    Notification.objects.bulk_create([Notification(user=u, title=title, body=body, url=url) for u in users])
    if users:
        notifications_changed.send(sender=Notification, users=users)
    if email:
        link = f"\n\n{settings.PORTAL_BASE_URL}{url}" if url else ""
        messages = [(f"【小微企业园金融服务监测报送平台】{title}", body + link, settings.DEFAULT_FROM_EMAIL, [u.email])
                    for u in users if u.email]
        if messages:
            send_mass_mail(messages, fail_silently=False)
    return len(users)


def notifications_mark_read(*, user: User, notification: Notification | None = None) -> int:
    """Marks ``notification`` read (every unread one of ``user`` when None); how many were unread."""
    if notification is not None and notification.read_at is not None:
        return 0
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    now = timezone.now()
    changed = unread.update(read_at=now)
    if notification is not None and changed:
        notification.read_at = now
    if changed:
        notifications_changed.send(sender=Notification, users=[user])
    return changed


# --- the unread count, cached -------------------------------------------------------------------

def unread_token_key(*, user: User) -> str:
    """The cache key of the user's token: the id and the time the account was made, since ids repeat
    on a database made anew (tests, a restore) while the cache may outlive it."""
    joined = int(user.date_joined.timestamp() * 1_000_000) if user.date_joined else 0
    return f"portal:unread-token:{user.pk}:{joined}"


def unread_token(*, user: User) -> str:
    """The token the user's unread count is kept under now (a new one if the cache has none)."""
    key = unread_token_key(user=user)
    value = cache.get(key)
    if value is None:
        value = uuid.uuid4().hex[:16]
        if not cache.add(key, value, timeout=settings.PREPARED_PAGES_SECONDS):
            value = cache.get(key) or value
    return value


def unread_count(*, user: User, token: str | None = None) -> int:
    """The user's unread notifications (from the cache under the user's token, counted on a miss)."""
    key = f"portal:unread:{user.pk}:{token or unread_token(user=user)}"
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(user=user, read_at__isnull=True).count()
        cache.set(key, count, timeout=settings.PREPARED_PAGES_SECONDS)
    return count


def _unread_forget(keys: list[str]) -> None:
    cache.delete_many(keys)


def unread_changed_receiver(sender, *, users: Iterable[User], **kwargs) -> None:
    """``notifications_changed``: the users' tokens are dropped at once and again on commit, so a
    request that counted the old rows during the transaction cannot keep its count under a live token."""
    keys = [unread_token_key(user=u) for u in users]
    _unread_forget(keys)
    transaction.on_commit(lambda: _unread_forget(keys))
