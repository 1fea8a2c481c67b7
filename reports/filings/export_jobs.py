"""Exports of large filings in a Celery task, with a progress bar and a download link.

A 附表1 / 附表5 of up to ``settings.EXPORT_ASYNC_ROWS`` rows is streamed to the browser at once
(``views_xlsx.filing_export``). A larger one is written by :func:`export_job_run` (the same
``exporter.filing_export_file``: chunked reads, constant memory) into a stored file that the
filing's readers download from the job's page; the page polls the progress. A job already
queued or written for the same version of the filing is reused, so a second click costs nothing.
Files are deleted after ``settings.EXPORT_KEEP_DAYS`` days (beat, :func:`export_jobs_purge_task`)."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Iterator

from celery import shared_task
from django.conf import settings
from django.core.files import File
from django.db import OperationalError
from django.utils import timezone

from portal import deferred
from reports.filings.choices import ScheduleCode
from reports.filings.models import ExportJob, Filing
from reports.filings.xlsx import exporter

__all__ = ["export_job_needed", "export_job_start", "export_job_process", "export_jobs_purge"]

log = logging.getLogger(__name__)
PROGRESS_EVERY = 2000  # rows between two progress writes
WRITTEN = 99  # all rows read; the file is being stored


def export_job_needed(*, filing: Filing) -> bool:
    """Whether the filing's export is too large to be written while the browser waits."""
    return filing.schedule in (ScheduleCode.T1, ScheduleCode.T5) and filing.row_count > settings.EXPORT_ASYNC_ROWS


def export_job_start(*, actor, filing: Filing) -> ExportJob:
    """Queue the export of this version of the filing (after commit), or return the job already
    queued, running or done for it."""
    reusable = ExportJob.objects.filter(filing=filing, lock_version=filing.lock_version,
                                        status__in=[ExportJob.Status.PENDING, ExportJob.Status.RUNNING, ExportJob.Status.DONE])
    job = reusable.order_by("-created_at").first()
    if job is not None:
        return job
    job = ExportJob.objects.create(filing=filing, lock_version=filing.lock_version, created_by=actor, total_rows=filing.row_count)
    deferred.enqueue_on_commit(export_job_run, (job.pk,))  # eager (make run): after the response, not inside it
    return job


def _counted(rows: Iterator[dict], job_id: int, total: int) -> Iterator[dict]:
    for n, row in enumerate(rows, start=1):
        if n % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job_id).update(progress=min(WRITTEN, n * 100 // max(total, 1)))
        yield row


def export_job_process(*, job_id: int) -> ExportJob:
    """Write the job's file (idempotent: a done or failed job is left as it is; one interrupted
    while running is written again from the start)."""
    job = ExportJob.objects.select_related("filing__period", "filing__park", "filing__branch", "filing__city").get(pk=job_id)
    if job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, progress=0)
    filing = job.filing
    try:
        with exporter.filing_export_file(filing=filing, rows_wrap=lambda rows: _counted(rows, job.pk, job.total_rows)) as fh:
            job.file.save(f"export_{job.pk}.xlsx", File(fh), save=False)
    except OperationalError:
        raise  # the database went away: the task is retried
    except Exception as exc:  # the job says it failed rather than staying “生成中” for ever
        log.exception("export job %s failed", job.pk)
        job.status, job.error = ExportJob.Status.FAILED, str(exc)[:500]
    else:
        job.status, job.progress = ExportJob.Status.DONE, 100
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "status", "progress", "error", "finished_at"])
    return job


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, autoretry_for=(OperationalError,), retry_backoff=True,
             max_retries=3)
def export_job_run(self, job_id: int) -> str:
    if not ExportJob.objects.filter(pk=job_id).exists():
        return "missing"
    return export_job_process(job_id=job_id).status


def export_jobs_purge(*, now=None) -> int:
    """Delete the jobs (and their files) older than ``EXPORT_KEEP_DAYS`` days."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EXPORT_KEEP_DAYS)
    old = list(ExportJob.objects.filter(created_at__lt=cutoff))
    for job in old:
        if job.file:
            job.file.delete(save=False)
        job.delete()
    return len(old)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def export_jobs_purge_task() -> int:
    return export_jobs_purge()
