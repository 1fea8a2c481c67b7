"""Web forms of the province's target settings pages: the fields a service may change, and a reason."""
from __future__ import annotations

from django import forms

from reports.targets.models import Target, TargetSet
from reports.targets.services import TARGET_FIELDS, TARGET_SET_FIELDS


class _Bootstrap:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            if isinstance(widget, forms.Textarea):
                widget.attrs["rows"] = 3


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TargetSettingsForm(_Bootstrap, forms.ModelForm):
    reason = forms.CharField(label="修改原因", max_length=500, widget=forms.Textarea)

    class Meta:
        model = Target
        fields = TARGET_FIELDS
        widgets = {"due_date": DateInput()}


class TargetSetSettingsForm(_Bootstrap, forms.ModelForm):
    reason = forms.CharField(label="修改原因", max_length=500, widget=forms.Textarea)

    class Meta:
        model = TargetSet
        fields = TARGET_SET_FIELDS
        widgets = {"due_date": DateInput()}
        help_texts = {"notes": "口径说明，含规划的园区数量（第一批505个、第二三批272个、数字化示范园区21个、试点园区31个等）"}
