from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import access
from .selectors import landing_for
from .filtersets import OrganisationFilterSet, RegionFilterSet
from .generic import HistoryView, ObjectCreateView, ObjectDetailView, ObjectEditView, ObjectListView
from .models import Organisation, Region
from .services import organisation_create, organisation_update
from .tables import OrganisationTable, RegionTable
from .forms_org import OrganisationForm


@login_required
def home(request):
    """The landing page: what this user has to do."""
    ctx = landing_for(user=request.user)
    return render(request, "portal/home.html", ctx)


class RegionListView(ObjectListView):
    queryset = Region.objects.select_related("parent")
    filterset_class = RegionFilterSet
    table_class = RegionTable

    def get_queryset(self):
        qs = super().get_queryset()
        if not self.request.GET:
            qs = qs.filter(province_code="330000")
        return qs


class RegionDetailView(ObjectDetailView):
    queryset = Region.objects.select_related("parent")
    template_name = "portal/region_detail.html"
    fields = ("code", "name", "level", "parent", "separately_planned")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["children"] = self.object.children.all()
        return ctx


class OrganisationListView(ObjectListView):
    queryset = Organisation.objects.select_related("region", "institution")
    filterset_class = OrganisationFilterSet
    table_class = OrganisationTable
    add_url_name = "portal:organisation_add"


class OrganisationDetailView(ObjectDetailView):
    queryset = Organisation.objects.select_related("region", "institution")
    template_name = "portal/organisation_detail.html"
    fields = ("name", "kind", "region", "institution", "separately_planned", "contact_name", "contact_phone", "is_active")
    edit_url_name = "portal:organisation_edit"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        own = user.organisation_id == self.object.pk
        ctx["users"] = self.object.users.order_by("username") if (own or access.is_province(user)) else None
        return ctx


class OrganisationCreateView(ObjectCreateView):
    model = Organisation
    form_class = OrganisationForm

    def call_service(self, form):
        return organisation_create(actor=self.request.user, data=form.cleaned_data)


class OrganisationEditView(ObjectEditView):
    queryset = Organisation.objects.select_related("region")
    form_class = OrganisationForm

    def call_service(self, form):
        return organisation_update(actor=self.request.user, organisation=self.object, data=form.cleaned_data)


class OrganisationHistoryView(HistoryView):
    queryset = Organisation.objects.all()
