"""Timelines of the demo filings: which park files which quarter, each filing's status, creation,
submission and approval dates and lateness, the timestamps written after the rows, and the
transitions (提交, 主办行确认转报, 审核通过 or 退回) every submitted filing went through."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from parks.choices import Batch, ParkStatus
from parks.models import PartnerLink
from portal.choices import OrgKind
from portal.models import Organisation
from reports.demo.calibration import (
    LAST,
    LATE_SHARE,
    MISSING_FIRST,
    MISSING_LAST,
    N_PERIODS,
    NOW,
    PERIOD_CODES,
    RETURN_COMMENTS,
    START_INDEX,
    YEARS,
)
from reports.demo.helpers import curve_at, moment, update_many
from reports.demo.loaded import LoadedPark
from reports.filings.choices import FilingStatus
from reports.filings.models import Filing, Period, T2Summary
from reports.workflow.models import FilingTransition

T1_LAST_STATUSES = ((FilingStatus.APPROVED, 55), (FilingStatus.CONFIRMED, 12), (FilingStatus.SUBMITTED, 15),
                    (FilingStatus.RETURNED, 6), (FilingStatus.DRAFT, 12))
T1_PAST_STATUSES = ((FilingStatus.APPROVED, 99), (FilingStatus.DRAFT, 1))


@dataclass
class FilingMeta:
    """Status and dates of one filing (a bank's T4 and T5 of a period share one)."""

    status: str
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    days_late: int
    lock_version: int


def filing_meta(rng: random.Random, period: Period, *, statuses: tuple[tuple[str, float], ...], late_share: float) -> FilingMeta:
    status = rng.choices([s for s, _ in statuses], weights=[w for _, w in statuses])[0]
    end, due = period.end, period.filer_due
    now_day = NOW.date()
    latest = min(due + dt.timedelta(days=25), now_day - dt.timedelta(days=1))
    created_day = end + dt.timedelta(days=rng.randint(1, 10))
    if period.code == "2019Q2":  # the first filing: the scheme started in July 2019
        created_day = dt.date(2019, 7, 20) + dt.timedelta(days=rng.randint(0, 12))
    late = rng.random() < late_share
    if late and latest > due:
        submitted_day = due + dt.timedelta(days=rng.randint(1, (latest - due).days))
    else:
        submitted_day = due - dt.timedelta(days=rng.randint(0, 12))
    submitted_day = min(max(submitted_day, created_day), now_day - dt.timedelta(days=1))
    created = moment(created_day, rng)
    lock_version = rng.randint(1, 6)
    if status == FilingStatus.DRAFT:
        updated_day = min(created_day + dt.timedelta(days=rng.randint(0, 8)), now_day)
        updated = max(moment(updated_day, rng), created)
        return FilingMeta(status, created, min(updated, NOW), None, None, 0, lock_version)
    submitted = max(moment(submitted_day, rng), created)
    days_late = max(0, (submitted_day - due).days)
    if status == FilingStatus.APPROVED:
        approved_day = min(submitted_day + dt.timedelta(days=rng.randint(1, 8)), now_day)
        approved = min(max(moment(approved_day, rng), submitted + dt.timedelta(hours=2)), NOW)
        return FilingMeta(status, created, approved, submitted, approved, days_late, lock_version)
    # submitted / confirmed / returned: the last step happened a day or a few after submission
    step = submitted if status == FilingStatus.SUBMITTED else min(
        submitted + dt.timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 5)), NOW)
    return FilingMeta(status, created, step, submitted, None, days_late, lock_version)


def baseline_meta(rng: random.Random, period: Period) -> FilingMeta:
    """The 2018 year-end figures were filed with the first quarter's filing (August 2019) and approved."""
    created = moment(dt.date(2019, 7, 22) + dt.timedelta(days=rng.randint(0, 10)), rng)
    submitted = moment(dt.date(2019, 8, 5) + dt.timedelta(days=rng.randint(0, 10)), rng)
    approved = moment(dt.date(2019, 8, 17) + dt.timedelta(days=rng.randint(0, 8)), rng)
    return FilingMeta(FilingStatus.APPROVED, created, approved, submitted, approved, 0, rng.randint(1, 3))


def park_schedule(rng: random.Random, parks: list[LoadedPark], periods: dict[str, Period]) -> dict[int, list[FilingMeta | None]]:
    """Per park the meta of its T1 per period index, None where it files nothing (also sets the
    parks' credit and filing curves)."""
    plans: dict[int, list[FilingMeta | None]] = {}
    for park in parks:
        star = park.star_rating
        if star >= 4:
            c0, c1, miss_factor = rng.uniform(0.50, 0.58), rng.uniform(0.70, 0.82), 0.4
        elif star == 3:
            c0, c1, miss_factor = rng.uniform(0.42, 0.52), rng.uniform(0.62, 0.74), 0.8
        else:
            c0, c1, miss_factor = rng.uniform(0.36, 0.48), rng.uniform(0.53, 0.68), 1.3
        f0 = rng.uniform(0.60, 0.80)
        f1 = 1.0 if rng.random() < 0.45 else rng.uniform(0.9, 0.985)
        park.credit_curve = tuple(curve_at(c0, c1, i, 1.0) for i in range(N_PERIODS))
        park.filing_curve = tuple(curve_at(f0, f1, i, 0.7) for i in range(N_PERIODS))
        plans[park.id] = _park_row(rng, park, periods, miss_factor)
    return plans


