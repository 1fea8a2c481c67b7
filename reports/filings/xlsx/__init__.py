"""xlsx in and out of the portal: one template writer, one upload reader, one exporter and the
error annotator, all driven by the declarative schedule definitions in ``reports.schedules``.

The official layout shared by templates and exports (T1, T5, T2 exports)::

    row 1  title                 杭州市西湖智造小微企业园分类建档基础台帐
    row 2  filer, period, unit   填报单位：…    报送期：2020Q3    单位：万元、%
    row 3  header of labels      企业名称 | 统一社会信用代码 | …
    row 4  HIDDEN column keys    enterprise_name | uscc | …
    row 5… data

T4 is vertical (one indicator per row, see ``template.py``).

This module holds the helpers every writer uses: :func:`safe_cell` (formula-injection escaping),
the cell value of a canonical value, number formats and the title texts.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from portal.models import Region
from reports.filings.choices import ScheduleCode
from reports.filings.kinds import PARK_SCHEDULES
from reports.filings.xlsx.writer import AMOUNT_FORMAT, COUNT_FORMAT, RATE_FORMAT, UNSAFE_PREFIXES, safe_cell
from reports.schedules.base import AMOUNT, BOOL, CHOICE, COUNT, DATE, INDUSTRY, MULTI, PHONE, RATE, TEXT, USCC

__all__ = [
    "TITLE_ROW", "FILER_ROW", "HEADER_ROW", "KEY_ROW", "FIRST_DATA_ROW",
    "NARRATIVE_SHEET", "INSTRUCTIONS_SHEET", "LISTS_SHEET", "ERRORS_SHEET",
    "NUMBER_FORMATS", "KIND_NAMES", "UNSAFE_PREFIXES",
    "safe_cell", "unescape_cell", "excel_value", "header_text", "title_of", "filer_line", "park_city_name",
]

TITLE_ROW, FILER_ROW, HEADER_ROW, KEY_ROW, FIRST_DATA_ROW = 1, 2, 3, 4, 5

NARRATIVE_SHEET = "推进情况"
INSTRUCTIONS_SHEET = "填报说明"
LISTS_SHEET = "下拉选项"
ERRORS_SHEET = "错误清单"

NUMBER_FORMATS = {AMOUNT: AMOUNT_FORMAT, RATE: RATE_FORMAT, COUNT: COUNT_FORMAT, DATE: "yyyy-mm-dd", TEXT: "@", USCC: "@", PHONE: "@", MULTI: "@"}
KIND_NAMES = {
    TEXT: "文本", USCC: "统一社会信用代码（18位）", AMOUNT: "金额", RATE: "利率（年化%）", COUNT: "整数",
    CHOICE: "单选", BOOL: "是/否", INDUSTRY: "行业门类（GB/T 4754-2017）", DATE: "日期", MULTI: "多选", PHONE: "电话号码",
}
KIND_RULES = {
    AMOUNT: "单位万元，最多2位小数，不能为负数；可写“1,234.5”“120.5万元”",
    RATE: "年化百分比，最多4位小数，如 4.35 或 4.35%",
    COUNT: "不小于0的整数",
    BOOL: "填“是”或“否”（也接受 Y/N、1/0）",
    INDUSTRY: "填门类名称或字母（A–T），如“制造业”或“C”",
    DATE: "如 2020-06-30",
    USCC: "18位，按GB 32100-2015校验；不得含 I、O、Z、S、V",
    PHONE: "手机号或固定电话，如 13800138000、0571-87654321",
}

def unescape_cell(value: Any) -> Any:
    """The inverse of :func:`safe_cell` for the reader, so an export re-imports losslessly."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def excel_value(kind: str, value: Any, choices: tuple[tuple[str, str], ...] = ()) -> Any:
    """A canonical (stored) value as the cell value of the official layout: numbers stay numbers,
    choices become their labels, booleans 是/否; every string goes through :func:`safe_cell`."""
    if value is None or value == "":
        return None
    if kind == BOOL:
        return "是" if value else "否"
    if kind in (CHOICE, INDUSTRY) or (choices and kind == TEXT):
        return safe_cell(str(dict(choices).get(value, value)))
    if kind == COUNT:
        return int(value)
    if kind in (AMOUNT, RATE):
        return float(value) if isinstance(value, Decimal) else value
    if kind == DATE:
        return value if isinstance(value, dt.date) else safe_cell(str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float, Decimal)):
        return value
    return safe_cell(str(value))


def header_text(col: Any) -> str:
    """The printed header of a Column or Computed column (amounts carry “(万元)”)."""
    header = getattr(col, "header", None)
    if header:
        return header
    if col.kind == AMOUNT and "万元" not in col.label:
        return f"{col.label}(万元)"
    return col.label


def park_city_name(park: Any) -> str:
    """The name of the city (地市) a park's county belongs to (杭州市)."""
    county = park.county
    if county.city_code and county.city_code != county.code:
        name = Region.objects.filter(code=county.city_code).values_list("name", flat=True).first()
        if name:
            return name
    return county.name


def title_of(filing: Any, *, schedule: str | None = None) -> str:
    """The title row: ``{city}{park}分类建档基础台帐`` (T1), ``{branch}小微企业园“伙伴银行”情况表`` (T5),
    ``{branch}小微企业园金融服务情况监测表`` (T4), ``{city}{park}融资需求及融资成本情况汇总表`` (T2)."""
    code = schedule or filing.schedule
    if code in PARK_SCHEDULES:
        park = filing.park
        suffix = "分类建档基础台帐" if code == ScheduleCode.T1 else "融资需求及融资成本情况汇总表"
        return f"{park_city_name(park)}{park.name}{suffix}"
    if code == ScheduleCode.T5:
        return f"{filing.branch.name}小微企业园“伙伴银行”情况表"
    if code == ScheduleCode.T4:
        return f"{filing.branch.name}小微企业园金融服务情况监测表"
    return str(filing)


def filer_line(filing: Any, *, unit: str = "万元、%") -> str:
    """The row naming the filer, the period and the unit."""
    if filing.park_id:
        park = filing.park
        filer = park.operator.name if park.operator_id else park.name
    elif filing.branch_id:
        filer = filing.branch.name
    else:
        filer = filing.city.name if filing.city_id else ""
    return f"填报单位：{filer}    报送期：{filing.period.code}    单位：{unit}"
