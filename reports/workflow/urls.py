"""The notification pages (no namespace: ``notifications``, ``notification_open``), included by
``portal.urls`` by name so that portal imports no domain app."""
from django.urls import path

from reports.workflow import views

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
]
