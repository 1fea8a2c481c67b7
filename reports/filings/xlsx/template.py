"""The downloadable xlsx template of a filing (附表1, 附表4, 附表5), built from the schedule definition.

T1 and T5 use the official layout (title, filer row, header row of labels, hidden row of keys,
data rows); T1 is prefilled with the filing's rows or else the park's tenants at period end, T5
with the filing's rows or else the branch's active partner links. T4 is vertical: one indicator per
row grouped by section, with the previous year-end value and the change since then, plus a
``推进情况`` sheet for the six narrative sections. Every template has dropdowns for choice and
yes/no columns, number formats, a frozen header and a ``填报说明`` sheet describing every column.

Workbooks are written in openpyxl's write-only mode with one prototype cell per column, so a
20,000-row template creates no style objects per cell.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest
from typing import IO, Any, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from reports.filings import selectors
from reports.filings.choices import ScheduleCode
from reports.filings.kinds import is_insurer_branch
from reports.filings.models import T4Record
from reports.filings.xlsx import (
    FILER_ROW,
    FIRST_DATA_ROW,
    HEADER_ROW,
    INSTRUCTIONS_SHEET,
    KEY_ROW,
    KIND_NAMES,
    KIND_RULES,
    LISTS_SHEET,
    NARRATIVE_SHEET,
    NUMBER_FORMATS,
    TITLE_ROW,
    excel_value,
    filer_line,
    header_text,
    safe_cell,
    title_of,
)
from reports.filings.xlsx.stream import probe_rows, spliced_workbook_file
from reports.filings.xlsx.writer import (
    BOLD,
    BORDER,
    CENTER_WRAP,
    COMPUTED_FILL,
    HEADER_FILL,
    PCT_FORMAT,
    PP_FORMAT,
    SECTION_FILL,
    TITLE_FONT,
    TOP_WRAP,
    figure_format,
    new_workbook,
    styled,
    workbook_bytes,
)
from reports.schedules import SCHEDULES, Schedule
from reports.schedules.base import BOOL, CHOICE, INDUSTRY, MULTI, RATE, TEXT, Column
from reports.schedules.numbers import change as t4_change
from reports.schedules.t4 import NARRATIVE, narrative_columns

__all__ = ["template_build", "OutColumn", "out_columns", "write_grid", "write_t4_sheet", "write_narrative_sheet",
           "T4_HEADERS", "T4_VALUE_HEADER"]

MAX_ROW = 1048576

T4_VALUE_HEADER = "本季末"
T4_HEADERS = ("指标键", "序号", "指标", T4_VALUE_HEADER, "上年末", "比年初增减")


@dataclass(frozen=True)
class OutColumn:
    """One column of a written grid: an input Column of the schedule or a computed one."""

    key: str
    header: str
    kind: str
    width: int = 14
    choices: tuple[tuple[str, str], ...] = ()
    options: tuple[str, ...] = ()
    computed: bool = False
    required: bool = False


def out_columns(columns: Iterable[Any], computed: Iterable[Any] = ()) -> list[OutColumn]:
    out = [OutColumn(c.key, header_text(c), c.kind, c.width, tuple(c.choices), tuple(getattr(c, "options", ()) or ()),
                     False, bool(getattr(c, "required", False))) for c in columns]
    out += [OutColumn(c.key, header_text(c), c.kind, c.width, tuple(c.choices), (), True, False) for c in computed]
    return out


def options_of(col: OutColumn | Column) -> list[str]:
    """The allowed values a person picks from (labels, 是/否)."""
    if col.kind == BOOL:
        return ["是", "否"]
    if col.kind in (CHOICE, INDUSTRY):
        return [str(label) for _, label in col.choices]
    if col.kind == MULTI:
        return list(col.options)
    return []


class _Lists:
    """The hidden sheet that holds the dropdown lists (inline lists are limited to 255 characters)."""

    def __init__(self) -> None:
        self.columns: list[list[str]] = []
        self._refs: dict[tuple[str, ...], str] = {}

    def ref(self, options: Sequence[str]) -> str:
        key = tuple(options)
        if key not in self._refs:
            self.columns.append(list(options))
            letter = get_column_letter(len(self.columns))
            self._refs[key] = f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(options)}"
        return self._refs[key]

    def write(self, wb: Workbook) -> None:
        if not self.columns:
            return
        ws = wb.create_sheet(LISTS_SHEET)
        ws.sheet_state = "hidden"
        for values in zip_longest(*self.columns):
            ws.append([safe_cell(v) for v in values])


def _list_validation(col: OutColumn, ref: str, letter: str) -> DataValidation:
    dv = DataValidation(type="list", formula1=ref, allow_blank=True, showDropDown=False, showErrorMessage=True,
                        errorStyle="warning", errorTitle="不在可选范围内",
                        error=f"“{col.header}”应从下拉列表中选择；继续保存时平台会再次校验。",
                        showInputMessage=True, promptTitle=col.header[:32], prompt="请从下拉列表中选择")
    dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{MAX_ROW}")
    return dv


def write_grid(
    ws,
    *,
    title: str,
    subtitle: str,
    cols: Sequence[OutColumn],
    rows: Iterable[dict[str, Any]],
    lists: _Lists | None = None,
    frozen_cols: int = 2,
) -> int:
    """Write the official layout into a write-only sheet; returns the number of data rows."""
    _grid_layout(ws, cols, lists=lists, frozen_cols=frozen_cols)
    ws.append([styled(ws, title, font=TITLE_FONT, alignment=Alignment(horizontal="center", vertical="center"))])
    ws.append([styled(ws, subtitle)])
    ws.append([styled(ws, col.header, font=BOLD, fill=COMPUTED_FILL if col.computed else HEADER_FILL,
                      alignment=CENTER_WRAP, border=BORDER) for col in cols])
    ws.append([col.key for col in cols])
    return _grid_rows(ws, cols, rows)


def grid_workbook_file(wb: Workbook, ws, *, title: str, subtitle: str, cols: Sequence[OutColumn],
                       rows: Iterable[dict[str, Any]], lists: _Lists | None = None) -> IO[bytes]:
    """``write_grid(ws, …, rows=rows)`` and the workbook saved, as a temporary file open at its
    start; the data rows are streamed into it in chunks (``stream``): flat memory, any size. The
    workbook's other sheets (and ``lists``) are written by the caller first."""
    write_grid(ws, title=title, subtitle=subtitle, cols=cols, rows=probe_rows(cols), lists=lists)
    if lists is not None:
        lists.write(wb)
    return spliced_workbook_file(wb, ws, cols=cols, rows=rows)


