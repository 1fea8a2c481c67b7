"""Each park's part of the roll-ups (``ParkSummary``): read from the ledger once, summed many times.

A park's part holds what its latest approved 附表1 adds to the sums (the additive figures of its
rows, unrounded: amounts as exact decimal strings), its tenants and partner banks at period end, and
its figures at the earlier periods of the comparable panels. The full rebuild computes every part
with one query per figure family (``park_summaries_rebuild``); an approval or a register change
marks the park's parts dirty (``parks_mark_dirty``) and the next city build reads only those again
(``park_entries_current``). The park's register attributes (name, county, star level …) are read
live by every build, so they are never stale."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parks.choices import DigitalStatus, StarRating
from parks.models import Park
from reports.filings.choices import ScheduleCode
from reports.filings.models import Period, T2Summary
from reports.filings.periods import shift_code
from reports.filings.selectors import filings_latest_approved
from reports.filings.t2 import t2_aggregates
from reports.schedules.t2 import HIDDEN_SUMS, t2_ratios
from reports.summaries.models import ParkSummary
from reports.summaries.park_figures import (
    ADDITIVE,
    PARK_PANEL_KEYS,
    PARK_PANEL_KINDS,
    park_filter,
    park_partner_counts,
    park_tenant_counts,
)
from reports.summaries.writes import park_summaries_write

PARK_FIELDS = ("pk", "code", "name", "county_id", "county__code", "county__name", "county__city_code", "star_rating", "batch", "digital_status")


def parks_listed(*, city_code: str | None) -> list[dict[str, Any]]:
    """The active parks of a city (or the province) with their register attributes, in the order
    every summary lists them (county code, park code)."""
    return list(Park.objects.filter(**park_filter("", city_code)).values(*PARK_FIELDS).order_by("county__code", "code"))


def earlier_periods(*, period: Period) -> dict[str, Period]:
    """The earlier periods the comparable panels of ``period`` refer to that exist (kind → period)."""
    codes = {kind: shift_code(period.code, kind) for kind in PARK_PANEL_KINDS}
    periods = {p.code: p for p in Period.objects.filter(code__in=set(codes.values()), is_baseline=False)}
    return {kind: periods[code] for kind, code in codes.items() if code in periods}


def periods_referring(*, period: Period) -> list[int]:
    """The periods whose comparable panels refer to ``period`` (its later quarters and years)."""
    return [p.pk for p in Period.objects.filter(is_baseline=False, start__gt=period.start)
            if period.code in {shift_code(p.code, kind) for kind in PARK_PANEL_KINDS}]


def _stored(sums: dict[str, Any]) -> dict[str, Any]:
    """The figures as stored and read back (decimals as exact strings, as ``DjangoJSONEncoder``
    writes them; a zero left out, ``_sums_load`` puts it back): the full rebuild sums the same
    values as a build reading the stored parts."""
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in sums.items() if v}


# a figure left out of a stored part is zero: 0, or 0.00 (amounts) / 0.000000 (the weighted-rate
# sums), as t2_aggregates rounds them
_SUMS_ZERO = {k: (0 if k.endswith("_count") else Decimal("0.000000") if k in HIDDEN_SUMS else Decimal("0.00")) for k in ADDITIVE}


def _sums_load(sums: dict[str, Any]) -> dict[str, Any]:
    out = dict(_SUMS_ZERO)
    out.update({k: (Decimal(v) if isinstance(v, str) else v) for k, v in sums.items()})
    return out


def park_entries_compute(*, period: Period, city_code: str | None = None, park_ids: Iterable[int] | None = None) -> dict[int, dict[str, Any]]:
    """park id → its part of the roll-ups of ``period``, for the active parks of a city (or the
    province), or of ``park_ids``: one query per figure family, whatever the number of parks."""
    where = park_filter("park__", city_code)
    if park_ids is not None:
        where["park_id__in"] = list(park_ids)
    parks = Park.objects.filter(**park_filter("", city_code))
    if park_ids is not None:
        parks = parks.filter(pk__in=where["park_id__in"])
    ids = list(parks.values_list("pk", flat=True))
    approved = filings_latest_approved(schedule=ScheduleCode.T1, period=period, **where)
    versions = {park_id: (pk, version) for pk, park_id, version in approved.values_list("pk", "park_id", "version")}
    sums = t2_aggregates(filing_ids=[pk for pk, _ in versions.values()])
    tenants = park_tenant_counts(on=period.end, where=where)
    partners = park_partner_counts(on=period.end, where=where)
    earlier = _earlier_figures(periods=earlier_periods(period=period), where=where)
    out = {}
    for pid in ids:
        filing_id, version = versions.get(pid, (None, None))
        out[pid] = {"filing_id": filing_id, "version": version, "sums": _stored(sums[filing_id]) if filing_id else None,
                    "tenants": tenants.get(pid, 0), "partners": partners.get(pid, 0),
                    "earlier": {kind: figures[pid] for kind, figures in earlier.items() if pid in figures}}
    return out


def _earlier_figures(*, periods: dict[str, Period], where: dict[str, Any]) -> dict[str, dict[int, dict[str, Any]]]:
    """kind → park id → its panel figures (附表2) at that earlier period: one query for all kinds."""
    if not periods:
        return {}
    approved = Q()
    for then in {p.pk: p for p in periods.values()}.values():
        approved |= Q(filing__in=filings_latest_approved(schedule=ScheduleCode.T1, period=then, **where).values("pk"))
    by_period: dict[int, dict[int, dict[str, Any]]] = {}
    for r in T2Summary.objects.filter(approved).values("park_id", "period_id", *PARK_PANEL_KEYS):
        by_period.setdefault(r.pop("period_id"), {})[r.pop("park_id")] = r
    return {kind: dict(by_period.get(then.pk, {})) for kind, then in periods.items()}


def park_summaries_store(*, period: Period, entries: dict[int, dict[str, Any]]) -> None:
    """Write the parts (one statement) and mark them clean."""
    park_summaries_write(period_id=period.pk, entries=entries, now=timezone.now())


def park_summaries_rebuild(*, period: Period, city_code: str | None = None, park_ids: Iterable[int] | None = None) -> dict[int, dict[str, Any]]:
    """Recompute and store the parts of a city's (or the province's, or these) parks. The rows are
    locked first, so an approval that marks one dirty meanwhile waits and stays dirty after."""
    with transaction.atomic():
        lock = ParkSummary.objects.select_for_update().filter(period=period).order_by("pk")
        if park_ids is not None:
            lock = lock.filter(park_id__in=list(park_ids))
        elif city_code:
            lock = lock.filter(park__county__city_code=city_code)
        list(lock.values_list("pk", flat=True))
        entries = park_entries_compute(period=period, city_code=city_code, park_ids=park_ids)
        park_summaries_store(period=period, entries=entries)
    return entries


def park_summary_rebuild(*, park_id: int, period_id: int) -> dict[str, Any] | None:
    """One park's part (idempotent); None for a park that is not active."""
    return park_summaries_rebuild(period=Period.objects.get(pk=period_id), park_ids=[park_id]).get(park_id)


