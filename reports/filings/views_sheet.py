"""表格编辑: the spreadsheet page of 附表1 / 附表5 and its JSON (columns from the schedule's definition,
the stored rows as typed, the lock_version). Validation and saving go through the rows API
(``reports.filings.api.views`` → ``services.filing_rows_replace``), the same service as the xlsx
upload; this module only serves the page and the data."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal import access
from reports.filings.sheet import sheet_data
from reports.filings.views import filing_for_request, filing_page_context, schedule_of_page


@login_required
@require_GET
def filing_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    filing = filing_for_request(request, pk)
    schedule_of_page(filing, multi_row=True)
    return render(request, "reports/sheet.html", filing_page_context(request, filing))


@login_required
@require_GET
def filing_sheet_data(request: HttpRequest, pk: int) -> JsonResponse:
    filing = filing_for_request(request, pk)
    schedule = schedule_of_page(filing, multi_row=True)
    can_edit = access.can(request.user, access.CHANGE, filing) and filing.is_editable and not filing.locked_for(request.user)
    response = JsonResponse(sheet_data(schedule=schedule, filing=filing, can_edit=can_edit), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response
