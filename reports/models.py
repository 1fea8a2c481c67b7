"""Django imports ``<app>.models`` to find an app's models. The ``reports`` app keeps its models in
the stage that owns them (filings, workflow, summaries, targets); this module only gathers them for
Django. Code imports a model from its stage, never from here."""
from reports.filings.models import ExportJob, Filing, ImportJob, Period, QualityThreshold, T1Row, T2Summary, T4Record, T5Row  # noqa: F401
from reports.monitoring.models import ReconciliationComment, ReconciliationItem, RiskSignal  # noqa: F401
from reports.summaries.models import ParkSummary, ReminderLog, Summary  # noqa: F401
from reports.targets.models import Target, TargetResult, TargetSet  # noqa: F401
from reports.workflow.models import FilingTransition  # noqa: F401
