"""Reads on periods and filings."""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Callable

from django.conf import settings
from django.db import connection
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Sum

from banks.models import Institution
from parks.models import Park, PartnerLink, Tenancy
from reports.filings.choices import FilingStatus, ScheduleCode
from reports.filings.inlists import values_in
from reports.filings.kinds import BANK_PACKAGE, subject_field
from reports.filings.models import Filing, Period, T1Row, T2Summary, T4Record, T5Row
from reports.schedules import SCHEDULES, T1, T4, T5, Context
from reports.schedules.base import RegisterAtEnd


def period_current(*, today: dt.date) -> Period | None:
    """The latest non-baseline period whose quarter has ended."""
    return Period.objects.filter(end__lt=today, is_baseline=False).order_by("-year", "-quarter").first()


def filing_current(*, schedule: str, period: Period, park: Park | None = None, branch=None) -> Filing | None:
    qs = Filing.objects.filter(schedule=schedule, period=period, is_current=True)
    qs = qs.filter(park=park) if park is not None else qs.filter(branch=branch)
    return qs.first()


def park_tenants_at(*, park_id: int, on: dt.date) -> QuerySet[Tenancy]:
    return Tenancy.objects.in_force(on=on).filter(park_id=park_id)


def park_partner_count_at(*, park_id: int, on: dt.date) -> int:
    return PartnerLink.objects.in_force(on=on).filter(park_id=park_id).count()


def branch_partner_parks_at(*, branch_id: int, on: dt.date) -> dict[str, dict[str, Any]]:
    links = (PartnerLink.objects.in_force(on=on).filter(branch_id=branch_id)
             .select_related("park__county").order_by("park__code"))
    return {
        link.park.code: {"name": link.park.name, "county": link.park.county.name, "star_rating": link.park.get_star_rating_display(),
                         "role": link.role, "sub_branch": link.sub_branch, "since": link.since}
        for link in links
    }


def park_tenant_rows_at(*, park_id: int, on: dt.date) -> list[dict[str, Any]]:
    """The register's tenants on ``on`` as 附表1 rows: what the register knows of each (name,
    统一社会信用代码, type, industry); the figures are the filer's. By name."""
    tenancies = park_tenants_at(park_id=park_id, on=on).select_related("enterprise").order_by("enterprise__name", "enterprise__uscc")
    return [{"enterprise_name": t.enterprise.name, "uscc": t.enterprise.uscc, "entity_type": t.enterprise.entity_type,
             "industry": t.enterprise.industry} for t in tenancies]


def branch_partner_rows_at(*, branch_id: int, on: dt.date) -> list[dict[str, Any]]:
    """The branch's partner links in force on ``on`` as 附表5 rows (园区编码, name, role, 对接支行, since)."""
    parks = branch_partner_parks_at(branch_id=branch_id, on=on)
    return [{"park_code": code, "park_name": p["name"], "role": p["role"], "sub_branch": p["sub_branch"], "since": p["since"]}
            for code, p in parks.items()]


def filings_latest_approved(*, schedule: str, period: Period | None, **filters: Any) -> QuerySet[Filing]:
    """The version that counts for each subject of ``schedule`` in ``period``: its latest approved
    one (a queryset, usable as a subquery). Summaries, quality checks and targets all ask here.
    ``period`` None: the periods ``filters`` select (e.g. ``period__code__in``), each on its own."""
    subject = subject_field(schedule)
    newer = Filing.objects.filter(schedule=schedule, period=OuterRef("period"), status=FilingStatus.APPROVED,
                                  **{subject: OuterRef(subject)}, version__gt=OuterRef("version"))
    if period is not None:
        filters["period"] = period
    return Filing.objects.filter(schedule=schedule, status=FilingStatus.APPROVED, **filters).filter(~Exists(newer))


def filings_approved_versions(*, schedule: str, period: Period, **filters: Any) -> dict[int, tuple[int, int]]:
    """subject id (park, branch or city) → (filing id, version) of the version that counts."""
    rows = filings_latest_approved(schedule=schedule, period=period, **filters).values_list(subject_field(schedule), "pk", "version")
    return {sid: (pk, version) for sid, pk, version in rows}


