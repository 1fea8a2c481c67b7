"""Web forms of the filing pages. Row and T4 forms are built from the schedule definitions
(``Column.form_field()``): every field is a lenient text/select input and the schedule's own
parser (the same as for xlsx and the API) does the real work inside the service."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from parks.models import Park
from portal import access
from portal.choices import OrgKind
from reports.filings import selectors
from reports.filings.choices import ScheduleCode
from reports.filings.kinds import branch_schedules
from reports.filings.models import Period
from reports.filings.upload_safety import UploadRejected, upload_name_check, upload_size_check
from reports.schedules.base import Column, Schedule
from reports.schedules.t4 import NARRATIVE

LOCK_VERSION_MISSING = "页面缺少版本信息或已过期，请刷新页面后重试。"


def _lock_version_field() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, min_value=0,
                              error_messages={"required": LOCK_VERSION_MISSING, "invalid": LOCK_VERSION_MISSING,
                                              "min_value": LOCK_VERSION_MISSING})


def period_label(period: Period) -> str:
    if period.is_baseline:
        return f"{period.code}（{period.year}年末基数，仅附表4）"
    if period.code == "2019Q2" and period.start.month == 1:
        return f"{period.code}（2019年上半年）"
    return f"{period.code}（{period.year}年第{period.quarter}季度）"


def schedules_for(user: Any) -> list[tuple[str, str]]:
    """The schedules this user's organisation fills in (附表2 and 附表3 are built by the system)."""
    if access.is_superuser(user):
        return [(ScheduleCode.T1, ScheduleCode.T1.label)]
    kind = access.org_kind(user)
    if kind == OrgKind.PARK_OPERATOR:
        return [(ScheduleCode.T1, ScheduleCode.T1.label)]
    if kind == OrgKind.BANK_BRANCH:  # an insurer files 附表4 only
        return [(code, ScheduleCode(code).label) for code in branch_schedules(user.organisation)]
    return []


START_HELP_T1 = ("附表1为空表时，以本园区最近一期已审核通过的附表1为底稿：仍在园的企业照抄，期末新入园的企业按登记信息加入，"
                 "已退园的企业不带入并列出；之后只需修改有变化的内容。")
START_HELP_BANK = ("附表5为空表时，以本机构最近一期已审核通过的附表5为底稿：仍有效的伙伴园区照抄，新建立关系的园区加入，"
                   "已终止关系的园区不带入并列出。附表4在填报页面显示上期数，增减即时计算。")


