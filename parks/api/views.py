"""Park registry endpoints: parks, enterprises, tenancies, partner links (read within the user's
scope; write where the role may, through ``parks.services``) and 园区大脑 readings."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from parks import brain, services
from parks.api.filtersets import (
    BrainReadingFilterSet,
    EnterpriseAPIFilterSet,
    ParkAPIFilterSet,
    PartnerLinkAPIFilterSet,
    TenancyAPIFilterSet,
)
from parks.api.serializers import (
    BrainReadingPushSerializer,
    BrainReadingSerializer,
    EnterpriseSerializer,
    EnterpriseWriteSerializer,
    ParkSerializer,
    ParkWriteSerializer,
    PartnerLinkCreateSerializer,
    PartnerLinkDecisionSerializer,
    PartnerLinkSerializer,
    PartnerLinkWriteSerializer,
    TenancyCreateSerializer,
    TenancySerializer,
    TenancyUpdateSerializer,
)
from parks.models import BrainReading, Enterprise, Park, PartnerLink, Tenancy
from portal import access
from portal.api.bulk import DRY_RUN_PARAMETER, BulkJSONParser, ImportSummarySerializer, is_dry_run, summary_message
from portal.api.views import PortalModelViewSet, PortalReadOnlyViewSet
from portal.models import User


def _tenancy_create(*, actor: User, data: dict[str, Any]) -> Tenancy:
    return services.tenancy_create(
        actor=actor, park=data["park"], uscc=data["uscc"], enterprise_name=data["enterprise_name"], industry=data["industry"],
        entity_type=data.get("entity_type") or "", entered_on=data["entered_on"], left_on=data.get("left_on"),
    )


def _partner_link_create(*, actor: User, data: dict[str, Any]) -> PartnerLink:
    branch = data.pop("branch", None)
    if not actor.organisation_id and branch is None:
        raise DjangoValidationError({"branch": "系统管理员建立伙伴关系时须指定银行机构（branch）。"})
    return services.partner_link_propose(actor=actor, data=data, branch=branch)


BRAIN_LIST_PARAMETERS = [
    OpenApiParameter("uscc", OpenApiTypes.STR, description="统一社会信用代码"),
    OpenApiParameter("month_from", OpenApiTypes.STR, description="起始月份（YYYY-MM）"),
    OpenApiParameter("month_to", OpenApiTypes.STR, description="截止月份（YYYY-MM）"),
    OpenApiParameter("page", OpenApiTypes.INT, description="页码（从1起）"),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="每页条数（默认100，最多1000）"),
]


@extend_schema_view(
    list=extend_schema(summary="小微企业园列表"), retrieve=extend_schema(summary="小微企业园"),
    create=extend_schema(summary="新增园区（经信部门）"), partial_update=extend_schema(summary="修改园区（经信部门）"),
)
class ParkViewSet(PortalModelViewSet):
    queryset = Park.objects.select_related("county", "operator")
    serializer_class = ParkSerializer
    write_serializer_class = ParkWriteSerializer
    filterset_class = ParkAPIFilterSet
    ordering_fields = ["code", "name", "star_rating", "batch"]
    ordering = ["code"]
    bulk_actions = ("brain_readings",)
    create_service = staticmethod(lambda *, actor, data: services.park_create(actor=actor, data=data))
    update_service = staticmethod(lambda *, actor, obj, data: services.park_update(actor=actor, park=obj, data=data))

    def get_serializer_class(self):
        if self.action == "brain_readings":
            return BrainReadingPushSerializer if self.request.method == "POST" else BrainReadingSerializer
        return super().get_serializer_class()

    def get_throttles(self):
        if self.action == "brain_readings" and self.request.method != "POST":
            return [t for t in super().get_throttles() if getattr(t, "scope", "") != "bulk"]
        return super().get_throttles()

    @extend_schema(methods=["GET"], summary="本园区的园区大脑读数", parameters=BRAIN_LIST_PARAMETERS,
                   responses=BrainReadingSerializer(many=True), filters=False)
    @extend_schema(methods=["POST"], summary="批量推送园区大脑读数（运营方）", parameters=[DRY_RUN_PARAMETER],
                   request=BrainReadingPushSerializer,
                   responses={200: ImportSummarySerializer, 400: ImportSummarySerializer}, filters=False)
    @action(detail=True, methods=["get", "post"], url_path="brain-readings", filter_backends=[], parser_classes=[BulkJSONParser])
    def brain_readings(self, request, pk=None):
        """GET: the park's readings (newest month first). POST: ``{"readings": [{"uscc", "month":
        "2020-07", "electricity_kwh", "water_t", "gas_m3", "equipment_hours"}, ...]}`` — insert or
        update by (统一社会信用代码, 月份); the enterprise must be a current tenant of the park; only
        the park's operator may push; ``?dry_run=1`` checks without saving. One bad row saves nothing."""
        park = self.get_object()
        if request.method == "GET":
            qs = access.restrict(request.user, BrainReading.objects.filter(park=park), access.VIEW)
            filterset = BrainReadingFilterSet(request.query_params, queryset=qs.select_related("park", "enterprise", "pushed_by"))
            if not filterset.is_valid():
                raise ValidationError(filterset.errors)
            page = self.paginate_queryset(filterset.qs.order_by("-month", "enterprise__uscc", "id"))
            return self.get_paginated_response(BrainReadingSerializer(page, many=True).data)
        if isinstance(request.data, list):
            rows = request.data
        else:
            push = BrainReadingPushSerializer(data=request.data)
            push.is_valid(raise_exception=True)
            rows = push.validated_data["readings"]
        dry_run = is_dry_run(request)
        result = brain.brain_readings_upsert(actor=request.user, park=park, rows=rows, dry_run=dry_run)
        answer = {
            "saved": result.saved, "dry_run": dry_run, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged, "errors": result.errors, "warnings": result.warnings,
            "message": summary_message(saved=result.saved, dry_run=dry_run, errors=len(result.errors), created=result.created,
                                       updated=result.updated, unchanged=result.unchanged),
        }
        if result.errors:
            return Response({"code": "invalid_rows", **answer}, status=status.HTTP_400_BAD_REQUEST)
        return Response(answer)