def parks_mark_dirty(*, park_ids: Iterable[int], period_ids: Iterable[int]) -> None:
    """The parks' parts of these periods must be read again (one upsert, in the caller's transaction)."""
    rows = [ParkSummary(park_id=pid, period_id=per, dirty=True) for pid in set(park_ids) for per in set(period_ids)]
    if rows:
        ParkSummary.objects.bulk_create(rows, update_conflicts=True, unique_fields=["park", "period"], update_fields=["dirty"])


def park_entries_current(*, period: Period, park_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The parts of these parks, the dirty or missing ones read again from the ledger first."""
    stored = dict(ParkSummary.objects.filter(period=period, park_id__in=park_ids, dirty=False).values_list("park_id", "data"))
    stale = [pid for pid in park_ids if pid not in stored or not stored[pid]]
    if stale:
        stored.update(park_summaries_rebuild(period=period, park_ids=stale))
    return stored


def park_row(park: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """The park as a summary lists it: register attributes and, when its 附表1 is approved, its
    附表2 figures (sums of its part, ratios recomputed from them with the project's one rounding)."""
    row = {"park_id": park["pk"], "code": park["code"], "name": park["name"], "county_code": park["county__code"],
           "county": park["county__name"], "city_code": park["county__city_code"], "star_rating": park["star_rating"],
           "star_label": STAR_LABELS[park["star_rating"]], "batch": park["batch"], "digital_status": DIGITAL_LABELS[park["digital_status"]],
           "partner_bank_count": entry["partners"]}
    if entry["filing_id"] is None:
        row.update(filed=False, filing_id=None, version=None)
        return row
    fig = _sums_load(entry["sums"])
    fig["enterprises_total"] = entry["tenants"]
    fig["partner_bank_count"] = entry["partners"]
    t2_ratios(fig, star_rating=park["star_rating"])
    row.update(fig, filed=True, filing_id=entry["filing_id"], version=entry["version"])
    return row


STAR_LABELS, DIGITAL_LABELS = dict(StarRating.choices), dict(DigitalStatus.choices)
