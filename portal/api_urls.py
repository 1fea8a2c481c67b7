"""Everything under /api/: the v1 endpoints of every app, the OpenAPI schema and the Swagger UI
(served from drf-spectacular-sidecar's static files: works offline). An unknown /api/ address
answers with the API's JSON 404, not the site's HTML page."""
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny

from portal.api.docs import SwaggerDocsView

app_name = "api"


@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
def api_not_found(request, *args, **kwargs):
    raise NotFound()


api_not_found.cls.schema = None  # not part of the schema

v1 = [
    path("", include("portal.api.urls")),
    path("", include("banks.api.urls")),
    path("", include("parks.api.urls")),
    path("", include("reports.api_urls")),
]

urlpatterns = [
    path("api/v1/", include(v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerDocsView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^api/", api_not_found),
]
