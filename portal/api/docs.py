"""The Swagger UI page of the API (issue 10).

drf-spectacular's split view serves the page's init script as a second request (``?script``)
instead of an inline <script>, so the page works under ``script-src 'self'``."""
from __future__ import annotations

from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerDocsView(SpectacularSwaggerSplitView):
    pass
