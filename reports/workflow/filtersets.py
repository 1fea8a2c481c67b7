"""The review inbox's filters (django-filter, like the registry lists)."""
from __future__ import annotations

import django_filters
from django.db.models import Q

from portal import access
from portal.filters import PortalFilterSet
from portal.selectors import region_counties_for, region_zhejiang_cities
from reports.filings.choices import FilingStatus
from reports.filings.filtersets import PeriodChoiceFilter
from reports.filings.kinds import CITY_SCHEDULES, FILER_SCHEDULES, short_label
from reports.filings.models import Filing
from reports.filings.quality import quality_q
from reports.workflow.inbox import REVIEW_STATUSES

WARNINGS = (("yes", "有提示"), ("no", "无提示"), ("history", "有历史比对预警"))


def _counties(request):
    return region_counties_for(user=request.user) if request is not None else region_zhejiang_cities().none()


class InboxFilterSet(PortalFilterSet):
    search_fields = ("park__name", "park__code", "branch__name", "city__name", "city__code")
    period = PeriodChoiceFilter(label="报送期", empty_label="全部")
    schedule = django_filters.ChoiceFilter(
        label="报表", empty_label="全部",
        choices=[(c, short_label(c)) for c in sorted(FILER_SCHEDULES + CITY_SCHEDULES)])
    status = django_filters.ChoiceFilter(label="状态", empty_label="全部",
                                         choices=[(s, FilingStatus(s).label) for s in REVIEW_STATUSES])
    city = django_filters.ModelChoiceFilter(label="地市", queryset=region_zhejiang_cities(), method="filter_city", empty_label="全部")
    county = django_filters.ModelChoiceFilter(label="区县", queryset=_counties, field_name="park__county", empty_label="全部")
    warnings = django_filters.ChoiceFilter(label="提示", choices=WARNINGS, method="filter_warnings", empty_label="全部")

    class Meta:
        model = Filing
        fields = ["q", "period", "schedule", "status", "city", "county", "warnings"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].label = "报送主体"
        self.form.fields["q"].widget.attrs["placeholder"] = "园区 / 机构名称或编码"
        if self.request is not None and not access.is_province(self.request.user):  # a branch: its own city
            self.filters.pop("city")
            self.form.fields.pop("city")

    def filter_city(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(park__county__city_code=value.code) | Q(branch__region__code=value.code) | Q(city__code=value.code))

    def filter_warnings(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(warning_count__gt=0)
        if value == "no":
            return queryset.filter(warning_count=0)
        if value == "history":
            return queryset.filter(quality_q())
        return queryset
