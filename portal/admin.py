from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from portal import access
from portal.api.tokens import tokens_revoke_all
from portal.models import Organisation, Region, User


class ScopedAdmin(SimpleHistoryAdmin):
    """Admin pages ask the access module too: a staff user sees and edits only its scope."""

    def get_queryset(self, request):
        return access.restrict(request.user, super().get_queryset(request), access.VIEW)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or access.can(request.user, access.VIEW, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or access.can(request.user, access.CHANGE, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or access.can(request.user, access.DELETE, obj))


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "separately_planned")
    list_filter = ("level", "separately_planned")
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    raw_id_fields = ("parent",)


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ("name", "kind", "region", "institution", "separately_planned", "is_active")
    list_filter = ("kind", "separately_planned", "is_active")
    search_fields = ("name",)
    list_select_related = ("region", "institution")
    raw_id_fields = ("region", "institution")


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "organisation", "role", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff")
    list_select_related = ("organisation",)
    raw_id_fields = ("organisation",)
    fieldsets = UserAdmin.fieldsets + (("机构与角色", {"fields": ("organisation", "role", "phone")}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("机构与角色", {"fields": ("organisation", "role")}),)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not obj.is_active:  # a deactivated account keeps no API token (reactivation brings none back)
            tokens_revoke_all(user=obj)
