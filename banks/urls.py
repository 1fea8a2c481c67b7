from django.urls import path

from banks import views

app_name = "banks"

urlpatterns = [
    path("institutions/", views.InstitutionListView.as_view(), name="institution_list"),
    path("institutions/add/", views.InstitutionCreateView.as_view(), name="institution_add"),
    path("institutions/<int:pk>/", views.InstitutionDetailView.as_view(), name="institution_detail"),
    path("institutions/<int:pk>/edit/", views.InstitutionEditView.as_view(), name="institution_edit"),
    path("institutions/<int:pk>/history/", views.InstitutionHistoryView.as_view(), name="institution_history"),
    path("branches/", views.BranchListView.as_view(), name="branch_list"),
]
