"""API filters for filings, summaries and target results (periods, parks and regions by code)."""
from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from portal.api.filters import IdFilter
from portal.filters import PortalFilterSet
from reports.filings.choices import FilingStatus, ScheduleCode
from reports.filings.models import Filing, ImportJob, Period


class PeriodAPIFilterSet(django_filters.FilterSet):
    code = django_filters.CharFilter(field_name="code", label="报送期，如 2020Q3")
    year = IdFilter(field_name="year", label="年度", max_value=9999)
    is_baseline = django_filters.BooleanFilter(field_name="is_baseline", label="年末基数期")

    class Meta:
        model = Period
        fields = ["code", "year", "is_baseline"]


class FilingAPIFilterSet(PortalFilterSet):
    search_fields = ("park__name", "park__code", "branch__name", "city__name")
    schedule = django_filters.ChoiceFilter(choices=ScheduleCode.choices, label="报表")
    period = django_filters.CharFilter(field_name="period__code", label="报送期，如 2020Q3")
    status = django_filters.ChoiceFilter(choices=FilingStatus.choices, label="状态")
    park = IdFilter(field_name="park_id", label="园区 id")
    park_code = django_filters.CharFilter(field_name="park__code", label="园区编码")
    branch = IdFilter(field_name="branch_id", label="填报机构 id")
    city = django_filters.CharFilter(method="filter_city", label="报送主体所在地市代码")
    current = django_filters.BooleanFilter(field_name="is_current", label="仅当前版本")

    class Meta:
        model = Filing
        fields = ["q", "schedule", "period", "status", "park", "park_code", "branch", "city", "current"]

    def filter_city(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(park__county__city_code=value) | Q(branch__region__code=value) | Q(city__code=value))


class ImportJobFilterSet(django_filters.FilterSet):
    filing = IdFilter(field_name="filing_id", label="报表 id")
    status = django_filters.ChoiceFilter(choices=ImportJob.Status.choices, label="状态")

    class Meta:
        model = ImportJob
        fields = ["filing", "status"]



