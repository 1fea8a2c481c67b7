"""Generic API views (NetBox style): a concrete viewset declares ``queryset``, ``serializer_class``,
``filterset_class`` (and for writes ``write_serializer_class`` plus the service functions to call);
this module does the rest:

- every queryset goes through ``access.restrict`` (outside the scope is a 404);
- ``create`` / ``partial_update`` validate with the write serializer and call the app's service
  (``create_service(actor=, data=)`` / ``update_service(actor=, obj=, data=)``), never ``save()``;
- any POST carrying an ``Idempotency-Key`` header is answered once and replayed afterwards;
- bulk actions get the ``bulk`` throttle on top of the per-token one;
- the OpenAPI schema documents the write/read serializers, the error responses and the header.

Also: the portal's own read endpoints (regions, organisations, ``me``)."""
from __future__ import annotations

import re
from typing import Any, Callable

from django.db.models import Model, QuerySet
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import access
from portal.api.errors import ApiError, ErrorSerializer
from portal.api.filters import MAX_ID, region_filter
from portal.api.idempotency import IDEMPOTENCY_HEADER, IdempotencyMixin
from portal.api.permissions import PortalPermission
from portal.api.serializers import MeSerializer, OrganisationSerializer, RegionSerializer
from portal.api.throttles import BulkRateThrottle
from portal.filtersets import OrganisationFilterSet, RegionFilterSet
from portal.models import Organisation, Region

WRITE_ACTIONS = ("create", "update", "partial_update")


# --- schema -----------------------------------------------------------------------------------

class PortalAutoSchema(AutoSchema):
    """Write serializer in (the view's ``get_serializer_class``), read serializer out; the error
    responses and the Idempotency-Key header on every operation that has them."""

    def get_response_serializers(self):
        view = self.view
        if getattr(view, "write_serializer_class", None) is not None and getattr(view, "action", None) in WRITE_ACTIONS:
            return view.serializer_class
        return super().get_response_serializers()

    def get_override_parameters(self):
        params = list(super().get_override_parameters())
        if self.method == "POST":
            params.append(OpenApiParameter(
                IDEMPOTENCY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
                description="幂等键（可选，最长255字符）：带同一键重复发送同一请求时，返回首次的结果而不再执行。",
            ))
        return params

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["401", "403", "429"]
        if self.method != "GET" or self._get_filter_parameters() or self._is_list_view():
            codes.insert(0, "400")
        if "{" in self.path:
            codes.append("404")
        if self.method == "POST":
            codes.append("409")
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
        return responses





# --- base views -------------------------------------------------------------------------------

class PortalAPIMixin(IdempotencyMixin):
    schema = PortalAutoSchema()
    permission_classes = [PortalPermission]
    bulk_actions: tuple[str, ...] = ()

    def get_object(self):
        """An id that is not a whole number in the database's range is simply not found."""
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        if lookup is not None and not (re.fullmatch(r"[0-9]{1,19}", str(lookup)) and int(lookup) <= MAX_ID):
            raise NotFound()
        return super().get_object()

    def get_throttles(self):
        throttles = list(super().get_throttles())
        if getattr(self, "action", None) in self.bulk_actions:
            throttles.append(BulkRateThrottle())
        return throttles


class PortalReadOnlyViewSet(PortalAPIMixin, viewsets.ReadOnlyModelViewSet):
    """List (paginated, filtered, ordered) and retrieve, within the user's scope."""

    def get_queryset(self) -> QuerySet:
        return access.restrict(self.request.user, super().get_queryset(), access.VIEW)


class PortalModelViewSet(PortalAPIMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Adds ``POST`` (create) and ``PATCH`` (partial update), both through the app's services."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    write_serializer_class: type | None = None
    create_service: Callable[..., Model] | None = None  # (actor=, data=) -> obj
    update_service: Callable[..., Model] | None = None  # (actor=, obj=, data=) -> obj

    def get_queryset(self) -> QuerySet:
        return access.restrict(self.request.user, super().get_queryset(), access.VIEW)

    def get_serializer_class(self):
        if self.action in WRITE_ACTIONS and self.write_serializer_class is not None:
            return self.write_serializer_class
        return super().get_serializer_class()

    def _read(self, obj: Model) -> dict[str, Any]:
        return self.serializer_class(obj, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        if self.create_service is None:
            raise ApiError("不支持新增。", code="method_not_allowed", status_code=405)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = type(self).create_service(actor=request.user, data=dict(serializer.validated_data))
        return Response(self._read(obj), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        if self.update_service is None:
            raise ApiError("不支持修改。", code="method_not_allowed", status_code=405)
        obj = self.get_object()
        serializer = self.get_serializer(obj, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        obj = type(self).update_service(actor=request.user, obj=obj, data=dict(serializer.validated_data))
        return Response(self._read(obj))


# --- the portal's own endpoints -----------------------------------------------------------------

class OrganisationAPIFilterSet(OrganisationFilterSet):
    city = region_filter("region__city_code", "地市：代码（如 330100）或 id")
    region = region_filter("region__code", "所在地区：代码或 id")

    class Meta(OrganisationFilterSet.Meta):
        fields = ["q", "kind", "city", "region"]


@extend_schema_view(list=extend_schema(summary="行政区划列表"), retrieve=extend_schema(summary="行政区划"))
class RegionViewSet(PortalReadOnlyViewSet):
    queryset = Region.objects.select_related("parent")
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    ordering_fields = ["code", "name", "level"]
    ordering = ["code"]


@extend_schema_view(list=extend_schema(summary="机构列表"), retrieve=extend_schema(summary="机构"))
class OrganisationViewSet(PortalReadOnlyViewSet):
    queryset = Organisation.objects.select_related("region", "institution")
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationAPIFilterSet
    ordering_fields = ["name", "kind", "region__code"]
    ordering = ["kind", "region__code", "name"]


class MeView(PortalAPIMixin, APIView):
    """The user a token (or session) acts as, and its organisation: everything the API answers is
    scoped to it."""

    @extend_schema(summary="当前用户", responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user, context={"request": request}).data)
