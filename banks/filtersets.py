import django_filters

from banks.choices import InstitutionType
from banks.models import Institution
from portal.filters import PortalFilterSet, city_filter
from portal.models import Organisation


class InstitutionFilterSet(PortalFilterSet):
    search_fields = ("name", "short_name")
    type = django_filters.ChoiceFilter(label="机构类型", choices=InstitutionType.choices)
    is_active = django_filters.BooleanFilter(label="有效")

    class Meta:
        model = Institution
        fields = ["q", "type", "is_active"]


class BranchFilterSet(PortalFilterSet):
    search_fields = ("name", "institution__name", "institution__short_name")
    city = city_filter("region__code")
    institution_type = django_filters.ChoiceFilter(label="机构类型", field_name="institution__type", choices=InstitutionType.choices)

    class Meta:
        model = Organisation
        fields = ["q", "city", "institution_type"]
