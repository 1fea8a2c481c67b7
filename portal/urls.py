from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import health, views, views_profile
from portal.login import PortalLoginView

portal_patterns = (
    [
        path("regions/", views.RegionListView.as_view(), name="region_list"),
        path("regions/<int:pk>/", views.RegionDetailView.as_view(), name="region_detail"),
        path("organisations/", views.OrganisationListView.as_view(), name="organisation_list"),
        path("organisations/add/", views.OrganisationCreateView.as_view(), name="organisation_add"),
        path("organisations/<int:pk>/", views.OrganisationDetailView.as_view(), name="organisation_detail"),
        path("organisations/<int:pk>/edit/", views.OrganisationEditView.as_view(), name="organisation_edit"),
        path("organisations/<int:pk>/history/", views.OrganisationHistoryView.as_view(), name="organisation_history"),
        path("users/<int:pk>/unlock/", views.user_unlock_view, name="user_unlock"),
    ],
    "portal",
)

handler400 = "portal.views.bad_request"

admin.site.site_header = "小微企业园金融服务监测报送平台 · 管理后台"
admin.site.site_title = "报送平台管理"
admin.site.index_title = "数据管理"

urlpatterns = [
    # the dashboards first: the most requested pages resolve at the first patterns tried (their paths
    # — dashboards/…, audit/ — are no other module's)
    path("", include("reports.dashboards.urls")),
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("login/", PortalLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(template_name="registration/password_change.html"), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html"), name="password_change_done"),
    path("", include(portal_patterns)),
    path("", include("parks.urls")),
    path("", include("banks.urls")),
    path("", include("reports.urls")),
    path("", include("reports.workflow.urls")),
    path("", include("reports.monitoring.urls")),
    path("admin/", admin.site.urls),
    path("profile/", views_profile.profile, name="profile"),
    path("", include("portal.api_urls")),
]

handler403 = "portal.errors.forbidden"
handler404 = "portal.errors.not_found"
