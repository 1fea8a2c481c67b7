from __future__ import annotations

from parks.models import Enterprise, Tenancy
from portal.models import User
from reports.filings.bulk import values_create
from reports.filings.choices import FilingStatus, ScheduleCode
from reports.filings.inlists import values_in
from reports.filings.models import Filing, T1Row
from reports.filings.quality_services import filing_warnings_refresh
from reports.filings.signals import approved_figures_changed
from reports.filings.t2 import t2_rebuild

# --- T1 side effects: register sync and T2 -------------------------------------------------

def _after_rows_saved(*, filing: Filing, actor: User, rows: list[dict] | None = None) -> None:
    """``rows``: the saved rows when the caller holds them all (else read back)."""
    if filing.schedule == ScheduleCode.T1:
        registered = _t1_register_sync(filing=filing, rows=rows)
        t2_rebuild(filing=filing)
        if registered:  # new tenants from the period's first day: later periods' 附表2 change too
            register_changed_refresh(park_id=filing.park_id, dates=(filing.period.start,), saved=filing)


def _t1_register_sync(*, filing: Filing, rows: list[dict] | None = None) -> int:
    """Rows whose enterprise the park's register does not know become tenants from the period's
    first day (the enterprise itself is registered by 统一社会信用代码 if new). An enterprise with
    any stay in this park is left alone: its 入园 / 退园 dates are the register's, and a row of an
    enterprise that is not a tenant at period end is a warning (held_against_register), never a
    silent re-admission. Returns the number of tenancies created."""
    period = filing.period
    if rows is None:
        rows = list(T1Row.objects.filter(filing=filing).values("uscc", "enterprise_name", "industry", "entity_type"))
    codes = [r["uscc"] for r in rows]
    existing: dict[str, int] = {}
    for where in values_in("uscc", codes):  # one array parameter on PostgreSQL, bounded IN lists elsewhere
        existing.update(Enterprise.objects.filter(where).order_by().values_list("uscc", "pk"))
    new = [{"uscc": r["uscc"], "name": r["enterprise_name"], "industry": r["industry"] or "C",
            "entity_type": r["entity_type"] or ("individual" if r["uscc"].startswith("92") else "enterprise")}
           for r in rows if r["uscc"] not in existing]
    if new:
        values_create(Enterprise, new)
        new_codes = [e["uscc"] for e in new]
        for where in values_in("uscc", new_codes):
            existing.update(Enterprise.objects.filter(where).order_by().values_list("uscc", "pk"))
    ids = list(existing.values())
    known: set[int] = set()  # enterprises with any stay in this park, whatever its dates
    for where in values_in("enterprise__id", ids):
        known.update(Tenancy.objects.filter(where, park_id=filing.park_id).order_by().values_list("enterprise_id", flat=True))
    missing = [pk for pk in existing.values() if pk not in known]
    values_create(Tenancy, [{"park_id": filing.park_id, "enterprise_id": pk, "entered_on": period.start} for pk in missing])
    return len(missing)


def register_changed_refresh(*, park_id: int, dates=(), saved: Filing | None = None) -> None:
    """The park's register changed (``parks.signals.register_changed``, or a 附表1 save that
    registered new tenants), in the caller's transaction:

    - every 附表2 of the park is recomputed at once (small; it keeps ``computed_at`` after the
      register's last change, which is what ``selectors.t2_stale`` checks);
    - the stored warnings of the park's current, not yet approved 附表1 of every period the change
      can affect (period end ≥ the earliest date touched) are checked again (held against the
      register: missing tenants, departed ones), without counting as an edit (no lock_version);
    - the roll-up of the park's city is requested (on commit, coalesced) for every such period in
      which the park has an approved 附表1 — the versions the roll-ups count.
    ``saved``: the 附表1 being saved, which does its own 附表2 and warnings."""
    since = min(dates) if dates else None
    filings = list(Filing.objects.filter(schedule=ScheduleCode.T1, park_id=park_id).select_related("period", "park__county"))
    for f in filings:
        if saved is None or f.pk != saved.pk:
            t2_rebuild(filing=f)
    affected = [f for f in filings if since is None or f.period.end >= since]
    for f in affected:
        if f.is_current and f.status != FilingStatus.APPROVED and (saved is None or f.pk != saved.pk):
            filing_warnings_refresh(filing=f)
    periods = sorted({f.period_id for f in affected if f.status == FilingStatus.APPROVED})
    if periods:
        approved_figures_changed.send(sender=Filing, park_id=park_id, city_code=filings[0].park.county.city_code, period_ids=periods)


def register_changed_receiver(sender, *, park_id: int, dates=(), **kwargs) -> None:
    """``parks.signals.register_changed`` → :func:`register_changed_refresh` (connected in
    ``ReportsConfig.ready``)."""
    register_changed_refresh(park_id=park_id, dates=dates)

