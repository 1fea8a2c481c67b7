"""Filing pages: the list, opening a filing, the T1/T5 grids, the T4 form, xlsx template /
export / upload and the import job page.

Views only parse input and call ``reports.services`` / ``reports.selectors``; every filing is
fetched through ``portal.access``: 404 when the user may not see it, 403 when the user may see
it but not change it."""
from __future__ import annotations

import math
import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from portal import access
from portal.generic import ObjectListView
from reports.filings import selectors, services
from reports.filings.choices import FilingStatus
from reports.filings.filtersets import FilingFilterSet, T1RowFilterSet, T5RowFilterSet
from reports.filings.forms import LOCK_VERSION_MISSING, ExplanationForm, FilingNewForm, ScheduleRowForm, T4Form, UploadForm, schedules_for
from reports.filings.models import Filing, ImportJob, T1Row, T2Summary, T4Record, T5Row
from reports.filings.tables import (
    FilingTable,
    computed_display,
    form_groups,
    grid_headers,
    grid_rows,
    status_badge,
    t2_panel,
    t4_lines,
    t4_ratios,
)
from reports.filings.xlsx import exporter
from reports.filings.xlsx import template as xlsx_template
from reports.filings.xlsx.writer import XLSX, xlsx_response
from reports.schedules import SCHEDULES
from reports.schedules.base import Issue, Schedule
from reports.schedules.t4 import NARRATIVE, S1, S2, S3, SECTIONS

GRID_PAGE_SIZE = 50
ISSUES_SHOWN = 500
T1_COMPUTED = ("credit_tier", "inclusive", "multi_bank", "category")
ROW_MODELS = {"T1": T1Row, "T5": T5Row}
ROW_FILTERS = {"T1": T1RowFilterSet, "T5": T5RowFilterSet}


# --- fetching a filing through the access module -------------------------------------------

def _filings():
    return Filing.objects.select_related("period", "park__county", "branch__institution", "branch__region", "city", "updated_by")


def _filing_for(request: HttpRequest, pk: int, *, change: bool = False) -> Filing:
    """The filing if the user may see it (else 404); with ``change``, 403 unless the user may edit it."""
    filing = get_object_or_404(access.restrict(request.user, _filings(), access.VIEW), pk=pk)
    if change and not access.can(request.user, access.CHANGE, filing):
        raise PermissionDenied("您没有权限修改此报表。")
    return filing


def _schedule_of(filing: Filing, *, multi_row: bool | None = None) -> Schedule:
    schedule = SCHEDULES.get(filing.schedule)
    if schedule is None or (multi_row is not None and schedule.multi_row != multi_row):
        raise Http404("该报表没有此页面。")
    return schedule


def _filing_ctx(request: HttpRequest, filing: Filing, *, can_change: bool | None = None) -> dict[str, Any]:
    """What the filing header (every filing page) needs."""
    user = request.user
    schedule = SCHEDULES.get(filing.schedule)
    if can_change is None:
        can_change = access.can(user, access.CHANGE, filing)
    today = timezone.localdate()
    period = filing.period
    locked = filing.locked_for(user, today)
    open_status = filing.status in (FilingStatus.DRAFT, FilingStatus.RETURNED)
    from reports.workflow.views import workflow_context

    return workflow_context(user=user, filing=filing) | {
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


def _lock_version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST["lock_version"])
    except (KeyError, TypeError, ValueError):
        return None


def _querystring(request: HttpRequest) -> str:
    """The grid's filter parameters without ``page`` (for the pagination links)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _add_issues_to_form(form, issues: list[Issue]) -> dict[str, list[str]]:
    """Errors land on their field (or the form when filing level); returns warnings per field."""
    warnings: dict[str, list[str]] = {}
    for issue in issues:
        field = issue.column if issue.column in form.fields else None
        if issue.is_error:
            form.add_error(field, issue.message)
        else:
            warnings.setdefault(field or "", []).append(issue.message)
    return warnings


def _mark_fields(form, warnings: dict[str, list[str]]) -> None:
    """Bootstrap classes on the inputs: red for errors, yellow for warnings."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()
    for name in warnings:
        if name in form.fields and name not in form.errors:
            widget = form.fields[name].widget
            widget.attrs["class"] = (widget.attrs.get("class", "") + " is-warning").strip()


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
    form = FilingNewForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            filing = services.filing_open(actor=request.user, schedule=data["schedule"], period=data["period"],
                                          park=data.get("park"))
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return redirect(filing.get_absolute_url())
    return render(request, "reports/filing_new.html", {"form": form, "title": "填报报表"})


