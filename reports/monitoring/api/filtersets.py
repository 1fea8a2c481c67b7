from __future__ import annotations

import django_filters
from django.db.models import Q

from parks.models import Park
from portal import access
from portal.api.filters import CodeOrIdFilter
from reports.filings.models import Period
from reports.monitoring.models import ReconciliationItem, RiskSignal


def parks_named_by(model):
    """The parks a user may name in a monitoring list: those it may read, and those of the list's
    rows it reads (a bank's 附表5 may name a park of another city)."""
    def readable(user, parks):
        return parks.filter(Q(pk__in=access.restrict(user, parks).values("pk"))
                            | Q(pk__in=access.restrict(user, model.objects.all()).values("park_id")))
    return readable


class ReconciliationItemFilterSet(django_filters.FilterSet):
    period = CodeOrIdFilter(field_name="period", queryset=Period.objects.all(), public=True, what="报送期", label="报送期：编码（如 2020Q4）或 id")
    park = CodeOrIdFilter(field_name="park", queryset=Park.objects.all(), what="园区", label="园区：编码或 id",
                          readable=parks_named_by(ReconciliationItem))
    is_open = django_filters.BooleanFilter(field_name="is_open", label="仅未消除的差异")

    class Meta:
        model = ReconciliationItem
        fields = ["period", "park", "figure", "is_open"]


class RiskSignalFilterSet(django_filters.FilterSet):
    park = CodeOrIdFilter(field_name="park", queryset=Park.objects.all(), what="园区", label="园区：编码或 id",
                          readable=parks_named_by(RiskSignal))
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte", label="月份起（YYYY-MM-01）")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte", label="月份止（YYYY-MM-01）")
    is_active = django_filters.BooleanFilter(field_name="is_active", label="仅有效信号")
    acknowledged = django_filters.BooleanFilter(field_name="acknowledged_at", lookup_expr="isnull", exclude=True, label="已确认")

    class Meta:
        model = RiskSignal
        fields = ["park", "month_from", "month_to", "is_active", "acknowledged"]
