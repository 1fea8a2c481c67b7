from __future__ import annotations

import django_filters

from parks.models import Park
from portal.api.filters import CodeOrIdFilter, region_filter
from reports.filings.models import Period, T2Summary
from reports.summaries.models import Summary


class ParkSummaryFilterSet(django_filters.FilterSet):
    period = CodeOrIdFilter(field_name="period", queryset=Period.objects.all(), public=True, what="报送期", label="报送期：编码（如 2020Q4）或 id")
    park = CodeOrIdFilter(field_name="park", queryset=Park.objects.all(), what="园区", label="园区：编码或 id")
    park_code = django_filters.CharFilter(field_name="park__code", label="园区编码")
    city = region_filter("county__city_code", "地市：代码（如 330100）或 id")
    county = region_filter("county__code", "县（市、区）：代码或 id")
    current = django_filters.BooleanFilter(field_name="filing__is_current", label="仅当前版本")

    class Meta:
        model = T2Summary
        fields = ["period", "park", "park_code", "city", "county", "current"]


class SummaryFilterSet(django_filters.FilterSet):
    period = CodeOrIdFilter(field_name="period", queryset=Period.objects.all(), public=True, what="报送期", label="报送期：编码（如 2020Q4）或 id")
    code = django_filters.CharFilter(field_name="code", label="区划代码（地市或省）")

    class Meta:
        model = Summary
        fields = ["period", "code"]