@login_required
def filing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _filing_for(request, pk)
    if filing.schedule in ROW_MODELS:
        return _grid_page(request, filing)
    if filing.schedule == "T4":
        return _t4_page(request, filing, editing=False)
    if filing.schedule == "T3":
        from reports.workflow.views import t3_detail

        return t3_detail(request, filing)
    return render(request, "reports/filing_generic.html", _filing_ctx(request, filing))


@login_required
def filing_rows(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _filing_for(request, pk)
    _schedule_of(filing, multi_row=True)
    return _grid_page(request, filing)


# --- T1 / T5 grid --------------------------------------------------------------------------

def _grid_page(request: HttpRequest, filing: Filing) -> HttpResponse:
    schedule = _schedule_of(filing, multi_row=True)
    ctx = _filing_ctx(request, filing)
    rows = ROW_MODELS[filing.schedule].objects.filter(filing=filing).order_by("row_no")
    rowfilter = ROW_FILTERS[filing.schedule](request.GET or None, queryset=rows)
    page = Paginator(rowfilter.qs, GRID_PAGE_SIZE).get_page(request.GET.get("page"))
    computed = T1_COMPUTED if filing.schedule == "T1" else ()
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
    if filing.schedule == "T1":
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


def _grid_url(filing: Filing, *, page: int | None = None, anchor: int | None = None) -> str:
    url = reverse("reports:filing_rows", args=[filing.pk])
    if page and page > 1:
        url += f"?page={page}"
    if anchor:
        url += f"#row-{anchor}"
    return url


def _page_of_row(filing: Filing, row_no: int) -> int:
    """The grid page (unfiltered) on which row ``row_no`` is (or was) shown."""
    before = ROW_MODELS[filing.schedule].objects.filter(filing=filing, row_no__lt=row_no).count()
    return before // GRID_PAGE_SIZE + 1


def _last_page(row_count: int) -> int:
    return max(1, math.ceil(row_count / GRID_PAGE_SIZE))


@login_required
@require_http_methods(["GET", "POST"])
def row_edit(request: HttpRequest, pk: int, row_no: int | None = None) -> HttpResponse:
    filing = _filing_for(request, pk, change=True)
    schedule = _schedule_of(filing, multi_row=True)
    model = ROW_MODELS[filing.schedule]
    row = get_object_or_404(model, filing=filing, row_no=row_no) if row_no is not None else None
    stale: str | None = None
    warnings: dict[str, list[str]] = {}
    if request.method == "POST":
        form = ScheduleRowForm(request.POST, schedule=schedule)
        if form.is_valid():
            try:
                result = services.filing_row_save(actor=request.user, filing=filing, raw_row=form.raw_row(), row_no=row_no,
                                                  expected_lock_version=form.cleaned_data["lock_version"])
            except services.StaleFiling as exc:
                stale = str(exc)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                if result.saved:
                    saved = result.filing
                    name = form.raw_row().get(schedule.columns[0].key) or ""
                    messages.success(request, f"已保存{'第%d行' % row_no if row_no else '新增行'}：{name}")
                    for w in result.warnings:
                        messages.warning(request, f"{schedule.label_of(w.column) or '提示'}：{w.message}")
                    if "_addanother" in request.POST:
                        return redirect("reports:row_add", pk=filing.pk)
                    page = _page_of_row(filing, row_no) if row_no else _last_page(saved.row_count)
                    return redirect(_grid_url(filing, page=page, anchor=row_no))
                warnings = _add_issues_to_form(form, result.issues)
        _mark_fields(form, warnings)
    else:
        initial = ScheduleRowForm.initial_for(schedule, row, filing.lock_version)
        if row is None and filing.schedule == "T5" and request.GET.get("park"):
            initial.update(_t5_initial(filing, request.GET["park"]))
        form = ScheduleRowForm(initial=initial, schedule=schedule)
    ctx = _filing_ctx(request, filing, can_change=True)
    ctx.update({"form": form, "row": row, "row_no": row_no, "stale": stale, "groups": form_groups(schedule, form, warnings),
                "form_warnings": warnings.get("", []),
                "row_name": schedule.columns[0].display(getattr(row, schedule.columns[0].key)) if row is not None else "",
                "computed": _row_computed(schedule, row) if row is not None else [],
                "cancel_url": _grid_url(filing, page=_page_of_row(filing, row_no) if row_no else None, anchor=row_no)})
    return render(request, "reports/row_form.html", ctx)


def _t5_initial(filing: Filing, code: str) -> dict[str, Any]:
    partners = selectors.branch_partner_parks_at(branch_id=filing.branch_id, on=filing.period.end)
    park = partners.get(code.strip().upper())
    if park is None:
        return {}
    return {"park_code": code.strip().upper(), "park_name": park["name"], "role": park["role"],
            "sub_branch": park["sub_branch"], "since": park["since"].isoformat() if park["since"] else ""}


def _row_computed(schedule: Schedule, row: Any) -> list[tuple[str, str]]:
    return [(c.label, computed_display(c, getattr(row, c.key, None)) or "—") for c in schedule.computed]


@login_required
@require_http_methods(["GET", "POST"])
def row_delete(request: HttpRequest, pk: int, row_no: int) -> HttpResponse:
    filing = _filing_for(request, pk, change=True)
    schedule = _schedule_of(filing, multi_row=True)
    row = get_object_or_404(ROW_MODELS[filing.schedule], filing=filing, row_no=row_no)
    name = schedule.columns[0].display(getattr(row, schedule.columns[0].key))
    if request.method == "POST":
        expected = _lock_version(request)
        if expected is None:
            messages.error(request, LOCK_VERSION_MISSING)
        else:
            try:
                saved = services.filing_row_delete(actor=request.user, filing=filing, row_no=row_no, expected_lock_version=expected)
            except services.StaleFiling as exc:
                messages.error(request, str(exc))
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(request, f"已删除第{row_no}行：{name}")
                return redirect(_grid_url(filing, page=min(_page_of_row(filing, row_no), _last_page(saved.row_count))))
        return redirect(_grid_url(filing, page=_page_of_row(filing, row_no), anchor=row_no))
    ctx = _filing_ctx(request, filing, can_change=True)
    ctx.update({"row": row, "row_no": row_no, "name": name, "lines": _row_lines(schedule, row),
                "cancel_url": _grid_url(filing, page=_page_of_row(filing, row_no), anchor=row_no)})
    return render(request, "reports/row_delete.html", ctx)


def _row_lines(schedule: Schedule, row: Any) -> list[tuple[str, str]]:
    return [(c.label, c.display(getattr(row, c.key)) or "—") for c in schedule.columns[:6]]


@login_required
@require_POST
def t5_prefill(request: HttpRequest, pk: int) -> HttpResponse:
    """Fill an empty 附表5 with one row per active partner link of the filer (all or nothing)."""
    filing = _filing_for(request, pk, change=True)
    if filing.schedule != "T5":
        raise Http404("只有附表5可以从伙伴银行关系预填。")
    partners = selectors.branch_partner_parks_at(branch_id=filing.branch_id, on=filing.period.end)
    if not partners:
        messages.warning(request, f"截至 {filing.period.end:%Y-%m-%d} 本机构没有有效的伙伴银行关系，无法预填。")
        return redirect(_grid_url(filing))
    raw_rows = [{"park_code": code, "park_name": p["name"], "role": p["role"], "sub_branch": p["sub_branch"],
                 "since": p["since"].isoformat() if p["since"] else ""} for code, p in partners.items()]
    expected = _lock_version(request)
    if expected is None:
        messages.error(request, LOCK_VERSION_MISSING)
        return redirect(_grid_url(filing))
    try:
        result = services.filing_rows_replace(actor=request.user, filing=filing, raw_rows=raw_rows,
                                              expected_lock_version=expected)
    except services.StaleFiling as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if result.saved:
            messages.success(request, f"已从伙伴银行关系预填 {len(raw_rows)} 个园区，请补充客户经理、授信等信息。")
        else:
            for issue in result.errors[:20]:
                messages.error(request, f"第{issue.row}行 {_t5_label(issue.column)}：{issue.message}" if issue.row else issue.message)
    return redirect(_grid_url(filing))


def _t5_label(key: str) -> str:
    return SCHEDULES["T5"].label_of(key)


@login_required
@require_POST
def filing_explanation(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _filing_for(request, pk, change=True)
    form = ExplanationForm(request.POST)
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
    else:
        try:
            services.filing_explanation_save(actor=request.user, filing=filing, explanation=form.cleaned_data["explanation"],
                                             expected_lock_version=form.cleaned_data["lock_version"])
        except services.StaleFiling as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "提示说明已保存。")
    return redirect(filing.get_absolute_url() + "#issues")


# --- T4 ------------------------------------------------------------------------------------

def _t4_sections(filing: Filing) -> list[tuple[str, str]]:
    branch = filing.branch
    insurer = bool(branch and branch.institution_id and branch.institution.is_insurer)
    wanted = (S3,) if insurer else (S1, S2)
    return [(key, heading) for key, heading in SECTIONS if key in wanted]


def _t4_record(filing: Filing) -> T4Record | None:
    try:
        return filing.t4
    except T4Record.DoesNotExist:
        return None


def _t4_page(request: HttpRequest, filing: Filing, *, editing: bool, form: T4Form | None = None,
             warnings: dict[str, list[str]] | None = None, stale: str | None = None, can_change: bool | None = None) -> HttpResponse:
    schedule = _schedule_of(filing)
    ctx = _filing_ctx(request, filing, can_change=can_change)
    sections = _t4_sections(filing)
    record = _t4_record(filing)
    values = selectors.filing_row_values(filing=filing)
    current = values[0] if values else None
    baseline = selectors.t4_baseline(filing=filing)
    blocks = []
    for key, heading in sections:
        cols = [c for c in schedule.columns if c.section == key]
        lines = t4_lines(cols, current, baseline)
        if editing and form is not None:
            blocks.append((heading, [(line, form[line.column.key], (warnings or {}).get(line.column.key, [])) for line in lines]))
        else:
            blocks.append((heading, [(line, None, []) for line in lines]))
    narrative = []
    for col in NARRATIVE:
        narrative.append((col, form[col.key] if editing and form is not None else (getattr(record, col.key, "") if record else "")))
    insurer = sections == [(S3, SECTIONS[2][1])]
    ctx.update({
        "editing": editing, "form": form, "blocks": blocks, "narrative": narrative, "record": record,
        "baseline_code": filing.period.previous_year_end_code, "has_baseline": baseline is not None,
        "ratios": t4_ratios(current, insurer=insurer), "form_warnings": (warnings or {}).get("", []), "stale": stale,
        "issues": filing.issues[:ISSUES_SHOWN], "issues_more": max(0, len(filing.issues) - ISSUES_SHOWN),
        "explanation_form": ExplanationForm(initial={"explanation": filing.explanation, "lock_version": filing.lock_version}),
    })
    return render(request, "reports/t4.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def t4_edit(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _filing_for(request, pk, change=True)
    if filing.schedule != "T4":
        raise Http404("不是附表4。")
    schedule = SCHEDULES["T4"]
    sections = {key for key, _ in _t4_sections(filing)}
    columns = [c for c in schedule.columns if c.section in sections]
    warnings: dict[str, list[str]] = {}
    stale = None
    if request.method == "POST":
        form = T4Form(request.POST, columns=columns)
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
                warnings = _add_issues_to_form(form, result.issues)
        _mark_fields(form, warnings)
    else:
        record = _t4_record(filing)
        initial: dict[str, Any] = {"lock_version": filing.lock_version}
        for col in columns:
            initial[col.key] = col.form_initial(getattr(record, col.key, None) if record else None)
        for col in NARRATIVE:
            initial[col.key] = getattr(record, col.key, "") if record else ""
        form = T4Form(initial=initial, columns=columns)
    return _t4_page(request, filing, editing=True, form=form, warnings=warnings, stale=stale, can_change=True)


# --- xlsx: template, exports, upload, import jobs ------------------------------------------

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def _filename(filing: Filing, suffix: str) -> str:
    schedule = SCHEDULES.get(filing.schedule)
    number = f"附表{schedule.number}" if schedule else filing.schedule
    subject = _UNSAFE.sub("_", str(filing.subject or ""))
    version = f"_第{filing.version}版" if filing.version > 1 else ""
    return f"{number}_{subject}_{filing.period.code}{version}_{suffix}.xlsx"


@login_required
def filing_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The xlsx template to fill in and upload: for those who may change the filing."""
    filing = _filing_for(request, pk, change=True)
    _schedule_of(filing)
    return xlsx_response(xlsx_template.template_build(filing=filing), _filename(filing, "填报模板"))


@login_required
def filing_export(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _filing_for(request, pk)
    _schedule_of(filing)
    return xlsx_response(exporter.filing_export(filing=filing), _filename(filing, "导出"))


@login_required
def filing_t2_export(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _filing_for(request, pk)
    if filing.schedule != "T1":
        raise Http404("附表2随园区附表1生成。")
    name = _filename(filing, "附表2").replace("附表1_", "附表2_", 1)
    return xlsx_response(exporter.t2_export(filing=filing), name)


@login_required
@require_http_methods(["GET", "POST"])
def filing_upload(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _filing_for(request, pk, change=True)
    _schedule_of(filing)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            from reports.filings import imports

            try:
                job = imports.filing_upload(actor=request.user, filing=filing, name=upload.name, data=upload.read(),
                                            expected_lock_version=form.cleaned_data["lock_version"])
            except services.StaleFiling as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                return redirect(job.get_absolute_url())
    else:
        form = UploadForm(initial={"lock_version": filing.lock_version})
    ctx = _filing_ctx(request, filing, can_change=True)
    ctx.update({"form": form, "max_mb": settings.UPLOAD_MAX_BYTES // 1024 // 1024,
                "recent_jobs": filing.import_jobs.select_related("created_by").order_by("-created_at")[:5]})
    return render(request, "reports/upload.html", ctx)


def _job_for(request: HttpRequest, pk: int) -> ImportJob:
    visible = access.restrict(request.user, Filing.objects.all(), access.VIEW)
    jobs = ImportJob.objects.select_related("filing__period", "filing__park", "filing__branch", "filing__city", "created_by")
    return get_object_or_404(jobs.filter(filing__in=visible), pk=pk)


def _job_ctx(job: ImportJob) -> dict[str, Any]:
    result = job.result or {}
    issues = result.get("issues") or []
    errors = sum(1 for i in issues if i.get("level") == "error")
    return {
        "job": job,
        "result": result,
        "running": job.status in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING),
        "issues": issues[:ISSUES_SHOWN],
        "issues_more": max(0, len(issues) - ISSUES_SHOWN),
        "error_count": errors,
        "warning_count": len(issues) - errors,
        "counts": _job_counts(job, result),
    }


def _job_counts(job: ImportJob, result: dict[str, Any]) -> list[tuple[str, Any]]:
    counts: list[tuple[str, Any]] = [("数据行数", job.total_rows)]
    if job.status == ImportJob.Status.DONE:
        counts += [(label, result.get(key) or 0) for key, label in
                   (("created", "新增"), ("updated", "修改"), ("unchanged", "未变"), ("deleted", "删除"))]
    return counts


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    filing = _filing_for(request, job.filing_id)
    ctx = _filing_ctx(request, filing)
    ctx.update(_job_ctx(job))
    return render(request, "reports/import_job.html", ctx)


@login_required
def import_job_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    return render(request, "reports/_job_status.html", _job_ctx(job))


@login_required
def import_job_annotated(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    if not job.annotated:
        raise Http404("该导入没有错误标注文件。")
    stem = re.sub(r"\.xlsx$", "", job.original_name, flags=re.I) or "上传文件"
    return FileResponse(job.annotated.open("rb"), as_attachment=True, filename=f"{stem}_错误标注.xlsx", content_type=XLSX)
