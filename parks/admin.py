from django.contrib import admin

from portal.admin import ScopedAdmin

from .models import Enterprise, Park, PartnerLink, Tenancy


@admin.register(Park)
class ParkAdmin(ScopedAdmin):
    list_display = ("code", "name", "county", "batch", "star_rating", "digital_status", "park_type", "status")
    list_filter = ("batch", "star_rating", "digital_status", "park_type", "status")
    search_fields = ("code", "name")
    list_select_related = ("county",)
    raw_id_fields = ("county", "operator")


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedAdmin):
    list_display = ("uscc", "name", "entity_type", "industry")
    list_filter = ("entity_type", "industry")
    search_fields = ("uscc", "name")


@admin.register(Tenancy)
class TenancyAdmin(ScopedAdmin):
    list_display = ("enterprise", "park", "entered_on", "left_on")
    search_fields = ("enterprise__name", "enterprise__uscc", "park__code")
    list_select_related = ("enterprise", "park")
    raw_id_fields = ("enterprise", "park")


@admin.register(PartnerLink)
class PartnerLinkAdmin(ScopedAdmin):
    list_display = ("park", "branch", "role", "sub_branch", "since", "until")
    list_filter = ("role",)
    search_fields = ("park__code", "park__name", "branch__name")
    list_select_related = ("park", "branch")
    raw_id_fields = ("park", "branch")
