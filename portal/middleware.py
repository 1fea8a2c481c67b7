"""A database that is momentarily busy is a 503 with ``Retry-After``, never a 500.

On SQLite (the ``make run`` default) writers queue for the write lock (``transaction_mode``
IMMEDIATE, ``timeout`` 20 s: see settings); a writer that still finds the database locked after
waiting gets ``OperationalError: database is locked``. That is a "try again shortly", not a bug:
the API exception handler (``portal.api.errors``) and this middleware, for every other view,
answer it with 503 and ``Retry-After``. Nothing was saved (the transaction rolled back)."""
from __future__ import annotations

from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader

RETRY_AFTER_SECONDS = 5
BUSY_MESSAGE = "系统繁忙：其他用户正在保存数据，本次操作未完成，数据未保存。请稍后重试。"


def is_database_locked(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "locked" in str(exc).lower()


def busy_response(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "busy", "message": BUSY_MESSAGE, "errors": []}, status=503,
                                json_dumps_params={"ensure_ascii": False})
    else:  # a page that needs no database (no base template, no context processors)
        response = HttpResponse(loader.render_to_string("503.html", {"message": BUSY_MESSAGE}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_locked(exception):
            return busy_response(request)
        return None
