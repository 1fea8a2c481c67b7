"""Token authentication for the API: django-rest-knox's, plus the two rules Django applies to a
browser session, so a token never outlives what would log its user out:

- a deactivated user's token is refused (knox already does) and every token of that user is
  deleted, so reactivating the account does not bring old tokens back;
- a token made before its user's password last changed — on the password page, in the admin,
  ``manage.py changepassword`` or a reset — is refused and deleted (``ApiTokenInfo.credentials_hash``
  against ``user.get_session_auth_hash()``, exactly as ``django.contrib.auth.get_user`` checks a
  session).

Both answers are the usual 401 ``authentication_failed`` (the message says to create a new
token). Read-only tokens are enforced by ``portal.api.permissions.PortalPermission``."""
from __future__ import annotations

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from portal.api.tokens import token_credentials_current, tokens_revoke_all
from portal.models import ApiTokenInfo


class PortalTokenAuthentication(TokenAuthentication):
    def validate_user(self, auth_token):
        user = auth_token.user
        if not user.is_active:
            tokens_revoke_all(user=user)
            raise exceptions.AuthenticationFailed("账号已停用，令牌已失效。")
        try:
            auth_token.info = ApiTokenInfo.objects.get(token=auth_token)
        except ApiTokenInfo.DoesNotExist:
            pass
        if not token_credentials_current(token=auth_token, user=user):
            auth_token.delete()
            raise exceptions.AuthenticationFailed("账号密码已修改，此令牌已失效。")
        return user, auth_token


class PortalTokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of knox's token, for this subclass (drf-spectacular matches the
    exact class)."""

    target_class = "portal.api.auth.PortalTokenAuthentication"
