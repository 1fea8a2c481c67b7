"""The portal's refusal pages. Every ``Http404`` and ``PermissionDenied`` of a web page — and an
address that does not exist — renders ``templates/404.html`` / ``403.html`` in the portal layout,
in Chinese, whatever ``DEBUG`` says (with ``DEBUG=True`` Django would answer a 404 with its English
debug page listing every URL). A failed CSRF check is a 403 page too. Under ``/api/`` nothing
changes: DRF answers its JSON errors (``portal.api.errors``)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _page(request: HttpRequest, template: str, status: int, context: dict | None = None) -> HttpResponse:
    response = render(request, template, context, status=status)
    response.portal_error_page = True
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "404.html", 404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception is not None and str(exception) else ""
    return _page(request, "403.html", 403, {"exception": message})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return forbidden(request, PermissionDenied("页面已过期或无法确认请求来源，请刷新页面后重试。"))


class ErrorPagesMiddleware:
    """Renders the portal's 404 / 403 pages for refusals raised by views and for addresses that do
    not resolve (before Django's debug handling sees them)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (response.status_code == 404 and request.resolver_match is None and not _is_api(request)
                and not getattr(response, "portal_error_page", False)):
            return not_found(request)  # no view ran: the address does not exist
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if _is_api(request):
            return None
        if isinstance(exception, Http404):
            return not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return forbidden(request, exception)
        return None
