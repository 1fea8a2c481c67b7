"""How the stages are wired together: a stage tells later stages about an event by a signal, and
offers a hook where a later stage adds to its pages or checks; the connections are made here, so
no stage imports a later one. Called once from ``ReportsConfig.ready()`` (the stages import their
models, so this module may only be imported once the app registry is ready); like
``reports/models.py`` it belongs to no stage."""
from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from parks.signals import readings_changed, register_changed
from portal import generation
from portal.landing import register_landing_panel
from portal.models import Organisation, Region
from reports.dashboards.landing import landing_panel
from reports.filings import access as filings_access
from reports.filings import register_sync
from reports.filings import selectors as filing_selectors
from reports.filings import validation as filing_validation
from reports.filings import views as filing_pages
from reports.filings.choices import ScheduleCode
from reports.filings.models import Period
from reports.filings.signals import approved_figures_changed
from reports.monitoring import access as monitoring_access
from reports.monitoring import receivers as monitoring
from reports.summaries import access as summaries_access
from reports.summaries import rollups, t3
from reports.summaries import selectors as summary_selectors
from reports.summaries import views as summary_pages
from reports.summaries.models import Summary
from reports.summaries.signals import province_summary_built
from reports.targets import access as targets_access
from reports.targets import engine as targets
from reports.targets.models import Target, TargetResult, TargetSet
from reports.workflow import views as workflow_pages
from reports.workflow.signals import filing_transitioned


def access_rules() -> None:
    """Who may see what: each stage's rules in the one access module; the landing page's panel."""
    for rules in (filings_access, summaries_access, targets_access, monitoring_access):
        rules.register_rules()
    register_landing_panel(landing_panel)  # portal draws the page, imports no domain app


def events() -> None:
    """Signals from one stage to the later ones."""
    # a park's register changed (入园 / 退园, an enterprise, a partner link): its 附表2 and
    # warnings are recomputed in the same transaction (parks must not import reports) …
    register_changed.connect(register_sync.register_changed_receiver, dispatch_uid="reports.register_changed")
    # … the park's parts of the roll-ups are dirty in every period it can touch, filed or not …
    register_changed.connect(rollups.register_changed_receiver, dispatch_uid="reports.summaries.register_changed")
    # … and the roll-ups of the periods whose approved figures it moved are requested
    approved_figures_changed.connect(rollups.approved_figures_changed_receiver, dispatch_uid="reports.approved_figures_changed")
    # every workflow step refreshes its city and then the province (figures and completeness)
    filing_transitioned.connect(rollups.filing_transitioned_receiver, dispatch_uid="reports.filing_transitioned")
    # park ↔ bank reconciliation after every step of a 附表1 / 附表5; risk signals after readings arrive
    filing_transitioned.connect(monitoring.filing_transitioned_receiver, dispatch_uid="reports.monitoring.filing_transitioned")
    readings_changed.connect(monitoring.readings_changed_receiver, dispatch_uid="reports.monitoring.readings_changed")
    # every province summary is followed by the period's target results
    province_summary_built.connect(targets.province_summary_built_receiver, dispatch_uid="reports.province_summary_built")


def prepared_pages() -> None:
    """The dashboards' prepared pages (reports.dashboards.cache) are stored under a generation that
    every saved or deleted row they are built from replaces (bulk writes bump it themselves)."""
    for model in (Summary, TargetResult, Target, TargetSet, Period, Region, Organisation):
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(generation.changed_receiver, sender=model, dispatch_uid=f"generation.{name}.{model._meta.label}")


def hooks() -> None:
    """What later stages add to earlier stages' pages and checks."""
    # 附表3 is built by the summaries stage: how it is checked on submit and shown
    filing_validation.GENERATED_CHECKS[ScheduleCode.T3] = t3.t3_filing_issues
    filing_pages.GENERATED_PAGES[ScheduleCode.T3] = summary_pages.t3_detail
    # every filing page's header carries the workflow panel
    if workflow_pages.workflow_context not in filing_pages.PAGE_PANELS:
        filing_pages.PAGE_PANELS.append(workflow_pages.workflow_context)
    # a 附表2 is “stale” while the roll-up that counts it is pending
    if summary_selectors.t2_rollup_pending not in filing_selectors.T2_PENDING_CHECKS:
        filing_selectors.T2_PENDING_CHECKS.append(summary_selectors.t2_rollup_pending)


def connect_all() -> None:
    access_rules()
    events()
    prepared_pages()
    hooks()
