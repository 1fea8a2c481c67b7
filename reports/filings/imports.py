"""xlsx uploads into a filing, recorded as ImportJobs.

``filing_upload`` checks the file (size, zip bomb, xlsx not xlsm, ...) and the user's right to
change the filing, reads the rows, and either processes them at once or — over
``settings.IMPORT_ASYNC_ROWS`` data rows — stores the file and queues ``import_job_run`` (below)
after the transaction commits. Both paths end in :func:`import_job_process`, which saves through
the same service functions as the web grid and the REST API (all or nothing) and keeps the job's
progress, result and, when there are errors, an annotated copy of the workbook.
"""
from __future__ import annotations

import logging
import os
import re
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.utils import timezone

from portal import access
from portal.gcpause import gc_paused
from reports.filings import services
from reports.filings.choices import ScheduleCode
from reports.filings.models import Filing, ImportJob
from reports.filings.upload_safety import UploadRejected, check_xlsx_upload
from reports.filings.xlsx.annotate import annotate_workbook
from reports.filings.xlsx.reader import ReadResult, read_rows
from reports.schedules import SCHEDULES
from reports.schedules.parsing import normalise_text

__all__ = ["filing_upload", "import_job_process", "issue_text"]

log = logging.getLogger(__name__)

READ_DONE, SAVED, DONE = 20, 60, 100
INTERNAL_ERROR = "导入时发生系统错误，数据未保存。请稍后重试或联系管理员。"


def _clean_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip() or "upload.xlsx"
    return base[-200:]


def _set_progress(job_id: int, value: int) -> None:
    ImportJob.objects.filter(pk=job_id).update(progress=max(0, min(100, int(value))))


def issue_text(issue: dict[str, Any]) -> str:
    """One issue as a sentence naming the row, the column label and the value."""
    parts = []
    if issue.get("row"):
        parts.append(f"第{issue['row']}行")
    if issue.get("name"):
        parts.append(f"（{issue['name']}）")
    if issue.get("label"):
        parts.append(f"“{issue['label']}”")
    text = "".join(parts)
    text = f"{text}：{issue.get('message', '')}" if text else issue.get("message", "")
    if issue.get("value") not in (None, ""):
        text += f"（填写值：{issue['value']}）"
    return text


