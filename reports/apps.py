from django.apps import AppConfig

from portal.landing import register_landing_panel


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "报表报送"

    def ready(self) -> None:
        # Django-required: the access rules import the models, loaded only after every apps.py
        from reports.filings import access as filings_access
        from reports.summaries import access as summaries_access
        from reports.targets import access as targets_access

        for rules in (filings_access, summaries_access, targets_access):
            rules.register_rules()

        # the landing page's duties and to-do list (portal draws the page, imports no domain app)
        from reports.dashboards.landing import landing_panel

        register_landing_panel(landing_panel)

        from reports.summaries import (
            reminders,  # noqa: F401  (register Celery tasks)
            rollups,
        )
        from reports.workflow import services as workflow

        # every workflow step (submit, confirm, return, approve, …) refreshes its city and then the
        # province: summaries carry the completeness counts as well as the approved figures
        if rollups.filing_approved not in workflow.after_transition_hooks:
            workflow.after_transition_hooks.append(rollups.filing_approved)

        # a park's register changed (入园 / 退园, an enterprise, a partner link): its 附表2 are
        # recomputed in the same transaction and the roll-ups requested (parks must not import reports)
        from parks.signals import register_changed
        from reports.filings.services import register_changed_receiver

        register_changed.connect(register_changed_receiver, dispatch_uid="reports.register_changed")
