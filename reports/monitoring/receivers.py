"""The events the monitoring stage listens to (connected in ``ReportsConfig.ready``): each
enqueues its idempotent rebuild on commit, by ids."""
from __future__ import annotations

from django.db import transaction

from reports.filings.choices import ScheduleCode
from reports.filings.models import Filing
from reports.monitoring.reconciliation import parks_of_filing, reconciliation_rebuild_task
from reports.monitoring.risk import risk_signals_task


def filing_transitioned_receiver(sender, *, filing: Filing, **kwargs) -> None:
    """A 附表1 / 附表5 moved (approved, returned, amended…): its parks' reconciliation is rebuilt;
    a 附表1 also changes the loans the park's risk signals read."""
    if filing.schedule not in (ScheduleCode.T1, ScheduleCode.T5):
        return
    period_id, park_ids = filing.period_id, parks_of_filing(filing)
    if park_ids:
        transaction.on_commit(lambda: reconciliation_rebuild_task.delay(period_id, park_ids))
    if filing.schedule == ScheduleCode.T1:
        park_id = filing.park_id
        transaction.on_commit(lambda: risk_signals_task.delay(park_id))


def readings_changed_receiver(sender, *, park_id: int, months=(), **kwargs) -> None:
    """园区大脑 readings of ``park_id`` were saved: its signals are recomputed after the commit."""
    transaction.on_commit(lambda: risk_signals_task.delay(park_id))
