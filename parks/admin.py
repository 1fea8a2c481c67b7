from django.contrib import admin

from parks import services
from parks.models import Enterprise, Park, PartnerLink, Tenancy
from parks.signals import send_register_changed
from portal.admin import ScopedAdmin


class RegisterChangeAdminMixin:
    """Admin edits bypass ``parks.services``: tell the register's listeners (附表2, roll-ups) too."""

    def _old_dates(self, obj) -> tuple:
        return ()

    def _changed(self, obj, old: tuple) -> None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        old = self._old_dates(obj) if change else ()
        super().save_model(request, obj, form, change)
        self._changed(obj, old)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._changed(obj, ())

    def delete_queryset(self, request, queryset):
        objs = list(queryset)
        super().delete_queryset(request, queryset)
        for obj in objs:
            self._changed(obj, ())


@admin.register(Park)
class ParkAdmin(ScopedAdmin):
    list_display = ("code", "name", "county", "batch", "star_rating", "digital_status", "park_type", "status")
    list_filter = ("batch", "star_rating", "digital_status", "park_type", "status")
    search_fields = ("code", "name")
    list_select_related = ("county",)
    raw_id_fields = ("county", "operator")


@admin.register(Enterprise)
class EnterpriseAdmin(RegisterChangeAdminMixin, ScopedAdmin):
    list_display = ("uscc", "name", "entity_type", "industry")
    list_filter = ("entity_type", "industry")
    search_fields = ("uscc", "name")

    def _changed(self, obj, old):
        if obj.pk is not None:
            services.enterprise_changed(obj)


@admin.register(Tenancy)
class TenancyAdmin(RegisterChangeAdminMixin, ScopedAdmin):
    list_display = ("enterprise", "park", "entered_on", "left_on")
    search_fields = ("enterprise__name", "enterprise__uscc", "park__code")
    list_select_related = ("enterprise", "park")
    raw_id_fields = ("enterprise", "park")

    def _old_dates(self, obj):
        return Tenancy.objects.filter(pk=obj.pk).values_list("entered_on", "left_on", "park_id").first() or ()

    def _changed(self, obj, old):
        if not old:
            services.tenancy_changed(obj)
            return
        entered_on, left_on, park_id = old
        services.tenancy_changed(obj, old=(entered_on, left_on))
        if park_id != obj.park_id:  # moved to another park in the admin: the old park changed too
            send_register_changed(Tenancy, park_id=park_id, dates=(entered_on, left_on))


@admin.register(PartnerLink)
class PartnerLinkAdmin(RegisterChangeAdminMixin, ScopedAdmin):
    list_display = ("park", "branch", "role", "sub_branch", "since", "until")
    list_filter = ("role",)
    search_fields = ("park__code", "park__name", "branch__name")
    list_select_related = ("park", "branch")
    raw_id_fields = ("park", "branch")

    def _old_dates(self, obj):
        return PartnerLink.objects.filter(pk=obj.pk).values_list("since", "until").first() or ()

    def _changed(self, obj, old):
        send_register_changed(PartnerLink, park_id=obj.park_id, dates=(obj.since, obj.until, *old))