class FilingNewForm(forms.Form):
    """Open (or create) the current version of one schedule for one period."""

    schedule = forms.ChoiceField(label="报表")
    period = forms.ModelChoiceField(label="报送期", queryset=Period.objects.none(), empty_label=None)
    park = forms.ModelChoiceField(label="园区", queryset=Park.objects.none(), required=False, empty_label="请选择园区")
    start_from_previous = forms.BooleanField(
        label="从上期带入", required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        choices = schedules_for(user)
        self.fields["schedule"].choices = choices
        wants_t1 = any(code == ScheduleCode.T1 for code, _ in choices)
        self.fields["start_from_previous"].help_text = START_HELP_T1 if wants_t1 else START_HELP_BANK
        periods = Period.objects.order_by("-year", "-quarter")
        if not any(code == ScheduleCode.T4 for code, _ in choices):
            periods = periods.filter(is_baseline=False)
        self.fields["period"].queryset = periods
        self.fields["period"].label_from_instance = period_label
        current = selectors.period_current(today=timezone.localdate())
        if current is not None and not self.initial.get("period"):
            self.fields["period"].initial = current.pk
        if wants_t1:
            parks = access.restrict(user, Park.objects.select_related("county")).order_by("code")
            self.fields["park"].queryset = parks
            self.fields["park"].label_from_instance = lambda p: f"{p.name}（{p.code}）"
            if len(choices) == 1 and not access.is_superuser(user):
                only = list(parks[:2])
                if len(only) == 1:
                    self.fields["park"].initial = only[0].pk
        else:
            del self.fields["park"]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("schedule") == ScheduleCode.T1 and not data.get("park"):
            self.add_error("park", "填报附表1须选择园区。")
        return data


class ScheduleRowForm(forms.Form):
    """One row of a T1/T5 filing: a field per schedule column plus the hidden ``lock_version``."""

    lock_version = _lock_version_field()

    def __init__(self, *args: Any, schedule: Schedule, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schedule = schedule
        for col in schedule.columns:
            self.fields[col.key] = col.form_field()

    @staticmethod
    def initial_for(schedule: Schedule, row: Any, lock_version: int) -> dict[str, Any]:
        initial: dict[str, Any] = {"lock_version": lock_version}
        for col in schedule.columns:
            initial[col.key] = col.form_initial(getattr(row, col.key, None) if row is not None else None)
        return initial

    def raw_row(self) -> dict[str, Any]:
        return {col.key: self.cleaned_data.get(col.key, "") for col in self.schedule.columns}


class T4Form(forms.Form):
    """The single 附表4 record (the sections this filer fills) and the six-part narrative."""

    lock_version = _lock_version_field()

    def __init__(self, *args: Any, columns: list[Column], narrative: tuple[Column, ...] = NARRATIVE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.columns = columns
        for col in columns:
            self.fields[col.key] = col.form_field()
            self.fields[col.key].widget.attrs["class"] = "form-control form-control-sm text-end"
        for col in narrative:
            self.fields[col.key] = forms.CharField(
                label=col.label, required=False, max_length=col.max_length,
                widget=forms.Textarea(attrs={"class": "form-control", "rows": 4}),
                error_messages={"max_length": f"{col.label}不能超过{col.max_length}字"},
            )

    def raw_values(self) -> dict[str, Any]:
        return {col.key: self.cleaned_data.get(col.key, "") for col in self.columns}

    def narrative(self) -> dict[str, str]:
        return {col.key: self.cleaned_data.get(col.key, "") for col in NARRATIVE}


class ExplanationForm(forms.Form):
    explanation = forms.CharField(
        label="提示说明", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 4,
                                     "placeholder": "请对上述校验提示逐条或统一作出书面说明，审核人员可见。"}),
    )
    lock_version = _lock_version_field()


class UploadForm(forms.Form):
    file = forms.FileField(label="xlsx 文件", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}),
                           error_messages={"required": "请选择要上传的 .xlsx 文件。", "empty": "上传的文件是空的。"})
    lock_version = _lock_version_field()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            upload_name_check(upload.name or "")
        except UploadRejected as exc:
            message = exc.message if exc.code == "bad_extension" else f"只接受 .xlsx 格式的 Excel 工作簿：{exc.message}"
            raise forms.ValidationError(message, code=exc.code) from None
        try:
            upload_size_check(upload.size)
        except UploadRejected as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        return upload


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", attrs={"class": "form-control"}, **kwargs)


REASON_WIDGET = forms.Textarea(attrs={"rows": 2, "class": "form-control"})


class PeriodSettingsForm(forms.Form):
    """The province moves a period's deadlines and lock date, always with a reason."""

    filer_due = forms.DateField(label="填报截止日期", help_text="园区、银行保险机构报送附表1、4、5：默认季后15日", widget=DateInput())
    branch_due = forms.DateField(label="分局报送截止日期", help_text="附表3及辖内附表4：默认季后20日", widget=DateInput())
    lock_date = forms.DateField(label="锁定日期", help_text="此后仅监管部门可重新打开报表", widget=DateInput())
    reason = forms.CharField(label="修改原因", max_length=500, widget=REASON_WIDGET)


class PeriodOpenForm(forms.Form):
    reason = forms.CharField(label="说明", max_length=500, required=False, widget=forms.TextInput(attrs={"class": "form-control"}))
