"""The review inbox's tables (django-tables2 over ``inbox.InboxEntry`` lists: ordered and paginated
in memory, the filings having been read in one query)."""
from __future__ import annotations

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from reports.filings.tables import STATUS_BADGE

NUMBER = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}


def _subject(record) -> str:
    code = format_html(' <span class="text-muted small">{}</span>', record.subject_code) if record.subject_code else ""
    return format_html('<a href="{}" data-testid="inbox-subject">{}</a>{}', record.filing.get_absolute_url(), record.subject_name, code)


def _area(record) -> str:
    return " · ".join(x for x in (record.city_name, record.county_name) if x) or "—"


def _days(record) -> str:
    """Days to the filing's deadline, or days since it passed (the filing itself may have come in
    on time: that is the 迟报 badge beside its submission)."""
    due = record.due.strftime("%Y-%m-%d")
    if record.days_left < 0:
        return format_html('<span class="text-danger" title="截止日期 {}">已过截止 {} 天</span>', due, -record.days_left)
    if record.days_left == 0:
        return format_html('<span class="text-warning-emphasis" title="截止日期 {}">今天截止</span>', due)
    return format_html('<span title="截止日期 {}">还剩 {} 天</span>', due, record.days_left)


def _submitted(record) -> str:
    if record.submitted_at is None:
        return "—"
    when = timezone.localtime(record.submitted_at).strftime("%Y-%m-%d %H:%M")
    if record.filing.days_late:
        return format_html('{} <span class="badge text-bg-warning">迟报 {} 天</span>', when, record.filing.days_late)
    return when


class _InboxBase(tables.Table):
    subject = tables.Column(verbose_name="报送主体", empty_values=(), order_by=("subject_name", "subject_code"))
    schedule = tables.Column(verbose_name="报表", order_by=("schedule", "subject_name"))
    period = tables.Column(verbose_name="报送期", accessor="filing__period__code", order_by=("due", "subject_name"))
    area = tables.Column(verbose_name="地市 / 区县", empty_values=(), order_by=("city_name", "county_name", "subject_name"))
    submitted_at = tables.Column(verbose_name="提交时间", empty_values=())
    days_left = tables.Column(verbose_name="填报截止", order_by=("days_left", "submitted_at"))
    warnings = tables.Column(verbose_name="提示数", attrs=NUMBER)
    quality_warnings = tables.Column(verbose_name="历史比对预警", attrs=NUMBER,
                                     order_by=("quality_warnings", "days_left"))
    version = tables.Column(verbose_name="版本", attrs=NUMBER)
    status = tables.Column(verbose_name="状态", order_by=("status_label", "days_left"))

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
        orderable = True
        per_page = 50

    def render_subject(self, record) -> str:
        return _subject(record)

    def render_area(self, record) -> str:
        return _area(record)

    def render_submitted_at(self, record) -> str:
        return _submitted(record)

    def render_days_left(self, record) -> str:
        return _days(record)

    def render_warnings(self, value: int) -> str:
        return format_html('<span class="badge text-bg-warning">{}</span>', value) if value else "0"

    def render_quality_warnings(self, value: int) -> str:
        if not value:
            return "0"
        return format_html('<span class="badge text-bg-danger" data-testid="inbox-history" title="与上期、上年末已审核数或同地市同期分布比对的预警">{}</span>',
                           value)

    def render_version(self, value: int) -> str:
        return f"第{value}版"

    def render_status(self, record) -> str:
        return format_html('<span class="badge {}">{}</span>', STATUS_BADGE.get(record.status, "text-bg-light"), record.status_label)


class InboxTable(_InboxBase):
    """The filings waiting for this user: a checkbox for those that may be approved in bulk (no
    warning), a link to open the others, and a return form with its required comment on each."""

    select = tables.TemplateColumn(template_name="workflow/_inbox_select.html", orderable=False, verbose_name=mark_safe(
        '<input type="checkbox" class="form-check-input" data-check-all="filing" aria-label="全选（无提示的报表）" title="全选（无提示的报表）">'))
    actions = tables.TemplateColumn(template_name="workflow/_inbox_actions.html", verbose_name="操作", orderable=False)

    class Meta(_InboxBase.Meta):
        sequence = ("select", "subject", "schedule", "period", "area", "submitted_at", "days_left", "warnings", "quality_warnings", "version", "status",
                    "actions")
        attrs = {**_InboxBase.Meta.attrs, "data-testid": "inbox-table"}
        row_attrs = {"data-filing": lambda record: record.pk}


class InboxWaitingTable(_InboxBase):
    """The filings under this user's review that wait for someone else's step first."""

    waiting = tables.Column(verbose_name="等待", accessor="reason", orderable=False)

    class Meta(_InboxBase.Meta):
        sequence = ("subject", "schedule", "period", "area", "submitted_at", "days_left", "warnings", "quality_warnings", "version", "status",
                    "waiting")
        attrs = {**_InboxBase.Meta.attrs, "data-testid": "inbox-waiting-table"}
        row_attrs = {"data-filing": lambda record: record.pk}
        prefix = "w-"
