from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "报表报送"

    def ready(self) -> None:
        from . import reminders, rollups, workflow  # noqa: F401  (register Celery tasks)

        # every workflow step (submit, confirm, return, approve, …) refreshes its city and then the
        # province: summaries carry the completeness counts as well as the approved figures
        if rollups.filing_approved not in workflow.after_transition_hooks:
            workflow.after_transition_hooks.append(rollups.filing_approved)
