from __future__ import annotations

import django_filters

from portal.api.filters import IdFilter
from reports.filings.models import T2Summary
from reports.summaries.models import Summary


class ParkSummaryFilterSet(django_filters.FilterSet):
    period = django_filters.CharFilter(field_name="period__code", label="报送期，如 2020Q3")
    park = IdFilter(field_name="park_id", label="园区 id")
    park_code = django_filters.CharFilter(field_name="park__code", label="园区编码")
    city = django_filters.CharFilter(field_name="county__city_code", label="地市代码")
    county = django_filters.CharFilter(field_name="county__code", label="县（市、区）代码")
    current = django_filters.BooleanFilter(field_name="filing__is_current", label="仅当前版本")

    class Meta:
        model = T2Summary
        fields = ["period", "park", "park_code", "city", "county", "current"]


class SummaryFilterSet(django_filters.FilterSet):
    period = django_filters.CharFilter(field_name="period__code", label="报送期，如 2020Q3")
    code = django_filters.CharFilter(field_name="code", label="区划代码（地市或省）")

    class Meta:
        model = Summary
        fields = ["period", "code"]

