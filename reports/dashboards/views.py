"""Dashboard pages (issue 6). Views parse the request, ask ``reports.dashboards`` for the page and
render it, or export its tables to xlsx (``?format=xlsx``: every table, one sheet each;
``&table=<key>``: one table). Scoping goes through ``portal.access`` (in the selectors)."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from parks.models import Park
from portal import access
from portal.choices import ZHEJIANG_CODE, OrgKind, RegionLevel
from portal.models import Organisation, Region
from reports.dashboards import selectors as d
from reports.filings.choices import FilingStatus
from reports.filings.views_xlsx import xlsx_response
from reports.summaries.models import Summary
from reports.targets.models import Target, TargetResult, TargetSet

SIDE_LABELS = dict(d.SIDES)


def _common(request: HttpRequest) -> tuple[list, Any, dt.date]:
    today = timezone.localdate()
    periods = d.periods_for_picker()
    period = d.period_pick(periods, request.GET.get("period"), today)
    if period is None:
        raise Http404("尚无报送期。")
    return periods, period, today


def _query_without(request: HttpRequest, *keys: str) -> str:
    params = request.GET.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()


def _page(request: HttpRequest, template: str, ctx: dict[str, Any], *, title: str, period, periods, filename: str,
          subtitle: str) -> HttpResponse:
    ctx.update(title=title, period=period, periods=periods, today=timezone.localdate(),
               query=_query_without(request, "format", "table"), query_no_period=_query_without(request, "format", "table", "period"))
    if request.GET.get("format") == "xlsx":
        key = request.GET.get("table")
        tables = [t for t in ctx["tables"] if not key or t.key == key]
        if not tables:
            raise Http404("没有这张表。")
        name = f"{filename}_{tables[0].title}" if key else filename
        return xlsx_response(workbook(title=title, subtitle=subtitle, tables=tables, freshness=ctx.get("freshness")),
                              f"{name}_{period.code}.xlsx")
    return render(request, template, ctx)


# --- xlsx --------------------------------------------------------------------------------------------

def _cell(value: Any, kind: str) -> Any:
    from reports.filings.xlsx import safe_cell

    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "是" if value else "否"
    if kind in ("int", "amount", "pct", "rate", "num") and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return safe_cell(value)
    return safe_cell(value) if isinstance(value, str) else value


def workbook(*, title: str, subtitle: str, tables: list[d.Table], freshness: d.Freshness | None = None) -> bytes:
    """One sheet per table in the portal's export layout: title, filer/period/unit line, header, rows
    (numbers stay numbers; text through ``safe_cell`` against formula injection)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from reports.filings.xlsx import safe_cell

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    stamp = ""
    if freshness and freshness.built_at:
        stamp = f"  数据更新于 {timezone.localtime(freshness.built_at):%Y-%m-%d %H:%M}"
    for table in tables:
        name = "".join(ch for ch in table.title if ch not in "[]:*?/\\")[:28] or table.key
        while name in used:
            name = name[:26] + "_2"
        used.add(name)
        ws = wb.create_sheet(name)
        ws.append([safe_cell(f"{title} — {table.title}")])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append([safe_cell(f"{subtitle}  {table.unit}{stamp}".strip())])
        ws.append([c.label for c in table.columns])
        for cell in ws[3]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="EEF2F7")
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for row in table.rows:
            ws.append([_cell(row.get(c.key), row.get("kind", c.kind) if c.kind == "num" else c.kind) for c in table.columns])
        if table.note:
            ws.append([])
            ws.append([safe_cell(f"注：{table.note}")])
        for i, col in enumerate(table.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = 30 if col.kind in ("text", "link") else 14
            if col.kind in ("pct", "amount"):
                for r in range(4, 4 + len(table.rows)):
                    ws.cell(r, i).number_format = "#,##0.00"
            elif col.kind == "rate":
                for r in range(4, 4 + len(table.rows)):
                    ws.cell(r, i).number_format = "0.0000"
        ws.freeze_panes = "B4"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- pages -------------------------------------------------------------------------------------------

def _redirect_keeping_query(request: HttpRequest, name: str, **kwargs: Any) -> HttpResponse:
    """A redirect that keeps the query string (``?period=2020Q3&ningbo=excl`` must survive it)."""
    query = request.GET.urlencode()
    return redirect(reverse(name, kwargs=kwargs or None) + (f"?{query}" if query else ""))


@login_required
def index(request: HttpRequest):
    """监测看板: each role lands on its own dashboard (with the period and options asked for)."""
    user = request.user
    kind = access.org_kind(user)
    if access.is_province(user) or access.scope_q(user, d.Summary) == access.ALL:
        return _redirect_keeping_query(request, "dashboards:province")
    org = user.organisation
    if kind in (OrgKind.BRANCH_REGULATOR, OrgKind.ECONOMY_BUREAU) and org.region.level == RegionLevel.CITY:
        return _redirect_keeping_query(request, "dashboards:city", code=org.region.code)
    if kind == OrgKind.BANK_BRANCH:
        return _redirect_keeping_query(request, "dashboards:bank", pk=org.pk)
    parks = d.parks_visible(user)
    if kind == OrgKind.PARK_OPERATOR and len(parks) == 1:
        return _redirect_keeping_query(request, "dashboards:park", code=parks[0]["code"])
    if not parks:
        raise PermissionDenied("您所在的机构没有可查看的监测看板。")
    return render(request, "dashboards/parks.html", {"title": "园区监测看板", "parks": parks})


@login_required
def province(request: HttpRequest):
    periods, period, today = _common(request)
    side = request.GET.get("ningbo", "incl")
    side = side if side in SIDE_LABELS else "incl"
    ctx = d.province_page(user=request.user, period=period, side=side, periods=periods, today=today)
    if ctx is None:
        raise PermissionDenied("只有省级监管部门和省级经信部门可以查看全省看板。")
    ctx.update(side_label=SIDE_LABELS[side], sides=d.SIDES, city_links=d.cities_visible(request.user))
    return _page(request, "dashboards/province.html", ctx, title="全省小微企业园金融服务监测看板", period=period, periods=periods,
                 filename="全省监测看板", subtitle=f"报送期：{period.code}  口径：{SIDE_LABELS[side]}")


@login_required
def city(request: HttpRequest, code: str):
    periods, period, today = _common(request)
    region = get_object_or_404(Region, code=code, level=RegionLevel.CITY, province_code=ZHEJIANG_CODE)
    flt = d.ParkFilter.from_query(request.GET)
    ctx = d.city_page(user=request.user, city=region, period=period, periods=periods, today=today, flt=flt)
    if ctx is None:
        raise PermissionDenied("您没有权限查看该地市的监测看板。")
    ctx.update(city_links=d.cities_visible(request.user), province_visible=access.scope_q(request.user, d.Summary) == access.ALL,
               sort_query=_query_without(request, "format", "table", "sort", "dir"))
    return _page(request, "dashboards/city.html", ctx, title=f"{region.name}小微企业园金融服务监测看板", period=period, periods=periods,
                 filename=f"{region.name}监测看板", subtitle=f"报送期：{period.code}  地市：{region.name}")


@login_required
def bank(request: HttpRequest, pk: int):
    periods, period, _today = _common(request)
    # a bank's page shows its 附表4 figures: open to exactly the readers of its filings
    banks = Organisation.objects.filter(access.filings_readable_q(request.user, "bank"), kind=OrgKind.BANK_BRANCH)
    org = get_object_or_404(banks.select_related("institution", "region"), pk=pk)
    ctx = d.bank_page(user=request.user, org=org, period=period, periods=periods, explicit=bool(request.GET.get("period")))
    period = ctx.pop("period")
    return _page(request, "dashboards/bank.html", ctx, title=f"{org.name} 监测看板", period=period, periods=periods,
                 filename=f"{org.name}监测看板", subtitle=f"填报机构：{org.name}  报送期：{period.code}")


@login_required
def park(request: HttpRequest, code: str):
    periods, period, _today = _common(request)
    qs = Park.objects.filter(access.filings_readable_q(request.user, "park")).select_related("county", "operator")
    park_obj = get_object_or_404(qs, code=code)
    ctx = d.park_page(user=request.user, park=park_obj, period=period, periods=periods)
    ctx["city_visible"] = any(c == park_obj.county.city_code for c, _ in d.cities_visible(request.user))
    ctx["filing_statuses"] = FilingStatus.choices
    return _page(request, "dashboards/park.html", ctx, title=f"{park_obj.name} 监测看板", period=period, periods=periods,
                 filename=f"{park_obj.name}监测看板", subtitle=f"园区：{park_obj.name}（{park_obj.code}）  报送期：{period.code}")


@login_required
def targets(request: HttpRequest):
    """Every target set with its targets and the period's province-wide (or summary) results."""
    periods, period, _today = _common(request)
    if access.scope_q(request.user, d.Summary) != access.ALL:
        raise PermissionDenied("只有省级监管部门和省级经信部门可以查看全部目标。")
    sets = list(TargetSet.objects.prefetch_related("targets").order_by("order", "code"))
    results = list(access.restrict(request.user, TargetResult.objects.filter(period=period))
                   .filter(is_official=True).select_related("target__target_set").order_by("target__order", "scope_code"))
    by_target: dict[int, list[TargetResult]] = {}
    for r in results:
        by_target.setdefault(r.target_id, []).append(r)
    blocks, tables = [], []
    for ts in sets:
        rows = []
        for t in ts.targets.all():
            rs = by_target.get(t.pk, [])
            wide = [r for r in rs if r.scope_kind != Target.ScopeKind.CITY or t.scope_kind == Target.ScopeKind.CITY]
            counts = {s: sum(1 for r in wide if r.status == s) for s, _ in TargetResult.Status.choices}
            main = wide[0] if len(wide) == 1 else None
            row = d.result_row(main) if main else {
                "code": t.code, "name": t.name, "scope": f"{t.get_scope_kind_display()}（{len(wide)}个）" if wide else t.get_scope_kind_display(),
                "actual_text": "—", "target_text": "", "basis": "", "gap_text": "—", "pace_text": "",
                "status": d._status("no_data"), "status_label": "", "source": f"{ts.source_document} {t.source_clause}",
                "note": t.not_applicable_reason, "notes": t.notes, "clause": t.source_clause}
            row["counts"] = counts if not main else None
            row["summary"] = "、".join(f"{label} {counts[s]}" for s, label in TargetResult.Status.choices if counts[s]) if not main else ""
            if not main:
                row["status_label"] = row["summary"] or "无数据"
            rows.append(row)
        blocks.append({"set": ts, "rows": rows})
        tables.append(d.Table(ts.code, ts.name, d.TARGET_COLUMNS, rows, unit=""))
    summary = (Summary.objects.filter(scope=Summary.Scope.PROVINCE, code=ZHEJIANG_CODE, period=period)
               .values("built_at", "queued", "requested_at").first())
    ctx = {"blocks": blocks, "tables": tables, "freshness": d.Freshness.of(summary, "全省汇总"), "statuses": TargetResult.Status.choices,
           "admin_url": "/admin/reports/target/" if request.user.is_staff else ""}
    return _page(request, "dashboards/targets.html", ctx, title="目标组与完成情况", period=period, periods=periods,
                 filename="目标完成情况", subtitle=f"报送期：{period.code}")
