"""Filing pages: the list, opening a filing, the T1/T5 grids, the T4 form, xlsx template /
export / upload and the import job page.

Views only parse input and call ``reports.filings.services`` / ``reports.filings.selectors``; every filing is
fetched through ``portal.access``: 404 when the user may not see it, 403 when the user may see
it but not change it."""
from __future__ import annotations

import math
from typing import Any, Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from portal import access
from portal.generic import ObjectListView
from reports.filings import selectors, services
from reports.filings.choices import FilingStatus, ScheduleCode
from reports.filings.filtersets import FilingFilterSet, T1RowFilterSet, T5RowFilterSet
from reports.filings.forms import ExplanationForm, FilingNewForm, T4Form, schedules_for
from reports.filings.kinds import is_insurer_branch
from reports.filings.models import ROW_MODELS, Filing, T2Summary, T4Record
from reports.filings.tables import (
    FilingTable,
    grid_headers,
    grid_rows,
    status_badge,
    t2_panel,
    t4_lines,
    t4_ratios,
)
from reports.schedules import SCHEDULES
from reports.schedules.base import Issue, Schedule
from reports.schedules.t4 import NARRATIVE, SECTIONS, narrative_columns, section_keys

GRID_PAGE_SIZE = 50
ISSUES_SHOWN = 500
T1_COMPUTED = ("credit_tier", "inclusive", "multi_bank", "category")
ROW_FILTERS = {ScheduleCode.T1: T1RowFilterSet, ScheduleCode.T5: T5RowFilterSet}


# --- fetching a filing through the access module -------------------------------------------

def _filings():
    return Filing.objects.select_related("period", "park__county", "branch__institution", "branch__region", "city", "updated_by")


# Later stages add to a filing's pages (filled in ``ReportsConfig.ready``): the workflow its panel
# (the buttons this user may press, the timeline, the versions) to every page header, the summaries
# stage the page of a schedule it builds (附表3).
PAGE_PANELS: list[Callable[..., dict[str, Any]]] = []
GENERATED_PAGES: dict[str, Callable[[HttpRequest, Filing], HttpResponse]] = {}


def filing_for_request(request: HttpRequest, pk: int, *, change: bool = False) -> Filing:
    """The filing if the user may see it (else 404); with ``change``, 403 unless the user may edit it."""
    filing = get_object_or_404(access.restrict(request.user, _filings(), access.VIEW), pk=pk)
    if change and not access.can(request.user, access.CHANGE, filing):
        raise PermissionDenied("您没有权限修改此报表。")
    return filing


def schedule_of_page(filing: Filing, *, multi_row: bool | None = None) -> Schedule:
    schedule = SCHEDULES.get(filing.schedule)
    if schedule is None or (multi_row is not None and schedule.multi_row != multi_row):
        raise Http404("该报表没有此页面。")
    return schedule


def filing_page_context(request: HttpRequest, filing: Filing, *, can_change: bool | None = None) -> dict[str, Any]:
    """What the filing header (every filing page) needs."""
    user = request.user
    schedule = SCHEDULES.get(filing.schedule)
    if can_change is None:
        can_change = access.can(user, access.CHANGE, filing)
    today = timezone.localdate()
    period = filing.period
    locked = filing.locked_for(user, today)
    open_status = filing.status in (FilingStatus.DRAFT, FilingStatus.RETURNED)
    extra: dict[str, Any] = {}
    for panel in PAGE_PANELS:
        extra |= panel(user=user, filing=filing)
    return extra | {
        "filing": filing,
        "schedule": schedule,
        "title": schedule.full_title if schedule else filing.get_schedule_display(),
        "status_badge": status_badge(filing),
        "can_change": can_change,
        "can_edit": bool(can_change and filing.is_editable and not locked),
        "locked": period.is_locked(today),
        "overdue_days": (today - period.filer_due).days if open_status and today > period.filer_due else 0,
        "days_left": (period.filer_due - today).days if open_status and today <= period.filer_due else None,
    }


