import django_filters

from portal.filters import PortalFilterSet
from reports.filings.choices import FilingStatus, ScheduleCode
from reports.filings.forms import period_label
from reports.filings.models import Filing, Period, T1Row, T5Row
from reports.schedules.t1 import CATEGORIES


class PeriodChoiceFilter(django_filters.ModelChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Period.objects.order_by("-year", "-quarter"))
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        field.label_from_instance = period_label
        return field


class FilingFilterSet(PortalFilterSet):
    search_fields = ("park__name", "park__code", "branch__name", "city__name")
    period = PeriodChoiceFilter(label="报送期", empty_label="全部")
    schedule = django_filters.ChoiceFilter(label="报表", choices=ScheduleCode.choices, empty_label="全部")
    status = django_filters.ChoiceFilter(label="状态", choices=FilingStatus.choices, empty_label="全部")

    class Meta:
        model = Filing
        fields = ["q", "period", "schedule", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].label = "报送主体"
        self.form.fields["q"].widget.attrs["placeholder"] = "园区 / 机构名称"


class T1RowFilterSet(PortalFilterSet):
    """The T1 grid: 分类建档类别 (A/B/C) and a search by enterprise name or 统一社会信用代码."""

    search_fields = ("enterprise_name", "uscc")
    category = django_filters.ChoiceFilter(label="分类建档类别", choices=CATEGORIES, empty_label="全部")

    class Meta:
        model = T1Row
        fields = ["q", "category"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs.update(placeholder="企业名称 / 统一社会信用代码", **{"class": "form-control form-control-sm grid-search"})


class T5RowFilterSet(PortalFilterSet):
    search_fields = ("park_code", "park_name", "sub_branch", "contact_name")

    class Meta:
        model = T5Row
        fields = ["q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs.update(placeholder="园区编码 / 名称 / 对接支行", **{"class": "form-control form-control-sm grid-search"})
