"""The province's settings page of the quality edits against history: the thresholds, changing one
with a reason, and its history. Only ``access.can_manage_settings`` users; the rules live in
``quality_services``."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from portal import access
from portal.generic import history_rows
from reports.filings import quality_services
from reports.filings.models import QualityThreshold


class ThresholdForm(forms.Form):
    value = forms.DecimalField(label="阈值", min_value=0, max_digits=12, decimal_places=4,
                               widget=forms.NumberInput(attrs={"class": "form-control", "step": "any"}))
    reason = forms.CharField(label="修改原因", max_length=500, widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}))


@login_required
def quality_threshold_list(request: HttpRequest) -> HttpResponse:
    access.require_settings(request.user)
    return render(request, "settings/quality_list.html", {
        "title": "质量校验阈值（与历史数据比对）", "thresholds": quality_services.quality_thresholds_ensure()})


@login_required
@require_http_methods(["GET", "POST"])
def quality_threshold_settings(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_settings(request.user)
    threshold = get_object_or_404(QualityThreshold, pk=pk)
    form = ThresholdForm(request.POST or None, initial={"value": threshold.value.normalize()})
    if request.method == "POST" and form.is_valid():
        try:
            changes = quality_services.quality_threshold_update(actor=request.user, threshold=threshold, value=form.cleaned_data["value"],
                                                                reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"已保存“{threshold.label}”。" if changes else "阈值未改变。")
            return redirect(threshold.get_absolute_url())
    return render(request, "settings/quality_settings.html", {
        "title": f"质量校验阈值：{threshold.label}", "threshold": threshold, "form": form,
        "history": history_rows(threshold, quality_services.THRESHOLD_FIELDS)})
