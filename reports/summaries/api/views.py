from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view

from portal.api.views import PortalReadOnlyViewSet
from reports.filings.models import T2Summary
from reports.summaries.api.filtersets import ParkSummaryFilterSet, SummaryFilterSet
from reports.summaries.api.serializers import ParkSummarySerializer, SummarySerializer
from reports.summaries.models import Summary


@extend_schema_view(list=extend_schema(summary="园区汇总（附表2）列表"), retrieve=extend_schema(summary="园区汇总（附表2）"))
class ParkSummaryViewSet(PortalReadOnlyViewSet):
    """A park's 附表2: visible exactly to the readers of its 附表1 (``portal.access``)."""

    queryset = T2Summary.objects.select_related("park", "period", "county")
    serializer_class = ParkSummarySerializer
    filterset_class = ParkSummaryFilterSet
    ordering_fields = ["period__year", "period__quarter", "park__code", "credit_coverage", "filing_coverage"]
    ordering = ["-period__year", "-period__quarter", "park__code", "id"]


class _SummaryViewSet(PortalReadOnlyViewSet):
    serializer_class = SummarySerializer
    filterset_class = SummaryFilterSet
    ordering_fields = ["period__year", "period__quarter", "code", "built_at"]
    ordering = ["-period__year", "-period__quarter", "code", "id"]


@extend_schema_view(list=extend_schema(summary="地市汇总（附表3及辖内附表4/5合计）列表"), retrieve=extend_schema(summary="地市汇总"))
class CitySummaryViewSet(_SummaryViewSet):
    queryset = Summary.objects.filter(scope=Summary.Scope.CITY).select_related("period")


@extend_schema_view(list=extend_schema(summary="全省汇总列表"), retrieve=extend_schema(summary="全省汇总"))
class ProvinceSummaryViewSet(_SummaryViewSet):
    queryset = Summary.objects.filter(scope=Summary.Scope.PROVINCE).select_related("period")

