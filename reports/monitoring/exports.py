"""The xlsx downloads of the monitoring lists: the filtered list the page shows, every page of it,
written through the portal's one xlsx writer (``reports.filings.xlsx.writer``: figures as numbers
with their formats, every text formula-safe)."""
from __future__ import annotations

from typing import Any, Iterable

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone

from reports.filings.xlsx.writer import (
    append_figures,
    append_header,
    append_title,
    column_widths,
    new_workbook,
    workbook_bytes,
    xlsx_response,
)
from reports.monitoring.models import Figure, ReconciliationItem, RiskSignal

RECONCILIATION_HEADER = ("报送期", "园区编码", "园区", "银行", "项目", "园区附表1可归属（下限）", "园区附表1可归属（上限）",
                         "银行填报（附表5）", "差额", "状态", "说明条数")
RISK_HEADER = ("月份", "企业", "统一社会信用代码", "园区编码", "园区", "本月用电（千瓦时）", "上年同月用电（千瓦时）", "上月同比降幅(%)",
               "本月同比降幅(%)", "贷款余额（万元）", "授信金额（万元）", "主要授信银行", "授信银行家数", "状态", "确认人", "确认时间", "确认说明")


def _sheet(title: str, header: Iterable[str], rows: Iterable[list[tuple[Any, str | None]]], widths: Iterable[float]) -> bytes:
    wb = new_workbook()
    ws = wb.create_sheet(title)
    append_title(ws, f"{title}（导出时间 {timezone.localtime():%Y-%m-%d %H:%M}）")
    append_header(ws, header)
    for cells in rows:
        append_figures(ws, cells)
    column_widths(ws, widths)
    ws.freeze_panes = "A3"
    return workbook_bytes(wb)


def _reconciliation_cells(i: ReconciliationItem) -> list[tuple[Any, str | None]]:
    kind = "count" if i.figure == Figure.COUNT else "amount"
    return [(i.period.code, None), (i.park.code, None), (i.park.name, None), (i.branch.name, None), (i.get_figure_display(), None),
            (i.park_value, kind), (max(i.park_value_max, i.park_value), kind), (i.bank_value, kind), (i.difference, kind),
            ("待核实" if i.is_open else "已消除", None), (i.comment_count, "count")]


def reconciliation_export(*, items: QuerySet[ReconciliationItem]) -> HttpResponse:
    """The filtered reconciliation list as a workbook (``items``: with ``comment_count``)."""
    data = _sheet("园区与银行对账差异", RECONCILIATION_HEADER, (_reconciliation_cells(i) for i in items),
                  (10, 14, 30, 24, 18, 16, 16, 16, 14, 10, 10))
    return xlsx_response(data, f"园区与银行对账差异_{timezone.localdate():%Y%m%d}.xlsx")


def risk_state(signal: RiskSignal) -> str:
    if not signal.is_active:
        return "已解除"
    return "已确认" if signal.acknowledged_at else "待确认"


def _risk_cells(s: RiskSignal) -> list[tuple[Any, str | None]]:
    who = s.acknowledged_by
    return [(f"{s.month:%Y-%m}", None), (s.enterprise.name, None), (s.enterprise.uscc, None), (s.park.code, None), (s.park.name, None),
            (s.kwh, "amount"), (s.kwh_last_year, "amount"), (s.previous_drop, "pct"), (s.drop, "pct"), (s.loan_balance, "amount"),
            (s.credit_amount, "amount"), (s.main_bank, None), (s.lending_bank_count, "count"), (risk_state(s), None),
            ((who.get_full_name() or who.username) if who else "", None), (s.acknowledged_at, None), (s.note, None)]


def risk_export(*, signals: QuerySet[RiskSignal]) -> HttpResponse:
    """The filtered risk-signal list as a workbook."""
    data = _sheet("经营风险信号", RISK_HEADER, (_risk_cells(s) for s in signals), (9, 30, 22, 14, 30, 14, 14, 12, 12, 14, 14, 16, 10, 8, 12, 16, 30))
    return xlsx_response(data, f"经营风险信号_{timezone.localdate():%Y%m%d}.xlsx")
