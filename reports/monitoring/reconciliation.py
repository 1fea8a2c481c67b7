"""Park ↔ bank reconciliation: what a park's 附表1 says each bank lends to its enterprises (rows
grouped by 主要授信银行: 户数 with credit, 授信, 余额) against what each bank's 附表5 row for that
park says (对入园企业授信户数 / 授信金额 / 贷款余额).

Stored, not computed per page: ``reconciliation_rebuild`` recomputes the items of some parks in a
period and upserts them (idempotent: the same filings give the same rows); it runs in a Celery
task after every workflow step of a 附表1 or 附表5 (``filing_transitioned_receiver``, connected in
``ReportsConfig.ready``). Each side reads the filer's latest approved version, or its current one
when none is approved yet. A pair is compared only when the park's 附表1 exists and the bank's
附表5 has a row for the park (its partner parks); a bank named by no row of the 附表1 says 0 there."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable

from celery import shared_task
from django.db import OperationalError, transaction
from django.db.models import Count, Q, Sum

from parks.models import Park
from reports.filings.choices import FilingStatus, ScheduleCode
from reports.filings.models import Filing, T1Row, T5Row
from reports.monitoring.banks import BankNames
from reports.monitoring.models import Figure, ReconciliationItem
from reports.monitoring.upsert import upsert_closing

# THE tolerance: a figure differs when |park − bank| exceeds BOTH the share of the larger side and
# the floor (1 户; 100 万元).
TOLERANCE_SHARE = Decimal("0.10")
TOLERANCE_FLOOR = {Figure.COUNT: Decimal(1), Figure.CREDIT: Decimal(100), Figure.BALANCE: Decimal(100)}
T5_KEYS = {Figure.COUNT: "ent_credit_count", Figure.CREDIT: "ent_credit_amount", Figure.BALANCE: "ent_loan_balance"}
ZERO = Decimal(0)
SHARED = Q(lending_bank_count__gt=1)  # an enterprise served by more than one bank
SHARED_KEYS = {Figure.COUNT: "shared_count", Figure.CREDIT: "shared_credit", Figure.BALANCE: "shared_balance"}


def differs(*, figure: str, park_value: Decimal, bank_value: Decimal) -> bool:
    """Over the tolerance: more than 10 % of the larger side and at least the floor."""
    diff = abs(park_value - bank_value)
    return diff >= TOLERANCE_FLOOR[figure] and diff > TOLERANCE_SHARE * max(abs(park_value), abs(bank_value))


def filings_in_force(*, schedule: str, period_id: int, subject: str, subject_ids: Iterable[int] | None = None) -> dict[int, int]:
    """subject id → the filing read: its latest approved version, else its current one."""
    qs = Filing.objects.filter(schedule=schedule, period_id=period_id).filter(Q(status=FilingStatus.APPROVED) | Q(is_current=True))
    if subject_ids is not None:
        qs = qs.filter(**{f"{subject}_id__in": list(subject_ids)})
    chosen: dict[int, tuple[tuple[bool, int], int]] = {}
    for pk, sid, status, version in qs.values_list("pk", f"{subject}_id", "status", "version"):
        rank = (status == FilingStatus.APPROVED, version)
        if sid not in chosen or rank > chosen[sid][0]:
            chosen[sid] = (rank, pk)
    return {sid: pk for sid, (_rank, pk) in chosen.items()}


def _park_side(t1s: dict[int, int], parks: dict[int, tuple[str, str]], names: BankNames) -> dict[tuple[int, int], dict[str, Decimal]]:
    """(park id, branch id) → the park's figures for that bank: rows whose 主要授信银行 names it."""
    park_of = {filing: park for park, filing in t1s.items()}
    out: dict[tuple[int, int], dict[str, Decimal]] = {}
    rows = (T1Row.objects.filter(filing_id__in=list(park_of)).exclude(main_bank="").values("filing_id", "main_bank")
            .annotate(n=Count("id", filter=Q(credit_amount__gt=0)), credit=Sum("credit_amount"), balance=Sum("loan_balance"),
                      n_shared=Count("id", filter=SHARED & Q(credit_amount__gt=0)), credit_shared=Sum("credit_amount", filter=SHARED),
                      balance_shared=Sum("loan_balance", filter=SHARED)))
    for r in rows:
        park_id = park_of[r["filing_id"]]
        branch = names.branch(r["main_bank"], parks[park_id][1])
        if branch is None:
            continue
        figs = out.setdefault((park_id, branch), {key: ZERO for key in (*Figure.values, *SHARED_KEYS.values())})
        for figure, (total, part) in {Figure.COUNT: ("n", "n_shared"), Figure.CREDIT: ("credit", "credit_shared"),
                                      Figure.BALANCE: ("balance", "balance_shared")}.items():
            figs[figure] += r[total] or ZERO
            figs[SHARED_KEYS[figure]] += r[part] or ZERO
    return out


def _shared_side(t1s: dict[int, int]) -> dict[int, dict[str, Decimal]]:
    """park id → the figures of its enterprises served by more than one bank: any partner bank that
    is not their 主要授信银行 may still be one of their lenders (the 附表1 does not say which)."""
    park_of = {filing: park for park, filing in t1s.items()}
    rows = (T1Row.objects.filter(SHARED, filing_id__in=list(park_of)).values("filing_id")
            .annotate(n=Count("id", filter=Q(credit_amount__gt=0)), credit=Sum("credit_amount"), balance=Sum("loan_balance")))
    return {park_of[r["filing_id"]]: {Figure.COUNT: Decimal(r["n"]), Figure.CREDIT: r["credit"] or ZERO,
                                      Figure.BALANCE: r["balance"] or ZERO} for r in rows}


