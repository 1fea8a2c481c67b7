"""Checking a stored filing again: on submit, and when the register moves under it."""
from __future__ import annotations

from typing import Callable

from reports.filings import quality, selectors
from reports.filings.models import Filing
from reports.schedules import SCHEDULES, Issue


def filing_issues(*, filing: Filing, ctx=None) -> list[Issue]:
    """Every error and warning of the filing's stored rows: the schedule's row and set rules, and the
    quality edits against history (``quality``)."""
    schedule = SCHEDULES[filing.schedule]
    ctx = ctx if ctx is not None else selectors.filing_context(filing=filing)
    stored = selectors.filing_row_values(filing=filing)
    issues: list[Issue] = []
    for r in stored:
        issues += schedule.check_row(dict(r), ctx, row=r.get("row_no"))
    for rule in schedule.set_rules:
        issues += list(rule(stored, ctx))
    issues += quality.quality_issues(filing=filing, rows=stored, insurer=ctx.is_insurer)  # against history (issue 16)
    return schedule.named(issues, {r["row_no"]: r for r in stored if r.get("row_no")}, ctx)


def filing_warnings(*, filing: Filing, ctx) -> list[Issue]:
    """The warnings of the stored rows (only warnings survive a save: errors never reach the database)."""
    return [i for i in filing_issues(filing=filing, ctx=ctx) if not i.is_error]


def filing_stored_issues(*, filing: Filing, ctx) -> list[Issue]:
    """What a filing keeps in ``Filing.issues``: its warnings, and the required cells still empty
    on rows 从上期带入 started from the register (the only errors stored rows can carry; submission
    refuses them)."""
    return [i for i in filing_issues(filing=filing, ctx=ctx) if not i.is_error or i.code == "required"]


# Schedules a later stage builds (附表3 from the city summary) register how their stored snapshot
# is checked on submit (``ReportsConfig.ready``): schedule code → check.
GENERATED_CHECKS: dict[str, Callable[[Filing], list[Issue]]] = {}


def filing_validate(*, filing: Filing) -> list[Issue]:
    """Every error and warning of the stored filing, as checked again on submit."""
    generated = GENERATED_CHECKS.get(filing.schedule)
    if generated is not None:
        return generated(filing)
    return filing_issues(filing=filing)
