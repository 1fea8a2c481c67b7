from django.contrib import admin

from portal import access
from portal.admin import ScopedAdmin
from reports.filings.models import ExportJob, Filing, ImportJob, Period


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    """Periods and their deadlines: set by the province."""

    list_display = ("code", "start", "end", "filer_due", "branch_due", "lock_date", "is_baseline")
    list_editable = ("filer_due", "branch_due", "lock_date")
    list_filter = ("year", "is_baseline")
    ordering = ("-year", "-quarter")
    search_fields = ("code",)
    readonly_fields = ("code", "year", "quarter", "start", "end", "is_baseline")
    fieldsets = (
        (None, {"fields": ("code", "year", "quarter", "start", "end", "is_baseline")}),
        ("截止与锁定", {"fields": ("filer_due", "branch_due", "lock_date")}),
    )

    def has_add_permission(self, request):
        return False  # periods are created by migrations and ``services.period_ensure``

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and access.is_province(request.user)


@admin.register(Filing)
class FilingAdmin(ScopedAdmin):
    """Read-only: filings change only through ``reports.filings.services`` (web, xlsx, API)."""

    list_display = ("id", "schedule", "subject_name", "period", "version", "is_current", "status", "row_count",
                    "warning_count", "updated_by", "updated_at")
    list_filter = ("schedule", "status", "period", "is_current")
    search_fields = ("park__name", "park__code", "branch__name", "city__name")
    list_select_related = ("period", "park", "branch", "city", "updated_by")
    raw_id_fields = ("park", "branch", "city", "amends", "created_by", "updated_by")
    ordering = ("-period__year", "-period__quarter", "schedule", "id")
    # Filing keeps its own versions (amendments), not django-simple-history records.
    object_history_template = None
    history_view = admin.ModelAdmin.history_view

    @admin.display(description="报送主体")
    def subject_name(self, obj: Filing) -> str:
        return str(obj.subject or "—")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Filing._meta.concrete_fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _FilingJobAdmin(admin.ModelAdmin):
    """A job on a filing (upload, export): read-only, listed for those who may read the filing."""

    list_filter = ("status",)
    list_select_related = ("filing__period", "filing__park", "filing__branch", "filing__city", "created_by")
    raw_id_fields = ("filing", "created_by")

    def get_queryset(self, request):
        visible = access.restrict(request.user, Filing.objects.all(), access.VIEW)
        return super().get_queryset(request).filter(filing__in=visible)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.concrete_fields]

    def has_add_permission(self, request):
        return False


@admin.register(ExportJob)
class ExportJobAdmin(_FilingJobAdmin):
    list_display = ("id", "filing", "lock_version", "status", "progress", "total_rows", "created_by", "created_at", "finished_at")


@admin.register(ImportJob)
class ImportJobAdmin(_FilingJobAdmin):
    list_display = ("id", "original_name", "filing", "status", "progress", "total_rows", "created_by", "created_at", "finished_at")
    search_fields = ("original_name",)


from reports.targets import admin as admin_targets  # noqa
