"""What the workflow stage tells later stages (they connect in ``ReportsConfig.ready``)."""
from django.dispatch import Signal

# Sent on commit after every workflow step (submit, confirm, approve, return, amend, reopen): ``filing``.
filing_transitioned = Signal()
