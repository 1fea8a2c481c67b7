"""The branch's desk (and the bank's and park's own view of it): the reconciliation list with its
comments, the risk signals with their chart and acknowledgement."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django_filters import FilterSet

from reports.monitoring import exports, selectors, services
from reports.monitoring.filtersets import ReconciliationFilterSet, RiskSignalFilterSet, bound_data
from reports.monitoring.reconciliation import TOLERANCE_FLOOR, TOLERANCE_SHARE
from reports.monitoring.risk import RISK_DROP, RISK_MONTHS

PAGE_SIZE = 50


def _filtered(filterset: FilterSet) -> QuerySet:
    """The filtered list (nothing when a filter value is invalid: the form shows why)."""
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()


def _page(request: HttpRequest, rows: QuerySet):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def reconciliation_list(request: HttpRequest):
    """The differences the user sees, filtered (``filtersets``), 50 a page; ``?format=xlsx``: the
    whole filtered list as a workbook."""
    filterset = ReconciliationFilterSet(bound_data(request.GET, state="open"), request=request,
                                        queryset=selectors.reconciliation_items(user=request.user, open_only=False))
    items = _filtered(filterset).order_by("-period__year", "-period__quarter", "park__code", "branch__name", "figure", "pk")
    if request.GET.get("format") == "xlsx":
        return exports.reconciliation_export(items=items.annotate(comment_count=Count("comments")))
    return render(request, "monitoring/reconciliation_list.html", {
        "title": "园区与银行对账差异", "filter": filterset, "page": _page(request, items), "export_testid": "reconciliation-export",
        "tolerance": f"差额超过较大一方的{TOLERANCE_SHARE * 100:.0f}%，且不少于{TOLERANCE_FLOOR['count']:.0f}户 / {TOLERANCE_FLOOR['credit']:.0f}万元"})


@login_required
@require_http_methods(["GET", "POST"])
def reconciliation_detail(request: HttpRequest, pk: int):
    item = get_object_or_404(selectors.reconciliation_items(user=request.user, open_only=False), pk=pk)
    if request.method == "POST":
        try:
            services.reconciliation_comment_add(actor=request.user, item=item, text=request.POST.get("text", ""))
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, "说明已保存。")
        return redirect(item)
    return render(request, "monitoring/reconciliation_detail.html", {
        "title": "对账差异", "item": item, "comments": item.comments.select_related("author", "organisation")})


@login_required
def risk_list(request: HttpRequest):
    """The signals the user sees, filtered (``filtersets``), 50 a page; ``?format=xlsx``: the whole
    filtered list as a workbook."""
    filterset = RiskSignalFilterSet(bound_data(request.GET, state="active"), request=request,
                                    queryset=selectors.risk_signals(user=request.user, active_only=False))
    signals = _filtered(filterset).order_by("-month", "park__code", "enterprise__name", "pk")
    if request.GET.get("format") == "xlsx":
        return exports.risk_export(signals=signals)
    return render(request, "monitoring/risk_list.html", {
        "title": "经营风险信号（园区大脑）", "filter": filterset, "page": _page(request, signals), "export_testid": "risk-export",
        "rule": f"用电量连续{RISK_MONTHS}个月同比下降超过{RISK_DROP * 100:.0f}%，且最近一期审核通过的附表1有贷款余额"})


@login_required
@require_http_methods(["GET", "POST"])
def risk_detail(request: HttpRequest, pk: int):
    signal = get_object_or_404(selectors.risk_signals(user=request.user, active_only=False), pk=pk)
    if request.method == "POST":
        try:
            services.risk_signal_acknowledge(actor=request.user, signal=signal, note=request.POST.get("note", ""))
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, "已确认。")
        return redirect(signal)
    return render(request, "monitoring/risk_detail.html", {
        "title": f"经营风险信号：{signal.enterprise.name}", "signal": signal, "chart": selectors.risk_chart(signal=signal)})
