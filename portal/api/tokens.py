"""API tokens: django-rest-knox tokens (only their hash is stored; the token is shown once, at
creation), each with a name (``portal.ApiTokenInfo``: one token per client system), created and
revoked by their user on the profile page. A token acts as its user, so everything it reaches is
scoped by ``portal.access`` to the user's organisation. Expired tokens are refused (and deleted by
knox when presented).

A token is bound to its user's credentials at creation (``credentials_hash``): after a password
change or reset (on the password page, in the admin, ``manage.py changepassword``, anywhere) it
is refused and dropped, as Django drops the user's other sessions; so are the tokens of a
deactivated user (``portal.api.auth``). A ``read_only`` token may only read."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from knox.models import AuthToken
from knox.settings import knox_settings

from portal.models import ApiTokenInfo, User

EXPIRY_CHOICES: tuple[tuple[int, str], ...] = ((30, "30天"), (90, "90天"), (365, "365天"))
DEFAULT_EXPIRY_DAYS = 90
UNNAMED = "（未命名）"


def tokens_for(*, user: User) -> QuerySet[AuthToken]:
    return AuthToken.objects.filter(user=user).select_related("info").order_by("-created")


def token_name(token: AuthToken) -> str:
    info = getattr(token, "info", None) if hasattr(token, "info") else None
    return info.name if info is not None else UNNAMED


def token_info(token: AuthToken) -> ApiTokenInfo | None:
    return getattr(token, "info", None) if hasattr(token, "info") else None


def token_is_read_only(token: AuthToken) -> bool:
    info = token_info(token)
    return bool(info and info.read_only)


def credentials_hash(user: User) -> str:
    """What a token is bound to: the user's password, as Django binds a session to it."""
    return user.get_session_auth_hash()


def token_credentials_current(*, token: AuthToken, user: User) -> bool:
    """Whether ``user``'s password is still the one ``token`` was made under (a token without the
    binding is not trusted). Checked against the current SECRET_KEY and its fallbacks; a match
    on a fallback re-binds the token to the current key, as Django does for a session."""
    info = token_info(token)
    stored = info.credentials_hash if info is not None else ""
    if not stored:
        return False
    current = credentials_hash(user)
    if constant_time_compare(stored, current):
        return True
    if any(constant_time_compare(stored, fallback) for fallback in user.get_session_auth_fallback_hash()):
        ApiTokenInfo.objects.filter(pk=info.pk).update(credentials_hash=current)
        return True
    return False


def tokens_revoke_all(*, user: User) -> int:
    """Delete every token of ``user`` (deactivation, a credentials change); returns how many."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


def tokens_drop_invalid(*, user: User) -> None:
    """Delete ``user``'s tokens that can no longer be used: expired, or made under an older password."""
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    stale = [t.pk for t in AuthToken.objects.filter(user=user).select_related("info") if not token_credentials_current(token=t, user=user)]
    if stale:
        AuthToken.objects.filter(pk__in=stale).delete()


@transaction.atomic
def token_create(*, user: User, name: str, days: int = DEFAULT_EXPIRY_DAYS, read_only: bool = False) -> tuple[AuthToken, str]:
    """A new named token for ``user`` valid ``days`` days (``read_only``: it may only read), bound to
    the user's current password; returns the row and the raw token."""
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "请填写令牌名称（如“园区大脑”）。"
    elif len(name) > 50:
        errors["name"] = "令牌名称不能超过50个字符。"
    if days not in dict(EXPIRY_CHOICES):
        errors["days"] = "有效期只能选择30天、90天或365天。"
    if not user.is_active:
        errors["name"] = "账号已停用，不能创建令牌。"
    if errors:
        raise ValidationError(errors)
    User.objects.select_for_update().filter(pk=user.pk).first()  # one creation at a time per user (the limit holds)
    tokens_drop_invalid(user=user)
    mine = list(AuthToken.objects.filter(user=user).select_related("info"))
    if any(token_name(t) == name for t in mine):
        raise ValidationError({"name": f"已有名为“{name}”的令牌：每个客户端一个令牌，请换一个名称或先吊销原令牌。"})
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if limit is not None and len(mine) >= limit:
        raise ValidationError({"name": f"每个用户最多持有{limit}个令牌，请先吊销不用的令牌。"})
    token, raw = AuthToken.objects.create(user, expiry=dt.timedelta(days=days))
    ApiTokenInfo.objects.create(token=token, name=name, read_only=bool(read_only), credentials_hash=credentials_hash(user))
    return token, raw


def token_revoke(*, user: User, digest: str) -> bool:
    """Delete one of ``user``'s own tokens; False when it is not theirs (or already gone)."""
    deleted, _ = AuthToken.objects.filter(user=user, digest=digest).delete()
    return bool(deleted)