def outside(*, figure: str, low: Decimal, high: Decimal, bank_value: Decimal) -> Decimal:
    """How far the bank's figure lies outside [low, high] (0 inside): negative when above the most
    the park's 附表1 can attribute to the bank (park − bank, like the difference shown)."""
    if bank_value < low:
        return low - bank_value
    if bank_value > high:
        return high - bank_value
    return ZERO


def _bank_side(t5s: dict[int, int], codes: dict[str, int]) -> dict[tuple[int, int], dict[str, Decimal]]:
    """(park id, branch id) → the bank's 附表5 figures for that park."""
    branch_of = {filing: branch for branch, filing in t5s.items()}
    out: dict[tuple[int, int], dict[str, Decimal]] = {}
    for r in T5Row.objects.filter(filing_id__in=list(branch_of), park_code__in=list(codes)).values("filing_id", "park_code", *T5_KEYS.values()):
        out[(codes[r["park_code"]], branch_of[r["filing_id"]])] = {fig: Decimal(r[key] or 0) for fig, key in T5_KEYS.items()}
    return out


def reconciliation_compute(*, period_id: int, park_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """Every compared figure (over the tolerance or not) of the parks ``park_ids`` (None: all)."""
    parks_qs = Park.objects.all() if park_ids is None else Park.objects.filter(pk__in=list(park_ids))
    parks = {pk: (code, city) for pk, code, city in parks_qs.values_list("pk", "code", "county__city_code")}
    t1s = filings_in_force(schedule=ScheduleCode.T1, period_id=period_id, subject="park", subject_ids=None if park_ids is None else parks)
    t5s = filings_in_force(schedule=ScheduleCode.T5, period_id=period_id, subject="branch")
    names = BankNames()
    park_side = _park_side(t1s, parks, names)
    shared = _shared_side(t1s)
    bank_side = _bank_side(t5s, {parks[p][0]: p for p in t1s if p in parks})
    out = []
    for park_id, branch_id in sorted(set(park_side) | set(bank_side)):
        if park_id not in t1s or (park_id, branch_id) not in bank_side:
            continue  # only partner banks list the park in their 附表5: others cannot be compared
        mine, theirs = park_side.get((park_id, branch_id), {}), bank_side.get((park_id, branch_id), {})
        for figure in Figure.values:
            low, b = mine.get(figure, ZERO), theirs.get(figure, ZERO)
            # the shared enterprises whose main bank is another may be this bank's customers too
            high = low + shared.get(park_id, {}).get(figure, ZERO) - mine.get(SHARED_KEYS[figure], ZERO)
            gap = outside(figure=figure, low=low, high=high, bank_value=b)
            nearest = low if b < low else high
            out.append({"period_id": period_id, "park_id": park_id, "branch_id": branch_id, "figure": figure, "park_value": low,
                        "park_value_max": high, "bank_value": b, "difference": gap, "t1_filing_id": t1s[park_id],
                        "t5_filing_id": t5s[branch_id], "is_open": gap != ZERO and differs(figure=figure, park_value=nearest, bank_value=b)})
    return out


@transaction.atomic
def reconciliation_rebuild(*, period_id: int, park_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Recompute and upsert the items of ``park_ids`` (None: every park) in the period: new
    differences are added, known ones updated, those gone (in tolerance, or a filing withdrawn)
    closed with their comments kept. Running it twice changes nothing."""
    park_ids = None if park_ids is None else sorted(set(park_ids))
    computed = reconciliation_compute(period_id=period_id, park_ids=park_ids)
    existing_qs = ReconciliationItem.objects.select_for_update().filter(period_id=period_id)
    if park_ids is not None:
        existing_qs = existing_qs.filter(park_id__in=park_ids)
    existing = {(i.park_id, i.branch_id, i.figure): i for i in existing_qs}
    rows = {(r["park_id"], r["branch_id"], r["figure"]): r for r in computed}
    created, updated = upsert_closing(
        model=ReconciliationItem, existing=existing, computed=rows, flag="is_open", create=lambda row: row["is_open"],
        fields=["park_value", "park_value_max", "bank_value", "difference", "t1_filing_id", "t5_filing_id", "is_open"])
    return {"created": created, "updated": updated, "open": sum(1 for r in computed if r["is_open"])}


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def reconciliation_rebuild_task(period_id: int, park_ids: list[int]) -> dict[str, int]:
    return reconciliation_rebuild(period_id=period_id, park_ids=park_ids)


def parks_of_filing(filing: Filing) -> list[int]:
    """The parks a 附表1 / 附表5 filing bears on (for a 附表5: its rows' parks and those of its
    branch's known items in the period)."""
    if filing.schedule == ScheduleCode.T1:
        return [filing.park_id]
    codes = T5Row.objects.filter(filing__branch_id=filing.branch_id, filing__period_id=filing.period_id).values("park_code")
    ids = set(Park.objects.filter(code__in=codes).values_list("pk", flat=True))
    ids |= set(ReconciliationItem.objects.filter(period_id=filing.period_id, branch_id=filing.branch_id).values_list("park_id", flat=True))
    return sorted(ids)