@extend_schema_view(
    list=extend_schema(summary="入园企业列表"), retrieve=extend_schema(summary="企业"),
    partial_update=extend_schema(summary="修改企业信息（园区运营方）"),
)
class EnterpriseViewSet(PortalModelViewSet):
    http_method_names = ["get", "patch", "head", "options"]
    queryset = Enterprise.objects.all()
    serializer_class = EnterpriseSerializer
    write_serializer_class = EnterpriseWriteSerializer
    filterset_class = EnterpriseAPIFilterSet
    ordering_fields = ["name", "uscc"]
    ordering = ["name"]
    update_service = staticmethod(lambda *, actor, obj, data: services.enterprise_update(actor=actor, enterprise=obj, data=data))


@extend_schema_view(
    list=extend_schema(summary="入园记录列表"), retrieve=extend_schema(summary="入园记录"),
    create=extend_schema(summary="登记入园（园区运营方）"),
    partial_update=extend_schema(summary="修改入园/退园日期（园区运营方）"),
)
class TenancyViewSet(PortalModelViewSet):
    queryset = Tenancy.objects.select_related("park", "enterprise")
    serializer_class = TenancySerializer
    write_serializer_class = TenancyUpdateSerializer
    filterset_class = TenancyAPIFilterSet
    ordering_fields = ["entered_on", "left_on", "park__code", "enterprise__name"]
    ordering = ["park__code", "-entered_on", "id"]
    create_service = staticmethod(_tenancy_create)
    update_service = staticmethod(lambda *, actor, obj, data: services.tenancy_update(actor=actor, tenancy=obj, data=data))

    def get_queryset(self):
        return super().get_queryset().annotate_in_force(on=timezone.localdate())

    def get_serializer_class(self):
        if self.action == "create":
            return TenancyCreateSerializer
        return super().get_serializer_class()


@extend_schema_view(
    list=extend_schema(summary="伙伴银行关系列表"), retrieve=extend_schema(summary="伙伴银行关系"),
    create=extend_schema(summary="申报伙伴关系（银行机构；园区运营方或银保监分局确认后生效）"),
    partial_update=extend_schema(summary="修改或终止伙伴关系（银行机构）"),
)
class PartnerLinkViewSet(PortalModelViewSet):
    queryset = PartnerLink.objects.select_related("park", "branch")
    serializer_class = PartnerLinkSerializer
    write_serializer_class = PartnerLinkWriteSerializer
    filterset_class = PartnerLinkAPIFilterSet
    ordering_fields = ["since", "until", "park__code", "role"]
    ordering = ["park__code", "role", "branch__name", "id"]
    create_service = staticmethod(_partner_link_create)
    update_service = staticmethod(lambda *, actor, obj, data: services.partner_link_update(actor=actor, link=obj, data=data))

    def get_queryset(self):
        return super().get_queryset().annotate_in_force(on=timezone.localdate())

    def get_serializer_class(self):
        if self.action == "create":
            return PartnerLinkCreateSerializer
        if self.action in ("confirm", "reject", "end"):
            return PartnerLinkDecisionSerializer
        return super().get_serializer_class()

    def _decide(self, request, service, **extra):
        link = self.get_object()
        body = PartnerLinkDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        link = service(actor=request.user, link=link, note=data.get("note") or "", **{k: data.get(k) for k in extra})
        return Response(self._read(link))

    @extend_schema(summary="确认伙伴关系（园区运营方或银保监分局）", request=PartnerLinkDecisionSerializer, responses=PartnerLinkSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._decide(request, services.partner_link_confirm)

    @extend_schema(summary="拒绝伙伴关系申报（园区运营方或银保监分局，须填写理由）", request=PartnerLinkDecisionSerializer,
                   responses=PartnerLinkSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, services.partner_link_reject)

    @extend_schema(summary="终止伙伴关系（园区运营方或银保监分局）", request=PartnerLinkDecisionSerializer, responses=PartnerLinkSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        if not request.data.get("until"):
            raise ValidationError({"until": ["终止伙伴关系须填写终止日期。"]})
        return self._decide(request, services.partner_link_end, until=True)


@extend_schema_view(list=extend_schema(summary="园区大脑读数列表"), retrieve=extend_schema(summary="园区大脑读数"))
class BrainReadingViewSet(PortalReadOnlyViewSet):
    queryset = BrainReading.objects.select_related("park", "enterprise", "pushed_by")
    serializer_class = BrainReadingSerializer
    filterset_class = BrainReadingFilterSet
    ordering_fields = ["month", "pushed_at", "enterprise__uscc"]
    ordering = ["-month", "enterprise__uscc", "id"]
