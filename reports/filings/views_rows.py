from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from reports.filings import selectors, services
from reports.filings.choices import ScheduleCode
from reports.filings.forms import LOCK_VERSION_MISSING, ExplanationForm, ScheduleRowForm
from reports.filings.models import ROW_MODELS, Filing
from reports.filings.tables import (
    computed_display,
    form_groups,
)
from reports.filings.views import (
    add_issues_to_form,
    filing_for_request,
    filing_page_context,
    grid_url,
    last_page,
    mark_fields,
    page_of_row,
    posted_lock_version,
    schedule_of_page,
    start_from_previous,
)
from reports.schedules import SCHEDULES
from reports.schedules.base import Schedule


@login_required
@require_http_methods(["GET", "POST"])
def row_edit(request: HttpRequest, pk: int, row_no: int | None = None) -> HttpResponse:
    filing = filing_for_request(request, pk, change=True)
    schedule = schedule_of_page(filing, multi_row=True)
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
                    page = page_of_row(filing, row_no) if row_no else last_page(saved.row_count)
                    return redirect(grid_url(filing, page=page, anchor=row_no))
                warnings = add_issues_to_form(form, result.issues)
        mark_fields(form, warnings)
    else:
        initial = ScheduleRowForm.initial_for(schedule, row, filing.lock_version)
        if row is None and filing.schedule == ScheduleCode.T5 and request.GET.get("park"):
            initial.update(_t5_initial(filing, request.GET["park"]))
        form = ScheduleRowForm(initial=initial, schedule=schedule)
    ctx = filing_page_context(request, filing, can_change=True)
    ctx.update({"form": form, "row": row, "row_no": row_no, "stale": stale, "groups": form_groups(schedule, form, warnings),
                "form_warnings": warnings.get("", []),
                "row_name": schedule.columns[0].display(getattr(row, schedule.columns[0].key)) if row is not None else "",
                "computed": _row_computed(schedule, row) if row is not None else [],
                "cancel_url": grid_url(filing, page=page_of_row(filing, row_no) if row_no else None, anchor=row_no)})
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
    filing = filing_for_request(request, pk, change=True)
    schedule = schedule_of_page(filing, multi_row=True)
    row = get_object_or_404(ROW_MODELS[filing.schedule], filing=filing, row_no=row_no)
    name = schedule.columns[0].display(getattr(row, schedule.columns[0].key))
    if request.method == "POST":
        expected = posted_lock_version(request)
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
                return redirect(grid_url(filing, page=min(page_of_row(filing, row_no), last_page(saved.row_count))))
        return redirect(grid_url(filing, page=page_of_row(filing, row_no), anchor=row_no))
    ctx = filing_page_context(request, filing, can_change=True)
    ctx.update({"row": row, "row_no": row_no, "name": name, "lines": _row_lines(schedule, row),
                "cancel_url": grid_url(filing, page=page_of_row(filing, row_no), anchor=row_no)})
    return render(request, "reports/row_delete.html", ctx)


def _row_lines(schedule: Schedule, row: Any) -> list[tuple[str, str]]:
    return [(c.label, c.display(getattr(row, c.key)) or "—") for c in schedule.columns[:6]]


@login_required
@require_POST
def t5_prefill(request: HttpRequest, pk: int) -> HttpResponse:
    """Fill an empty 附表5 with one row per active partner link of the filer (all or nothing)."""
    filing = filing_for_request(request, pk, change=True)
    if filing.schedule != ScheduleCode.T5:
        raise Http404("只有附表5可以从伙伴银行关系预填。")
    raw_rows = selectors.branch_partner_rows_at(branch_id=filing.branch_id, on=filing.period.end)
    if not raw_rows:
        messages.warning(request, f"截至 {filing.period.end:%Y-%m-%d} 本机构没有有效的伙伴银行关系，无法预填。")
        return redirect(grid_url(filing))
    expected = posted_lock_version(request)
    if expected is None:
        messages.error(request, LOCK_VERSION_MISSING)
        return redirect(grid_url(filing))
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
    return redirect(grid_url(filing))


@login_required
@require_POST
def filing_start(request: HttpRequest, pk: int) -> HttpResponse:
    """从上期带入 on an empty 附表1 / 附表5 (the button on the empty grid)."""
    filing = filing_for_request(request, pk, change=True)
    schedule_of_page(filing, multi_row=True)
    expected = posted_lock_version(request)
    if expected is None:
        messages.error(request, LOCK_VERSION_MISSING)
        return redirect(grid_url(filing))
    return start_from_previous(request, filing, expected_lock_version=expected)


@login_required
def filing_started(request: HttpRequest, pk: int) -> HttpResponse:
    """The result of 从上期带入: where it started from, the register's new rows (figures to fill in)
    and the rows left out (已退园，未带入)."""
    filing = filing_for_request(request, pk)
    summary = request.session.get(f"started:{filing.pk}")
    if not summary:
        return redirect(filing.get_absolute_url())
    ctx = filing_page_context(request, filing)
    ctx.update({"started": summary, "grid_url": grid_url(filing), "t1": filing.schedule == ScheduleCode.T1})
    return render(request, "reports/filing_started.html", ctx)


def _t5_label(key: str) -> str:
    return SCHEDULES[ScheduleCode.T5].label_of(key)


@login_required
@require_POST
def filing_explanation(request: HttpRequest, pk: int) -> HttpResponse:
    filing = filing_for_request(request, pk, change=True)
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

