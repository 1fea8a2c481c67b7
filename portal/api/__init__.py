"""The REST API, mounted at /api/v1/ by ``portal.api_urls``.

Shared pieces live here: errors (JSON ``{"code", "message", "errors"}``), permissions over
``portal.access``, per-token throttles, pagination, idempotency, API tokens; each app has its
own ``api/`` package (serializers, views, urls) built on ``portal.api.views``."""
