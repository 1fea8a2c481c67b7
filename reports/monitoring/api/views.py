"""The monitoring lists over the API: read within ``portal.access`` (outside it: 404), comment on a
reconciliation item, acknowledge a risk signal — both through ``reports.monitoring.services``."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.views import PortalReadOnlyViewSet
from reports.monitoring import services
from reports.monitoring.api.filtersets import ReconciliationItemFilterSet, RiskSignalFilterSet
from reports.monitoring.api.serializers import (
    AcknowledgeInputSerializer,
    CommentInputSerializer,
    ReconciliationCommentSerializer,
    ReconciliationItemSerializer,
    RiskSignalSerializer,
)
from reports.monitoring.models import ReconciliationItem, RiskSignal


@extend_schema_view(list=extend_schema(summary="园区与银行对账差异列表"), retrieve=extend_schema(summary="对账差异（含说明）"))
class ReconciliationItemViewSet(PortalReadOnlyViewSet):
    queryset = ReconciliationItem.objects.select_related("period", "park", "branch").prefetch_related("comments__author", "comments__organisation")
    serializer_class = ReconciliationItemSerializer
    filterset_class = ReconciliationItemFilterSet
    ordering_fields = ["period__year", "period__quarter", "park__code", "figure", "difference"]
    ordering = ["-period__year", "-period__quarter", "park__code", "branch__name", "figure", "id"]

    @extend_schema(summary="填写对账说明（园区、银行或分局）", request=CommentInputSerializer, responses={201: ReconciliationCommentSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def comment(self, request, pk=None):
        item = self.get_object()
        data = CommentInputSerializer(data=request.data if isinstance(request.data, dict) else {})
        data.is_valid(raise_exception=True)
        comment = services.reconciliation_comment_add(actor=request.user, item=item, text=data.validated_data["text"])
        return Response(ReconciliationCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="经营风险信号列表（园区大脑）"), retrieve=extend_schema(summary="经营风险信号"))
class RiskSignalViewSet(PortalReadOnlyViewSet):
    queryset = RiskSignal.objects.select_related("enterprise", "park", "branch", "acknowledged_by")
    serializer_class = RiskSignalSerializer
    filterset_class = RiskSignalFilterSet
    ordering_fields = ["month", "park__code", "loan_balance", "drop"]
    ordering = ["-month", "park__code", "id"]

    @extend_schema(summary="确认风险信号（须填写说明）", request=AcknowledgeInputSerializer, responses={200: RiskSignalSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def acknowledge(self, request, pk=None):
        signal = self.get_object()
        data = AcknowledgeInputSerializer(data=request.data if isinstance(request.data, dict) else {})
        data.is_valid(raise_exception=True)
        signal = services.risk_signal_acknowledge(actor=request.user, signal=signal, note=data.validated_data["note"])
        return Response(RiskSignalSerializer(signal).data)
