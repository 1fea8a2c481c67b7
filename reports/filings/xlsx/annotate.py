"""An annotated copy of an uploaded workbook: every cell with an error is filled red (warnings
yellow) and carries a comment with the reasons, and a ``错误清单`` sheet lists every issue
(行 / 企业或园区 / 列 / 值 / 原因 / 级别). Issues without a row (a missing column, a missing partner park) are in
the list only."""
from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from reports.filings.xlsx import ERRORS_SHEET, safe_cell

__all__ = ["annotate_workbook", "MAX_MARKED_CELLS"]

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
BOLD = Font(bold=True)
LEVELS = {"error": "错误", "warning": "提示"}
MAX_MARKED_CELLS = 20000  # beyond this the list still has every issue, only the cell marks stop
AUTHOR = "报送平台校验"


def annotate_workbook(
    *,
    data: bytes,
    issues: list[dict[str, Any]],
    column_letters: dict[str, str],
    sheet_index: int = 0,
) -> bytes:
    """``issues`` are issue dicts (``Issue.as_dict``) whose ``row`` is the Excel row number;
    ``column_letters`` maps column keys to Excel column letters of the data sheet."""
    wb = load_workbook(io.BytesIO(data), rich_text=False)
    ws = wb.worksheets[sheet_index]
    by_cell: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for issue in issues:
        letter = column_letters.get(issue.get("column") or "")
        if issue.get("row") and letter:
            by_cell[f"{letter}{issue['row']}"].append(issue)
    for n, (ref, cell_issues) in enumerate(by_cell.items()):
        if n >= MAX_MARKED_CELLS:
            break
        cell = ws[ref]
        is_error = any(i.get("level") == "error" for i in cell_issues)
        cell.fill = ERROR_FILL if is_error else WARNING_FILL
        text = "\n".join(f"[{LEVELS.get(i.get('level'), i.get('level'))}] {i.get('message', '')}" for i in cell_issues)
        comment = Comment(text, AUTHOR)
        comment.width, comment.height = 300, 40 + 20 * len(cell_issues)
        cell.comment = comment

    if ERRORS_SHEET in wb.sheetnames:
        del wb[ERRORS_SHEET]
    out = wb.create_sheet(ERRORS_SHEET)
    out.append(["行", "企业 / 园区", "列", "值", "原因", "级别"])
    for cell in out[1]:
        cell.font = BOLD
    for letter, width in zip("ABCDEF", (8, 28, 30, 24, 60, 8)):
        out.column_dimensions[letter].width = width
    ordered = sorted(issues, key=lambda i: (i.get("level") != "error", i.get("row") is None, i.get("row") or 0))
    for issue in ordered:
        letter = column_letters.get(issue.get("column") or "")
        label = issue.get("label") or issue.get("column") or ""
        column = f"{label}（{letter}列）" if letter and label else label
        out.append([issue.get("row"), safe_cell(issue.get("name") or ""), safe_cell(column), safe_cell(issue.get("value") or ""),
                    safe_cell(issue.get("message") or ""), LEVELS.get(issue.get("level"), issue.get("level"))])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
