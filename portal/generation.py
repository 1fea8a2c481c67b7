"""The generation of the prepared (cached) pages: a random token in the cache that every write to the
data those pages are built from replaces (a roll-up, a target rebuild, a period or target edit).

Prepared output is stored under keys that include the token, so a new build makes every older key
unreachable — nothing is purged, old entries simply expire. The token is random, never a counter:
a token lost from the cache (evicted, expired, the cache flushed) is replaced by a new one and can
never bring back a page stored under an earlier value.

``bump()`` replaces the token at once and again when the surrounding transaction commits, so a
request that read the old rows during the transaction cannot store them under the new token.
Every stage may call it (portal is the first layer of the data path); ``current()`` is read by
``reports.dashboards.cache``.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

KEY = "portal:generation"


def _timeout() -> int | None:
    return getattr(settings, "PREPARED_PAGES_SECONDS", None)


def _new() -> str:
    value = uuid.uuid4().hex[:16]
    cache.set(KEY, value, timeout=_timeout())
    return value


def current() -> str:
    """The token the pages prepared now are stored under (a new one if the cache has none)."""
    value = cache.get(KEY)
    if value is None:
        value = uuid.uuid4().hex[:16]
        if not cache.add(KEY, value, timeout=_timeout()):
            value = cache.get(KEY) or value
    return value


def bump() -> None:
    """The data of the prepared pages changed: every page prepared before is unreachable."""
    _new()
    transaction.on_commit(_new)


def changed_receiver(sender, **kwargs) -> None:
    """A ``post_save`` / ``post_delete`` receiver that bumps the generation."""
    bump()
