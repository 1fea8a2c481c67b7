from django.db.models import Count

from banks import services
from banks.filtersets import BranchFilterSet, InstitutionFilterSet
from banks.forms import InstitutionForm
from banks.models import Institution
from banks.tables import BranchTable, InstitutionTable
from portal import access
from portal.choices import OrgKind
from portal.generic import HistoryView, ObjectCreateView, ObjectDetailView, ObjectEditView, ObjectListView
from portal.models import Organisation


class InstitutionListView(ObjectListView):
    queryset = Institution.objects.annotate(branch_count=Count("branches"))
    filterset_class = InstitutionFilterSet
    table_class = InstitutionTable
    add_url_name = "banks:institution_add"


class InstitutionDetailView(ObjectDetailView):
    queryset = Institution.objects.all()
    template_name = "banks/institution_detail.html"
    fields = ("name", "short_name", "type", "is_active")
    edit_url_name = "banks:institution_edit"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["branches"] = access.restrict(self.request.user, self.object.branches.select_related("region"), access.VIEW)
        return ctx


class InstitutionCreateView(ObjectCreateView):
    model = Institution
    form_class = InstitutionForm

    def call_service(self, form):
        return services.institution_create(actor=self.request.user, data=form.cleaned_data)


class InstitutionEditView(ObjectEditView):
    queryset = Institution.objects.all()
    form_class = InstitutionForm

    def call_service(self, form):
        return services.institution_update(actor=self.request.user, institution=self.object, data=form.cleaned_data)


class InstitutionHistoryView(HistoryView):
    queryset = Institution.objects.all()


class BranchListView(ObjectListView):
    """The institutions' city-level management branches (地市一级管理机构)."""

    queryset = Organisation.objects.filter(kind=OrgKind.BANK_BRANCH).select_related("institution", "region")
    filterset_class = BranchFilterSet
    table_class = BranchTable
    title = "地市一级管理机构"
