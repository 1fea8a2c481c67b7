from django.urls import path

from reports.dashboards import audit, views

app_name = "dashboards"

urlpatterns = [
    path("dashboards/", views.index, name="index"),
    path("dashboards/province/", views.province, name="province"),
    path("dashboards/targets/", views.targets, name="targets"),
    path("dashboards/cities/<str:code>/", views.city, name="city"),
    path("dashboards/counties/<str:code>/", views.county, name="county"),
    path("dashboards/banks/<int:pk>/", views.bank, name="bank"),
    path("dashboards/parks/<str:code>/", views.park, name="park"),
    path("audit/", audit.audit_log, name="audit_log"),
]
