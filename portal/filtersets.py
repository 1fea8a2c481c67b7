import django_filters

from portal.choices import OrgKind, RegionLevel
from portal.filters import PortalFilterSet, city_filter
from portal.models import Organisation, Region


class RegionFilterSet(PortalFilterSet):
    search_fields = ("code", "name")
    level = django_filters.ChoiceFilter(label="级别", choices=RegionLevel.choices)
    province_code = django_filters.CharFilter(label="省级代码")

    class Meta:
        model = Region
        fields = ["q", "level", "province_code"]


class OrganisationFilterSet(PortalFilterSet):
    search_fields = ("name",)
    kind = django_filters.ChoiceFilter(label="机构类别", choices=OrgKind.choices)
    city = city_filter("region__city_code")

    class Meta:
        model = Organisation
        fields = ["q", "kind", "city"]
