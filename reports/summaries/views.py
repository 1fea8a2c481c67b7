from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal import access
from portal.choices import ZHEJIANG_CODE, OrgKind
from portal.models import Region
from reports.filings.choices import ScheduleCode
from reports.filings.models import Filing, Period
from reports.filings.selectors import period_current
from reports.filings.xlsx.writer import append_header, append_rows, append_title, new_workbook, workbook_bytes, xlsx_response
from reports.summaries.completeness import (
    STATE_LABELS,
    STATES,
    completeness_by_city,
    completeness_by_county,
    completeness_items,
    completeness_totals,
    queue_by_history,
    review_queue,
)
from reports.summaries.models import Summary
from reports.summaries.t3 import t3_export, t3_generate
from reports.summaries.t3_province import t3_inbox, t3_province, t3_province_export, t3_province_note
from reports.summaries.urge import KINDS as URGE_KINDS
from reports.summaries.urge import subject_urge, urge_marks
from reports.workflow.transitions import REGENERATE, allowed
from reports.workflow.views import visible_filing, workflow_context

T3_COLUMNS = (  # (key, label, kind: how the number reads)
    ("enterprises_total", "入园企业数", "int"), ("filed_count", "已建档企业数", "int"), ("filing_coverage", "建档覆盖率", "pct"),
    ("demand_count", "有融资需求企业数", "int"), ("demand_amount", "融资需求金额(万元)", "amount"),
    ("credited_count", "获得授信企业数", "int"), ("credit_coverage", "授信覆盖率", "pct"), ("credit_amount", "授信金额(万元)", "amount"),
    ("loan_count", "贷款户数", "int"), ("loan_balance", "贷款余额(万元)", "amount"), ("inclusive_balance", "普惠型贷款余额(万元)", "amount"),
    ("first_loan_count", "首贷户数", "int"), ("weighted_loan_rate", "加权平均利率", "rate"), ("demand_unmet_count", "需求未满足户数", "int"),
    ("multi_bank_count", "服务银行超过3家（个体工商户超过2家）企业数", "int"),
)


def _completeness_scope(user) -> str | None:
    """None: every city (province); a city code for a branch regulator; refuse others."""
    if access.is_province(user):
        return None
    org = user.organisation if user.organisation_id else None
    if org and org.kind == OrgKind.BRANCH_REGULATOR:
        return org.region.code
    raise PermissionDenied("只有监管部门可以查看报送完整性。")


def _period_from(request) -> Period:
    code = request.GET.get("period")
    period = Period.objects.filter(code=code, is_baseline=False).first() if code else None
    return period or period_current(today=timezone.localdate()) or Period.objects.filter(is_baseline=False).first()


@login_required
def completeness(request):
    """Per city (the province) and, for one city (``?city=``, or the branch's own), per county."""
    city = _completeness_scope(request.user)
    period = _period_from(request)
    today = timezone.localdate()
    picked = city or _city_code(request.GET.get("city"))
    items = completeness_items(period=period, today=today, city_code=picked)
    rows = completeness_by_city(period=period, today=today, city_code=city, items=items if picked == city else None)
    county_rows = completeness_by_county(period=period, today=today, city_code=picked, items=items) if picked else []
    city_row = next((r for r in rows if r.city.code == picked), None)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(_completeness_sheet(period, rows, county_rows, city_row), f"报送完整性_{period.code}{'_' + picked if picked else ''}.xlsx")
    return render(request, "workflow/completeness.html", {
        "title": f"报送完整性与及时性 · {period.code}", "period": period, "rows": rows, "totals": completeness_totals(rows),
        "states": STATES, "periods": Period.objects.filter(is_baseline=False), "single_city": city is not None,
        "picked": city_row, "county_rows": county_rows,
    })


def _city_code(code: str | None) -> str | None:
    """A Zhejiang city code from the query string, else None."""
    return code if code and Region.objects.filter(code=code, level="city", province_code=ZHEJIANG_CODE).exists() else None


@login_required
def completeness_list(request):
    city_scope = _completeness_scope(request.user)
    period = _period_from(request)
    city = city_scope or request.GET.get("city") or None
    state = request.GET.get("state", "")
    items = completeness_items(period=period, today=timezone.localdate(), city_code=city)
    county = request.GET.get("county", "")
    if county:
        items = [i for i in items if i.county_code == county]
    at_banks: list = []
    if state == "late":
        items = [i for i in items if i.late]
    elif state == "awaiting":  # the regulators' review queue; the 附表1 still at their lead banks apart
        items, at_banks = review_queue(items)
        items = queue_by_history(items)  # the quality warnings against history first
    elif state == "awaiting_bank":
        items = review_queue(items)[1]
    elif state:
        items = [i for i in items if i.state == state]
    if request.GET.get("format") == "xlsx":
        return xlsx_response(_items_sheet(period, items + at_banks), f"报送清单_{period.code}.xlsx")
    page = Paginator(items, 100).get_page(request.GET.get("page"))
    urge_marks(items=list(page), period=period, today=timezone.localdate())
    labels = {"awaiting": "待审核（监管部门）", "awaiting_bank": "待主办行审核转报"}
    return render(request, "workflow/completeness_list.html", {
        "title": f"{period.code} 报送清单", "period": period, "page": page, "state": state,
        "state_label": labels.get(state) or STATE_LABELS.get(state, "全部"), "city": city, "states": STATE_LABELS, "at_banks": at_banks,
    })


