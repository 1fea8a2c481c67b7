"""Celery finds an app's tasks in ``<app>.tasks`` (``portal.celery`` autodiscovers them). The reports
app keeps each task beside the stage that owns it; importing those modules here registers them
(their names stay ``reports.<stage>.<module>.<task>``)."""
from reports.filings import export_jobs, imports  # noqa: F401  (large exports, the xlsx import task)
from reports.monitoring import reconciliation, risk  # noqa: F401  (reconciliation and risk-signal rebuilds)
from reports.summaries import reminders, rollups  # noqa: F401  (reminders, the roll-up refresh)
