"""What the filings stage tells later stages (they connect in ``ReportsConfig.ready``)."""
from django.dispatch import Signal

# The figures that approved 附表1 count moved (a register change, or a workflow step that approved a
# 附表1 or replaced the approved one), in the sender's transaction: ``park_id``, ``city_code``,
# ``period_ids``; ``refresh=False`` when the sender requests the roll-ups of those periods itself.
approved_figures_changed = Signal()
