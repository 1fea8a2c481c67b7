"""Roll-ups (issue 5): a city's 附表3 with its banks' 附表4/5 totals, and the province summary.

Every build recomputes from the approved source versions (the latest approved version of each
subject's filing): one SQL aggregate over the approved ledger rows gives each park's T2 figures;
sums by county, city, star level, batch and province follow, and every ratio is recomputed from
the sums (never averaged). A build runs under a row lock on its Summary (one per scope and
period) and writes in one transaction, recording when it ran and which filing versions it used.
Running it twice, or twice at once, gives the same answer."""
from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from celery import shared_task
from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Count, DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from banks.choices import InstitutionType
from parks.choices import Batch, DigitalStatus, StarRating
from parks.models import Park, PartnerLink, Tenancy
from portal.choices import NINGBO_CODE, ZHEJIANG_CODE
from portal.models import Region

from .choices import FilingStatus
from .completeness import completeness_by_city, completeness_rows_data
from .models import Filing, Period, Summary, T1Row, T4Record, T5Row
from .schedules.t2 import AMOUNT_KEYS, COUNT_KEYS, HIDDEN_SUMS, TIERS, coverage_target, t2_ratios
from .schedules.t4 import COLUMNS as T4_COLUMNS

D0 = Decimal(0)
ADDITIVE = tuple(k for k in COUNT_KEYS if k not in ("partner_bank_count", "enterprises_total")) + AMOUNT_KEYS + HIDDEN_SUMS
STAR_BLOCKS = (("5", "五星", (5,)), ("4", "四星", (4,)), ("3", "三星", (3,)), ("other", "其他", (0, 1, 2)))
NOT_FILED_NOTE = "未报送的园区列出但不计入任何合计（含入园企业数）。"


# --- T2 figures of many parks in one query ---------------------------------------------------

def _dec(max_digits=24, places=6) -> DecimalField:
    return DecimalField(max_digits=max_digits, decimal_places=places)


def _sum(field, cond: Q | None = None, places: int = 2):
    return Coalesce(Sum(field, filter=cond, output_field=_dec(places=places)), Value(D0), output_field=_dec(places=places))


def _cnt(cond: Q):
    return Count("pk", filter=cond)


def t2_aggregates(*, filing_ids: Iterable[int] | None = None, filings: QuerySet | None = None) -> dict[int, dict[str, Any]]:
    """filing id → the additive T2 figures (counts, amounts, weighted-rate sums) of its T1 rows.
    ``filings`` (a queryset) filters by subquery — no long parameter lists at province scale."""
    ids = list(filing_ids) if filing_ids is not None else []
    if filings is None and not ids:
        return {}
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
    out: dict[int, dict[str, Any]] = {i: {k: (0 if k.endswith("_count") else D0) for k in ("filed_count", *aggs)} for i in ids}
    rows = T1Row.objects.filter(filing__in=filings.values("pk")) if filings is not None else T1Row.objects.filter(filing_id__in=ids)
    # annotation names must not shadow the row fields they sum
    query = rows.values("filing_id").annotate(**{f"agg__{k}": v for k, v in aggs.items()}).order_by()
    cents, micro = Decimal("0.01"), Decimal("0.000001")
    for row in query:
        values = {"filed_count": 0, **{k: row[f"agg__{k}"] for k in aggs}}
        for k, v in values.items():  # SQLite sums in floating point: back to exact amounts
            if isinstance(v, Decimal):
                values[k] = v.quantize(micro if k in HIDDEN_SUMS else cents)
        out[row["filing_id"]] = values
    # 已建档企业数 (and so 建档覆盖率): the rows of enterprises that are tenants of the park at period
    # end (Tenancy.objects.in_force). A separate query: WHERE EXISTS plans as a semi-join.
    tenant_at_end = Tenancy.objects.in_force(on=OuterRef("filing__period__end")).filter(
        park_id=OuterRef("filing__park_id"), enterprise__uscc=OuterRef("uscc"))
    for row in rows.filter(Exists(tenant_at_end)).values("filing_id").annotate(n=Count("pk")).order_by():
        out[row["filing_id"]]["filed_count"] = row["n"]
    return out


