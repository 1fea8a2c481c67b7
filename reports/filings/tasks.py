"""Celery entry points of the reports app."""
from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, autoretry_for=(OperationalError,), retry_backoff=True,
             max_retries=3)
def import_job_run(self, job_id: int) -> str:
    """Process a queued xlsx import (large uploads). Idempotent: a job that is already done or
    failed is not processed again, so a redelivered message is harmless; a job interrupted while
    running is processed again from its stored file (the save itself is all or nothing)."""
    from reports.filings.imports import import_job_process
    from reports.filings.models import ImportJob

    if not ImportJob.objects.filter(pk=job_id).exists():
        return "missing"
    return import_job_process(job_id).status
