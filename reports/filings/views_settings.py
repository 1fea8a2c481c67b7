"""The province's settings pages of reporting periods: the list, opening the next quarter, and
moving a period's deadlines and lock date with a reason. Only ``access.can_manage_settings`` users;
the rules live in ``period_services``."""
from __future__ import annotations

import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from portal import access
from portal.models import AuditEvent
from reports.filings import period_services
from reports.filings.forms import PeriodOpenForm, PeriodSettingsForm
from reports.filings.models import Period


class PeriodTable(tables.Table):
    code = tables.Column(verbose_name="报送期", linkify=True, order_by=("year", "quarter"))
    end = tables.DateColumn(verbose_name="季末日期", format="Y-m-d")
    filer_due = tables.DateColumn(verbose_name="填报截止日期", format="Y-m-d")
    branch_due = tables.DateColumn(verbose_name="分局报送截止日期", format="Y-m-d")
    lock_date = tables.DateColumn(verbose_name="锁定日期", format="Y-m-d")
    state = tables.Column(verbose_name="状态", empty_values=(), orderable=False)

    class Meta:
        model = Period
        fields = ("code", "end", "filer_due", "branch_due", "lock_date", "is_baseline", "state")
        attrs = {"class": "table table-sm table-hover", "data-testid": "period-table"}

    def render_state(self, record: Period) -> str:
        if record.is_locked(timezone.localdate()):
            return mark_safe('<span class="badge text-bg-secondary">已锁定</span>')
        return mark_safe('<span class="badge text-bg-success">开放填报</span>')


def _period_changes(period: Period):
    return (AuditEvent.objects.filter(object_type=Period._meta.label_lower, object_id=str(period.pk))
            .select_related("actor", "organisation").order_by("-at", "-id")[:50])


@login_required
def period_list(request: HttpRequest) -> HttpResponse:
    access.require_settings(request.user)
    table = PeriodTable(Period.objects.all())
    tables.RequestConfig(request, paginate={"per_page": 20}).configure(table)
    year, quarter = period_services.period_next_quarter()
    return render(request, "settings/period_list.html", {
        "title": "报送期设置", "table": table, "next_code": f"{year}Q{quarter}", "open_form": PeriodOpenForm()})


@login_required
@require_POST
def period_open(request: HttpRequest) -> HttpResponse:
    access.require_settings(request.user)
    form = PeriodOpenForm(request.POST)
    form.is_valid()
    try:
        period = period_services.period_open_next(actor=request.user, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("reports:period_list")
    messages.success(request, f"已开设报送期 {period.code}（默认截止日期，可在此修改）。")
    return redirect(period.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def period_settings(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_settings(request.user)
    period = get_object_or_404(Period, pk=pk)
    initial = {k: getattr(period, k) for k in period_services.EDITABLE_FIELDS}
    form = PeriodSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            period_services.period_update(actor=request.user, period=period, data=data, reason=data["reason"])
        except ValidationError as exc:
            for field, errors in (exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"已保存报送期 {period.code} 的截止日期与锁定日期。")
            return redirect(period.get_absolute_url())
    return render(request, "settings/period_settings.html", {
        "title": f"报送期 {period.code}：截止日期与锁定日期", "period": period, "form": form,
        "changes": _period_changes(period), "locked": period.is_locked(timezone.localdate())})
