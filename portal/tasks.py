"""Portal-wide background jobs."""
from celery import shared_task
from django.core import management


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sessions_clear_expired() -> None:
    """Drop expired sessions (idempotent)."""
    management.call_command("clearsessions")


@shared_task
def ping() -> str:
    """A health check that proves a worker is consuming the broker."""
    return "pong"
