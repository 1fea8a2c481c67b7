from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view

from portal.api.views import PortalReadOnlyViewSet
from reports.targets.api.filtersets import TargetResultFilterSet
from reports.targets.api.serializers import TargetResultSerializer
from reports.targets.models import TargetResult


@extend_schema_view(list=extend_schema(summary="目标完成情况列表"), retrieve=extend_schema(summary="目标完成情况"))
class TargetResultViewSet(PortalReadOnlyViewSet):
    """Each target's result per scope and period (达标 / 未达标 / 无数据 / 不适用), with the gap and
    the pace needed; recomputed after each roll-up."""

    queryset = TargetResult.objects.select_related("target__target_set", "period")
    serializer_class = TargetResultSerializer
    filterset_class = TargetResultFilterSet
    ordering_fields = ["period__year", "period__quarter", "target__code", "scope_code", "status"]
    ordering = ["-period__year", "-period__quarter", "target__target_set__order", "target__order", "target__code", "scope_code", "id"]