def _park_filter(prefix: str, city_code: str | None) -> dict[str, Any]:
    f = {f"{prefix}status": "active", f"{prefix}county__province_code": ZHEJIANG_CODE}
    if city_code:
        f[f"{prefix}county__city_code"] = city_code
    return f


def park_tenant_counts(*, on, city_code: str | None) -> dict[int, int]:
    qs = (Tenancy.objects.in_force(on=on).filter(**_park_filter("park__", city_code))
          .values("park_id").annotate(n=Count("pk")).order_by())
    return {r["park_id"]: r["n"] for r in qs}


def park_partner_counts(*, on, city_code: str | None) -> dict[int, int]:
    qs = (PartnerLink.objects.in_force(on=on).filter(**_park_filter("park__", city_code))
          .values("park_id").annotate(n=Count("pk")).order_by())
    return {r["park_id"]: r["n"] for r in qs}


# --- which versions count --------------------------------------------------------------------

def latest_approved(*, schedule: str, period: Period, **filters):
    """A queryset of the latest approved version of each subject's filing (usable as a subquery)."""
    subject = "park" if schedule == "T1" else ("branch" if schedule in ("T4", "T5") else "city")
    newer = Filing.objects.filter(schedule=schedule, period=period, status=FilingStatus.APPROVED,
                                  **{subject: OuterRef(subject)}, version__gt=OuterRef("version"))
    return Filing.objects.filter(schedule=schedule, period=period, status=FilingStatus.APPROVED, **filters).filter(~Exists(newer))


def approved_versions(*, schedule: str, period: Period, **filters) -> dict[int, tuple[int, int]]:
    """subject id (park or branch) → (filing id, version) of its latest approved version."""
    subject = "park_id" if schedule == "T1" else "branch_id"
    best: dict[int, tuple[int, int]] = {}
    rows = Filing.objects.filter(schedule=schedule, period=period, status=FilingStatus.APPROVED, **filters).values_list(subject, "pk", "version")
    for sid, pk, version in rows:
        if sid not in best or version > best[sid][1]:
            best[sid] = (pk, version)
    return best


# --- figures ---------------------------------------------------------------------------------

def _zero() -> dict[str, Any]:
    return {k: (0 if k.endswith("_count") or k == "enterprises_total" else D0) for k in ADDITIVE + ("enterprises_total",)}


def _add(acc: dict[str, Any], fig: dict[str, Any]) -> None:
    for k in ADDITIVE + ("enterprises_total",):
        acc[k] += fig.get(k) or 0


def _finish(acc: dict[str, Any], *, target: Decimal | None = None) -> dict[str, Any]:
    acc = dict(acc)
    t2_ratios(acc, star_rating=None)
    if target is not None:
        acc["coverage_target"] = target
        acc["coverage_met"] = acc["credit_coverage"] is not None and acc["credit_coverage"] >= target
    return acc


