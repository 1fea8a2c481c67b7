"""The Swagger UI page of the API.

drf-spectacular's split view serves the page's init script as a second request (``?script``)
instead of an inline <script>, so the page works under ``script-src 'self'``. Like the schema it
needs a signed-in user (settings.SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]); a browser that is not
signed in is sent to the login page and back, instead of getting a bare 401."""
from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions


class SwaggerDocsView(SpectacularSwaggerSplitView):
    def handle_exception(self, exc):
        anonymous = isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed))
        if anonymous and self.request.method == "GET" and "script" not in self.request.GET:
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