def posted_lock_version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST["lock_version"])
    except (KeyError, TypeError, ValueError):
        return None


def _querystring(request: HttpRequest) -> str:
    """The grid's filter parameters without ``page`` (for the pagination links)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def add_issues_to_form(form, issues: list[Issue]) -> dict[str, list[str]]:
    """Errors land on their field (or the form when filing level); returns warnings per field."""
    warnings: dict[str, list[str]] = {}
    for issue in issues:
        field = issue.column if issue.column in form.fields else None
        if issue.is_error:
            form.add_error(field, issue.message)
        else:
            warnings.setdefault(field or "", []).append(issue.message)
    return warnings


def mark_fields(form, warnings: dict[str, list[str]]) -> None:
    """Bootstrap classes on the inputs: red for errors, yellow for warnings."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()
    for name in warnings:
        if name in form.fields and name not in form.errors:
            widget = form.fields[name].widget
            widget.attrs["class"] = (widget.attrs.get("class", "") + " is-warning").strip()


def started_summary(result: services.StartResult) -> dict[str, Any]:
    """从上期带入 as the result page shows it (kept in the session between the POST and the page)."""
    source, save = result.plan.source, result.save
    return {"saved": save.saved, "source": f"{source.period.code} 第{source.version}版", "source_url": source.get_absolute_url(),
            "copied": len(result.plan.copied), "added": result.plan.added, "departed": result.plan.departed,
            "errors": [i.as_dict(SCHEDULES[source.schedule]) for i in save.blocking][:ISSUES_SHOWN],
            "incomplete": len(save.errors) - len(save.blocking)}


def start_from_previous(request: HttpRequest, filing: Filing, *, expected_lock_version: int | None) -> HttpResponse:
    """Run 从上期带入 on ``filing`` and show its result page (or the filing with the reason it could not)."""
    try:
        result = services.filing_start_from_previous(actor=request.user, filing=filing, expected_lock_version=expected_lock_version)
    except services.StaleFiling as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        request.session[f"started:{filing.pk}"] = started_summary(result)
        return redirect("reports:filing_started", pk=filing.pk)
    return redirect(filing.get_absolute_url())


# --- list and opening ----------------------------------------------------------------------

class FilingListView(ObjectListView):
    queryset = Filing.objects.select_related("period", "park", "branch", "city", "updated_by")
    filterset_class = FilingFilterSet
    table_class = FilingTable
    template_name = "reports/filing_list.html"
    add_url_name = "reports:filing_new"
    title = "报表填报"

    def can_add(self) -> bool:
        return bool(schedules_for(self.request.user))


