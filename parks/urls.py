from django.urls import path

from parks import views, views_brain

app_name = "parks"

urlpatterns = [
    path("parks/", views.ParkListView.as_view(), name="park_list"),
    path("parks/add/", views.ParkCreateView.as_view(), name="park_add"),
    path("parks/<int:pk>/", views.ParkDetailView.as_view(), name="park_detail"),
    path("parks/<int:pk>/edit/", views.ParkEditView.as_view(), name="park_edit"),
    path("parks/<int:pk>/history/", views.ParkHistoryView.as_view(), name="park_history"),
    path("enterprises/", views.EnterpriseListView.as_view(), name="enterprise_list"),
    path("enterprises/<int:pk>/", views_brain.EnterpriseBrainDetailView.as_view(), name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", views.EnterpriseEditView.as_view(), name="enterprise_edit"),
    path("enterprises/<int:pk>/history/", views.EnterpriseHistoryView.as_view(), name="enterprise_history"),
    path("tenancies/", views.TenancyListView.as_view(), name="tenancy_list"),
    path("tenancies/add/", views.TenancyCreateView.as_view(), name="tenancy_add"),
    path("tenancies/<int:pk>/", views.TenancyDetailView.as_view(), name="tenancy_detail"),
    path("tenancies/<int:pk>/edit/", views.TenancyEditView.as_view(), name="tenancy_edit"),
    path("tenancies/<int:pk>/history/", views.TenancyHistoryView.as_view(), name="tenancy_history"),
    path("partner-links/", views.PartnerLinkListView.as_view(), name="partnerlink_list"),
    path("partner-links/add/", views.PartnerLinkCreateView.as_view(), name="partnerlink_add"),
    path("partner-links/<int:pk>/", views.PartnerLinkDetailView.as_view(), name="partnerlink_detail"),
    path("partner-links/<int:pk>/decide/<str:decision>/", views.PartnerLinkDecideView.as_view(), name="partnerlink_decide"),
    path("partner-links/<int:pk>/edit/", views.PartnerLinkEditView.as_view(), name="partnerlink_edit"),
    path("partner-links/<int:pk>/history/", views.PartnerLinkHistoryView.as_view(), name="partnerlink_history"),
]
