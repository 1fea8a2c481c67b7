"""What the filings stage tells later stages (they connect in ``ReportsConfig.ready``)."""
from django.dispatch import Signal

# A register change moved figures that approved 附表1 already count: ``city_code``, ``period_ids``.
approved_figures_changed = Signal()