@login_required
@require_POST
def completeness_urge(request):
    """催报 one outstanding subject (its reviewer only; once a day per subject)."""
    period = get_object_or_404(Period, code=request.POST.get("period", ""), is_baseline=False)
    kind, raw_id = request.POST.get("kind", ""), request.POST.get("subject", "")
    if kind not in URGE_KINDS or not raw_id.isdigit():
        raise PermissionDenied("催报对象无效。")
    try:
        sent = subject_urge(actor=request.user, period=period, kind=kind, subject_id=int(raw_id))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, f"已催报：站内消息和邮件已发送给 {sent.recipients} 位用户。")
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = f"{reverse('reports:completeness_list')}?period={period.code}"
    return redirect(target)


def _workbook(title: str, subtitle: str, header: list[str], rows: list[list]) -> bytes:
    wb = new_workbook()
    ws = wb.create_sheet("报送完整性")
    append_title(ws, title)
    append_rows(ws, [[subtitle]])
    append_header(ws, header)
    append_rows(ws, rows)
    ws.freeze_panes = "A4"
    return workbook_bytes(wb)


def _completeness_sheet(period: Period, rows, county_rows=(), city_row=None) -> bytes:
    header = ["地市", "应报", *[label for _, label in STATES]]
    data = [[r.city.name, r.expected, *[r.counts[k] for k, _ in STATES]] for r in rows]
    total = completeness_totals(rows)
    data.append(["合计", total.get("expected", 0), *[total.get(k, 0) for k, _ in STATES]])
    if county_rows:
        data += [[], [f"{city_row.city.name if city_row else ''}分县（市、区）", "应报", *[label for _, label in STATES]]]
        data += [[r.city.name, r.expected, *[r.counts[k] for k, _ in STATES]] for r in county_rows]
    return _workbook(f"{period.code} 小微企业园报表报送完整性与及时性", f"填报截止日期：{period.filer_due:%Y-%m-%d}", header, data)


def _waiting_text(item) -> str:
    if item.waiting_for == "bank":
        return f"主办行（{item.waiting_for_name}）审核转报"
    return "监管部门审核" if item.waiting_for == "regulator" else ""


def _items_sheet(period: Period, items) -> bytes:
    header = ["地市代码", "报送主体", "园区编码", "报表", "状态", "等待", "是否逾期", "逾期天数"]
    data = [[i.city_code, i.name, i.code, i.schedules, STATE_LABELS[i.state], _waiting_text(i), "是" if i.late else "否", i.days_late]
            for i in items]
    return _workbook(f"{period.code} 报送清单", f"填报截止日期：{period.filer_due:%Y-%m-%d}", header, data)



@login_required
def t3_page(request):
    """Branch regulator: its city's 附表3 for a period (generate → review → submit). Province: each city's."""
    period = _period_from(request)
    user = request.user
    if request.method == "POST":
        try:
            filing = t3_generate(actor=user, period=period)
            messages.success(request, "已根据最新审核通过的报表生成附表3。")
            return redirect(filing.get_absolute_url())
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
            return redirect(f"{request.path}?period={period.code}")
    scope = _completeness_scope(user)
    filings = Filing.objects.filter(schedule=ScheduleCode.T3, period=period, is_current=True).select_related("city")
    if scope:
        filings = filings.filter(city__code=scope)
    return render(request, "workflow/t3_list.html", {
        "title": f"附表3 小微企业园融资需求及融资成本情况汇总表 · {period.code}", "period": period, "filings": filings,
        "periods": Period.objects.filter(is_baseline=False), "can_generate": scope is not None,
    })


def t3_detail(request, filing: Filing):
    data = filing.snapshot.get("data") or {}
    by_county = {}
    for p in data.get("parks", []):
        by_county.setdefault(p["county_code"], []).append(p)
    blocks = [(c, by_county.get(c["code"], [])) for c in data.get("counties", [])]
    ctx = workflow_context(user=request.user, filing=filing) | {
        "filing": filing, "title": f"{filing.city.name}小微企业园融资需求及融资成本情况汇总表（附表3）", "data": data,
        "blocks": blocks, "columns": T3_COLUMNS, "built_at": _local(filing.snapshot.get("built_at")),
        "can_regenerate": allowed(REGENERATE, user=request.user, filing=filing),
        "summary": Summary.objects.filter(scope="city", code=filing.city.code, period=filing.period).only("built_at", "queued", "requested_at").first(),
        "explanation_form": None,
    }
    return render(request, "workflow/t3_detail.html", ctx)


@login_required
def t3_download(request, pk: int):
    filing = visible_filing(request, pk)
    if filing.schedule != ScheduleCode.T3:
        raise PermissionDenied("不是附表3。")
    return xlsx_response(t3_export(filing=filing), f"附表3_{filing.city.name}_{filing.period.code}.xlsx")


def _local(iso: str | None):
    value = parse_datetime(iso) if iso else None
    return timezone.localtime(value) if value else None



@login_required
def t3_province_page(request):
    """The province's 附表3 inbox (the 11 cities and the state of their 附表3) and the
    province-wide 附表3 from the accepted city sheets, 含宁波 / 不含宁波 (``?format=xlsx``: the
    official layout)."""
    if not access.is_province(request.user):
        raise PermissionDenied("只有省局可以查看全省附表3。")
    period = _period_from(request)
    rows = t3_inbox(period=period)
    data = t3_province(rows=rows)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(t3_province_export(period=period, rows=rows, data=data), f"附表3_全省_{period.code}.xlsx")
    totals = [(f"全省合计（{data[k]['label']}）", data[k]["total"], True) for k in ("incl_ningbo", "excl_ningbo")]
    return render(request, "workflow/t3_province.html", {
        "title": f"附表3 收件箱与全省汇总 · {period.code}", "period": period, "periods": Period.objects.filter(is_baseline=False),
        "rows": rows, "data": data, "columns": T3_COLUMNS, "note": t3_province_note(data),
        "lines": [(c["name"], c["total"], False) for c in data["cities"]] + totals,
    })
