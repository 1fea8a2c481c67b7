"""The monitoring pages (namespace ``monitoring``), included by ``portal.urls`` by name."""
from django.urls import path

from reports.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("monitoring/reconciliation/", views.reconciliation_list, name="reconciliation_list"),
    path("monitoring/reconciliation/<int:pk>/", views.reconciliation_detail, name="reconciliation_detail"),
    path("monitoring/risk/", views.risk_list, name="risk_list"),
    path("monitoring/risk/<int:pk>/", views.risk_detail, name="risk_detail"),
]