def _grid_layout(ws, cols: Sequence[OutColumn], *, lists: _Lists | None, frozen_cols: int) -> None:
    """Column widths and formats, the hidden key row, frozen panes, merged title rows, dropdowns
    (a write-only sheet takes them before its first row)."""
    n = len(cols)
    last = get_column_letter(n)
    letters = [get_column_letter(i) for i in range(1, n + 1)]
    for letter, col in zip(letters, cols):
        dim = ws.column_dimensions[letter]
        dim.width = col.width
        fmt = NUMBER_FORMATS.get(col.kind)
        if fmt and not col.computed:
            dim.number_format = fmt  # applies to rows people add in Excel
    ws.row_dimensions[HEADER_ROW].height = 36
    ws.row_dimensions[KEY_ROW].hidden = True
    ws.freeze_panes = f"{get_column_letter(min(frozen_cols, n) + 1)}{FIRST_DATA_ROW}"
    if n > 1:
        ws.merged_cells.add(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
        ws.merged_cells.add(f"A{FILER_ROW}:{last}{FILER_ROW}")
    if lists is not None:
        for letter, col in zip(letters, cols):
            if not col.computed and col.kind in (CHOICE, BOOL, INDUSTRY):
                ws.data_validations.append(_list_validation(col, lists.ref(options_of(col)), letter))


def _grid_rows(ws, cols: Sequence[OutColumn], rows: Iterable[dict[str, Any]]) -> int:
    """The data rows; returns their number.

    Numbers and dates need a number format per cell (a column style only applies to cells
    people add later). One prototype cell per such column carries the style; only its value
    changes per row, so no style object is created per cell. Text needs no cell style, and
    plain values are much cheaper for openpyxl to write than Cell objects."""
    protos: list[WriteOnlyCell | None] = []
    for col in cols:
        fmt = figure_format(col.kind, col.key) or NUMBER_FORMATS.get(col.kind)
        if fmt and fmt != "@":
            cell = WriteOnlyCell(ws)
            cell.number_format = fmt
            protos.append(cell)
        else:
            protos.append(None)
    plan = [(proto, col.key, col.kind, col.choices) for proto, col in zip(protos, cols)]
    count = 0
    append = ws.append
    for row in rows:
        get = row.get
        out = []
        for proto, key, kind, choices in plan:
            value = excel_value(kind, get(key), choices)
            if value is None or proto is None:
                out.append(value)
            else:
                proto.value = value
                out.append(proto)
        append(out)
        count += 1
    return count


def _instructions(wb: Workbook, schedule: Schedule, *, columns: Sequence[Column], notes: Sequence[str]) -> None:
    ws = wb.create_sheet(INSTRUCTIONS_SHEET)
    widths = (6, 30, 26, 16, 8, 10, 40, 60)
    for letter, width in zip("ABCDEFGH", widths):
        ws.column_dimensions[letter].width = width
    ws.append([styled(ws, f"{schedule.full_title} 填报说明", font=TITLE_FONT)])
    for note in notes:
        ws.append([styled(ws, note)])
    ws.append([])
    ws.append([styled(ws, h, font=BOLD, fill=HEADER_FILL, alignment=CENTER_WRAP, border=BORDER)
               for h in ("序号", "列标题", "列键", "类型", "单位", "是否必填", "可选值", "填写规则")])
    for i, col in enumerate(columns, start=1):
        options = options_of(col)
        if col.kind == INDUSTRY:
            allowed = "；".join(f"{value} {label}" for value, label in col.choices)
        elif col.kind == MULTI:
            allowed = "、".join(options) + "（可多选，用“、”分隔）"
        else:
            allowed = "、".join(options)
        length = f"不超过{col.max_length}个字符" if col.kind == TEXT else ""
        rule = "；".join(x for x in (col.help, KIND_RULES.get(col.kind, ""), length) if x)
        values = [i, header_text(col), col.key, KIND_NAMES.get(col.kind, col.kind), col.unit, "是" if col.required else "",
                  allowed, rule]
        cells = []
        for value in values:
            cell = WriteOnlyCell(ws, value=safe_cell(value))
            cell.alignment = TOP_WRAP
            cells.append(cell)
        ws.append(cells)


# --- T4: vertical ---------------------------------------------------------------------------

def write_t4_sheet(
    ws,
    *,
    title: str,
    subtitle: str,
    values: dict[str, Any],
    baseline: dict[str, Any] | None,
    formulas: bool,
    growth: bool = False,
    extra_rows: Sequence[tuple[str, Any]] = (),
) -> dict[str, int]:
    """One indicator per row grouped by section: hidden key | 序号 | 指标 | 本季末 | 上年末 | 比年初增减
    (| 增速(%)). Returns key → Excel row. ``formulas``: 比年初增减 as a live Excel formula (template)
    instead of a computed value (export)."""
    schedule = SCHEDULES[ScheduleCode.T4]
    headers = list(T4_HEADERS) + (["增速(%)"] if growth else [])
    last = get_column_letter(len(headers))
    for letter, width in zip("ABCDEFG", (14, 6, 46, 16, 16, 16, 12)):
        ws.column_dimensions[letter].width = width
    ws.column_dimensions["A"].hidden = True
    ws.freeze_panes = f"D{HEADER_ROW + 1}"
    ws.merged_cells.add(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    ws.merged_cells.add(f"A{FILER_ROW}:{last}{FILER_ROW}")
    ws.append([styled(ws, title, font=TITLE_FONT, alignment=Alignment(horizontal="center"))])
    ws.append([styled(ws, subtitle)])
    ws.append([styled(ws, h, font=BOLD, fill=COMPUTED_FILL if h in ("上年末", "比年初增减", "增速(%)") else HEADER_FILL,
                      alignment=CENTER_WRAP, border=BORDER) for h in headers])
    rows: dict[str, int] = {}
    row_no = HEADER_ROW
    number = 0
    baseline = baseline or {}
    for section, heading in schedule.sections:
        row_no += 1
        ws.append([None, styled(ws, heading, font=BOLD, fill=SECTION_FILL)])
        for col in schedule.columns:
            if col.section != section:
                continue
            row_no += 1
            number += 1
            ws.append(_t4_line(ws, col, number, row_no, values.get(col.key), baseline.get(col.key), formulas=formulas, growth=growth))
            rows[col.key] = row_no
    if extra_rows:
        ws.append([])
        ws.append([None, styled(ws, "主要比率（系统计算）", font=BOLD, fill=SECTION_FILL)])
        for label, value in extra_rows:
            ws.append([None, None, styled(ws, label, border=BORDER),
                       styled(ws, None if value is None else float(value), number_format=PCT_FORMAT, fill=COMPUTED_FILL, border=BORDER)])
    return rows


def _t4_line(ws, col: Column, number: int, row_no: int, current: Any, base: Any, *, formulas: bool, growth: bool) -> list[Any]:
    """key | 序号 | 指标 | 本季末 | 上年末 | 比年初增减 (a live formula or the computed value) (| 增速(%))."""
    fmt = NUMBER_FORMATS.get(col.kind)
    value_cell = styled(ws, excel_value(col.kind, current), number_format=fmt, border=BORDER)
    base_cell = styled(ws, excel_value(col.kind, base), number_format=fmt, fill=COMPUTED_FILL, border=BORDER)
    if formulas:
        delta: Any = f'=IF(OR(D{row_no}="",E{row_no}=""),"",D{row_no}-E{row_no})'
        delta_cell = WriteOnlyCell(ws, value=delta)  # our own formula, not user text
        delta_cell.number_format = fmt
        delta_cell.fill = COMPUTED_FILL
        delta_cell.border = BORDER
        pct = None
    else:
        delta, pct = t4_change(current, base)
        delta_fmt = PP_FORMAT if col.kind == RATE else fmt  # a rate's change is in 个百分点
        delta_cell = styled(ws, excel_value(col.kind, delta), number_format=delta_fmt, fill=COMPUTED_FILL, border=BORDER)
    cells = [col.key, number, styled(ws, header_text(col), border=BORDER), value_cell, base_cell, delta_cell]
    if growth:
        cells.append(styled(ws, None if pct is None else float(pct), number_format=PCT_FORMAT, fill=COMPUTED_FILL, border=BORDER))
    return cells


def write_narrative_sheet(wb: Workbook, *, texts: dict[str, Any], columns: Sequence[Column] = NARRATIVE) -> None:
    ws = wb.create_sheet(NARRATIVE_SHEET)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 100
    ws.append([styled(ws, "栏目", font=BOLD, fill=HEADER_FILL, border=BORDER),
               styled(ws, "内容", font=BOLD, fill=HEADER_FILL, border=BORDER)])
    for row_no in range(2, 2 + len(columns)):
        ws.row_dimensions[row_no].height = 90
    for col in columns:
        ws.append([styled(ws, col.label, font=BOLD, alignment=TOP_WRAP, border=BORDER),
                   styled(ws, texts.get(col.key) or None, alignment=TOP_WRAP, border=BORDER)])


# --- the template -----------------------------------------------------------------------------

def _t1_prefill(filing) -> list[dict[str, Any]]:
    rows = selectors.filing_row_values(filing=filing)
    return rows or selectors.park_tenant_rows_at(park_id=filing.park_id, on=filing.period.end)


def _t5_prefill(filing) -> list[dict[str, Any]]:
    rows = selectors.filing_row_values(filing=filing)
    return rows or selectors.branch_partner_rows_at(branch_id=filing.branch_id, on=filing.period.end)


GRID_NOTES = (
    "1. 第3行为列标题，第4行为隐藏的列键（请勿修改或删除）；从第5行起每行填写一条记录，可增删行。",
    "2. 上传后将整体替换本表的全部数据行：任何一行有错误则不保存任何数据，并返回标注了错误单元格的工作簿。",
    "3. 金额单位为万元（保留2位小数）；利率为年化百分比；“是/否”列填“是”或“否”；选项列请从下拉列表选择。",
    "4. 也可上传只含官方列标题的表格：列的顺序不限，多余的列将被忽略，缺少必填列时整份文件不予导入。",
)
T4_NOTES = (
    "1. 在“本季末”列填写各项指标的季末数；“上年末”“比年初增减”为系统计算，无需填写。",
    "2. 银行机构填报第一、二部分，保险机构填报第三部分；金额单位为万元，利率为年化百分比。",
    "3. 在“推进情况”工作表填写六个栏目的文字说明。",
)


def template_build(*, filing) -> bytes:
    """The xlsx template of ``filing`` (T1, T4 or T5) as bytes."""
    schedule = SCHEDULES.get(filing.schedule)
    if schedule is None:
        raise ValueError(f"{filing.schedule} has no upload template")
    wb = new_workbook(write_only=True)
    title, subtitle = title_of(filing), filer_line(filing)
    if filing.schedule == ScheduleCode.T4:
        ws = wb.create_sheet(f"附表{schedule.number}")
        stored = selectors.filing_row_values(filing=filing)
        write_t4_sheet(ws, title=title, subtitle=subtitle, values=stored[0] if stored else {},
                       baseline=selectors.t4_baseline(filing=filing), formulas=True)
        write_narrative_sheet(wb, texts=_t4_narrative(filing), columns=narrative_columns(insurer=is_insurer_branch(filing.branch)))
        _instructions(wb, schedule, columns=schedule.columns + NARRATIVE, notes=T4_NOTES)
        return workbook_bytes(wb)
    rows = _t1_prefill(filing) if filing.schedule == ScheduleCode.T1 else _t5_prefill(filing)
    ws = wb.create_sheet(f"附表{schedule.number}")
    _instructions(wb, schedule, columns=schedule.columns, notes=GRID_NOTES)
    with grid_workbook_file(wb, ws, title=title, subtitle=subtitle, cols=out_columns(schedule.columns), rows=rows, lists=_Lists()) as fh:
        return fh.read()


def _t4_narrative(filing) -> dict[str, Any]:
    return T4Record.objects.filter(filing=filing).values(*[c.key for c in NARRATIVE]).first() or {}