def filing_previous_approved(*, filing: Filing) -> Filing | None:
    """The latest approved version of the same schedule and subject in an earlier (non-baseline)
    period: what 从上期带入 starts from."""
    period = filing.period
    earlier = Q(period__year__lt=period.year) | Q(period__year=period.year, period__quarter__lt=period.quarter)
    qs = Filing.objects.filter(earlier, schedule=filing.schedule, status=FilingStatus.APPROVED, period__is_baseline=False)
    qs = qs.filter(park_id=filing.park_id) if filing.park_id else qs.filter(branch_id=filing.branch_id)
    return qs.select_related("period").order_by("-period__year", "-period__quarter", "-version").first()


def period_before(*, period: Period) -> Period | None:
    """The period just before ``period`` (the 2018Q4 baseline before 2019's first)."""
    earlier = Q(year__lt=period.year) | Q(year=period.year, quarter__lt=period.quarter)
    return Period.objects.filter(earlier).order_by("-year", "-quarter").first()


def t4_previous(*, filing: Filing) -> tuple[str, dict[str, Any] | None]:
    """The previous period's 附表4 values of the same filer (its current version, whatever its
    state) and that period's code: the 上期 column."""
    before = period_before(period=filing.period)
    if before is None:
        return "", None
    values = (T4Record.objects.filter(filing__branch=filing.branch, filing__schedule=ScheduleCode.T4,
                                      filing__period=before, filing__is_current=True)
              .values(*[c.key for c in T4.columns]).first())
    return before.code, values


def institution_names() -> frozenset[str]:
    names: set[str] = set()
    for name, short in Institution.objects.values_list("name", "short_name"):
        names.update((name, short))
    return frozenset(names)


def enterprises_tenant_elsewhere(*, park_id: int, on: dt.date, codes: list[str]) -> dict[str, str]:
    """Of ``codes``, those whose enterprise is a tenant of another park on ``on`` and not of
    ``park_id``: 统一社会信用代码 -> that park's name."""
    found: dict[str, str] = {}
    here = Tenancy.objects.in_force(on=on).filter(park_id=park_id).values("enterprise_id")
    for where in values_in("enterprise__uscc", codes):  # only the other parks' stays come back (usually none)
        stays = (Tenancy.objects.in_force(on=on).filter(where).exclude(park_id=park_id).exclude(enterprise_id__in=here)
                 .values_list("enterprise__uscc", "park__name"))
        for code, name in stays:
            found.setdefault(code, name)
    return found


