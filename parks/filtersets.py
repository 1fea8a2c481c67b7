import django_filters
from django.utils import timezone

from parks.choices import Batch, DigitalStatus, EntityType, Industry, LinkStatus, ParkStatus, ParkType, PartnerRole, StarRating
from parks.models import Enterprise, Park, PartnerLink, Tenancy
from portal.filters import PortalFilterSet, city_filter
from portal.selectors import region_zhejiang_counties


class ParkFilterSet(PortalFilterSet):
    search_fields = ("code", "name", "manager")
    city = city_filter("county__city_code")
    county = django_filters.ModelChoiceFilter(label="县（市、区）", queryset=region_zhejiang_counties())
    batch = django_filters.ChoiceFilter(label="批次", choices=Batch.choices)
    star_rating = django_filters.ChoiceFilter(label="星级", choices=StarRating.choices)
    digital_status = django_filters.ChoiceFilter(label="数字化园区", choices=DigitalStatus.choices)
    park_type = django_filters.ChoiceFilter(label="园区类型", choices=ParkType.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=ParkStatus.choices)

    class Meta:
        model = Park
        fields = ["q", "city", "county", "batch", "star_rating", "digital_status", "park_type", "status"]


class EnterpriseFilterSet(PortalFilterSet):
    search_fields = ("uscc", "name")
    entity_type = django_filters.ChoiceFilter(label="主体类型", choices=EntityType.choices)
    industry = django_filters.ChoiceFilter(label="所属行业", choices=Industry.choices)
    park = django_filters.CharFilter(label="园区编码", method="filter_park")

    def filter_park(self, queryset, name, value):
        return queryset.filter(tenancies__park__code=value.strip()).distinct() if value.strip() else queryset

    class Meta:
        model = Enterprise
        fields = ["q", "entity_type", "industry", "park"]


class TenancyFilterSet(PortalFilterSet):
    search_fields = ("enterprise__name", "enterprise__uscc", "park__name", "park__code")
    current = django_filters.BooleanFilter(label="仅在园", method="filter_current")

    def filter_current(self, queryset, name, value):
        in_force = Tenancy.objects.in_force(on=timezone.localdate()).values("pk")
        return queryset.filter(pk__in=in_force) if value else queryset.exclude(pk__in=in_force)

    class Meta:
        model = Tenancy
        fields = ["q", "current"]


class PartnerLinkFilterSet(PortalFilterSet):
    search_fields = ("park__name", "park__code", "branch__name", "sub_branch")
    city = city_filter("park__county__city_code")
    role = django_filters.ChoiceFilter(label="合作角色", choices=PartnerRole.choices)
    status = django_filters.ChoiceFilter(label="确认状态", choices=LinkStatus.choices)
    current = django_filters.BooleanFilter(label="有效", method="filter_current")

    def filter_current(self, queryset, name, value):
        in_force = PartnerLink.objects.in_force(on=timezone.localdate()).values("pk")
        return queryset.filter(pk__in=in_force) if value else queryset.exclude(pk__in=in_force)

    class Meta:
        model = PartnerLink
        fields = ["q", "city", "role", "status", "current"]
