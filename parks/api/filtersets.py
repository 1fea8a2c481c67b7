"""API filters: the web filtersets, with regions and parks named by their codes."""
from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError

from parks.brain import brain_month_parse
from parks.filtersets import EnterpriseFilterSet, ParkFilterSet, PartnerLinkFilterSet, TenancyFilterSet
from parks.models import BrainReading, Park
from portal.api.filters import CodeOrIdFilter, IdFilter, region_filter
from portal.filters import PortalFilterSet


class ParkAPIFilterSet(ParkFilterSet):
    city = region_filter("county__city_code", "地市：代码（如 330100）或 id")
    county = region_filter("county__code", "县（市、区）：代码或 id")
    code = django_filters.CharFilter(field_name="code", label="园区编码")
    operator = IdFilter(field_name="operator_id", label="运营方机构 id")

    class Meta(ParkFilterSet.Meta):
        fields = ["q", "code", "city", "county", "operator", "batch", "star_rating", "digital_status", "park_type", "status"]


class EnterpriseAPIFilterSet(EnterpriseFilterSet):
    uscc = django_filters.CharFilter(field_name="uscc", label="统一社会信用代码")
    park = CodeOrIdFilter(field_name="tenancies__park", queryset=Park.objects.all(), what="园区", label="园区：编码或 id", distinct=True)

    class Meta(EnterpriseFilterSet.Meta):
        fields = ["q", "uscc", "entity_type", "industry", "park"]


class TenancyAPIFilterSet(TenancyFilterSet):
    park = CodeOrIdFilter(field_name="park", queryset=Park.objects.all(), what="园区", label="园区：编码或 id")
    park_code = django_filters.CharFilter(field_name="park__code", label="园区编码")
    uscc = django_filters.CharFilter(field_name="enterprise__uscc", label="统一社会信用代码")

    class Meta(TenancyFilterSet.Meta):
        fields = ["q", "park", "park_code", "uscc", "current"]


class PartnerLinkAPIFilterSet(PartnerLinkFilterSet):
    city = region_filter("park__county__city_code", "地市：代码（如 330100）或 id")
    park = CodeOrIdFilter(field_name="park", queryset=Park.objects.all(), what="园区", label="园区：编码或 id")
    park_code = django_filters.CharFilter(field_name="park__code", label="园区编码")
    branch = IdFilter(field_name="branch_id", label="银行机构 id")

    class Meta(PartnerLinkFilterSet.Meta):
        fields = ["q", "city", "park", "park_code", "branch", "role", "status", "current"]


def _month(value: str, name: str):
    try:
        return brain_month_parse(value)
    except ValueError as exc:
        raise ValidationError({name: [str(exc)]}) from None


class BrainReadingFilterSet(PortalFilterSet):
    search_fields = ("enterprise__name", "enterprise__uscc")
    park = CodeOrIdFilter(field_name="park", queryset=Park.objects.all(), what="园区", label="园区：编码或 id")
    park_code = django_filters.CharFilter(field_name="park__code", label="园区编码")
    uscc = django_filters.CharFilter(field_name="enterprise__uscc", label="统一社会信用代码")
    month_from = django_filters.CharFilter(method="filter_month_from", label="起始月份（YYYY-MM）")
    month_to = django_filters.CharFilter(method="filter_month_to", label="截止月份（YYYY-MM）")

    class Meta:
        model = BrainReading
        fields = ["q", "park", "park_code", "uscc", "month_from", "month_to"]

    def filter_month_from(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(month__gte=_month(value, name)) if value.strip() else queryset

    def filter_month_to(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(month__lte=_month(value, name)) if value.strip() else queryset
