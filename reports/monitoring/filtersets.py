"""The filters of the monitoring lists (django-filter, like the inbox and the registry lists): the
reconciliation items and the risk signals by period, city, park, bank and state. A list without a
state shows what needs attention (open differences, valid signals), as the desk always did."""
from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.http import QueryDict

from banks.choices import InstitutionType
from banks.models import Institution
from portal import access
from portal.filters import PortalFilterSet
from portal.selectors import region_zhejiang_cities
from reports.filings.models import Period
from reports.monitoring.models import Figure, ReconciliationItem, RiskSignal

RECONCILIATION_STATES = (("open", "待核实"), ("closed", "已消除"), ("all", "全部"))
RISK_STATES = (("active", "有效（含已确认）"), ("pending", "待确认"), ("acknowledged", "已确认"), ("inactive", "已解除"), ("all", "全部"))


def _periods() -> QuerySet[Period]:
    return Period.objects.filter(is_baseline=False).order_by("-year", "-quarter")


def _banks() -> QuerySet[Institution]:
    return Institution.objects.exclude(type=InstitutionType.INSURER).order_by("short_name")


def bound_data(data: QueryDict | None, *, state: str) -> QueryDict:
    """The query string with the default state filled in (the filterset is always bound)."""
    data = data.copy() if data is not None else QueryDict(mutable=True)
    if not data.get("status"):
        data["status"] = state
    return data


class _MonitoringFilterSet(PortalFilterSet):
    period = django_filters.ModelChoiceFilter(label="报送期", queryset=_periods(), to_field_name="code", empty_label="全部",
                                              method="filter_period")
    city = django_filters.ModelChoiceFilter(label="地市", queryset=region_zhejiang_cities(), method="filter_city", empty_label="全部")
    park = django_filters.CharFilter(label="园区编码", field_name="park__code")
    bank = django_filters.ModelChoiceFilter(label="银行", queryset=_banks(), field_name="branch__institution", empty_label="全部")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["period"].widget.attrs.update({"data-testid": "period-select", "data-autosubmit": ""})
        self.form.fields["status"].widget.attrs.update({"data-testid": "status-select", "data-autosubmit": ""})
        if self.request is None or not access.is_province(self.request.user):  # a city's desk: its own city
            self.filters.pop("city")
            self.form.fields.pop("city")

    def filter_city(self, queryset, name, value):
        return queryset.filter(park__county__city_code=value.code) if value else queryset


class ReconciliationFilterSet(_MonitoringFilterSet):
    search_fields = ("park__name", "park__code", "branch__name")
    figure = django_filters.ChoiceFilter(label="项目", choices=Figure.choices, empty_label="全部")
    status = django_filters.ChoiceFilter(label="状态", choices=RECONCILIATION_STATES, empty_label=None, method="filter_status")

    class Meta:
        model = ReconciliationItem
        fields = ["q", "period", "city", "park", "bank", "figure", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs["placeholder"] = "园区 / 银行名称或编码"

    def filter_period(self, queryset, name, value):
        return queryset.filter(period=value) if value else queryset

    def filter_status(self, queryset, name, value):
        return {"open": queryset.filter(is_open=True), "closed": queryset.filter(is_open=False)}.get(value, queryset)


class RiskSignalFilterSet(_MonitoringFilterSet):
    search_fields = ("enterprise__name", "enterprise__uscc", "park__name", "park__code")
    status = django_filters.ChoiceFilter(label="状态", choices=RISK_STATES, empty_label=None, method="filter_status")

    class Meta:
        model = RiskSignal
        fields = ["q", "period", "city", "park", "bank", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs["placeholder"] = "企业名称、统一社会信用代码或园区"

    def filter_period(self, queryset, name, value):
        return queryset.filter(month__gte=value.start, month__lte=value.end) if value else queryset

    def filter_status(self, queryset, name, value):
        states = {"active": Q(is_active=True), "pending": Q(is_active=True, acknowledged_at__isnull=True),
                  "acknowledged": Q(is_active=True, acknowledged_at__isnull=False), "inactive": Q(is_active=False)}
        return queryset.filter(states[value]) if value in states else queryset
