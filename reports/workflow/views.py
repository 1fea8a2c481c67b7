"""Workflow pages: action buttons (POST), version differences, completeness, notifications.
Views only parse input and call the workflow services; scope via portal.access."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portal import access
from portal.models import Notification
from portal.notifications import notifications_mark_read
from reports.filings.models import Filing
from reports.workflow import diff as versions
from reports.workflow import services as workflow
from reports.workflow.models import FilingTransition
from reports.workflow.transitions import BUTTONS

ACTION_LABELS = dict(FilingTransition.Action.choices)


def visible_filing(request, pk: int) -> Filing:
    qs = access.restrict(request.user, Filing.objects.all()).select_related("period", "park__county", "branch__region", "city")
    return get_object_or_404(qs, pk=pk)


@login_required
@require_POST
def filing_action(request, pk: int, action: str):
    filing = visible_filing(request, pk)
    comment = request.POST.get("comment", "")
    if action not in BUTTONS:
        raise PermissionDenied("未知操作。")
    try:
        done = workflow.perform(action, actor=request.user, filing=filing, comment=comment)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        return redirect(filing.get_absolute_url())
    if action == "amend":
        messages.success(request, f"已基于第{filing.version}版创建第{done.version}版（草稿），修改后请重新提交审核。")
        return redirect(done.get_absolute_url())
    if action == "reopen":
        messages.success(request, "已重新打开，填报人可再次修改并提交。")
    else:
        messages.success(request, f"已{ACTION_LABELS[action]}。")
    return redirect(filing.get_absolute_url())


def workflow_context(*, user, filing: Filing) -> dict:
    """What the filing header shows: the buttons this user may press, the timeline and versions."""
    versions = list(Filing.objects.filter(schedule=filing.schedule, period_id=filing.period_id, park_id=filing.park_id,
                                          branch_id=filing.branch_id, city_id=filing.city_id).order_by("version")
                    .values("pk", "version", "status", "is_current"))
    actions = workflow.filing_actions_for(user=user, filing=filing)
    return {
        "wf_actions": [(a, ACTION_LABELS[a]) for a in actions],
        "wf_waiting": workflow.filing_waiting_reason(user=user, filing=filing, actions=actions),
        "wf_timeline": FilingTransition.objects.filter(filing=filing).select_related("actor", "actor_organisation"),
        "wf_versions": versions,
    }


@login_required
def filing_diff(request, pk: int):
    new = visible_filing(request, pk)
    other_pk = request.GET.get("against") or (new.amends_id and str(new.amends_id))
    if not other_pk:
        messages.info(request, "该报表只有一个版本。")
        return redirect(new.get_absolute_url())
    old = visible_filing(request, int(other_pk))
    if old.version > new.version:
        old, new = new, old
    try:
        changes = versions.filing_diff(old=old, new=new)
    except ValidationError as exc:
        raise PermissionDenied(exc.messages[0])
    return render(request, "workflow/filing_diff.html", {"old": old, "new": new, "diff": changes, "title": f"版本差异：{new}"})



@login_required
def notifications(request):
    qs = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        notifications_mark_read(user=request.user)
        messages.success(request, "已全部标记为已读。")
        return redirect("notifications")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "workflow/notifications.html", {"title": "站内消息", "page": page})


@login_required
def notification_open(request, pk: int):
    note = get_object_or_404(Notification, pk=pk, user=request.user)
    notifications_mark_read(user=request.user, notification=note)
    return redirect(note.url or "notifications")


# --- 附表3 -------------------------------------------------------------------------------------


