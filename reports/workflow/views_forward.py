"""Bulk 转报: a lead bank's list of its parks' submitted 附表1 waiting for its confirmation; the
clean ones (no warnings) may be selected and forwarded at once, each as its own workflow step
(``services.filings_confirm_many``). Views only parse input; the rules are the workflow's."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from portal import access
from portal.choices import OrgKind
from reports.filings.kinds import is_insurer_branch
from reports.filings.models import Filing
from reports.workflow import selectors
from reports.workflow import services as workflow

REFUSALS_SHOWN = 20


def _lead_bank(request: HttpRequest):
    org = request.user.organisation if request.user.organisation_id else None
    if org is None or org.kind != OrgKind.BANK_BRANCH or is_insurer_branch(org):
        raise PermissionDenied("只有园区主办行（银行地市一级管理机构）可以转报园区附表1。")
    return org


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
@require_http_methods(["GET", "POST"])
def forward_list(request: HttpRequest) -> HttpResponse:
    org = _lead_bank(request)
    period_id = _int_or_none(request.GET.get("period"))
    if request.method == "POST":
        return _forward(request, period_id)
    waiting = selectors.forward_list(branch=org)
    periods = {f.period_id: f.period for f in waiting}
    rows = [f for f in waiting if not period_id or f.period_id == period_id]
    return render(request, "workflow/forward_list.html", {
        "title": "主办行批量转报", "rows": rows, "periods": sorted(periods.values(), key=lambda p: (p.year, p.quarter)),
        "period_id": period_id, "clean_count": sum(1 for f in rows if not f.warning_count),
    })


def _forward(request: HttpRequest, period_id: int | None) -> HttpResponse:
    ids = {int(v) for v in request.POST.getlist("filing") if v.isdigit()}
    back = redirect(f"{request.path}?period={period_id}" if period_id else request.path)
    if not ids:
        messages.warning(request, "请先勾选要转报的附表1。")
        return back
    chosen = list(access.restrict(request.user, Filing.objects.filter(pk__in=ids)).select_related("period", "park")
                  .order_by("period__year", "period__quarter", "park__code"))
    outcome = workflow.filings_confirm_many(actor=request.user, filings=chosen, comment=request.POST.get("comment", "").strip())
    if outcome.forwarded:
        messages.success(request, f"已转报 {len(outcome.forwarded)} 份附表1，已通知属地银保监分局审核。")
    for filing, why in outcome.refused[:REFUSALS_SHOWN]:
        messages.error(request, f"{filing.subject} {filing.period.code} 附表1 未转报：{why}")
    if unseen := len(ids) - len(chosen):
        messages.error(request, f"{unseen} 份报表不存在或您无权查看，未转报。")
    return back
