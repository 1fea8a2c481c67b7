from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from portal import access
from reports.filings import export_jobs, imports, services
from reports.filings.choices import ScheduleCode
from reports.filings.forms import UploadForm
from reports.filings.models import ExportJob, Filing, ImportJob
from reports.filings.views import ISSUES_SHOWN, filing_for_request, filing_page_context, schedule_of_page
from reports.filings.xlsx import exporter
from reports.filings.xlsx import template as xlsx_template
from reports.filings.xlsx.writer import XLSX, xlsx_file_response, xlsx_response
from reports.schedules import SCHEDULES

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
    filing = filing_for_request(request, pk, change=True)
    schedule_of_page(filing)
    return xlsx_response(xlsx_template.template_build(filing=filing), _filename(filing, "填报模板"))


@login_required
def filing_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Streamed at once; a large 附表1/5 gets a page that starts an export job instead."""
    filing = filing_for_request(request, pk)
    schedule_of_page(filing)
    if export_jobs.export_job_needed(filing=filing):
        ctx = filing_page_context(request, filing)
        ctx.update({"threshold": settings.EXPORT_ASYNC_ROWS, "keep_days": settings.EXPORT_KEEP_DAYS,
                    "export_jobs": filing.export_jobs.select_related("created_by").order_by("-created_at")[:5]})
        return render(request, "reports/export_start.html", ctx)
    return xlsx_file_response(exporter.filing_export_file(filing=filing), _filename(filing, "导出"))


@login_required
@require_http_methods(["POST"])
def filing_export_start(request: HttpRequest, pk: int) -> HttpResponse:
    filing = filing_for_request(request, pk)
    schedule_of_page(filing)
    if not export_jobs.export_job_needed(filing=filing):
        return redirect("reports:filing_export", pk=filing.pk)
    return redirect(export_jobs.export_job_start(actor=request.user, filing=filing).get_absolute_url())


def _export_job_for(request: HttpRequest, pk: int) -> ExportJob:
    visible = access.restrict(request.user, Filing.objects.all(), access.VIEW)
    jobs = ExportJob.objects.select_related("filing", "created_by")
    return get_object_or_404(jobs.filter(filing__in=visible), pk=pk)


def _export_ctx(job: ExportJob) -> dict[str, Any]:
    return {"job": job, "running": job.status in (ExportJob.Status.PENDING, ExportJob.Status.RUNNING),
            "stale": job.lock_version != job.filing.lock_version, "keep_days": settings.EXPORT_KEEP_DAYS}


@login_required
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _export_job_for(request, pk)
    ctx = filing_page_context(request, filing_for_request(request, job.filing_id))
    ctx.update(_export_ctx(job))
    return render(request, "reports/export_job.html", ctx)


@login_required
def export_job_status(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "reports/_export_job_status.html", _export_ctx(_export_job_for(request, pk)))


@login_required
def export_job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _export_job_for(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("导出文件尚未生成或已过期删除。")
    filing = filing_for_request(request, job.filing_id)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=_filename(filing, "导出"), content_type=XLSX)


@login_required
def filing_t2_export(request: HttpRequest, pk: int) -> HttpResponse:
    filing = filing_for_request(request, pk)
    if filing.schedule != ScheduleCode.T1:
        raise Http404("附表2随园区附表1生成。")
    name = _filename(filing, "附表2").replace("附表1_", "附表2_", 1)
    return xlsx_response(exporter.t2_export(filing=filing), name)


@login_required
@require_http_methods(["GET", "POST"])
def filing_upload(request: HttpRequest, pk: int) -> HttpResponse:
    filing = filing_for_request(request, pk, change=True)
    schedule_of_page(filing)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
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
    ctx = filing_page_context(request, filing, can_change=True)
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
    filing = filing_for_request(request, job.filing_id)
    ctx = filing_page_context(request, filing)
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

