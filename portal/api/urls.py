"""/api/v1/: regions, organisations, me."""
from django.urls import path
from rest_framework.routers import DefaultRouter

from portal.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("regions", views.RegionViewSet, basename="region")
router.register("organisations", views.OrganisationViewSet, basename="organisation")

urlpatterns = [path("me/", views.MeView.as_view(), name="me"), *router.urls]
