"""A filing printed on paper (the browser's print / save as PDF, print CSS in ``static/css/print.css``):
its header (schedule title, filer, period, version, status), every row (附表1/5) or the 附表4
record with its narrative, a signature block (填报人 / 审核人 / 负责人 / 日期, 单位盖章) and the
timeline. Fetched through ``portal.access`` like every filing page: 404 for whoever may not see it."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from reports.filings import selectors
from reports.filings.choices import ScheduleCode
from reports.filings.kinds import is_insurer_branch
from reports.filings.models import Filing, T4Record
from reports.filings.tables import t4_lines
from reports.filings.views import filing_for_request
from reports.schedules import SCHEDULES
from reports.schedules.base import Schedule
from reports.schedules.t4 import SECTIONS, narrative_columns, section_keys
from reports.workflow.models import FilingTransition


def _rows(filing: Filing, schedule: Schedule) -> dict[str, Any]:
    """附表1 / 附表5: every row, every column, as the grid and the export show them."""
    values = selectors.filing_row_values(filing=filing)
    columns = schedule.columns
    return {
        "headers": [c.header for c in columns],
        "rows": [(v["row_no"], [c.display(v.get(c.key)) for c in columns]) for v in values],
    }


def _t4(filing: Filing, schedule: Schedule) -> dict[str, Any]:
    """附表4: the sections this filer fills (with 比年初) and the narrative under its own headings."""
    insurer = is_insurer_branch(filing.branch)
    wanted = section_keys(insurer=insurer)
    values = selectors.filing_row_values(filing=filing)
    baseline = selectors.t4_baseline(filing=filing)
    blocks = [(heading, t4_lines([c for c in schedule.columns if c.section == key], values[0] if values else None, baseline))
              for key, heading in SECTIONS if key in wanted]
    record = T4Record.objects.filter(filing=filing).first()
    narrative = [(col.label, getattr(record, col.key, "") if record else "") for col in narrative_columns(insurer=insurer)]
    return {"blocks": blocks, "narrative": narrative, "baseline_code": filing.period.previous_year_end_code}


@login_required
def filing_print(request: HttpRequest, pk: int) -> HttpResponse:
    filing = filing_for_request(request, pk)
    schedule = SCHEDULES.get(filing.schedule)
    if schedule is None:
        raise Http404("该报表没有打印页面。")
    body = _t4(filing, schedule) if filing.schedule == ScheduleCode.T4 else _rows(filing, schedule)
    timeline = FilingTransition.objects.filter(filing=filing).select_related("actor", "actor_organisation").order_by("at", "pk")
    return render(request, "workflow/filing_print.html", body | {
        "filing": filing, "schedule": schedule, "title": schedule.full_title, "timeline": timeline,
        "landscape": schedule.multi_row, "printed_at": timezone.localtime(),
        "final": not filing.is_editable,
    })
