"""The province's audit log page: who did what to which filing, registry row or setting, when and
from where — workflow steps, registry changes, period and target settings, logins — filtered by
user, organisation, object, action and date, paginated, and exported as xlsx (numbers and dates as
such, text formula-safe, through ``reports.filings.xlsx.writer``). It reads ``portal.AuditEvent``
only (one table: the page's query count does not grow with the log)."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Iterable

import django_filters
import django_tables2 as tables
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html

from portal import access
from portal.choices import AuditAction
from portal.filters import PortalFilterSet
from portal.models import AuditEvent, Organisation
from reports.filings.xlsx.writer import (
    append_header,
    append_title,
    cell_value,
    column_widths,
    new_workbook,
    workbook_bytes,
    xlsx_response,
)

EXPORT_LIMIT = 100_000
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"


@lru_cache(maxsize=None)
def object_type_label(label: str) -> str:
    if not label:
        return ""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


@lru_cache(maxsize=None)
def field_label(object_type: str, key: str) -> str:
    """The field's official label (``filer_due`` → 填报截止日期; 状态 for a workflow step)."""
    try:
        return str(apps.get_model(object_type)._meta.get_field(key).verbose_name)
    except (LookupError, ValueError):
        return key


class AuditFilterSet(PortalFilterSet):
    user = django_filters.CharFilter(label="操作人", method="filter_user")
    organisation = django_filters.ModelChoiceFilter(label="机构", queryset=Organisation.objects.order_by("kind", "name"), empty_label="全部")
    action = django_filters.ChoiceFilter(label="操作", choices=AuditAction.choices, empty_label="全部")
    object_type = django_filters.ChoiceFilter(label="对象类型", empty_label="全部", choices=())
    object_id = django_filters.CharFilter(label="对象编号")
    date_from = django_filters.DateFilter(label="起始日期", field_name="at", lookup_expr="date__gte",
                                          widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))
    date_to = django_filters.DateFilter(label="截止日期", field_name="at", lookup_expr="date__lte",
                                        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))
    search_fields = ("object_label", "reason")

    class Meta:
        model = AuditEvent
        fields = ["user", "organisation", "action", "object_type", "object_id", "date_from", "date_to", "q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = AuditEvent.objects.order_by().values_list("object_type", flat=True).distinct()
        self.form.fields["object_type"].choices = [("", "全部")] + sorted(
            ((t, object_type_label(t)) for t in types if t), key=lambda c: c[1])
        self.form.fields["q"].label = "对象 / 原因"

    def filter_user(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(actor_name__icontains=value) | Q(actor__first_name__icontains=value)
                               | Q(actor__last_name__icontains=value))


class AuditTable(tables.Table):
    at = tables.DateTimeColumn(verbose_name="时间", format="Y-m-d H:i:s")
    actor_name = tables.Column(verbose_name="操作人", empty_values=())
    organisation = tables.Column(verbose_name="机构", order_by=("organisation__name",))
    ip = tables.Column(verbose_name="IP地址")
    action = tables.Column(verbose_name="操作")
    object_label = tables.Column(verbose_name="对象", empty_values=())
    reason = tables.Column(verbose_name="原因 / 意见")
    changes = tables.Column(verbose_name="变更内容", orderable=False)

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "audit-table"}

    def render_actor_name(self, record: AuditEvent) -> str:
        name = record.actor.display_name if record.actor else ""
        return f"{record.actor_name}（{name}）" if name and name != record.actor_name else (record.actor_name or "—")

    def render_object_label(self, record: AuditEvent) -> str:
        kind = object_type_label(record.object_type)
        if not record.object_label:
            return "—"
        text = f"{kind} #{record.object_id} {record.object_label}" if kind else record.object_label
        return format_html('<a href="{}">{}</a>', record.object_url, text) if record.object_url else text

    def render_changes(self, record: AuditEvent) -> str:
        return changes_text(record.changes, record.object_type) or "—"


def changes_text(changes: dict[str, Any] | None, object_type: str = "") -> str:
    return "；".join(f"{field_label(object_type, k)}: {v[0] if v[0] is not None else '—'} → {v[1]}" for k, v in (changes or {}).items()
                     if isinstance(v, (list, tuple)) and len(v) == 2)


def audit_events(user: Any) -> QuerySet:
    access.require_audit_log(user)
    return AuditEvent.objects.select_related("actor", "organisation").order_by("-at", "-id")


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def _export_row(e: AuditEvent) -> list[Any]:
    object_id = int(e.object_id) if e.object_id.isdigit() else cell_value(e.object_id, numeric=False)
    return [_local(e.at), cell_value(e.actor_name, numeric=False), cell_value(e.actor.display_name if e.actor else "", numeric=False),
            cell_value(e.organisation.name if e.organisation else "", numeric=False), cell_value(e.ip or "", numeric=False),
            e.get_action_display(), object_type_label(e.object_type), object_id,
            cell_value(e.object_label, numeric=False), cell_value(e.reason, numeric=False),
            cell_value(changes_text(e.changes, e.object_type), numeric=False)]


def audit_workbook(events: Iterable[AuditEvent], *, subtitle: str) -> bytes:
    wb = new_workbook()
    ws = wb.create_sheet("操作日志")
    append_title(ws, "操作日志")
    ws.append([cell_value(subtitle, numeric=False)])
    append_header(ws, ["时间", "操作人账号", "操作人", "机构", "IP地址", "操作", "对象类型", "对象编号", "对象", "原因 / 意见", "变更内容"])
    for event in events:
        ws.append(_export_row(event))
        ws.cell(row=ws.max_row, column=1).number_format = DATE_FORMAT
    column_widths(ws, [20, 14, 12, 24, 16, 14, 12, 10, 40, 40, 50])
    return workbook_bytes(wb)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    filterset = AuditFilterSet(request.GET or None, queryset=audit_events(request.user))
    events = filterset.qs
    if request.GET.get("format") == "xlsx":
        stamp = timezone.localtime()
        data = audit_workbook(events[:EXPORT_LIMIT].iterator(chunk_size=2000), subtitle=f"导出时间 {stamp:%Y-%m-%d %H:%M}")
        return xlsx_response(data, f"操作日志_{stamp:%Y%m%d%H%M}.xlsx")
    table = AuditTable(events)
    tables.RequestConfig(request, paginate={"per_page": 50}).configure(table)
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "xlsx"
    return render(request, "dashboards/audit_log.html", {"title": "操作日志", "filter": filterset, "table": table,
                                                         "export_query": query.urlencode()})