def parks_figures(*, period: Period, city_code: str | None) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Each active park of the city (or province) with its T2 figures from its latest approved T1
    (or marked 未报送), plus the filing versions used."""
    parks = list(Park.objects.filter(**_park_filter("", city_code)).values("pk", "code", "name", "county_id", "county__code", "county__name", "county__city_code",
                                 "star_rating", "batch", "digital_status").order_by("county__code", "code"))
    approved = latest_approved(schedule="T1", period=period, **_park_filter("park__", city_code))
    versions = {park_id: (pk, version) for pk, park_id, version in approved.values_list("pk", "park_id", "version")}
    sums = t2_aggregates(filings=approved)
    tenants = park_tenant_counts(on=period.end, city_code=city_code)
    partners = park_partner_counts(on=period.end, city_code=city_code)
    stars, digital = dict(StarRating.choices), dict(DigitalStatus.choices)
    out = []
    for p in parks:
        row = {"park_id": p["pk"], "code": p["code"], "name": p["name"], "county_code": p["county__code"],
               "county": p["county__name"], "city_code": p["county__city_code"], "star_rating": p["star_rating"],
               "star_label": stars[p["star_rating"]], "batch": p["batch"], "digital_status": digital[p["digital_status"]],
               "partner_bank_count": partners.get(p["pk"], 0)}
        v = versions.get(p["pk"])
        if v is None:
            row.update(filed=False, filing_id=None, version=None)
        else:
            fig = dict(sums[v[0]])
            fig["enterprises_total"] = tenants.get(p["pk"], 0)
            fig["partner_bank_count"] = row["partner_bank_count"]
            t2_ratios(fig, star_rating=p["star_rating"])
            row.update(fig, filed=True, filing_id=v[0], version=v[1])
        out.append(row)
    return out, {str(v[0]): v[1] for v in versions.values()}


@dataclass
class Groups:
    """Raw (unfinished) sums of a set of parks: cheap to merge, finished once."""

    total: dict = field(default_factory=_zero)
    counties: dict = field(default_factory=dict)
    county_names: dict = field(default_factory=dict)
    county_parks: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    stars: dict = field(default_factory=lambda: {k: _zero() for k, _, _ in STAR_BLOCKS})
    star_parks: dict = field(default_factory=lambda: defaultdict(int))
    batches: dict = field(default_factory=lambda: {b: _zero() for b, _ in Batch.choices})
    park_count: int = 0
    filed_parks: int = 0
    full_coverage: int = 0
    partner_3_5: int = 0


STAR_OF = {star: key for key, _, members in STAR_BLOCKS for star in members}


def group_raw(parks: list[dict[str, Any]]) -> Groups:
    g = Groups()
    for p in parks:
        c = p["county_code"]
        g.county_names.setdefault(c, p["county"])
        g.county_parks[c][0] += 1
        g.park_count += 1
        g.star_parks[STAR_OF[p["star_rating"]]] += 1
        if 3 <= p["partner_bank_count"] <= 5:
            g.partner_3_5 += 1
        if not p["filed"]:
            continue
        g.filed_parks += 1
        g.county_parks[c][1] += 1
        if p.get("filing_coverage") is not None and p["filing_coverage"] >= 100:
            g.full_coverage += 1
        county = g.counties.get(c)
        if county is None:
            county = g.counties[c] = _zero()
        for acc in (g.total, county, g.stars[STAR_OF[p["star_rating"]]], g.batches[p["batch"]]):
            _add(acc, p)
    return g


def group_merge(groups: Iterable[Groups]) -> Groups:
    out = Groups()
    for g in groups:
        _add(out.total, g.total)
        for c, acc in g.counties.items():
            _add(out.counties.setdefault(c, _zero()), acc)
        out.county_names.update(g.county_names)
        for c, (n, filed) in g.county_parks.items():
            out.county_parks[c][0] += n
            out.county_parks[c][1] += filed
        for k in out.stars:
            _add(out.stars[k], g.stars[k])
            out.star_parks[k] += g.star_parks[k]
        for b in out.batches:
            _add(out.batches[b], g.batches[b])
        out.park_count += g.park_count
        out.filed_parks += g.filed_parks
        out.full_coverage += g.full_coverage
        out.partner_3_5 += g.partner_3_5
    return out


def group_finish(g: Groups) -> dict[str, Any]:
    total = _finish(g.total)
    return {
        "total": total,
        "counties": [{"code": c, "name": g.county_names[c], "park_count": g.county_parks[c][0], "filed_parks": g.county_parks[c][1],
                      **_finish(g.counties.get(c) or _zero())} for c in sorted(g.county_names)],
        "by_star": [{"key": k, "label": label, "park_count": g.star_parks[k], **_finish(g.stars[k], target=coverage_target(max(members)))}
                    for k, label, members in STAR_BLOCKS],
        "by_batch": [{"key": b, "label": label, **_finish(g.batches[b])} for b, label in Batch.choices],
        "park_count": g.park_count,
        "filed_parks": g.filed_parks,
        "parks_at_full_coverage": g.full_coverage,
        "parks_partner_3_5": g.partner_3_5,
        "first_loan_count": total["first_loan_count"],
    }


def group_figures(parks: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals, county subtotals, star-level and batch blocks of a list of park rows (filed only)."""
    return group_finish(group_raw(parks))


