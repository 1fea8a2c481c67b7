"""In-app notifications (and e-mail) for users of an organisation."""
from __future__ import annotations

from typing import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db.models import QuerySet

from portal.models import Notification, User


def organisation_users(*, organisation_ids: Iterable[int]) -> QuerySet[User]:
    return User.objects.filter(organisation_id__in=list(organisation_ids), is_active=True)


def notify(*, users: Iterable[User], title: str, body: str = "", url: str = "", email: bool = False) -> int:
    users = list(users)
    Notification.objects.bulk_create([Notification(user=u, title=title, body=body, url=url) for u in users])
    if email:
        link = f"\n\n{settings.PORTAL_BASE_URL}{url}" if url else ""
        messages = [(f"【小微企业园金融服务监测报送平台】{title}", body + link, settings.DEFAULT_FROM_EMAIL, [u.email])
                    for u in users if u.email]
        if messages:
            send_mass_mail(messages, fail_silently=False)
    return len(users)


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
