"""Throttling per token: each API token (each client system) has its own budget; a browser session
counts per user. Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (``user`` for every
request, ``bulk`` in addition for bulk uploads) and are read at request time."""
from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


def client_ident(request: Any) -> str | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    token_key = getattr(request.auth, "token_key", None)
    return f"token:{token_key}" if token_key else f"user:{user.pk}"


class TokenRateThrottle(SimpleRateThrottle):
    scope = "user"

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view) -> str | None:
        ident = client_ident(request)
        if ident is None:
            return None  # anonymous requests are refused (401) before anything else happens
        return self.cache_format % {"scope": self.scope, "ident": ident}


class BulkRateThrottle(TokenRateThrottle):
    """Bulk row upserts, xlsx uploads and 园区大脑 pushes: a smaller budget of their own."""

    scope = "bulk"
