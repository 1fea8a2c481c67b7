from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from portal import access
from portal.filtersets import OrganisationFilterSet, RegionFilterSet
from portal.forms_org import OrganisationForm
from portal.generic import HistoryView, ObjectCreateView, ObjectDetailView, ObjectEditView, ObjectListView
from portal.landing import landing_for
from portal.lockout import login_failures_for, user_unlock
from portal.models import Organisation, Region, User
from portal.services import organisation_create, organisation_update
from portal.tables import OrganisationTable, RegionTable


def bad_request(request, exception=None):
    """handler400: the reason in Chinese for the request-size limits Django enforces (too many form
    fields or files, a body over the size cap); nothing else of the exception is shown."""
    if isinstance(exception, TooManyFieldsSent):
        message = f"表单字段数量过多（最多 {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} 个），请求未处理，数据未保存。"
    elif isinstance(exception, TooManyFilesSent):
        message = f"上传的文件数量过多（最多 {settings.DATA_UPLOAD_MAX_NUMBER_FILES} 个），请求未处理，数据未保存。"
    elif isinstance(exception, RequestDataTooBig):
        message = "提交的内容过大，请求未处理，数据未保存。上传文件请使用报表的“上传”功能。"
    else:
        message = "请求无效，未能处理。请返回上一页重试。"
    return render(request, "400.html", {"message": message}, status=400)


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
        users = list(self.object.users.order_by("username")) if (own or access.is_province(user)) else None
        if users:
            failures = login_failures_for(usernames=[u.username for u in users]) if access.is_province(user) else {}
            for u in users:
                u.login_failures = failures.get(u.username)
                u.unlockable = u.login_failures is not None and access.can_unlock_user(user, u)
        ctx["users"] = users
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


@login_required
@require_http_methods(["GET", "POST"])
def user_unlock_view(request, pk: int):
    """解锁: the province regulator (or a superuser) clears a user's failed logins, after confirming."""
    target = get_object_or_404(User.objects.select_related("organisation"), pk=pk)
    if not access.can_unlock_user(request.user, target):
        raise Http404
    back = target.organisation.get_absolute_url() if target.organisation_id else "/"
    if request.method == "POST":
        cleared = user_unlock(actor=request.user, user=target)
        messages.success(request, f"已解锁用户“{target.username}”（清除{cleared}条登录失败记录），该用户可以重新登录。")
        return redirect(back)
    failures = login_failures_for(usernames=[target.username]).get(target.username)
    return render(request, "portal/user_unlock.html", {"title": "解锁账号", "target": target, "failures": failures, "back": back})
