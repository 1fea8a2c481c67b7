from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from reports.filings import selectors, services
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


@dataclass
class Diff:
    added: list[str]
    removed: list[str]
    changed: list[CellChange]


def filing_diff(*, old: Filing, new: Filing) -> Diff:
    """Exactly the cells that differ between two versions of one filing (rows matched by their
    natural key: 统一社会信用代码 for T1, 园区编码 for T5)."""
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
    added = [k for k in b if k not in a]
    removed = [k for k in a if k not in b]
    changed = []
    for k in a:
        if k not in b:
            continue
        for col in columns:
            x, y = a[k].get(col.key), b[k].get(col.key)
            if services._norm(x) != services._norm(y):
                changed.append(CellChange(k, col.key, col.label, col.display(x), col.display(y)))
    return Diff(added, removed, changed)
