from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from parks.models import Park
from reports.filings import selectors
from reports.filings.bulk import same_value
from reports.filings.choices import ScheduleCode
from reports.filings.models import Filing, T4Record
from reports.schedules import SCHEDULES
from reports.schedules.t4 import NARRATIVE

# --- differences between versions ------------------------------------------------------------

@dataclass
class CellChange:
    key: str  # natural key of the row ("" for T4)
    column: str
    label: str
    old: Any
    new: Any
    name: str = ""  # the enterprise (T1), park (T5) or bank (T4) the row is about


@dataclass(frozen=True)
class RowRef:
    """An added or removed row: its code and the name people know it by."""

    key: str
    name: str

    def __str__(self) -> str:
        return f"{self.name}（{self.key}）" if self.name else self.key


@dataclass
class Diff:
    added: list[RowRef]
    removed: list[RowRef]
    changed: list[CellChange]


def _row_names(schedule, new: Filing, a: dict[str, dict], b: dict[str, dict]) -> dict[str, str]:
    """Natural key → name: the newer version's name column, else the older one's, else (T5) the
    park's registered name; T4's single record is the bank's own."""
    if schedule.code == ScheduleCode.T4:
        return {"": str(new.subject)}
    names = {k: schedule.row_name(row) for rows in (a, b) for k, row in rows.items() if schedule.row_name(row)}
    if schedule.code == ScheduleCode.T5:
        nameless = [k for k in {*a, *b} if k not in names]
        names.update(Park.objects.filter(code__in=nameless).values_list("code", "name"))
    return names


def filing_diff(*, old: Filing, new: Filing) -> Diff:
    """Exactly the cells that differ between two versions of one filing (rows matched by their
    natural key: 统一社会信用代码 for T1, 园区编码 for T5), each row named beside its code."""
    if (old.schedule, old.period_id, old.park_id, old.branch_id, old.city_id) != (new.schedule, new.period_id, new.park_id, new.branch_id, new.city_id):
        raise ValidationError("只能比较同一报表的两个版本。")
    schedule = SCHEDULES[old.schedule]
    columns = list(schedule.columns) + (list(NARRATIVE) if schedule.code == ScheduleCode.T4 else [])
    keyname = schedule.natural_key
    def rows(f):
        if schedule.code == ScheduleCode.T4:
            rec = T4Record.objects.filter(filing=f).values(*[c.key for c in columns]).first()
            return {"": rec} if rec else {}
        return {r[keyname]: r for r in selectors.filing_row_values(filing=f)}
    a, b = rows(old), rows(new)
    names = _row_names(schedule, new, a, b)
    added = [RowRef(k, names.get(k, "")) for k in b if k not in a]
    removed = [RowRef(k, names.get(k, "")) for k in a if k not in b]
    changed = []
    for k in a:
        if k not in b:
            continue
        for col in columns:
            x, y = a[k].get(col.key), b[k].get(col.key)
            if not same_value(x, y):
                changed.append(CellChange(k, col.key, col.label, col.display(x), col.display(y), names.get(k, "")))
    return Diff(added, removed, changed)
