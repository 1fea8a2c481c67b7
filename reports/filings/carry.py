"""从上期带入: the rows a new 附表1 / 附表5 starts from — the latest approved earlier version of the
same filer (``selectors.filing_previous_approved``) brought up to the register at the new period's end.

附表1 against the park's tenants (``Tenancy.objects.in_force`` at period end): a row whose enterprise
is still a tenant is copied as it was; a tenant the old ledger lacks is added with what the register
knows (name, 统一社会信用代码, type, industry — the figures are the operator's to type); a row whose
enterprise is no longer a tenant is left out and listed. 附表5 the same against the branch's partner
links in force (``PartnerLink.objects.in_force``). The rows are raw values, saved by
``services.filing_rows_replace`` like any upload."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reports.filings import selectors
from reports.filings.choices import ScheduleCode
from reports.filings.models import Filing
from reports.schedules import SCHEDULES


@dataclass
class CarryPlan:
    source: Filing
    raw_rows: list[dict[str, Any]] = field(default_factory=list)
    copied: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    added: list[tuple[str, str]] = field(default_factory=list)  # from the register, figures to fill in
    departed: list[tuple[str, str]] = field(default_factory=list)  # in the old rows, no longer in the register

    @property
    def added_rows(self) -> frozenset[int]:
        """Row numbers (1-based, as saved) of the rows added from the register."""
        first = len(self.copied) + 1
        return frozenset(range(first, first + len(self.added)))


def _register_rows(filing: Filing) -> list[dict[str, Any]]:
    end = filing.period.end
    if filing.schedule == ScheduleCode.T1:
        return selectors.park_tenant_rows_at(park_id=filing.park_id, on=end)
    return selectors.branch_partner_rows_at(branch_id=filing.branch_id, on=end)


def _raw(schedule, values: dict[str, Any]) -> dict[str, Any]:
    """Stored (canonical) values as a filer would type them: what ``Column.parse`` reads back."""
    return {col.key: col.form_initial(values.get(col.key)) for col in schedule.columns if col.key in values}


def carry_plan(*, filing: Filing, source: Filing) -> CarryPlan:
    """The rows ``filing`` starts from: ``source``'s rows still in the register at ``filing``'s
    period end (copied), then the register's rows ``source`` lacks (added), in register order."""
    schedule = SCHEDULES[filing.schedule]
    key = schedule.natural_key
    register = {r[key]: r for r in _register_rows(filing)}
    plan = CarryPlan(source=source)
    old_keys = set()
    for row in selectors.filing_row_values(filing=source):
        code = row[key]
        old_keys.add(code)
        if code in register:
            plan.raw_rows.append(_raw(schedule, row))
            plan.copied.append((code, schedule.row_name(row) or schedule.row_name(register[code])))
        else:
            plan.departed.append((code, schedule.row_name(row)))
    for code, row in register.items():
        if code not in old_keys:
            plan.raw_rows.append(_raw(schedule, row))
            plan.added.append((code, schedule.row_name(row)))
    return plan
