"""API filters for filings, summaries and target results (periods, parks and regions by code)."""
from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from portal.api.filters import IdFilter
from portal.filters import PortalFilterSet
from reports.filings.choices import FilingStatus, ScheduleCode
from reports.filings.models import Filing, ImportJob, Period, T2Summary
from reports.summaries.models import Summary


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


try:
    from reports.targets.models import TargetResult
except ImportError:  # pragma: no cover
    TargetResult = None

if TargetResult is not None:

    class TargetResultFilterSet(django_filters.FilterSet):
        period = django_filters.CharFilter(field_name="period__code", label="报送期，如 2020Q4")
        target = django_filters.CharFilter(field_name="target__code", label="目标编号，如 ZJ2020-02")
        target_set = django_filters.CharFilter(field_name="target__target_set__code", label="目标组编号")
        scope_kind = django_filters.ChoiceFilter(choices=TargetResult._meta.get_field("scope_kind").choices, label="范围类别")
        scope_code = django_filters.CharFilter(field_name="scope_code", label="范围代码")
        status = django_filters.ChoiceFilter(choices=TargetResult.Status.choices, label="状态")
        official = django_filters.BooleanFilter(field_name="is_official", label="仅目标口径")

        class Meta:
            model = TargetResult
            fields = ["period", "target", "target_set", "scope_kind", "scope_code", "status", "official"]
