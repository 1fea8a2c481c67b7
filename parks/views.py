from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View

from parks import services
from parks.choices import LinkStatus
from parks.filtersets import EnterpriseFilterSet, ParkFilterSet, PartnerLinkFilterSet, TenancyFilterSet
from parks.forms import EnterpriseForm, ParkForm, PartnerLinkDecisionForm, PartnerLinkForm, TenancyCreateForm, TenancyForm
from parks.models import Enterprise, Park, PartnerLink, Tenancy
from parks.tables import EnterpriseTable, ParkTable, PartnerLinkTable, TenancyTable
from portal import access
from portal.generic import HistoryView, ObjectCreateView, ObjectDetailView, ObjectEditView, ObjectListView

# --- parks ------------------------------------------------------------------------------------

class ParkListView(ObjectListView):
    queryset = Park.objects.select_related("county__parent", "operator")
    filterset_class = ParkFilterSet
    table_class = ParkTable
    add_url_name = "parks:park_add"


class ParkDetailView(ObjectDetailView):
    queryset = Park.objects.select_related("county__parent", "operator")
    template_name = "parks/park_detail.html"
    fields = ("code", "name", "county", "operator", "manager", "batch", "star_rating", "digital_status", "park_type", "area_mu", "status")
    edit_url_name = "parks:park_edit"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        park = self.object
        in_force = Tenancy.objects.in_force(on=timezone.localdate()).values("pk")
        ctx["tenant_counts"] = park.tenancies.aggregate(total=Count("pk"), current=Count("pk", filter=Q(pk__in=in_force)))
        ctx["links"] = access.restrict(user, PartnerLink.objects.filter(park=park), access.VIEW).select_related("branch")
        ctx["can_see_tenants"] = access.restrict(user, Tenancy.objects.filter(park=park)).exists()
        ctx["can_manage_tenants"] = access.can_manage_tenants(user, park)
        return ctx


class ParkCreateView(ObjectCreateView):
    model = Park
    form_class = ParkForm

    def call_service(self, form):
        return services.park_create(actor=self.request.user, data=form.cleaned_data)


class ParkEditView(ObjectEditView):
    queryset = Park.objects.select_related("county")
    form_class = ParkForm

    def call_service(self, form):
        return services.park_update(actor=self.request.user, park=self.object, data=form.cleaned_data)


class ParkHistoryView(HistoryView):
    queryset = Park.objects.all()


# --- enterprises -----------------------------------------------------------------------------

class EnterpriseListView(ObjectListView):
    queryset = Enterprise.objects.all()
    filterset_class = EnterpriseFilterSet
    table_class = EnterpriseTable


class EnterpriseDetailView(ObjectDetailView):
    queryset = Enterprise.objects.all()
    template_name = "parks/enterprise_detail.html"
    fields = ("uscc", "name", "entity_type", "industry")
    edit_url_name = "parks:enterprise_edit"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["tenancies"] = access.restrict(self.request.user, self.object.tenancies.select_related("park"), access.VIEW)
        return ctx


class EnterpriseEditView(ObjectEditView):
    queryset = Enterprise.objects.all()
    form_class = EnterpriseForm

    def call_service(self, form):
        return services.enterprise_update(actor=self.request.user, enterprise=self.object, data=form.cleaned_data)


class EnterpriseHistoryView(HistoryView):
    queryset = Enterprise.objects.all()


# --- tenancies -------------------------------------------------------------------------------

class TenancyListView(ObjectListView):
    queryset = Tenancy.objects.select_related("enterprise", "park")
    filterset_class = TenancyFilterSet
    table_class = TenancyTable
    add_url_name = "parks:tenancy_add"


class TenancyDetailView(ObjectDetailView):
    queryset = Tenancy.objects.select_related("enterprise", "park")
    fields = ("park", "enterprise", "entered_on", "left_on")
    edit_url_name = "parks:tenancy_edit"


class TenancyCreateView(ObjectCreateView):
    model = Tenancy
    form_class = TenancyCreateForm

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("park"):
            initial["park"] = self.request.GET["park"]
        return initial

    def call_service(self, form):
        data = form.cleaned_data
        return services.tenancy_create(
            actor=self.request.user,
            park=data["park"],
            uscc=data["uscc"],
            enterprise_name=data["enterprise_name"],
            industry=data["industry"],
            entity_type=data.get("entity_type") or "",
            entered_on=data["entered_on"],
            left_on=data.get("left_on"),
        )


class TenancyEditView(ObjectEditView):
    queryset = Tenancy.objects.select_related("park", "enterprise")
    form_class = TenancyForm

    def call_service(self, form):
        return services.tenancy_update(actor=self.request.user, tenancy=self.object, data=form.cleaned_data)


class TenancyHistoryView(HistoryView):
    queryset = Tenancy.objects.all()


# --- partner links ---------------------------------------------------------------------------

class PartnerLinkListView(ObjectListView):
    queryset = PartnerLink.objects.select_related("park", "branch")
    filterset_class = PartnerLinkFilterSet
    table_class = PartnerLinkTable
    add_url_name = "parks:partnerlink_add"


class PartnerLinkDetailView(ObjectDetailView):
    queryset = PartnerLink.objects.select_related("park__county", "branch", "proposed_by", "decided_by")
    template_name = "parks/partnerlink_detail.html"
    fields = ("park", "branch", "role", "sub_branch", "since", "until", "status", "proposed_by", "proposed_at", "decided_by",
              "decided_at", "decision_note")
    edit_url_name = "parks:partnerlink_edit"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        link = self.object
        ctx["can_decide"] = access.can_decide_partner_link(self.request.user, link)
        ctx["can_edit"] = ctx["can_edit"] and link.status != LinkStatus.REJECTED
        return ctx


class PartnerLinkDecideView(LoginRequiredMixin, View):
    """POST: 确认 / 拒绝 / 终止 a partner link (the park's operator or the city's branch)."""

    SERVICES = {"confirm": services.partner_link_confirm, "reject": services.partner_link_reject, "end": services.partner_link_end}
    DONE = {"confirm": "已确认伙伴关系。", "reject": "已拒绝该申报。", "end": "已终止伙伴关系。"}

    def post(self, request, pk: int, decision: str):
        if decision not in self.SERVICES:
            raise Http404
        link = get_object_or_404(access.restrict(request.user, PartnerLink.objects.all(), access.VIEW), pk=pk)
        form = PartnerLinkDecisionForm(request.POST, decision=decision)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, "；".join(errors))
            return redirect(link)
        extra = {"until": form.cleaned_data["until"]} if decision == "end" else {}
        try:
            self.SERVICES[decision](actor=request.user, link=link, note=form.cleaned_data["note"], **extra)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, self.DONE[decision])
        return redirect(link)


class PartnerLinkCreateView(ObjectCreateView):
    model = PartnerLink
    form_class = PartnerLinkForm

    def call_service(self, form):
        return services.partner_link_propose(actor=self.request.user, data=form.cleaned_data)


class PartnerLinkEditView(ObjectEditView):
    queryset = PartnerLink.objects.select_related("park", "branch")
    form_class = PartnerLinkForm

    def call_service(self, form):
        return services.partner_link_update(actor=self.request.user, link=self.object, data=form.cleaned_data)


class PartnerLinkHistoryView(HistoryView):
    queryset = PartnerLink.objects.all()
