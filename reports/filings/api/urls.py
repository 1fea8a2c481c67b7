from rest_framework.routers import DefaultRouter

from reports.filings.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("periods", views.PeriodViewSet, basename="period")
router.register("filings", views.FilingViewSet, basename="filing")
router.register("import-jobs", views.ImportJobViewSet, basename="importjob")
router.register("summaries/parks", views.ParkSummaryViewSet, basename="parksummary")
router.register("summaries/cities", views.CitySummaryViewSet, basename="citysummary")
router.register("summaries/province", views.ProvinceSummaryViewSet, basename="provincesummary")
if getattr(views, "TargetResultViewSet", None) is not None:
    router.register("target-results", views.TargetResultViewSet, basename="targetresult")

urlpatterns = router.urls
