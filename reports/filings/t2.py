"""附表2 of a park, computed from its 附表1 rows and the register at period end: ``t2_aggregates``
is the ONE SQL aggregate of the T2 figures (for one filing on save, for many in the roll-ups);
``schedules.t2.t2_compute`` is its Python reference."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable

from django.db.models import Count, DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from parks.models import Park, Tenancy
from reports.filings import selectors
from reports.filings.inlists import values_in_q
from reports.filings.models import Filing, T1Row, T2Summary
from reports.schedules.numbers import rounded
from reports.schedules.t2 import HIDDEN_SUMS, TIERS, t2_ratios

D0 = Decimal(0)


def _dec(max_digits=24, places=6) -> DecimalField:
    return DecimalField(max_digits=max_digits, decimal_places=places)


def _sum(field, cond: Q | None = None, places: int = 2):
    return Coalesce(Sum(field, filter=cond, output_field=_dec(places=places)), Value(D0), output_field=_dec(places=places))


def _cnt(cond: Q):
    return Count("pk", filter=cond)


def _aggregates() -> dict[str, Any]:
    loan = Q(loan_balance__gt=0)
    rated = loan & Q(loan_rate__isnull=False)
    costed = loan & Q(financing_cost__isnull=False)
    demand = Q(has_demand=True)
    aggs = {
        "demand_count": _cnt(demand),
        "demand_amount": _sum("demand_amount", demand),
        "credited_count": _cnt(Q(credit_amount__gt=0)),
        "credit_amount": _sum("credit_amount", Q(credit_amount__gt=0)),
        "loan_count": _cnt(loan),
        "loan_balance": _sum("loan_balance", loan),
        "inclusive_count": _cnt(loan & Q(inclusive=True)),
        "inclusive_balance": _sum("loan_balance", loan & Q(inclusive=True)),
        "credit_loan_balance": _sum("credit_loan_balance"),
        "medium_long_term_balance": _sum("medium_long_term_balance"),
        "renewal_count": _cnt(Q(renewal_balance__gt=0)),
        "renewal_balance": _sum("renewal_balance", Q(renewal_balance__gt=0)),
        "first_loan_count": _cnt(Q(is_first_loan=True)),
        "rate_weighted_sum": _sum(ExpressionWrapper(F("loan_rate") * F("loan_balance"), output_field=_dec()), rated, places=6),
        "rate_weight": _sum("loan_balance", rated, places=6),
        "cost_weighted_sum": _sum(ExpressionWrapper(F("financing_cost") * F("loan_balance"), output_field=_dec()), costed, places=6),
        "cost_weight": _sum("loan_balance", costed, places=6),
        "demand_met_count": _cnt(demand & Q(demand_status="met")),
        "demand_partial_count": _cnt(demand & Q(demand_status="partial")),
        "demand_unmet_count": _cnt(demand & Q(demand_status="unmet")),
        "unmet_enterprise_count": _cnt(Q(unmet_reason="enterprise")),
        "unmet_bank_count": _cnt(Q(unmet_reason="bank")),
        "unmet_other_count": _cnt(Q(unmet_reason="other")),
        "multi_bank_count": _cnt(Q(multi_bank=True)),  # the row's 垒小户 flag (schedules.t1.multi_bank)
        "insured_count": _cnt(Q(insured=True)),
        "insured_amount": _sum("insured_amount", Q(insured=True)),
    }
    for key, _ in TIERS:
        aggs[f"tier_{key}_count"] = _cnt(Q(credit_amount__gt=0, credit_tier=key))
        aggs[f"tier_{key}_amount"] = _sum("credit_amount", Q(credit_amount__gt=0, credit_tier=key))
    return aggs


def t2_aggregates(*, filing_ids: Iterable[int] | None = None, filings: QuerySet | None = None) -> dict[int, dict[str, Any]]:
    """filing id → the additive T2 figures (counts, amounts, weighted-rate sums) of its T1 rows.
    ``filing_ids`` travel as one array parameter on PostgreSQL (``inlists``), which lets the planner
    scan the ledger like a plain GROUP BY; ``filings`` (a queryset) filters by subquery."""
    ids = list(filing_ids) if filing_ids is not None else []
    if filings is None and not ids:
        return {}
    aggs = _aggregates()
    out: dict[int, dict[str, Any]] = {i: {k: (0 if k.endswith("_count") else D0) for k in ("filed_count", *aggs)} for i in ids}
    rows = T1Row.objects.filter(filing__in=filings.values("pk")) if filings is not None else T1Row.objects.filter(values_in_q("filing__id", ids))
    # annotation names must not shadow the row fields they sum
    query = rows.values("filing_id").annotate(**{f"agg__{k}": v for k, v in aggs.items()}).order_by()
    for row in query:
        values = {"filed_count": 0, **{k: row[f"agg__{k}"] for k in aggs}}
        for k, v in values.items():  # SQLite sums in floating point: back to exact amounts
            if isinstance(v, Decimal):
                values[k] = rounded(v, 6 if k in HIDDEN_SUMS else 2)
        out[row["filing_id"]] = values
    # 已建档企业数 (and so 建档覆盖率): the rows of enterprises that are tenants of the park at period
    # end (Tenancy.objects.in_force). A separate query: WHERE EXISTS plans as a semi-join (inside an
    # aggregate's FILTER the tenancy pairs become a subplan, hashed only while they fit in work_mem:
    # at 600,000 rows it was not, and the query ran for minutes).
    tenant_at_end = Tenancy.objects.in_force(on=OuterRef("filing__period__end")).filter(
        park_id=OuterRef("filing__park_id"), enterprise__uscc=OuterRef("uscc"))
    for row in rows.filter(Exists(tenant_at_end)).values("filing_id").annotate(n=Count("pk")).order_by():
        out[row["filing_id"]]["filed_count"] = row["n"]
    return out


def t2_rebuild(*, filing: Filing) -> T2Summary:
    """Recompute the park's T2 from its T1 rows and the register at period end (idempotent)."""
    park = Park.objects.select_related("county").get(pk=filing.park_id)
    end = filing.period.end
    figures = dict(t2_aggregates(filing_ids=[filing.pk])[filing.pk])
    figures["enterprises_total"] = selectors.park_tenants_at(park_id=park.pk, on=end).count()
    figures["partner_bank_count"] = selectors.park_partner_count_at(park_id=park.pk, on=end)
    t2_ratios(figures, star_rating=park.star_rating)
    defaults = {"park": park, "period_id": filing.period_id, "county": park.county, "star_rating": park.star_rating,
                "batch": park.batch, "digital_status": park.digital_status, **figures}
    t2, _ = T2Summary.objects.update_or_create(filing=filing, defaults=defaults)
    return t2
