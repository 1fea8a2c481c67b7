import django_filters
from django import forms
from django.db.models import Q

from portal.selectors import region_zhejiang_cities


class PortalFilterSet(django_filters.FilterSet):
    """Search box plus Bootstrap widgets; ``search_fields`` lists the fields ``q`` looks in."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(label="搜索", method="filter_q")

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        cond = Q()
        for field in self.search_fields:
            cond |= Q(**{f"{field}__icontains": value})
        return queryset.filter(cond)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.form.fields.values():
            if isinstance(f.widget, (forms.Select, forms.SelectMultiple)):
                f.widget.attrs.setdefault("class", "form-select form-select-sm")
            else:
                f.widget.attrs.setdefault("class", "form-control form-control-sm")


def city_filter(field_path: str, label: str = "地市") -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        label=label,
        queryset=region_zhejiang_cities(),
        method=lambda qs, name, value: qs.filter(**{field_path: value.code}) if value else qs,
    )
