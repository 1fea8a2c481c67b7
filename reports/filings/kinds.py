"""The five schedules as kinds of filing, in one place: who files each, which are typed by filers
and which the portal builds, which travel together. Code asks here (or compares with
``ScheduleCode`` members) instead of spelling schedule codes out."""
from __future__ import annotations

from typing import Any

from portal.choices import OrgKind
from reports.filings.choices import ScheduleCode as Code

PARK_SCHEDULES = (Code.T1, Code.T2)  # filed for a park (附表2 is built from its 附表1)
BANK_PACKAGE = (Code.T4, Code.T5)  # a bank's city branch files both, and they travel as one package
INSURER_SCHEDULES = (Code.T4,)  # an insurer's city branch files 附表4 (section 三 + narrative) only: 附表5 is 伙伴银行情况表
CITY_SCHEDULES = (Code.T3,)  # built by the city branch regulator from its city's summary
FILER_SCHEDULES = (Code.T1, Code.T4, Code.T5)  # typed by parks and banks: the ones a lock date closes
FORWARDED = (Code.T1,)  # a park's 附表1 goes through its lead bank (主办行转报) when it has one
SUBJECT_FIELD = {**{c: "park_id" for c in PARK_SCHEDULES}, **{c: "branch_id" for c in BANK_PACKAGE},
                 **{c: "city_id" for c in CITY_SCHEDULES}}


def short_label(code: str) -> str:
    """附表1 … 附表5."""
    return f"附表{str(code)[1:]}" if code in Code.values else str(code)


def schedules_label(codes: tuple[str, ...] | list[str]) -> str:
    """A set of schedules as people write it: 附表1/2, 附表4/5, 附表4."""
    nums = [str(c)[1:] for c in codes]
    return f"附表{'/'.join(nums)}"


def subject_field(code: str) -> str:
    """The Filing field naming the subject of a schedule: park_id, branch_id or city_id."""
    return SUBJECT_FIELD[Code(code)]


def is_insurer_branch(org: Any) -> bool:
    """A city branch of an insurer: it files 附表4 only, never acts as a park's 主办行."""
    return bool(org is not None and org.kind == OrgKind.BANK_BRANCH and org.institution_id and org.institution.is_insurer)


def branch_schedules(org: Any) -> tuple[str, ...]:
    """The schedules a bank or insurer city branch files each period (its package)."""
    return INSURER_SCHEDULES if is_insurer_branch(org) else BANK_PACKAGE


def filing_schedules_label(filing: Any) -> str:
    """What a filing's subject files, for messages: 附表1/2 (a park), 附表4/5 (a bank), 附表4 (an insurer)."""
    return schedules_label(PARK_SCHEDULES if filing.park_id else branch_schedules(filing.branch))
