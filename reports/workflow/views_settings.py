"""The province's settings page of a locked period's filings: find a filing and reopen it for its
filer with a reason (``services.filing_reopen``: the transition table decides, the step is logged as
a FilingTransition and in the audit log). Only ``access.can_manage_settings`` users."""
from __future__ import annotations

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from portal import access
from portal.filters import PortalFilterSet
from reports.filings.choices import FilingStatus, ScheduleCode
from reports.filings.forms import REASON_WIDGET
from reports.filings.kinds import FILER_SCHEDULES
from reports.filings.models import Filing, Period
from reports.filings.tables import status_badge
from reports.workflow import services


class LockedFilingFilterSet(PortalFilterSet):
    search_fields = ("park__name", "park__code", "branch__name")
    schedule = django_filters.ChoiceFilter(label="报表", choices=[(c, ScheduleCode(c).label) for c in FILER_SCHEDULES], empty_label="全部")
    status = django_filters.ChoiceFilter(label="状态", choices=FilingStatus.choices, empty_label="全部")
    reopened = django_filters.BooleanFilter(label="已重新打开")

    class Meta:
        model = Filing
        fields = ["q", "schedule", "status", "reopened"]


class LockedFilingTable(tables.Table):
    schedule = tables.Column(verbose_name="报表")
    subject = tables.Column(verbose_name="报送主体", empty_values=(), order_by=("park__name", "branch__name"))
    version = tables.Column(verbose_name="版本")
    status = tables.Column(verbose_name="状态")
    reopened = tables.BooleanColumn(verbose_name="已重新打开")
    reopen = tables.Column(verbose_name="操作", empty_values=(), orderable=False)

    class Meta:
        attrs = {"class": "table table-sm table-hover", "data-testid": "locked-filings"}

    def render_subject(self, record: Filing) -> str:
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.park or record.branch)

    def render_status(self, record: Filing) -> str:
        return status_badge(record)

    def render_reopen(self, record: Filing) -> str:
        if record.reopened:
            return "—"
        return format_html('<a class="btn btn-outline-danger btn-sm" href="{}" data-testid="reopen-{}">重新打开</a>',
                           reverse("reports:filing_reopen_settings", args=[record.pk]), record.pk)


class ReopenForm(forms.Form):
    reason = forms.CharField(label="重新打开原因", max_length=1000, widget=REASON_WIDGET)


@login_required
def period_filings(request: HttpRequest, pk: int) -> HttpResponse:
    """The current filer filings (附表1、4、5) of a period, for reopening after its lock date."""
    access.require_settings(request.user)
    period = get_object_or_404(Period, pk=pk)
    queryset = (Filing.objects.filter(period=period, is_current=True, schedule__in=FILER_SCHEDULES)
                .filter(Q(park__isnull=False) | Q(branch__isnull=False))
                .select_related("park", "branch").order_by("schedule", "park__name", "branch__name", "id"))
    filterset = LockedFilingFilterSet(request.GET or None, queryset=queryset)
    table = LockedFilingTable(filterset.qs)
    tables.RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "settings/period_filings.html", {
        "title": f"报送期 {period.code}：重新打开已锁定报表", "period": period, "filter": filterset, "table": table,
        "locked": period.is_locked(timezone.localdate())})


@login_required
@require_http_methods(["GET", "POST"])
def filing_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_settings(request.user)
    filing = get_object_or_404(Filing.objects.select_related("period", "park", "branch", "city"), pk=pk)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.filing_reopen(actor=request.user, filing=filing, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, "；".join(getattr(exc, "messages", None) or [str(exc)]))
        else:
            messages.success(request, f"已重新打开：{filing}。填报人可再修改并提交。")
            return redirect("reports:period_filings", pk=filing.period_id)
    return render(request, "settings/filing_reopen.html", {"title": f"重新打开报表：{filing}", "filing": filing, "form": form})
