"""The province's settings pages of target sets and targets: the sets, a set's targets, editing a
set or a target with a reason, and each one's history (who, when, why, which fields). Only
``access.can_manage_settings`` users; the rules live in ``targets.services``."""
from __future__ import annotations

import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from portal import access
from portal.generic import history_rows
from reports.targets import services
from reports.targets.forms import TargetSetSettingsForm, TargetSettingsForm
from reports.targets.models import Target, TargetSet
from reports.targets.park_base import park_base_counts


class TargetTable(tables.Table):
    code = tables.Column(verbose_name="编号")
    name = tables.Column(verbose_name="目标")
    comparator = tables.Column(verbose_name="比较")
    threshold_value = tables.Column(verbose_name="目标值")
    unit = tables.Column(verbose_name="单位")
    applicable = tables.BooleanColumn(verbose_name="可监测")
    edit = tables.Column(verbose_name="操作", empty_values=(), orderable=False)

    class Meta:
        attrs = {"class": "table table-sm table-hover", "data-testid": "target-table"}

    def render_edit(self, record: Target) -> str:
        return format_html('<a class="btn btn-outline-primary btn-sm" href="{}">修改</a>', reverse("reports:target_settings", args=[record.pk]))


def _form_errors(form, exc: ValidationError) -> None:
    for field, errors in (exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}).items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def target_set_list(request: HttpRequest) -> HttpResponse:
    access.require_settings(request.user)
    sets = TargetSet.objects.annotate(target_count=Count("targets")).order_by("order", "code")
    return render(request, "settings/target_set_list.html", {"title": "目标设置", "sets": sets, "park_base": park_base_counts()})


@login_required
@require_http_methods(["GET", "POST"])
def target_set_settings(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_settings(request.user)
    target_set = get_object_or_404(TargetSet, pk=pk)
    form = TargetSetSettingsForm(request.POST or None, instance=TargetSet.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            _, n = services.target_set_update(actor=request.user, target_set=target_set, data=form.cleaned_data,
                                              reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"已保存目标组，并重新计算目标完成情况（{n} 条）。")
            return redirect("reports:target_set_settings", pk=pk)
    table = TargetTable(target_set.targets.order_by("order", "code"))
    tables.RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "settings/target_set_settings.html", {
        "title": f"目标组：{target_set.name}", "target_set": target_set, "form": form, "table": table,
        "history": history_rows(target_set, services.TARGET_SET_FIELDS)})


@login_required
@require_http_methods(["GET", "POST"])
def target_settings(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_settings(request.user)
    target = get_object_or_404(Target.objects.select_related("target_set"), pk=pk)
    form = TargetSettingsForm(request.POST or None, instance=Target.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            _, n = services.target_update(actor=request.user, target=target, data=form.cleaned_data, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"已保存目标 {target.code}，并重新计算目标完成情况（{n} 条）。")
            return redirect("reports:target_settings", pk=pk)
    return render(request, "settings/target_settings.html", {
        "title": f"目标 {target.code}：{target.name}", "target": target, "form": form,
        "history": history_rows(target, services.TARGET_FIELDS)})
