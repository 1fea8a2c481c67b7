from rest_framework.routers import DefaultRouter

from parks.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("parks", views.ParkViewSet, basename="park")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("tenancies", views.TenancyViewSet, basename="tenancy")
router.register("partner-links", views.PartnerLinkViewSet, basename="partnerlink")
router.register("brain-readings", views.BrainReadingViewSet, basename="brainreading")

urlpatterns = router.urls
