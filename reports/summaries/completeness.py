"""Which filings a period expects, and where each one stands.

Expected: a T1 for every active park; a T4/T5 package for every bank branch with partner links
at period end (or that filed anyway, e.g. insurers reporting park lending). States: 未报送 (no
filing, or a draft never submitted), 已退回, 待审核 (submitted or forwarded), 已通过 (also while an
amendment of the approved version is being drafted: the approved version stands); 逾期 counts the
expected filings whose FIRST submission came after the deadline, or still outstanding after it.

Timeliness is judged on the subject's first submission of the schedule for the period, across
versions (``subject_days_late``): an amendment, or a resubmission after a return, carries its own
``submitted_at`` but never turns an on-time filing late. ``Filing.days_late`` holds that judgement
for every version (set on submit, carried by ``filing_amend``)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Exists, OuterRef

from banks.choices import InstitutionType
from parks.choices import ParkStatus, PartnerRole
from parks.models import Park, PartnerLink
from portal.choices import OrgKind
from portal.models import Organisation, Region
from reports.filings.choices import FilingStatus as S
from reports.filings.choices import ScheduleCode
from reports.filings.inlists import values_in_q
from reports.filings.kinds import BANK_PACKAGE, INSURER_SCHEDULES, PARK_SCHEDULES, schedules_label
from reports.filings.models import Filing, Period
from reports.filings.quality import quality_count

STATES = (("not_filed", "未报送"), ("late", "逾期"), ("awaiting", "待审核"), ("returned", "已退回"), ("approved", "已通过"))
STATE_LABELS = dict(STATES)


@dataclass
class Item:
    kind: str  # park | branch
    subject_id: int
    code: str
    name: str
    city_code: str
    schedules: str  # "附表1/2", "附表4/5" (a bank) or "附表4" (an insurer)
    filing_id: int | None
    status: str  # filing status or ""
    state: str  # not_filed | returned | awaiting | approved
    late: bool
    days_late: int
    url: str = ""
    waiting_for: str = ""  # awaiting: "bank" (a park's 附表1 waiting for its lead bank's 转报) or "regulator"
    waiting_for_name: str = ""  # the lead bank's name when waiting_for is "bank"
    county_code: str = ""  # a park's county ("" for a bank branch: banks file per city)
    urge: str = ""  # 催报 on the list: "can", "sent" (today) or "" (see summaries.urge.urge_marks)
    history_warnings: int = 0  # the review queue: its quality warnings against history (``queue_by_history``)


@dataclass
class CityRow:
    city: Region
    counts: dict[str, int] = field(default_factory=lambda: {k: 0 for k, _ in STATES})
    expected: int = 0
    # expected / approved by subject: "park" (附表1/2) and "branch" (附表4/5)
    kinds: dict[str, dict[str, int]] = field(default_factory=lambda: {k: {"expected": 0, "approved": 0} for k in ("park", "branch")})


def _state(status: str | None, version: int = 1) -> str:
    if status == S.APPROVED or (status == S.DRAFT and version > 1):  # an amendment in progress: v-1 stands
        return "approved"
    if status in (S.SUBMITTED, S.CONFIRMED):
        return "awaiting"
    if status == S.RETURNED:
        return "returned"
    return "not_filed"


def completeness_items(*, period: Period, today: dt.date, city_code: str | None = None, parks: list[dict] | None = None) -> list[Item]:
    """Every expected filing of the period (optionally one city), in a constant number of queries.
    ``parks``: its active parks (``pk``, ``code``, ``name``, ``county__city_code``, ``county__code``)
    if already at hand."""
    if parks is None:
        active = Park.objects.filter(status=ParkStatus.ACTIVE)
        if city_code:
            active = active.filter(county__city_code=city_code)
        parks = list(active.values("pk", "code", "name", "county__city_code", "county__code").order_by("code"))
    t1_filings = Filing.objects.filter(period=period, schedule=ScheduleCode.T1, is_current=True)
    t1_filings = t1_filings.filter(park__county__city_code=city_code) if city_code else t1_filings.filter(values_in_q("park__id", [p["pk"] for p in parks]))
    active_ids = {p["pk"] for p in parks}
    t1 = {f["park_id"]: f for f in t1_filings.values("pk", "park_id", "status", "version", "days_late") if f["park_id"] in active_ids}
    # the branches expected: partner links in force at period end, or a 附表4/5 filed anyway (one query)
    links = PartnerLink.objects.in_force(on=period.end).filter(branch_id=OuterRef("pk"))
    bank_filings = Filing.objects.filter(period=period, schedule__in=BANK_PACKAGE, is_current=True)
    branches = Organisation.objects.filter(kind=OrgKind.BANK_BRANCH).filter(Exists(links) | Exists(bank_filings.filter(branch_id=OuterRef("pk"))))
    if city_code:
        branches = branches.filter(region__code=city_code)
    branches = list(branches.values("pk", "name", "region__code", "institution__type").order_by("region__code", "name"))
    package: dict[int, dict] = {}
    package_filings = bank_filings.filter(branch__kind=OrgKind.BANK_BRANCH, **({"branch__region__code": city_code} if city_code else {}))
    for f in package_filings.values("pk", "branch_id", "schedule", "status", "version", "days_late").order_by("schedule"):
        package.setdefault(f["branch_id"], f)  # T4 represents the package (T5 if T4 is missing)
    due = period.filer_due
    # a submitted 附表1 waits for its park's lead bank (转报) before the branch reviews it
    waiting = [p_id for p_id, f in t1.items() if f["status"] == S.SUBMITTED]
    lead_banks = dict(PartnerLink.objects.in_force(on=today).filter(park_id__in=waiting, role=PartnerRole.LEAD)
                      .values_list("park_id", "branch__name")) if waiting else {}
    items: list[Item] = []
    for p in parks:
        f = t1.get(p["pk"])
        state = _state(f and f["status"], f["version"] if f else 1)
        days = f["days_late"] if f and state != "not_filed" else days_outstanding(due=due, today=today)
        item = Item("park", p["pk"], p["code"], p["name"], p["county__city_code"], schedules_label(PARK_SCHEDULES), f and f["pk"], f["status"] if f else "",
                    state, days > 0, days, f"/filings/{f['pk']}/" if f else f"/parks/{p['pk']}/", county_code=p["county__code"])
        if state == "awaiting":
            bank = lead_banks.get(p["pk"]) if f["status"] == S.SUBMITTED else None
            item.waiting_for, item.waiting_for_name = ("bank", bank) if bank else ("regulator", "")
        items.append(item)
    for b in branches:
        f = package.get(b["pk"])
        state = _state(f and f["status"], f["version"] if f else 1)
        days = f["days_late"] if f and state != "not_filed" else days_outstanding(due=due, today=today)
        items.append(Item("branch", b["pk"], "", b["name"], b["region__code"], _package_label(b), f and f["pk"], f["status"] if f else "",
                          state, days > 0, days, f"/filings/{f['pk']}/" if f else f"/organisations/{b['pk']}/",
                          waiting_for="regulator" if state == "awaiting" else ""))
    return items


def days_outstanding(*, due: dt.date, today: dt.date) -> int:
    """How late an expected filing not (or never) submitted is today: it counts as 逾期 when > 0."""
    return max(0, (today - due).days)


def _package_label(branch: dict) -> str:
    """附表4/5 for a bank's package, 附表4 for an insurer's."""
    return schedules_label(INSURER_SCHEDULES if branch["institution__type"] == InstitutionType.INSURER else BANK_PACKAGE)


def review_queue(items: list[Item]) -> tuple[list[Item], list[Item]]:
    """The expected filings awaiting review, split by whom they wait for: the regulator (a branch's
    own review queue) and the parks' lead banks (转报 first; not yet the regulator's work)."""
    awaiting = [i for i in items if i.state == "awaiting"]
    return [i for i in awaiting if i.waiting_for != "bank"], [i for i in awaiting if i.waiting_for == "bank"]


def queue_by_history(items: list[Item]) -> list[Item]:
    """The review queue with the filings carrying quality warnings against history first (the most
    first; otherwise in the queue's order), each with their number (``Item.history_warnings``)."""
    ids = [i.filing_id for i in items if i.filing_id]
    counts = {pk: quality_count(issues) for pk, issues in Filing.objects.filter(pk__in=ids).values_list("pk", "issues")} if ids else {}
    for item in items:
        item.history_warnings = counts.get(item.filing_id, 0)
    return sorted(items, key=lambda i: -i.history_warnings)


def _count(row: CityRow, item: Item) -> None:
    row.expected += 1
    row.counts[item.state] += 1
    row.kinds[item.kind]["expected"] += 1
    row.kinds[item.kind]["approved"] += item.state == "approved"
    if item.late:
        row.counts["late"] += 1


def completeness_by_city(*, period: Period, today: dt.date, city_code: str | None = None, items: list[Item] | None = None,
                         cities: list[Region] | None = None) -> list[CityRow]:
    """One row per city (``items``: the period's ``completeness_items`` if already at hand;
    ``cities``: the rows' regions, if at hand)."""
    if cities is None:
        cities = Region.objects.filter(level="city", province_code="330000").order_by("code")
        if city_code:
            cities = cities.filter(code=city_code)
    rows = {c.code: CityRow(city=c) for c in cities}
    if items is None:
        items = completeness_items(period=period, today=today, city_code=city_code)
    for item in items:
        row = rows.get(item.city_code)
        if row is not None:
            _count(row, item)
    return list(rows.values())


BANKS_ROW_CODE = "banks"
BANKS_ROW_NAME = "银行保险机构（附表4/5，保险机构附表4，按地市报送）"


def completeness_by_county(*, period: Period, today: dt.date, city_code: str, items: list[Item] | None = None,
                           regions: dict[str, Region] | None = None) -> list[CityRow]:
    """Inside one city: one row per county that has operating parks (their 附表1/2), then one row
    for the city's bank branches (附表4/5 are filed per city, not per county); the rows add up to
    the city's row of ``completeness_by_city``. ``regions``: code → region of the city's counties,
    if at hand."""
    if items is None:
        items = completeness_items(period=period, today=today, city_code=city_code)
    items = [i for i in items if i.city_code == city_code]
    county_codes = {i.county_code for i in items if i.kind == "park"}
    if regions is None:
        counties = Region.objects.filter(code__in=county_codes).order_by("code")
    else:
        counties = [regions[code] for code in sorted(county_codes)]
    rows = {c.code: CityRow(city=c) for c in counties}
    banks = CityRow(city=SimpleNamespace(code=BANKS_ROW_CODE, name=BANKS_ROW_NAME, separately_planned=False))
    for item in items:
        _count(rows[item.county_code] if item.kind == "park" else banks, item)
    return list(rows.values()) + ([banks] if banks.expected else [])


def completeness_totals(rows: list[CityRow]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for r in rows:
        total["expected"] += r.expected
        for k, v in r.counts.items():
            total[k] += v
    return dict(total)


def completeness_rows_data(rows: list[CityRow]) -> list[dict]:
    """The JSON kept in the city and province summaries (dashboards read it from there)."""
    return [{"code": r.city.code, "name": r.city.name, "separately_planned": r.city.separately_planned,
             "expected": r.expected, **r.counts,
             "parks_expected": r.kinds["park"]["expected"], "parks_approved": r.kinds["park"]["approved"],
             "banks_expected": r.kinds["branch"]["expected"], "banks_approved": r.kinds["branch"]["approved"]} for r in rows]


def completeness_rows_from_data(items: list[dict] | None) -> list[CityRow]:
    """CityRow objects back from a summary's ``completeness`` list."""
    out = []
    for item in items or []:
        row = CityRow(city=SimpleNamespace(code=item["code"], name=item["name"], separately_planned=item.get("separately_planned", False)))
        row.expected = item["expected"]
        row.counts = {k: item.get(k, 0) for k, _ in STATES}
        for kind, prefix in (("park", "parks"), ("branch", "banks")):
            row.kinds[kind] = {"expected": item.get(f"{prefix}_expected", 0), "approved": item.get(f"{prefix}_approved", 0)}
        out.append(row)
    return out


def completeness_part(row: CityRow, items: list[Item]) -> dict:
    """A city's row as its summary keeps it for the province (``Summary.parts``): the row, with the
    late ones among the filings submitted apart (the outstanding ones turn late with the date alone)."""
    return {**completeness_rows_data([row])[0], "late_submitted": sum(1 for i in items if i.city_code == row.city.code and i.late and i.state != "not_filed")}


def completeness_row_on(part: dict, *, period: Period, today: dt.date) -> dict:
    """A city's row kept by ``completeness_part``, as ``completeness_by_city`` would count it ``today``."""
    row = {k: v for k, v in part.items() if k != "late_submitted"}
    row["late"] = part["late_submitted"] + (part["not_filed"] if days_outstanding(due=period.filer_due, today=today) > 0 else 0)
    return row