# --- banks: T4 sums and T5 partner checks ------------------------------------------------------

T4_ADDITIVE = tuple(c.key for c in T4_COLUMNS if c.kind in ("amount", "count"))
T4_RATES = {"ent_new_loan_rate": "ent_loan_balance", "inclusive_new_loan_rate": "inclusive_loan_balance",
            "inclusive_financing_cost": "inclusive_loan_balance"}


def t4_records(*, period_code: str, city_code: str | None = None) -> list[dict[str, Any]]:
    """The latest approved T4 of every branch (of a city, or the province) with its city and type."""
    period = Period.objects.filter(code=period_code).first()
    if period is None:
        return []
    filters = {"branch__region__province_code": ZHEJIANG_CODE}
    if city_code:
        filters["branch__region__code"] = city_code
    ids = [v[0] for v in approved_versions(schedule="T4", period=period, **filters).values()]
    rates = tuple(T4_RATES)
    return list(T4Record.objects.filter(filing_id__in=ids).values(
        "filing_id", city=F("filing__branch__region__code"), type=F("filing__branch__institution__type"), *T4_ADDITIVE, *rates))


def t4_sum(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Σ of T4 records, rates weighted by their balances, ratios recomputed; also by institution type."""
    records = list(records)

    def total(rows) -> dict[str, Any]:
        out: dict[str, Any] = {c.key: (0 if c.kind == "count" else D0) for c in T4_COLUMNS if c.key in T4_ADDITIVE}
        w = {r: [D0, D0] for r in T4_RATES}
        for rec in rows:
            for k in T4_ADDITIVE:
                if rec[k] is not None:
                    out[k] += rec[k]
            for rate, weight in T4_RATES.items():
                if rec[rate] is not None and rec[weight]:
                    w[rate][0] += rec[rate] * rec[weight]
                    w[rate][1] += rec[weight]
        for rate, (num, den) in w.items():
            out[rate] = None if den == 0 else (num / den).quantize(Decimal("0.0001"))
        out["filers"] = len(rows)
        return _t4_ratios(out)

    result = total(records)
    by_type = defaultdict(list)
    for rec in records:
        by_type[rec["type"]].append(rec)
    result["by_type"] = [{"type": t, "label": label, **total(by_type[t])} for t, label in InstitutionType.choices if t in by_type]
    return result


def t4_totals(*, period_code: str, city_code: str | None, exclude_city: str | None = None) -> dict[str, Any]:
    records = [r for r in t4_records(period_code=period_code, city_code=city_code) if r["city"] != exclude_city]
    return t4_sum(records)


def _ratio(a, b) -> Decimal | None:
    b = Decimal(b or 0)
    return None if b == 0 else (Decimal(a or 0) * 100 / b).quantize(Decimal("0.01"))


def _t4_ratios(t: dict[str, Any]) -> dict[str, Any]:
    t["npl_ratio"] = _ratio(t.get("all_npl_balance"), t.get("all_loan_balance"))
    t["inclusive_npl_ratio"] = _ratio(t.get("inclusive_npl_balance"), t.get("inclusive_loan_balance"))
    t["inclusive_share"] = _ratio(t.get("inclusive_loan_balance"), t.get("sme_loan_balance"))
    t["credit_loan_share"] = _ratio(t.get("sme_credit_loan_balance"), t.get("sme_loan_balance"))
    t["inclusive_renewal_share"] = _ratio(t.get("inclusive_renewal_balance"), t.get("inclusive_loan_balance"))
    t["private_share"] = _ratio(t.get("private_enterprise_loan_balance"), t.get("enterprise_loan_balance"))
    return t


def t4_change(current: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """比年初增减 and 增速 of every additive T4 total."""
    out = {}
    for k in T4_ADDITIVE:
        if k in current and k in base:
            delta = Decimal(current[k] or 0) - Decimal(base[k] or 0)
            out[k] = {"delta": delta, "growth": _ratio(delta, base[k])}
    return out


def partner_checks(*, period: Period, parks: list[dict[str, Any]], city_code: str | None = None) -> dict[str, Any]:
    """From the approved T5 rows: partner-bank counts per park, parks outside 3–5, parks with no
    or several 主办行."""
    codes = [p["code"] for p in parks]
    wanted = set(codes)
    filings = latest_approved(schedule="T5", period=period, **({"branch__region__code": city_code} if city_code else {}))
    rows = T5Row.objects.filter(filing__in=filings.values("pk")).values_list("park_code", "role")
    counts, leads = defaultdict(int), defaultdict(int)
    for code, role in rows:
        if code not in wanted:
            continue
        counts[code] += 1
        if role == "lead":
            leads[code] += 1
    names = {p["code"]: p["name"] for p in parks}
    return {
        "counts": dict(counts),
        "outside_3_5": [{"code": c, "name": names[c], "count": counts.get(c, 0)} for c in codes if not 3 <= counts.get(c, 0) <= 5],
        "no_lead": [{"code": c, "name": names[c]} for c in codes if leads.get(c, 0) == 0],
        "multi_lead": [{"code": c, "name": names[c], "leads": leads[c]} for c in codes if leads.get(c, 0) > 1],
    }


# --- builds ----------------------------------------------------------------------------------

@dataclass
class Prepared:
    """What a full rebuild computes once and shares between the city and province builds."""

    parks: list
    versions: dict
    groups: Groups | None = None
    t4_now: list | None = None
    t4_base: list | None = None


def city_data(*, city_code: str, period: Period, prepared: Prepared | None = None) -> tuple[dict[str, Any], dict[str, int]]:
    city = Region.objects.get(code=city_code)
    if prepared is None:
        parks, versions = parks_figures(period=period, city_code=city_code)
        prepared = Prepared(parks, versions, group_raw(parks), t4_records(period_code=period.code, city_code=city_code),
                            t4_records(period_code=period.previous_year_end_code, city_code=city_code))
    parks, versions = prepared.parks, prepared.versions
    data = {"city": {"code": city.code, "name": city.name, "separately_planned": city.separately_planned},
            "period": period.code, "parks": parks, **group_finish(prepared.groups or group_raw(parks)),
            "not_filed": [{"code": p["code"], "name": p["name"], "county": p["county"]} for p in parks if not p["filed"]],
            "not_filed_note": NOT_FILED_NOTE}
    banks = t4_sum(r for r in prepared.t4_now if r["city"] == city_code)
    base_records = [r for r in prepared.t4_base if r["city"] == city_code]
    base = t4_sum(base_records) if base_records else {}
    data["banks"] = {"total": banks, "baseline": base, "change": t4_change(banks, base) if base else {}}
    data["partners"] = partner_checks(period=period, parks=parks, city_code=city_code)
    data["completeness"] = completeness_rows_data(completeness_by_city(period=period, today=timezone.localdate(), city_code=city_code))
    versions = dict(versions)
    versions.update({str(k): v for k, v in _t4_t5_versions(period, city_code).items()})
    return data, versions


def _t4_t5_versions(period: Period, city_code: str | None) -> dict[int, int]:
    out = {}
    for schedule in ("T4", "T5"):
        filters = {"branch__region__code": city_code} if city_code else {}
        out.update({pk: version for pk, version in approved_versions(schedule=schedule, period=period, **filters).values()})
    return out


def province_data(*, period: Period, prepared: Prepared | None = None, city_groups: dict[str, Groups] | None = None) -> tuple[dict[str, Any], dict[str, int]]:
    if prepared is None:
        parks, versions = parks_figures(period=period, city_code=None)
        prepared = Prepared(parks, versions, None, t4_records(period_code=period.code), t4_records(period_code=period.previous_year_end_code))
    parks, versions = prepared.parks, dict(prepared.versions)
    cities = list(Region.objects.filter(level="city", province_code=ZHEJIANG_CODE).order_by("code"))
    if city_groups is None:
        by_city = defaultdict(list)
        for p in parks:
            by_city[p["city_code"]].append(p)
        city_groups = {c.code: group_raw(by_city[c.code]) for c in cities}
    data = {
        "period": period.code,
        "cities": [{"code": c.code, "name": c.name, "separately_planned": c.separately_planned, **group_finish(city_groups[c.code])}
                   for c in cities],
        "incl_ningbo": group_finish(group_merge(city_groups.values())),
        "excl_ningbo": group_finish(group_merge(g for code, g in city_groups.items() if code != NINGBO_CODE)),
        "not_filed_count": sum(1 for p in parks if not p["filed"]),
        "not_filed_note": NOT_FILED_NOTE,
    }
    data["banks"] = {}
    for key, exclude in (("incl_ningbo", None), ("excl_ningbo", NINGBO_CODE)):
        cur = t4_sum(r for r in prepared.t4_now if r["city"] != exclude)
        base_records = [r for r in prepared.t4_base if r["city"] != exclude]
        base = t4_sum(base_records) if base_records else {}
        data["banks"][key] = {"total": cur, "baseline": base, "change": t4_change(cur, base) if base else {}}
    data["partners"] = partner_checks(period=period, parks=parks)
    data["completeness"] = completeness_rows_data(completeness_by_city(period=period, today=timezone.localdate()))
    versions.update({str(k): v for k, v in _t4_t5_versions(period, None).items()})
    return data, versions


def summary_rebuild(*, scope: str, code: str, period_id: int, prepared: Prepared | None = None,
                   city_groups: dict[str, Groups] | None = None) -> Summary:
    """Recompute one summary under a row lock, in one transaction (idempotent)."""
    period = Period.objects.get(pk=period_id)
    Summary.objects.get_or_create(scope=scope, code=code, period=period)
    started = time.perf_counter()
    with transaction.atomic():
        summary = Summary.objects.select_for_update().get(scope=scope, code=code, period=period)
        if scope == Summary.Scope.CITY:
            data, versions = city_data(city_code=code, period=period, prepared=prepared)
        else:
            data, versions = province_data(period=period, prepared=prepared, city_groups=city_groups)
        if settings.ROLLUP_BUILD_DELAY:
            time.sleep(settings.ROLLUP_BUILD_DELAY)
        summary.data = data
        summary.source_versions = versions
        summary.built_at = timezone.now()
        summary.build_ms = int((time.perf_counter() - started) * 1000)
        summary.builds += 1
        summary.save()
    return summary


# --- triggering and coalescing ---------------------------------------------------------------

def summary_request(*, scope: str, code: str, period_id: int, countdown: float = 3.0) -> bool:
    """Ask for a rebuild. Only the first request while none is queued enqueues a task (on commit);
    the task clears the flag when it starts, so a burst of approvals costs a few rebuilds."""
    now = timezone.now()
    Summary.objects.get_or_create(scope=scope, code=code, period_id=period_id)
    claimed = Summary.objects.filter(scope=scope, code=code, period_id=period_id, queued=False).update(queued=True, requested_at=now)
    Summary.objects.filter(scope=scope, code=code, period_id=period_id).update(requested_at=now)
    if claimed:
        transaction.on_commit(lambda: summary_rebuild_task.apply_async((scope, code, period_id), countdown=countdown))
    return bool(claimed)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, autoretry_for=(OperationalError,),
             retry_backoff=True, retry_backoff_max=60, max_retries=5)
def summary_rebuild_task(self, scope: str, code: str, period_id: int) -> dict[str, Any]:
    Summary.objects.filter(scope=scope, code=code, period_id=period_id).update(queued=False)
    summary = summary_rebuild(scope=scope, code=code, period_id=period_id)
    if scope == Summary.Scope.CITY:
        summary_request(scope=Summary.Scope.PROVINCE, code=ZHEJIANG_CODE, period_id=period_id)
    else:
        _targets_rebuild(period_id=period_id)
    return {"scope": scope, "code": code, "period_id": period_id, "build_ms": summary.build_ms}


def _targets_rebuild(*, period_id: int) -> None:
    """Target results are recomputed after every province summary (and the later periods that
    compare with this one: same quarter next year, next year's year-end base)."""
    from .targets import target_results_rebuild

    target_results_rebuild(period_id=period_id)


def filing_approved(filing: Filing) -> None:
    """Approval hook: rebuild the filing's city, then (from that task) the province."""
    if filing.park_id:
        city = filing.park.county.city_code
    elif filing.branch_id:
        city = filing.branch.region.code
    else:
        city = filing.city.code
    summary_request(scope=Summary.Scope.CITY, code=city, period_id=filing.period_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def summaries_refresh_open_periods() -> int:
    """Daily (beat): 逾期 counts change with the date alone, so open periods are rebuilt."""
    today = timezone.localdate()
    n = 0
    for period in Period.objects.filter(is_baseline=False, filer_due__lte=today, lock_date__gte=today):
        for code in Region.objects.filter(level="city", province_code=ZHEJIANG_CODE).values_list("code", flat=True):
            n += summary_request(scope=Summary.Scope.CITY, code=code, period_id=period.pk, countdown=0)
    return n


def summaries_rebuild_all(*, period: Period, city_code: str | None = None) -> list[Summary]:
    """Rebuild every city (or one) and the province; the ledger rows are scanned once."""
    if city_code:
        built = [summary_rebuild(scope=Summary.Scope.CITY, code=city_code, period_id=period.pk)]
        built.append(summary_rebuild(scope=Summary.Scope.PROVINCE, code=ZHEJIANG_CODE, period_id=period.pk))
        _targets_rebuild(period_id=period.pk)
        return built
    parks, versions = parks_figures(period=period, city_code=None)
    t4_now, t4_base = t4_records(period_code=period.code), t4_records(period_code=period.previous_year_end_code)
    by_city: dict[str, list] = defaultdict(list)
    for p in parks:
        by_city[p["city_code"]].append(p)
    built, city_groups = [], {}
    for code in Region.objects.filter(level="city", province_code=ZHEJIANG_CODE).order_by("code").values_list("code", flat=True):
        subset = by_city.get(code, [])
        city_groups[code] = group_raw(subset)
        ids = {str(p["filing_id"]) for p in subset if p["filed"]}
        prepared = Prepared(subset, {k: v for k, v in versions.items() if k in ids}, city_groups[code], t4_now, t4_base)
        built.append(summary_rebuild(scope=Summary.Scope.CITY, code=code, period_id=period.pk, prepared=prepared))
    built.append(summary_rebuild(scope=Summary.Scope.PROVINCE, code=ZHEJIANG_CODE, period_id=period.pk,
                                 prepared=Prepared(parks, versions, None, t4_now, t4_base), city_groups=city_groups))
    _targets_rebuild(period_id=period.pk)
    return built