@login_required
@require_http_methods(["GET", "POST"])
def filing_new(request: HttpRequest) -> HttpResponse:
    if not schedules_for(request.user):
        raise PermissionDenied("您所在机构不填报附表1、附表4或附表5（附表2、附表3由系统生成）。")
    form = FilingNewForm(request.POST or None, user=request.user, initial=_new_filing_preset(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            filing = services.filing_open(actor=request.user, schedule=data["schedule"], period=data["period"],
                                          park=data.get("park"))
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            if data.get("start_from_previous") and filing.schedule in ROW_MODELS and not filing.row_count:
                return start_from_previous(request, filing, expected_lock_version=filing.lock_version)
            return redirect(filing.get_absolute_url())
    return render(request, "reports/filing_new.html", {"form": form, "title": "填报报表"})


def _new_filing_preset(request: HttpRequest) -> dict[str, str]:
    """Links such as “附表4尚未填报” open the form preset: ``?schedule=T4&period=<pk>&park=<pk>``."""
    return {key: request.GET[key] for key in ("schedule", "period", "park") if request.GET.get(key, "").isalnum()}


@login_required
def filing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    filing = filing_for_request(request, pk)
    if filing.schedule in ROW_MODELS:
        return _grid_page(request, filing)
    if filing.schedule == ScheduleCode.T4:
        return _t4_page(request, filing, editing=False)
    if filing.schedule in GENERATED_PAGES:
        return GENERATED_PAGES[filing.schedule](request, filing)
    return render(request, "reports/filing_generic.html", filing_page_context(request, filing))


@login_required
def filing_rows(request: HttpRequest, pk: int) -> HttpResponse:
    filing = filing_for_request(request, pk)
    schedule_of_page(filing, multi_row=True)
    return _grid_page(request, filing)


# --- T1 / T5 grid --------------------------------------------------------------------------

def _grid_page(request: HttpRequest, filing: Filing) -> HttpResponse:
    schedule = schedule_of_page(filing, multi_row=True)
    ctx = filing_page_context(request, filing)
    rows = ROW_MODELS[filing.schedule].objects.filter(filing=filing).order_by("row_no")
    rowfilter = ROW_FILTERS[filing.schedule](request.GET or None, queryset=rows)
    page = Paginator(rowfilter.qs, GRID_PAGE_SIZE).get_page(request.GET.get("page"))
    computed = T1_COMPUTED if filing.schedule == ScheduleCode.T1 else ()
    ctx.update({
        "rowfilter": rowfilter,
        "page_obj": page,
        "querystring": _querystring(request),
        "headers": grid_headers(schedule, computed),
        "first_header": schedule.columns[0],
        "grid": grid_rows(schedule, page.object_list, filing.issues, computed),
        "issues": filing.issues[:ISSUES_SHOWN],
        "issues_more": max(0, len(filing.issues) - ISSUES_SHOWN),
        "explanation_form": ExplanationForm(initial={"explanation": filing.explanation, "lock_version": filing.lock_version}),
        "filtered": bool(request.GET.get("q") or request.GET.get("category")),
    })
    if not filing.row_count and ctx["can_edit"]:
        ctx["previous"] = selectors.filing_previous_approved(filing=filing)
    if filing.schedule == ScheduleCode.T1:
        ctx["category_counts"] = rows.aggregate(
            total=Count("pk"), A=Count("pk", filter=Q(category="A")),
            B=Count("pk", filter=Q(category="B")), C=Count("pk", filter=Q(category="C")))
        ctx["current_category"] = request.GET.get("category", "")
        ctx["q"] = request.GET.get("q", "")
        try:
            t2 = filing.t2
        except T2Summary.DoesNotExist:
            t2 = None
        ctx["t2"] = t2_panel(t2, filing.park, selectors.t2_stale([t2])[t2.pk] if t2 else None)
    else:
        partners = selectors.branch_partner_parks_at(branch_id=filing.branch_id, on=filing.period.end)
        present = set(rows.values_list("park_code", flat=True))
        ctx["missing_parks"] = [(code, p["name"]) for code, p in partners.items() if code not in present]
        ctx["partner_count"] = len(partners)
    return render(request, "reports/grid.html", ctx)


def grid_url(filing: Filing, *, page: int | None = None, anchor: int | None = None) -> str:
    url = reverse("reports:filing_rows", args=[filing.pk])
    if page and page > 1:
        url += f"?page={page}"
    if anchor:
        url += f"#row-{anchor}"
    return url


def page_of_row(filing: Filing, row_no: int) -> int:
    """The grid page (unfiltered) on which row ``row_no`` is (or was) shown."""
    before = ROW_MODELS[filing.schedule].objects.filter(filing=filing, row_no__lt=row_no).count()
    return before // GRID_PAGE_SIZE + 1


def last_page(row_count: int) -> int:
    return max(1, math.ceil(row_count / GRID_PAGE_SIZE))


# --- T4 ------------------------------------------------------------------------------------

def _t4_sections(filing: Filing) -> list[tuple[str, str]]:
    wanted = section_keys(insurer=is_insurer_branch(filing.branch))
    return [(key, heading) for key, heading in SECTIONS if key in wanted]


def _t4_record(filing: Filing) -> T4Record | None:
    try:
        return filing.t4
    except T4Record.DoesNotExist:
        return None


def _t4_page(request: HttpRequest, filing: Filing, *, editing: bool, form: T4Form | None = None,
             warnings: dict[str, list[str]] | None = None, stale: str | None = None, can_change: bool | None = None) -> HttpResponse:
    schedule = schedule_of_page(filing)
    ctx = filing_page_context(request, filing, can_change=can_change)
    sections = _t4_sections(filing)
    record = _t4_record(filing)
    values = selectors.filing_row_values(filing=filing)
    current = values[0] if values else None
    baseline = selectors.t4_baseline(filing=filing)
    previous_code, previous = selectors.t4_previous(filing=filing)
    blocks = []
    for key, heading in sections:
        cols = [c for c in schedule.columns if c.section == key]
        lines = t4_lines(cols, current, baseline, previous)
        if editing and form is not None:
            blocks.append((heading, [(line, form[line.column.key], (warnings or {}).get(line.column.key, [])) for line in lines]))
        else:
            blocks.append((heading, [(line, None, []) for line in lines]))
    insurer = is_insurer_branch(filing.branch)
    narrative = []
    for col in narrative_columns(insurer=insurer):
        narrative.append((col, form[col.key] if editing and form is not None else (getattr(record, col.key, "") if record else "")))
    ctx.update({
        "editing": editing, "form": form, "blocks": blocks, "narrative": narrative, "record": record,
        "baseline_code": filing.period.previous_year_end_code, "has_baseline": baseline is not None,
        "previous_code": previous_code, "has_previous": previous is not None,
        "ratios": t4_ratios(current, insurer=insurer), "insurer": insurer, "form_warnings": (warnings or {}).get("", []), "stale": stale,
        "issues": filing.issues[:ISSUES_SHOWN], "issues_more": max(0, len(filing.issues) - ISSUES_SHOWN),
        "explanation_form": ExplanationForm(initial={"explanation": filing.explanation, "lock_version": filing.lock_version}),
    })
    return render(request, "reports/t4.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def t4_edit(request: HttpRequest, pk: int) -> HttpResponse:
    filing = filing_for_request(request, pk, change=True)
    if filing.schedule != ScheduleCode.T4:
        raise Http404("不是附表4。")
    schedule = SCHEDULES[ScheduleCode.T4]
    sections = {key for key, _ in _t4_sections(filing)}
    columns = [c for c in schedule.columns if c.section in sections]
    narrative = narrative_columns(insurer=is_insurer_branch(filing.branch))
    warnings: dict[str, list[str]] = {}
    stale = None
    if request.method == "POST":
        form = T4Form(request.POST, columns=columns, narrative=narrative)
        if form.is_valid():
            try:
                result = services.filing_t4_save(actor=request.user, filing=filing, raw_values=form.raw_values(),
                                                 narrative=form.narrative(), expected_lock_version=form.cleaned_data["lock_version"])
            except services.StaleFiling as exc:
                stale = str(exc)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                if result.saved:
                    messages.success(request, "附表4已保存。")
                    for w in result.warnings:
                        messages.warning(request, f"{schedule.label_of(w.column) or '提示'}：{w.message}")
                    return redirect(filing.get_absolute_url())
                warnings = add_issues_to_form(form, result.issues)
        mark_fields(form, warnings)
    else:
        record = _t4_record(filing)
        initial: dict[str, Any] = {"lock_version": filing.lock_version}
        for col in columns:
            initial[col.key] = col.form_initial(getattr(record, col.key, None) if record else None)
        for col in NARRATIVE:
            initial[col.key] = getattr(record, col.key, "") if record else ""
        form = T4Form(initial=initial, columns=columns, narrative=narrative)
    return _t4_page(request, filing, editing=True, form=form, warnings=warnings, stale=stale, can_change=True)

