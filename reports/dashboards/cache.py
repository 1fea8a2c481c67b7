"""Prepared dashboards: the rendered body of a summary-only dashboard page (province, city, county,
targets), kept in Django's cache (Redis when ``REDIS_URL`` is set, local memory otherwise).

A body is stored under a key made of

- the page and everything its URL asks for (period — the one resolved, also when the URL names
  none —, 含宁波 / 不含宁波, filters, sort);
- the data's generation (``portal.generation``): every roll-up, target rebuild, period or target
  edit replaces it, so a new build makes the old keys unreachable (nothing is purged);
- the reader's access scope — their organisation (kind, region, active) or "superuser", never the
  user: the readers of one organisation share a page, a reader of another scope never gets it;
- the day (a page says “数据更新于 HH:MM” or the date) and the code (templates and modules).

The view checks access on every request before it serves a body (``portal.access``); only the
page's frame — the navigation with the user's name and unread messages — is rendered per request.
Each response carries an ETag (the body's key and the frame's per-user parts) and answers a repeat
visit's ``If-None-Match`` with 304 Not Modified.

A page served as prepared costs three cache round trips (with ``cached_db`` sessions, the first is
the session) and, in the database, only what the access check reads (the user with its organisation
and region): ``frame`` reads the generation, the picker's periods and the user's unread-count token in
one ``get_many``; ``Prepared.lookup`` the body and the page in another.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response, patch_cache_control

from portal import access, generation, notifications
from reports.dashboards.common import periods_for_picker
from reports.filings.models import Period

IGNORED_PARAMS = ("format", "table", "period")  # the period enters the key as resolved


def _code_version() -> str:
    """A digest of the code that renders the pages: a deployment with other templates or modules
    (or other static files) never serves a body prepared by the one before."""
    root = Path(settings.BASE_DIR)
    files = sorted([*root.glob("templates/base.html"), *root.glob("templates/dashboards/*.html"),
                    *root.glob("reports/dashboards/*.py"), *root.glob("reports/templatetags/*.py"),
                    *Path(settings.STATIC_ROOT).glob("staticfiles.json")])
    digest = hashlib.sha1()
    for f in files:
        digest.update(f.read_bytes())
    return digest.hexdigest()[:12]


CODE_VERSION = _code_version()


def enabled() -> bool:
    return bool(getattr(settings, "DASHBOARD_CACHE", True))


def scope_key(user: Any) -> str:
    """What the dashboards' access rules read of ``user``: the superuser flag or the organisation
    (its id, kind, region and whether it is active), and the staff flag (the targets page links to
    the admin). Users of one organisation share it; the user id is not part of it."""
    staff = "staff" if user.is_staff else "user"
    if access.is_superuser(user):
        return f"su:{staff}"
    if not user.is_active or not user.organisation_id:
        return f"none:{staff}"
    org = user.organisation
    return f"org:{org.pk}:{org.kind}:{org.region_id}:{int(org.is_active)}:{staff}"


PERIODS_KEY = "dash:periods"


def frame(request: HttpRequest) -> tuple[str, list[Period]]:
    """In one round trip: the data's generation, the picker's periods (newest first; kept with the
    generation they were read under — a period's edit bumps it) and the user's unread-count token
    (``portal.notifications``: left on the request for the ETag and the header)."""
    token_key = notifications.unread_token_key(user=request.user)
    found = cache.get_many([generation.KEY, PERIODS_KEY, token_key])
    gen = found.get(generation.KEY) or generation.current()
    request._unread_token = found.get(token_key) or notifications.unread_token(user=request.user)
    stored_gen, periods = found.get(PERIODS_KEY) or ("", None)
    if stored_gen != gen or periods is None:
        periods = periods_for_picker()
        cache.set(PERIODS_KEY, (gen, periods), timeout=settings.PREPARED_PAGES_SECONDS)
    return gen, periods


def _query_part(request: HttpRequest) -> str:
    items = sorted((k, v) for k, values in request.GET.lists() if k not in IGNORED_PARAMS for v in values)
    return "&".join(f"{k}={v}" for k, v in items)


@dataclass
class Prepared:
    """One page's prepared output: ``body`` (shared by the scope) is None until rendered — the
    ``{% prepared %}`` tag of ``dashboards/base_dashboard.html`` fills it on a miss and prints it on a
    hit —; ``page`` is the whole response as last rendered for this very frame (user, unread-count
    token, CSRF secret: the ETag), served without rendering anything."""
    key: str
    etag: str = ""
    body: str | None = None
    title: str = ""
    page: bytes | None = None
    quiet: bool = True  # no flash message waits to be shown (the frame shows them: never stored then)
    stored: bool = False

    @classmethod
    def lookup(cls, request: HttpRequest, *, page: str, gen: str, period_code: str, today: dt.date, subject: str = "") -> Prepared:
        parts = (CODE_VERSION, gen, page, subject, period_code, today.isoformat(), scope_key(request.user), _query_part(request))
        prepared = cls(key="dash:body:" + hashlib.sha1("|".join(parts).encode()).hexdigest())
        prepared.etag = _etag(request, prepared.key)
        prepared.quiet = not len(messages.get_messages(request))
        found = cache.get_many([prepared.key, prepared.page_key])
        body = found.get(prepared.key) or {}
        prepared.body, prepared.title, prepared.stored = body.get("body"), body.get("title", ""), bool(body)
        prepared.page = found.get(prepared.page_key) if prepared.quiet else None
        return prepared

    @property
    def page_key(self) -> str:
        return "dash:page:" + self.etag.strip('"')

    def store(self, response: HttpResponse) -> None:
        timeout = settings.PREPARED_PAGES_SECONDS
        if self.body is not None and not self.stored:
            cache.set(self.key, {"title": self.title, "body": self.body}, timeout=timeout)
            self.stored = True
        if self.quiet and self.page is None:
            cache.set(self.page_key, response.content, timeout=timeout)


def _etag(request: HttpRequest, key: str) -> str:
    """The body's key and the frame's per-user parts: who is signed in (name, organisation, role),
    the token of the unread count (a new one whenever the count changes: ``frame``), the CSRF secret
    of the logout form."""
    user = request.user
    unread = getattr(request, "_unread_token", "")
    if not request.META.get("CSRF_COOKIE"):
        get_token(request)  # the secret this response's logout form is signed with, made now: the browser has none
    frame = (key, str(user.pk), user.display_name, str(user.organisation_id), user.role or "", str(unread),
             request.META.get("CSRF_COOKIE", ""))
    return '"' + hashlib.sha1("|".join(frame).encode()).hexdigest()[:32] + '"'


def not_modified(request: HttpRequest, prepared: Prepared) -> HttpResponse | None:
    """304 when the browser holds this very page (and no flash message waits to be shown)."""
    if not prepared.quiet:
        return None
    response = get_conditional_response(request, etag=prepared.etag)
    if response is not None:
        _headers(response, prepared)
    return response


def served(prepared: Prepared) -> HttpResponse | None:
    """The whole page as rendered before for this frame, if it is in the cache."""
    return None if prepared.page is None else HttpResponse(prepared.page)


def finish(response: HttpResponse, prepared: Prepared) -> HttpResponse:
    """Keep the body and the page (a miss) and mark the response: ETag (not on a page showing a
    flash message), revalidated on every visit, private."""
    if response.status_code == 200:
        prepared.store(response)
        _headers(response, prepared)
    return response


def _headers(response: HttpResponse, prepared: Prepared) -> None:
    if prepared.quiet:
        response["ETag"] = prepared.etag
    patch_cache_control(response, private=True, no_cache=True)
