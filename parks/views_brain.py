"""The enterprise page with its 园区大脑 readings (pushed over the REST API) beside the register,
scoped by ``portal.access`` like everything else."""
from __future__ import annotations

from typing import Any

from parks.models import BrainReading
from parks.views import EnterpriseDetailView
from portal import access

BRAIN_MONTHS_SHOWN = 24


class BrainReadingsMixin:
    """Adds ``brain_readings``: the enterprise's latest monthly readings the user may see."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        readings = BrainReading.objects.filter(enterprise=self.object).select_related("park").order_by("-month", "park__code")
        ctx["brain_readings"] = list(access.restrict(self.request.user, readings, access.VIEW)[:BRAIN_MONTHS_SHOWN])
        ctx["brain_months_shown"] = BRAIN_MONTHS_SHOWN
        return ctx


class EnterpriseBrainDetailView(BrainReadingsMixin, EnterpriseDetailView):
    pass