def queryset_fingerprint(qs: QuerySet, *, unique: str = "id") -> str:
    """A digest of every row ``qs`` (a ``values_list`` with the column ``unique``, one value per
    row) selects, whatever its order: on PostgreSQL taken by the server (one short answer instead of
    thousands of rows), elsewhere from the rows."""
    if connection.vendor == "postgresql":
        sql, params = qs.order_by().query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*), md5(coalesce(string_agg(x::text, \'|\' ORDER BY x."{unique}"), \'\')) '
                           f"FROM ({sql}) AS x", params)
            count, digest = cursor.fetchone()
        return f"{count}:{digest}"
    rows = sorted(repr(tuple(r)) for r in qs.order_by())
    return f"{len(rows)}:{hashlib.md5('|'.join(rows).encode()).hexdigest()}"


def _look_up(answer: Callable[[list[str]], Any], fingerprint: Callable[[list[str]], str]) -> Callable[[list[str]], Any]:
    """A look-up of the ``Context`` (``answer(codes)``) that also says, cheaply, whether its answer
    for ``codes`` may have moved: ``fingerprint(codes)``, a digest of everything the answer is made
    of (``resend.context_fingerprint`` compares it instead of the answer)."""
    answer.fingerprint = fingerprint  # type: ignore[attr-defined]
    return answer


def park_register_fingerprint(*, park_id: int) -> str:
    """Everything :func:`park_register_at` answers from, for any date and codes: every stay in the
    park (all its fields) with its enterprise's 统一社会信用代码 and name."""
    fields = [f.attname for f in Tenancy._meta.concrete_fields]
    return queryset_fingerprint(Tenancy.objects.filter(park_id=park_id).values_list(*fields, "enterprise__uscc", "enterprise__name"))


def enterprises_tenant_elsewhere_fingerprint(*, park_id: int, on: dt.date, codes: list[str]) -> str:
    """Everything :func:`enterprises_tenant_elsewhere` answers from besides the park's own stays
    (:func:`park_register_fingerprint`): the stays of ``codes`` in force on ``on`` in other parks,
    with those parks' names."""
    if not codes:
        return "0:"
    fields = [f.attname for f in Tenancy._meta.concrete_fields]
    return ",".join(queryset_fingerprint(Tenancy.objects.in_force(on=on).filter(where).exclude(park_id=park_id)
                                         .values_list(*fields, "enterprise__uscc", "park__name"))
                    for where in values_in("enterprise__uscc", codes))


def park_register_at(*, park_id: int, on: dt.date, codes: list[str]) -> RegisterAtEnd:
    """The park's tenants on ``on`` (``Tenancy.objects.in_force``) and, of ``codes`` that are not
    among them, the latest stay each had in this park (left before ``on`` or entered after)."""
    tenants = dict(Tenancy.objects.in_force(on=on).filter(park_id=park_id).order_by().values_list("enterprise__uscc", "enterprise__name"))
    others = [c for c in codes if c not in tenants]
    stays: dict[str, tuple[dt.date, dt.date | None]] = {}
    for where in values_in("enterprise__uscc", others):
        rows = (Tenancy.objects.filter(where, park_id=park_id).order_by("entered_on")
                .values_list("enterprise__uscc", "entered_on", "left_on"))
        stays.update((code, (entered_on, left_on)) for code, entered_on, left_on in rows)  # the latest stay wins
    return RegisterAtEnd(tenants=tenants, stays=stays)


def filing_context(*, filing: Filing) -> Context:
    """Everything the schedule's rules may look at besides the rows themselves."""
    period = filing.period
    ctx = Context(period_end=period.end, rate_warning_threshold=Decimal(settings.RATE_WARNING_THRESHOLD))
    if filing.schedule == ScheduleCode.T1:
        ctx.institution_names = institution_names()
        ctx.tenant_elsewhere = _look_up(
            lambda codes: enterprises_tenant_elsewhere(park_id=filing.park_id, on=period.end, codes=codes),
            lambda codes: enterprises_tenant_elsewhere_fingerprint(park_id=filing.park_id, on=period.end, codes=codes))
        ctx.register = _look_up(lambda codes: park_register_at(park_id=filing.park_id, on=period.end, codes=codes),
                                lambda codes: park_register_fingerprint(park_id=filing.park_id))
    elif filing.schedule in BANK_PACKAGE:
        branch = filing.branch
        ctx.is_insurer = bool(branch.institution_id and branch.institution.is_insurer)
        if filing.schedule == ScheduleCode.T5:
            ctx.partner_parks = branch_partner_parks_at(branch_id=branch.pk, on=period.end)
            t4 = T4Record.objects.filter(filing__branch=branch, filing__period=period, filing__is_current=True).first()
            ctx.t4_ent_credit_amount = t4.ent_credit_amount if t4 else None
        else:
            t5 = filing_current(schedule=ScheduleCode.T5, period=period, branch=branch)
            if t5 is not None:
                ctx.t5_row_count = t5.t5_rows.count()
                ctx.t5_ent_credit_total = t5.t5_rows.aggregate(s=Sum("ent_credit_amount"))["s"] or Decimal(0)
    return ctx


def filing_row_values(*, filing: Filing) -> list[dict[str, Any]]:
    """Stored rows as dicts of column key → canonical value (computed columns included)."""
    schedule = SCHEDULES[filing.schedule]
    if filing.schedule == ScheduleCode.T1:
        keys = [c.key for c in T1.columns] + [c.key for c in T1.computed]
        return list(T1Row.objects.filter(filing=filing).order_by("row_no").values("row_no", *keys))
    if filing.schedule == ScheduleCode.T5:
        return list(T5Row.objects.filter(filing=filing).order_by("row_no").values("row_no", *[c.key for c in T5.columns]))
    if filing.schedule == ScheduleCode.T4:
        rec = T4Record.objects.filter(filing=filing).values(*[c.key for c in schedule.columns]).first()
        return [rec] if rec else []
    return []


def filing_row_values_iter(*, filing: Filing, chunk_size: int = 2000) -> Iterator[dict[str, Any]]:
    """:func:`filing_row_values` of a 附表1 / 附表5 read in chunks (a server-side cursor on
    PostgreSQL): memory stays flat whatever the number of rows (exports)."""
    if filing.schedule not in (ScheduleCode.T1, ScheduleCode.T5):
        yield from filing_row_values(filing=filing)
        return
    if filing.schedule == ScheduleCode.T1:
        model, keys = T1Row, [c.key for c in T1.columns] + [c.key for c in T1.computed]
    else:
        model, keys = T5Row, [c.key for c in T5.columns]
    yield from model.objects.filter(filing=filing).order_by("row_no").values("row_no", *keys).iterator(chunk_size=chunk_size)


def t4_baseline(*, filing: Filing) -> dict[str, Any] | None:
    """The same filer's previous-year Q4 T4 values (2018Q4 for 2019): the 比年初 base."""
    base = (T4Record.objects.filter(filing__branch=filing.branch, filing__schedule=ScheduleCode.T4,
                                    filing__period__code=filing.period.previous_year_end_code, filing__is_current=True)
            .values(*[c.key for c in T4.columns]).first())
    return base


T2_STALE_REGISTER = "register"
T2_STALE_ROLLUP = "rollup"


# The stages that count approved 附表2 say for which of these their figures lag (the summaries
# stage: the city roll-up requested and not rebuilt yet); filled in ``ReportsConfig.ready``.
T2_PENDING_CHECKS: list[Callable[[list[T2Summary]], set[int]]] = []


def t2_stale(t2s: list[T2Summary]) -> dict[int, str | None]:
    """Which of these 附表2 are stale, and why (``None``: not stale). In three queries.

    A 附表2 is stale while its figures are not yet what the portal shows everywhere:

    - ``"register"``: the park's register (入园 / 退园 records, partner links) has a change
      recorded in its history after the 附表2 was computed (``computed_at``). Every change made
      through the portal (services, admin) recomputes the park's 附表2 in the same transaction,
      so this flags a change made around the portal until the next recomputation;
    - ``"rollup"``: the 附表2's filing is approved — the city roll-up counts it — and that roll-up
      of its city and period has been requested and not rebuilt yet (``Summary.is_stale``: queued,
      or requested after its last build), so 附表3 and the dashboards still show older figures.
    """
    if not t2s:
        return {}
    park_ids = {t.park_id for t in t2s}
    changed: dict[int, Any] = {}
    for model in (Tenancy.history.model, PartnerLink.history.model):
        for park_id, at in model.objects.filter(park_id__in=park_ids).values("park_id").annotate(at=Max("history_date")).values_list("park_id", "at"):
            if at is not None and (park_id not in changed or at > changed[park_id]):
                changed[park_id] = at
    approved = set(Filing.objects.filter(pk__in=[t.filing_id for t in t2s], status=FilingStatus.APPROVED).values_list("pk", flat=True))
    pending: set[int] = set()
    for check in T2_PENDING_CHECKS:
        pending |= check(t2s)
    out: dict[int, str | None] = {}
    for t in t2s:
        at = changed.get(t.park_id)
        if at is not None and t.computed_at is not None and at > t.computed_at:
            out[t.pk] = T2_STALE_REGISTER
        elif t.filing_id in approved and t.pk in pending:
            out[t.pk] = T2_STALE_ROLLUP
        else:
            out[t.pk] = None
    return out
