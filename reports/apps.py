from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "报表报送"

    def ready(self) -> None:
        from . import reminders, rollups, workflow  # noqa: F401  (register Celery tasks)

        if rollups.filing_approved not in workflow.after_approval_hooks:
            workflow.after_approval_hooks.append(rollups.filing_approved)
