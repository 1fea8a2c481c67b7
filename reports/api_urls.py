"""The reports API under /api/v1/: each stage's endpoints on one router (this module, like
``reports/urls.py``, only wires the stages together)."""
from rest_framework.routers import DefaultRouter

from reports.filings.api import views as filings
from reports.monitoring.api import views as monitoring
from reports.summaries.api import views as summaries
from reports.targets.api import views as targets
from reports.workflow.api import views as workflow

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("periods", filings.PeriodViewSet, basename="period")
router.register("filings", workflow.FilingViewSet, basename="filing")
router.register("import-jobs", filings.ImportJobViewSet, basename="importjob")
router.register("summaries/parks", summaries.ParkSummaryViewSet, basename="parksummary")
router.register("summaries/cities", summaries.CitySummaryViewSet, basename="citysummary")
router.register("summaries/province", summaries.ProvinceSummaryViewSet, basename="provincesummary")
router.register("reconciliation-items", monitoring.ReconciliationItemViewSet, basename="reconciliationitem")
router.register("risk-signals", monitoring.RiskSignalViewSet, basename="risksignal")
router.register("target-results", targets.TargetResultViewSet, basename="targetresult")

urlpatterns = router.urls
