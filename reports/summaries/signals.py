"""What the summaries stage tells later stages (they connect in ``ReportsConfig.ready``)."""
from django.dispatch import Signal

# The province summary of ``period_id`` was rebuilt (the target results follow it).
province_summary_built = Signal()
