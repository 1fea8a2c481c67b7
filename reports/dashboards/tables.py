"""The tables and freshness stamps of the dashboards: what a page shows, sorts and exports to xlsx
(``?format=xlsx&table=<key>``). A ``Table`` formats its cells once, on construction."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from reports.schedules.numbers import figure_text
from reports.targets.indicators import dec


@dataclass
class Freshness:
    """“数据更新于 HH:MM” or “更新中…” of the summary a page is built from."""

    built_at: dt.datetime | None = None
    stale: bool = False
    label: str = "汇总"

    @classmethod
    def of(cls, row: dict | None, label: str = "汇总") -> Freshness:
        if not row:
            return cls(None, False, label)
        requested, built = row.get("requested_at"), row.get("built_at")
        stale = bool(row.get("queued")) or (requested is not None and (built is None or requested > built))
        return cls(built, stale, label)


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | amount | pct | rate | num (per row: row["kind"]) | status | link
    sortable: bool = False
    title: str = ""
    signed: bool = False  # a change: “+” / “−”; of a ratio or a rate, in 个百分点

    @property
    def url_key(self) -> str:
        return f"{self.key}_url"

    @property
    def css_key(self) -> str:
        return f"{self.key}_css"

    @property
    def text_key(self) -> str:
        return f"{self.key}__text"

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


NUMERIC_KINDS = ("int", "amount", "pct", "rate", "ratio", "num")


def fmt_cell(value: Any, kind: str, *, signed: bool = False) -> str:
    """A cell as the page shows it, by the portal's one display rule (``reports.schedules.numbers``):
    separators, amounts 2 decimals (the unit in the table's header), counts whole, ratios with “%”,
    rates 4 decimals with “%”; a ``signed`` change with “+” / “−”, a change of a ratio or rate in 个百分点."""
    if value is None or value == "":
        return "—"
    if kind in NUMERIC_KINDS:
        v = dec(value)
        return str(value) if v is None else figure_text(v, kind, signed=signed)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


STATUS_CSS_BY_LABEL = {"达标": "success", "未达标": "danger", "未报送": "warning", "无数据": "secondary", "不适用": "light",
                       "已审核通过": "success", "已退回": "danger", "已提交": "info", "主办行已转报": "info", "草稿": "secondary"}


@dataclass
class Table:
    """A table the page shows and exports to xlsx (``?format=xlsx&table=<key>``)."""

    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    unit: str = "单位：万元、%"

    def __post_init__(self) -> None:
        """The display cells (text, link, badge) of every row, once. They are kept on the table,
        not in the row dicts: one row may appear in several tables (parks, problems, 垒小户)."""
        self.cells: list[list[dict[str, Any]]] = []
        for row in self.rows:
            cells = []
            for col in self.columns:
                value = row.get(col.key)
                kind = row.get("kind", "amount") if col.kind == "num" else col.kind
                text = fmt_cell(value, kind, signed=col.signed)
                row[col.text_key] = text
                # every key present: a missing key costs the template engine a dir() per lookup
                cell = {"text": text, "num": col.numeric, "url": "", "badge": False, "css": ""}
                if col.kind == "status":
                    cell["css"] = row[col.css_key] = STATUS_CSS_BY_LABEL.get(str(value or "").split("（")[0], "secondary")
                    cell["badge"] = bool(value)
                elif col.kind == "link":
                    cell["url"] = row.get(col.url_key) or ""
                cells.append(cell)
            self.cells.append(cells)

    @property
    def rows_html(self) -> str:
        """The table body as HTML, built here rather than cell by cell in the template engine
        (the province page renders a few thousand cells; this is several times faster)."""
        out = []
        for cells in self.cells:
            tds = []
            for c in cells:
                text = escape(c["text"])
                if c["url"]:
                    tds.append(f'<td><a href="{escape(c["url"])}">{text}</a></td>')
                elif c["badge"]:
                    tds.append(f'<td><span class="badge text-bg-{escape(c["css"])}">{text}</span></td>')
                elif c["num"]:
                    tds.append(f'<td class="num">{text}</td>')
                else:
                    tds.append(f"<td>{text}</td>")
            out.append(f"<tr>{''.join(tds)}</tr>")
        return mark_safe("\n".join(out))
