from django.contrib import admin

from banks.models import Institution
from portal.admin import ScopedAdmin


@admin.register(Institution)
class InstitutionAdmin(ScopedAdmin):
    list_display = ("name", "short_name", "type", "is_active")
    list_filter = ("type", "is_active")
    search_fields = ("name", "short_name")