def _typed(raw: Any) -> str:
    """A cell value as the person typed it (numbers without a float's trailing ``.0``)."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw.strip()
    return normalise_text(raw) or ""


_ROW_REF = re.compile(r"第(\d+)行")


def _excel_rows_in_message(message: str, row_numbers: list[int]) -> str:
    """Set rules word references to other rows by their position in the row set (“与第1行重复”);
    services renumber ``Issue.row`` to Excel rows but not the message, so map those here too.
    (If filings.services starts renumbering messages itself, drop this.)"""
    def excel(match: re.Match) -> str:
        n = int(match.group(1))
        return f"第{row_numbers[n - 1]}行" if 1 <= n <= len(row_numbers) else match.group(0)

    return _ROW_REF.sub(excel, message)


def _issue_dicts(issues: list[dict[str, Any]], read: ReadResult | None, *, t4: bool) -> list[dict[str, Any]]:
    """Issue dicts with the Excel row, the cell reference, the value AS TYPED in the file (the
    rules report canonical values: ``True`` for 是, ``400.00`` for 400) and a full sentence."""
    raw_by_row: dict[int, dict[str, Any]] = {}
    if read is not None and not t4:
        raw_by_row = dict(zip(read.row_numbers, read.raw_rows))
    out = []
    for d in issues:
        d = dict(d)
        column = d.get("column") or ""
        raw_row = None
        if t4 and read is not None:
            # T4 is one record: the rules number it row 1; the sheet has one row per indicator.
            d["row"] = read.key_rows.get(column) if column else None
            raw_row = read.raw_rows[0] if read.raw_rows and d["row"] else None
        elif d.get("row"):
            raw_row = raw_by_row.get(d["row"])
            if read is not None and read.row_numbers:
                d["message"] = _excel_rows_in_message(d.get("message") or "", read.row_numbers)
        if raw_row is not None and column in raw_row:
            d["value"] = _typed(raw_row[column])
        letter = read.column_letters.get(column) if read is not None else None
        d["cell"] = f"{letter}{d['row']}" if letter and d.get("row") else ""
        d["text"] = issue_text(d)
        out.append(d)
    return out


@gc_paused()  # a bulk path (portal.gcpause)
def filing_upload(
    *,
    actor,
    filing: Filing,
    name: str,
    data: bytes,
    expected_lock_version: int | None = None,
) -> ImportJob:
    """Upload an xlsx into ``filing``. Raises PermissionDenied (nothing stored) when ``actor`` may
    not change the filing; every other problem ends in a failed ImportJob with a clear message."""
    rejected: UploadRejected | None = None
    try:
        check_xlsx_upload(name=name, data=data)
    except UploadRejected as exc:
        rejected = exc
    if not access.can(actor, access.CHANGE, filing):
        raise PermissionDenied("您没有权限修改此报表。")

    job = ImportJob(filing=filing, created_by=actor, original_name=_clean_name(name),
                    expected_lock_version=expected_lock_version)
    schedule = SCHEDULES.get(filing.schedule)
    message = None
    if rejected is not None:
        message = rejected.message
    elif schedule is None:
        message = f"{filing.get_schedule_display()}由系统生成，不能上传。"
    if message is not None:
        job.status, job.progress, job.finished_at = ImportJob.Status.FAILED, DONE, timezone.now()
        job.result = {"saved": False, "rejected": message, "code": getattr(rejected, "code", "not_uploadable"), "issues": []}
        job.save()
        return job

    job.status = ImportJob.Status.RUNNING
    job.save()
    read = read_rows(schedule=schedule, data=data)
    job.total_rows = len(read.raw_rows)
    if read.ok and job.total_rows > settings.IMPORT_ASYNC_ROWS:
        job.upload.save(job.original_name, ContentFile(data), save=False)
        job.status, job.progress = ImportJob.Status.PENDING, 0
        job.save(update_fields=["upload", "status", "progress", "total_rows"])
        job_id = job.pk

        transaction.on_commit(lambda: import_job_run.delay(job_id))
        return job
    ImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows)
    return import_job_process(job.pk, data=data, read=read)


@gc_paused()
def import_job_process(job_id: int, *, data: bytes | None = None, read: ReadResult | None = None) -> ImportJob:
    """Process one import job (the Celery task and the synchronous path both call this).
    A job that is already done or failed is returned unchanged (idempotent)."""
    job = ImportJob.objects.select_related("filing", "created_by").get(pk=job_id)
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    try:
        return _process(job, data=data, read=read)
    except OperationalError:
        # A database hiccup: the task retries (autoretry_for); the save itself was atomic.
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.PENDING)
        raise
    except Exception:
        log.exception("import job %s failed", job.pk)
        return _finish(job, {"saved": False, "rejected": INTERNAL_ERROR, "issues": []})


def _finish(job: ImportJob, result: dict[str, Any], *, annotated: bytes | None = None) -> ImportJob:
    result = {"saved": False, "created": 0, "updated": 0, "unchanged": 0, "deleted": 0, "issues": [], "rejected": None, **result}
    issues = result["issues"]
    result["errors"] = sum(1 for i in issues if i.get("level") == "error")
    result["warnings"] = sum(1 for i in issues if i.get("level") == "warning")
    job.refresh_from_db(fields=["total_rows"])
    job.result = result
    job.status = ImportJob.Status.DONE if result["saved"] else ImportJob.Status.FAILED
    job.progress = DONE
    job.finished_at = timezone.now()
    fields = ["result", "status", "progress", "finished_at"]
    if annotated is not None:
        stem = os.path.splitext(job.original_name)[0][:80] or "upload"
        job.annotated.save(f"{stem}-错误标注.xlsx", ContentFile(annotated), save=False)
        fields.append("annotated")
    job.save(update_fields=fields)
    return job


def _annotated(data: bytes | None, issues: list[dict[str, Any]], read: ReadResult) -> bytes | None:
    if data is None:
        return None
    try:
        return annotate_workbook(data=data, issues=issues, column_letters=read.column_letters)
    except Exception:  # an annotated copy is a courtesy; never let it hide the result
        log.exception("annotating import job failed")
        return None


def _process(job: ImportJob, *, data: bytes | None, read: ReadResult | None) -> ImportJob:
    filing = job.filing
    schedule = SCHEDULES[filing.schedule]
    t4 = filing.schedule == ScheduleCode.T4
    if data is None and (read is None or read.errors):
        with job.upload.open("rb") as fh:
            data = fh.read()
    if read is None:
        job_id = job.pk

        def progress(done: int, total: int) -> None:
            _set_progress(job_id, READ_DONE * done // max(total, 1))

        read = read_rows(schedule=schedule, data=data, progress=progress)
        ImportJob.objects.filter(pk=job.pk).update(total_rows=len(read.raw_rows))
    _set_progress(job.pk, READ_DONE)
    if read.errors:
        issues = _issue_dicts(read.issue_dicts(), read, t4=False)
        return _finish(job, {"issues": issues}, annotated=_annotated(data, issues, read))

    actor = job.created_by
    try:
        if actor is None:
            raise PermissionDenied("上传人账号已不存在。")
        if t4:
            saved = services.filing_t4_save(actor=actor, filing=filing, raw_values=read.raw_rows[0], narrative=read.narrative,
                                            expected_lock_version=job.expected_lock_version)
        else:
            saved = services.filing_rows_replace(actor=actor, filing=filing, raw_rows=read.raw_rows, row_numbers=read.row_numbers,
                                                 expected_lock_version=job.expected_lock_version)
    except services.StaleFiling as exc:
        return _finish(job, {"rejected": str(exc)})
    except ValidationError as exc:
        return _finish(job, {"rejected": "；".join(exc.messages)})
    except PermissionDenied as exc:
        return _finish(job, {"rejected": str(exc) or "您没有权限修改此报表。"})
    _set_progress(job.pk, SAVED)
    issues = _issue_dicts(saved.issue_dicts(), read, t4=t4)
    result = {"saved": saved.saved, "created": saved.created, "updated": saved.updated, "unchanged": saved.unchanged,
              "deleted": saved.deleted, "issues": issues, "rejected": None}
    annotated = None
    if saved.errors:
        if data is None:
            with job.upload.open("rb") as fh:
                data = fh.read()
        annotated = _annotated(data, issues, read)
    return _finish(job, result, annotated=annotated)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, autoretry_for=(OperationalError,), retry_backoff=True,
             max_retries=3)
def import_job_run(self, job_id: int) -> str:
    """Process a queued xlsx import (large uploads). Idempotent: a job that is already done or
    failed is not processed again, so a redelivered message is harmless; a job interrupted while
    running is processed again from its stored file (the save itself is all or nothing)."""
    if not ImportJob.objects.filter(pk=job_id).exists():
        return "missing"
    return import_job_process(job_id).status
