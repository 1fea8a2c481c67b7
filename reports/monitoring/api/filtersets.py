from __future__ import annotations

import django_filters

from parks.models import Park
from portal.api.filters import CodeOrIdFilter
from reports.filings.models import Period
from reports.monitoring.models import ReconciliationItem, RiskSignal


class ReconciliationItemFilterSet(django_filters.FilterSet):
    period = CodeOrIdFilter(field_name="period", queryset=Period.objects.all(), public=True, what="报送期", label="报送期：编码（如 2020Q4）或 id")
    park = CodeOrIdFilter(field_name="park", queryset=Park.objects.all(), what="园区", label="园区：编码或 id")
    is_open = django_filters.BooleanFilter(field_name="is_open", label="仅未消除的差异")

    class Meta:
        model = ReconciliationItem
        fields = ["period", "park", "figure", "is_open"]


class RiskSignalFilterSet(django_filters.FilterSet):
    park = CodeOrIdFilter(field_name="park", queryset=Park.objects.all(), what="园区", label="园区：编码或 id")
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte", label="月份起（YYYY-MM-01）")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte", label="月份止（YYYY-MM-01）")
    is_active = django_filters.BooleanFilter(field_name="is_active", label="仅有效信号")
    acknowledged = django_filters.BooleanFilter(field_name="acknowledged_at", lookup_expr="isnull", exclude=True, label="已确认")

    class Meta:
        model = RiskSignal
        fields = ["park", "month_from", "month_to", "is_active", "acknowledged"]
