"""GET /healthz: 200 when the app answers and its database does, 503 otherwise. No login, no
session, no SSL redirect (settings.SECURE_REDIRECT_EXEMPT): for the image's HEALTHCHECK, a load
balancer and the production smoke test (.ci/smoke_production.sh)."""
from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        log.error("health check: database unreachable: %s", exc)
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
