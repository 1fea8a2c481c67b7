"""Generic registry views (NetBox style): a concrete view only declares ``queryset``,
``filterset_class``, ``table_class`` and ``form_class`` (plus a ``service`` for writes).
Every queryset passes through ``portal.access``."""
from __future__ import annotations

from typing import Any, Callable

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from portal import access


class ObjectListView(LoginRequiredMixin, SingleTableMixin, FilterView):
    template_name = "generic/object_list.html"
    page_size = 50  # tables2 paginates; Django's own paginate_by would count twice
    add_url_name: str | None = None
    title: str = ""

    def get_queryset(self) -> QuerySet:
        return access.restrict(self.request.user, self.queryset.all(), access.VIEW)

    def get_table_pagination(self, table) -> dict[str, Any]:
        return {"per_page": self.page_size}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        model = self.queryset.model
        ctx["title"] = self.title or model._meta.verbose_name_plural
        ctx["can_add"] = self.add_url_name and self.can_add()
        ctx["add_url_name"] = self.add_url_name
        return ctx

    def can_add(self) -> bool:
        return access.can_add(self.request.user, self.queryset.model)


class ObjectDetailView(LoginRequiredMixin, DetailView):
    """404 for anything outside the user's scope."""

    template_name = "generic/object_detail.html"
    fields: tuple[str, ...] = ()
    edit_url_name: str | None = None

    def get_queryset(self) -> QuerySet:
        return access.restrict(self.request.user, self.queryset.all(), access.VIEW)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        obj = self.object
        ctx["title"] = str(obj)
        ctx["verbose_name"] = obj._meta.verbose_name
        ctx["field_rows"] = [(obj._meta.get_field(f).verbose_name, display_value(obj, f)) for f in self.fields]
        ctx["can_edit"] = bool(self.edit_url_name) and access.can(self.request.user, access.CHANGE, obj)
        ctx["edit_url_name"] = self.edit_url_name
        ctx["history_count"] = obj.history.count() if hasattr(obj, "history") else None
        return ctx


def display_value(obj: Model, field_name: str) -> Any:
    getter = getattr(obj, f"get_{field_name}_display", None)
    if getter is not None:
        return getter()
    value = getattr(obj, field_name)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


class ServiceFormMixin:
    """Run the form, then the service; a service ValidationError lands on the form fields."""

    service: Callable[..., Model]
    success_message = "已保存。"

    def call_service(self, form) -> Model:  # pragma: no cover - overridden
        raise NotImplementedError

    def form_valid(self, form):
        try:
            obj = self.call_service(form)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errs in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(obj.get_absolute_url())


class ObjectEditView(LoginRequiredMixin, ServiceFormMixin, FormView):
    """Edit one object: 404 outside the view scope, 403 when visible but not editable."""

    template_name = "generic/object_edit.html"
    queryset: QuerySet

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        visible = access.restrict(request.user, self.queryset.all(), access.VIEW)
        self.object = get_object_or_404(visible, pk=kwargs["pk"])
        if not access.can(request.user, access.CHANGE, self.object):
            raise PermissionDenied("您没有权限修改此记录。")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        kwargs["user"] = self.request.user
        return kwargs

    def call_service(self, form) -> Model:
        return self.service(actor=self.request.user, instance=self.object, data=form.cleaned_data)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["object"] = self.object
        ctx["title"] = f"修改{self.object._meta.verbose_name}：{self.object}"
        ctx["cancel_url"] = self.object.get_absolute_url()
        return ctx


class ObjectCreateView(LoginRequiredMixin, ServiceFormMixin, FormView):
    template_name = "generic/object_edit.html"
    model: type[Model]
    success_message = "已新增。"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.has_add_permission():
            raise PermissionDenied("您没有权限新增此类记录。")
        return super().dispatch(request, *args, **kwargs)

    def has_add_permission(self) -> bool:
        return access.can_add(self.request.user, self.model)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def call_service(self, form) -> Model:
        return self.service(actor=self.request.user, data=form.cleaned_data)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = f"新增{self.model._meta.verbose_name}"
        return ctx


class HistoryView(LoginRequiredMixin, DetailView):
    """django-simple-history records of one object, newest first, with changed fields."""

    template_name = "generic/object_history.html"

    def get_queryset(self) -> QuerySet:
        return access.restrict(self.request.user, self.queryset.all(), access.VIEW)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        records = list(self.object.history.select_related("history_user").order_by("-history_date", "-history_id")[:200])
        rows = []
        for i, rec in enumerate(records):
            prev = records[i + 1] if i + 1 < len(records) else None
            changes = []
            if prev is not None:
                delta = rec.diff_against(prev)
                for change in delta.changes:
                    field = self.object._meta.get_field(change.field)
                    changes.append((field.verbose_name, _fmt(prev, change.field), _fmt(rec, change.field)))
            rows.append({"record": rec, "changes": changes})
        ctx["rows"] = rows
        ctx["title"] = f"{self.object}：变更历史"
        return ctx


def _fmt(record, field_name: str) -> Any:
    getter = getattr(record, f"get_{field_name}_display", None)
    if getter is not None:
        return getter()
    value = getattr(record, field_name, None)
    return "—" if value in (None, "") else value


def history_rows(obj: Any, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """The object's django-simple-history records, newest first, each with the fields it changed
    (of ``fields``): the settings pages' 变更历史."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[:100])
    rows = []
    for i, rec in enumerate(records):
        prev = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if prev is not None:
            for change in rec.diff_against(prev, included_fields=list(fields)).changes:
                changes.append((obj._meta.get_field(change.field).verbose_name, change.old, change.new))
        rows.append({"record": rec, "changes": changes})
    return rows
