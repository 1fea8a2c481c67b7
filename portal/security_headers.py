"""Response headers Django has no setting for: Permissions-Policy; and the Content-Security-Policy of
django-csp (configured in settings.CONTENT_SECURITY_POLICY), built once."""
from __future__ import annotations

import http.client as http_client

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """{"camera": [], "fullscreen": ["self"]} → 'camera=(), fullscreen=(self)'."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())


class PermissionsPolicyMiddleware:
    """Adds settings.PERMISSIONS_POLICY to every response (placed before whitenoise, so static
    files carry it too) unless a view set the header itself."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the header of the usual response built once per process: the
    portal's views neither replace nor update the policy and use no nonce (no inline script), so
    settings.CONTENT_SECURITY_POLICY alone makes it. A response that does any of these goes through
    django-csp's own path."""

    PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")

    def __init__(self, get_response):
        super().__init__(get_response)
        self.headers = [(name, build_policy(report_only=name == HEADER_REPORT_ONLY), exempt, prefixes)
                        for name, exempt, setting in ((HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
                                                      (HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"))
                        for prefixes in [tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())]]

    def process_response(self, request, response):
        if any(getattr(response, attr, None) is not None for attr in self.PER_RESPONSE) or getattr(request, "_csp_nonce", None):
            return super().process_response(request, response)
        if response.status_code in (http_client.INTERNAL_SERVER_ERROR, http_client.NOT_FOUND) and settings.DEBUG:
            return response
        for name, policy, exempt, prefixes in self.headers:
            if policy and name not in response and not getattr(response, exempt, False) and not request.path_info.startswith(prefixes):
                response[name] = policy
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
