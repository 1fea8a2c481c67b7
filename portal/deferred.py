"""Tasks enqueued when a transaction commits, without making a request wait for them.

With a real worker a task is sent to the broker on commit, as usual. Under eager Celery (``make
run``, the tests' default) an eager task would run inside the request that enqueued it — an
approval's roll-ups would be paid by the user who approved. Here, during a request, eager tasks
enqueued on commit are collected (the same task with the same arguments once) and run on
``request_finished``, after the response has been handed to the server; outside requests (a command,
a worker, a test) they run on commit as before."""
from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)
_local = threading.local()


def enqueue(task: Any, args: tuple, *, countdown: float | None = None) -> None:
    """Send ``task(*args)`` now, or keep it for the end of the current request (eager mode)."""
    pending = getattr(_local, "pending", None)
    if pending is not None and task.app.conf.task_always_eager:
        pending.setdefault((task.name, tuple(args)), task)
        return
    task.apply_async(tuple(args), countdown=countdown)


def enqueue_on_commit(task: Any, args: tuple, *, countdown: float | None = None) -> None:
    """``enqueue`` when the surrounding transaction commits (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task, args, countdown=countdown))


def running_after_response() -> bool:
    """True while the tasks kept for the end of a request run (the response is already out)."""
    return getattr(_local, "flushing", False)


def request_started_receiver(sender: Any, **kwargs: Any) -> None:
    _local.pending = {}


def request_finished_receiver(sender: Any, **kwargs: Any) -> None:
    """Run the eager tasks the request enqueued; what they enqueue in turn runs at once."""
    pending, _local.pending = getattr(_local, "pending", None), None
    if not pending:
        return
    _local.flushing = True
    try:
        for (_, args), task in pending.items():
            try:
                task.apply_async(args)
            except Exception:  # the response is out: a failed roll-up is logged (the beat job retries it)
                log.exception("deferred task %s%r failed", task.name, args)
    finally:
        _local.flushing = False