def _park_row(rng: random.Random, park: LoadedPark, periods: dict[str, Period], miss_factor: float) -> list[FilingMeta | None]:
    start = rng.choice(START_INDEX[Batch(park.batch)])
    chronic = rng.random() < 0.015
    late_share = LATE_SHARE * (2.5 if chronic else rng.choice((0.5, 1.0, 1.0, 1.5)))
    row: list[FilingMeta | None] = []
    for i, code in enumerate(PERIOD_CODES):
        roll, roll_chronic = rng.random(), rng.random()
        eligible = (park.status == ParkStatus.ACTIVE or (park.status == ParkStatus.REVOKED and YEARS[i] == 2019)) \
            and i >= start and park.tenants
        miss = roll < curve_at(MISSING_FIRST, MISSING_LAST, i, 1.0) * miss_factor or (chronic and roll_chronic < 0.5)
        if not eligible or miss:
            row.append(None)
            continue
        row.append(filing_meta(rng, periods[code], statuses=T1_LAST_STATUSES if i == LAST else T1_PAST_STATUSES,
                               late_share=late_share))
    return row


def filing_times_write(filings: list[Filing], summaries: list[T2Summary]) -> None:
    """Write what is known only after the rows: the filings' counts and issues, and the
    ``auto_now`` timestamps ``bulk_create`` overwrote (one executemany, not a bulk_update:
    bulk_update's CASE expressions take minutes for ~10,000 filings)."""
    for filing in filings:
        filing.created_at, filing.updated_at = filing._demo_times
    update_many(Filing, filings, ("created_at", "updated_at", "row_count", "warning_count", "issues", "explanation"))
    for summary in summaries:  # 附表2 was recomputed when its 附表1 was last saved
        summary.computed_at = summary.filing.updated_at
    update_many(T2Summary, summaries, ("computed_at",))


def demo_transitions_build(*, seed: int) -> int:
    """A timeline for every seeded filing, consistent with its status and dates: 提交 (by the filer),
    主办行确认转报 (parks with a lead bank), 审核通过 or 退回 (by the city's branch regulator)."""
    rng = random.Random(f"{seed}/transitions")
    leads = dict(PartnerLink.objects.filter(role="lead", until__isnull=True, status="confirmed").order_by("-since").values_list("park_id", "branch_id"))
    branches = dict(Organisation.objects.filter(kind=OrgKind.BRANCH_REGULATOR).values_list("region__code", "pk"))
    rows: list[FilingTransition] = []
    filings = Filing.objects.filter(submitted_at__isnull=False).values(
        "pk", "schedule", "status", "park_id", "park__operator_id", "park__county__city_code", "branch_id", "branch__region__code",
        "submitted_at", "approved_at")
    for f in filings.order_by("pk"):
        rows += _timeline(rng, f, leads, branches)
    times = [r.at for r in rows]  # bulk_create's auto_now_add overwrites them on these instances too
    FilingTransition.objects.bulk_create(rows, batch_size=2000)
    created = list(FilingTransition.objects.order_by("pk").only("pk"))
    for obj, at in zip(created, times):
        obj.at = at
    update_many(FilingTransition, created, ("at",))
    return len(rows)


def _timeline(rng: random.Random, f: dict[str, Any], leads: dict[int, int], branches: dict[str, int]) -> list[FilingTransition]:
    """The transitions of one submitted filing (a row of ``values()``)."""
    rows: list[FilingTransition] = []
    filer = f["park__operator_id"] or f["branch_id"]
    city = f["park__county__city_code"] or f["branch__region__code"]
    submitted = f["submitted_at"]
    rows.append(FilingTransition(filing_id=f["pk"], action="submit", from_status="draft", to_status="submitted",
                                 actor_organisation_id=filer, at=submitted))
    lead = leads.get(f["park_id"]) if f["schedule"] == "T1" else None
    confirmed_at = submitted + dt.timedelta(hours=rng.randint(3, 48))
    if lead and f["status"] in ("confirmed", "approved", "returned"):
        rows.append(FilingTransition(filing_id=f["pk"], action="confirm", from_status="submitted", to_status="confirmed",
                                     actor_organisation_id=lead, at=confirmed_at, comment="已核对"))
    before = "confirmed" if lead else "submitted"
    if f["status"] == "approved":
        rows.append(FilingTransition(filing_id=f["pk"], action="approve", from_status=before, to_status="approved",
                                     actor_organisation_id=branches.get(city), at=f["approved_at"]))
    elif f["status"] == "returned":
        rows.append(FilingTransition(filing_id=f["pk"], action="return", from_status=before, to_status="returned",
                                     actor_organisation_id=branches.get(city), at=confirmed_at + dt.timedelta(hours=rng.randint(2, 72)),
                                     comment=rng.choice(RETURN_COMMENTS)))
    return rows
