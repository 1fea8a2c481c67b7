"""Admin for target sets and targets (editable by the province regulator) and a read-only view of
the stored results. Changing a target recomputes its set's results for every period."""
from __future__ import annotations

from django.contrib import admin, messages

from portal import access
from reports.targets.models import Target, TargetResult, TargetSet
from reports.targets.services import target_results_recompute


class ProvinceEditable:
    """View for staff; add / change / delete for the province regulator (and superusers)."""

    def has_add_permission(self, request, *args) -> bool:
        return super().has_add_permission(request, *args) and access.is_province(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and access.is_province(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and access.is_province(request.user)


class TargetInline(ProvinceEditable, admin.TabularInline):
    model = Target
    fields = ("code", "name", "indicator", "scope_kind", "ningbo", "comparator", "threshold_kind", "threshold_value", "unit", "applicable")
    extra = 0
    show_change_link = True


@admin.register(TargetSet)
class TargetSetAdmin(ProvinceEditable, admin.ModelAdmin):
    list_display = ("code", "name", "source_document", "due_date", "is_default", "target_count")
    list_filter = ("is_default",)
    search_fields = ("code", "name", "source_document")
    inlines = (TargetInline,)

    @admin.display(description="目标数")
    def target_count(self, obj: TargetSet) -> int:
        return obj.targets.count()


@admin.register(Target)
class TargetAdmin(ProvinceEditable, admin.ModelAdmin):
    list_display = ("code", "name", "target_set", "indicator", "scope_kind", "ningbo", "comparator", "threshold_kind", "threshold_value",
                    "unit", "due_date", "applicable")
    list_filter = ("target_set", "scope_kind", "applicable", "threshold_kind")
    search_fields = ("code", "name", "source_clause")
    list_select_related = ("target_set",)
    actions = ("recompute",)
    fieldsets = (
        (None, {"fields": ("target_set", "code", "name", "order", "source_clause", "notes")}),
        ("范围", {"fields": ("scope_kind", "scope_value", "ningbo", "also_by_city")}),
        ("指标与目标值", {"fields": ("indicator", "comparator", "threshold_kind", "threshold_value", "threshold_indicator", "earlier",
                                 "threshold_factor", "threshold_margin", "unit", "due_date")}),
        ("适用性", {"fields": ("applicable", "not_applicable_reason")}),
    )

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        n = _recompute()
        messages.info(request, f"已重新计算目标完成情况（{n} 条）。")

    @admin.action(description="重新计算所选目标所在各期的完成情况")
    def recompute(self, request, queryset) -> None:
        messages.info(request, f"已重新计算目标完成情况（{_recompute()} 条）。")


def _recompute() -> int:
    return target_results_recompute()


@admin.register(TargetResult)
class TargetResultAdmin(admin.ModelAdmin):
    list_display = ("target", "period", "scope_label", "actual", "threshold", "gap", "status", "is_official", "computed_at")
    list_filter = ("status", "period", "target__target_set", "scope_kind", "is_official")
    search_fields = ("target__code", "scope_label")
    list_select_related = ("target", "period")

    def get_queryset(self, request):
        return access.restrict(request.user, super().get_queryset(request), access.VIEW)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in TargetResult._meta.concrete_fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
