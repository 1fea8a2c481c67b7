"""API filters for filings, summaries and target results (periods, parks and regions by code)."""
from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from parks.models import Park
from portal.api.filters import CodeOrIdFilter, IdFilter, region_filter
from portal.filters import PortalFilterSet
from portal.models import Region
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
    period = CodeOrIdFilter(field_name="period", queryset=Period.objects.all(), public=True, what="报送期", label="报送期：编码（如 2020Q4）或 id")
    status = django_filters.ChoiceFilter(choices=FilingStatus.choices, label="状态")
    park = CodeOrIdFilter(field_name="park", queryset=Park.objects.all(), what="园区", label="园区：编码或 id")
    park_code = django_filters.CharFilter(field_name="park__code", label="园区编码")
    branch = IdFilter(field_name="branch_id", label="填报机构 id")
    city = region_filter("city", "报送主体所在地市：代码（如 330100）或 id", method="filter_city")
    current = django_filters.BooleanFilter(field_name="is_current", label="仅当前版本")

    class Meta:
        model = Filing
        fields = ["q", "schedule", "period", "status", "park", "park_code", "branch", "city", "current"]

    def filter_city(self, queryset: QuerySet, name: str, value: Region) -> QuerySet:
        code = value.code
        return queryset.filter(Q(park__county__city_code=code) | Q(branch__region__code=code) | Q(city__code=code))


class ImportJobFilterSet(django_filters.FilterSet):
    filing = IdFilter(field_name="filing_id", label="报表 id")
    status = django_filters.ChoiceFilter(choices=ImportJob.Status.choices, label="状态")

    class Meta:
        model = ImportJob
        fields = ["filing", "status"]



