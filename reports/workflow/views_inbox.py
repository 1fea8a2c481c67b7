"""The review inbox pages (branch and province regulators): the list with its filters, approving
several clean filings at once, and returning one with its comment. Views only parse input; the
inbox is ``inbox.review_inbox``, the steps are ``bulk`` / ``services``."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from portal import access
from reports.filings.kinds import short_label
from reports.filings.models import Filing
from reports.workflow import services as workflow
from reports.workflow.bulk import filings_approve_bulk
from reports.workflow.filtersets import InboxFilterSet
from reports.workflow.inbox import inbox_filings, review_inbox
from reports.workflow.tables import InboxTable, InboxWaitingTable
from reports.workflow.views import visible_filing

PAGE_SIZE = 50


def _require_regulator(user) -> None:
    if not access.is_regulator(user):
        raise PermissionDenied("审核待办仅供监管部门使用。")


def _back(request):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(reverse("reports:inbox"))


@login_required
def inbox(request):
    user = request.user
    _require_regulator(user)
    filterset = InboxFilterSet(request.GET or None, queryset=inbox_filings(user=user), request=request)
    filings = filterset.qs if not filterset.is_bound or filterset.is_valid() else filterset.queryset.none()
    box = review_inbox(user=user, filings=filings)
    table, waiting = InboxTable(box.mine), InboxWaitingTable(box.waiting)
    for t in (table, waiting):
        RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(t)
    return render(request, "workflow/inbox.html", {
        "title": "审核待办", "filter": filterset, "table": table, "waiting": waiting,
        "bulk_count": sum(1 for e in box.mine if e.bulk_approvable),
    })


def _selected_ids(request) -> list[int]:
    ids: list[int] = []
    for raw in request.POST.getlist("filing"):
        if raw.isdigit() and int(raw) not in ids:
            ids.append(int(raw))
    return ids


@login_required
@require_POST
def inbox_approve(request):
    """Approve the ticked filings, each as its own step; the refused ones are named with the reason."""
    user = request.user
    _require_regulator(user)
    ids = _selected_ids(request)
    if not ids:
        messages.warning(request, "请先勾选要审核通过的报表。")
        return _back(request)
    visible = {f.pk: f for f in access.restrict(user, Filing.objects.filter(pk__in=ids)).select_related("park", "branch", "city", "period")}
    for pk in ids:
        if pk not in visible:
            messages.error(request, f"报表（编号 {pk}）不存在或您无权查看，未作处理。")
    outcome = filings_approve_bulk(actor=user, filings=[visible[pk] for pk in ids if pk in visible])
    if outcome.approved:
        names = "、".join(f"{f.subject} {short_label(f.schedule)}" for f in outcome.approved)
        messages.success(request, f"已审核通过 {len(outcome.approved)} 份报表：{names}。")
    for filing, reason in outcome.refused:
        messages.error(request, f"{filing.subject} {short_label(filing.schedule)}未审核通过：{reason}")
    return _back(request)


@login_required
@require_POST
def inbox_return(request, pk: int):
    """Return one filing with its comment (required: the service refuses an empty one)."""
    _require_regulator(request.user)
    filing = visible_filing(request, pk)
    try:
        workflow.filing_return(actor=request.user, filing=filing, comment=request.POST.get("comment", ""))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, f"{filing.subject}：{m}")
        return _back(request)
    messages.success(request, f"已退回 {filing.subject} {short_label(filing.schedule)}。")
    return _back(request)
