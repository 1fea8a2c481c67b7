"""Roll-ups (issue 5): a city's 附表3 with its banks' 附表4/5 totals, and the province summary.

Every build recomputes from the approved source versions (the latest approved version of each
subject's filing): one SQL aggregate over the approved ledger rows gives each park's T2 figures;
sums by county, city, star level, batch and province follow, and every ratio is recomputed from
the sums (never averaged). A build runs under a row lock on its Summary (one per scope and
period) and writes in one transaction, recording when it ran and which filing versions it used.
Running it twice, or twice at once, gives the same answer."""
from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any, Iterable

from celery import shared_task
from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from banks.choices import InstitutionType
from parks.choices import Batch, DigitalStatus, PartnerRole, StarRating
from parks.models import Park, PartnerLink, Tenancy
from portal.choices import NINGBO_CODE, ZHEJIANG_CODE
from portal.models import Region
from reports.filings.choices import FilingStatus
from reports.filings.models import Filing, Period, T2Summary, T4Record, T5Row
from reports.filings.periods import shift_code
from reports.filings.t2 import t2_aggregates
from reports.schedules.numbers import change, ratio, weighted
from reports.schedules.t2 import AMOUNT_KEYS, COUNT_KEYS, HIDDEN_SUMS, coverage_target, t2_ratios
from reports.schedules.t4 import COLUMNS as T4_COLUMNS
from reports.summaries.completeness import completeness_by_city, completeness_rows_data
from reports.summaries.models import Summary
from reports.summaries.signals import province_summary_built

log = logging.getLogger(__name__)
D0 = Decimal(0)
ADDITIVE = tuple(k for k in COUNT_KEYS if k not in ("partner_bank_count", "enterprises_total")) + AMOUNT_KEYS + HIDDEN_SUMS
STAR_BLOCKS = (("5", "五星", (5,)), ("4", "四星", (4,)), ("3", "三星", (3,)), ("other", "其他", (0, 1, 2)))
NOT_FILED_NOTE = "未报送的园区列出但不计入任何合计（含入园企业数）。"



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


# --- comparable panels of parks: the same parks at an earlier period ----------------------------

PARK_PANEL_KEYS = ("enterprises_total", "filed_count", "credited_count", "loan_count", "first_loan_count")
PARK_PANEL_KINDS = ("previous_quarter", "previous_year_end", "same_quarter_last_year")


def park_figures_earlier(*, period: Period, city_code: str | None) -> dict[str, dict[int, dict[str, Any]] | None]:
    """For each earlier period a comparison may refer to: park id → its 附表2 figures there (the
    stored T2 of its latest approved 附表1); None when that period does not exist."""
    codes = {kind: shift_code(period.code, kind) for kind in PARK_PANEL_KINDS}
    periods = {p.code: p for p in Period.objects.filter(code__in=set(codes.values()), is_baseline=False)}
    out: dict[str, dict[int, dict[str, Any]] | None] = {}
    for kind, code in codes.items():
        earlier = periods.get(code)
        if earlier is None:
            out[kind] = None
            continue
        approved = latest_approved(schedule="T1", period=earlier, **_park_filter("park__", city_code))
        out[kind] = {r["park_id"]: r for r in T2Summary.objects.filter(filing__in=approved.values("pk")).values("park_id", *PARK_PANEL_KEYS)}
    return out


def _park_panel_zero() -> dict[str, Any]:
    return {"comparable": 0, "current": 0, "baseline": 0, "now": {k: 0 for k in PARK_PANEL_KEYS}, "then": {k: 0 for k in PARK_PANEL_KEYS}}


def _park_panel_add(acc: dict[str, Any], other: dict[str, Any]) -> None:
    for k in ("comparable", "current", "baseline"):
        acc[k] += other[k]
    for side in ("now", "then"):
        for k in PARK_PANEL_KEYS:
            acc[side][k] += other[side][k]


def _park_panel_finish(acc: dict[str, Any], code: str) -> dict[str, Any]:
    """A comparison with an earlier period over the parks that have an approved 附表1 in both."""
    return {"period": code, "coverage": {"comparable": acc["comparable"], "current": acc["current"], "baseline": acc["baseline"]},
            "current": dict(acc["now"]), "baseline": dict(acc["then"])}


@dataclass
class Groups:
    """Raw (unfinished) sums of a set of parks: cheap to merge, finished once."""

    total: dict = field(default_factory=_zero)
    counties: dict = field(default_factory=dict)
    county_names: dict = field(default_factory=dict)
    county_parks: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    stars: dict = field(default_factory=lambda: {k: _zero() for k, _, _ in STAR_BLOCKS})
    star_parks: dict = field(default_factory=lambda: defaultdict(int))
    star_filed: dict = field(default_factory=lambda: defaultdict(int))
    batches: dict = field(default_factory=lambda: {b: _zero() for b, _ in Batch.choices})
    park_count: int = 0
    filed_parks: int = 0
    full_coverage: int = 0
    partner_3_5: int = 0
    panels: dict = field(default_factory=dict)  # earlier-period kind -> raw comparable panel (see PARK_PANEL_KINDS)
    panel_codes: dict = field(default_factory=dict)  # kind -> the earlier period's code


STAR_OF = {star: key for key, _, members in STAR_BLOCKS for star in members}


def group_raw(parks: list[dict[str, Any]], earlier: dict[str, dict[int, dict] | None] | None = None,
              earlier_codes: dict[str, str] | None = None) -> Groups:
    """``earlier``: the parks' figures at the earlier periods (``park_figures_earlier``), for the
    like-for-like comparisons (only parks with an approved 附表1 in both periods)."""
    g = Groups()
    earlier = {k: v for k, v in (earlier or {}).items() if v is not None}
    g.panels = {kind: _park_panel_zero() for kind in earlier}
    g.panel_codes = dict(earlier_codes or {})
    for p in parks:
        c = p["county_code"]
        g.county_names.setdefault(c, p["county"])
        g.county_parks[c][0] += 1
        g.park_count += 1
        g.star_parks[STAR_OF[p["star_rating"]]] += 1
        if 3 <= p["partner_bank_count"] <= 5:
            g.partner_3_5 += 1
        for kind, figures in earlier.items():
            then, acc = figures.get(p["park_id"]), g.panels[kind]
            acc["current"] += bool(p["filed"])
            acc["baseline"] += then is not None
            if p["filed"] and then is not None:
                acc["comparable"] += 1
                for k in PARK_PANEL_KEYS:
                    acc["now"][k] += p.get(k) or 0
                    acc["then"][k] += then.get(k) or 0
        if not p["filed"]:
            continue
        g.filed_parks += 1
        g.county_parks[c][1] += 1
        g.star_filed[STAR_OF[p["star_rating"]]] += 1
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
            out.star_filed[k] += g.star_filed[k]
        for b in out.batches:
            _add(out.batches[b], g.batches[b])
        out.park_count += g.park_count
        out.filed_parks += g.filed_parks
        out.full_coverage += g.full_coverage
        out.partner_3_5 += g.partner_3_5
        for kind, acc in g.panels.items():
            _park_panel_add(out.panels.setdefault(kind, _park_panel_zero()), acc)
        out.panel_codes.update(g.panel_codes)
    return out


def group_finish(g: Groups) -> dict[str, Any]:
    total = _finish(g.total)
    return {
        "total": total,
        "counties": [{"code": c, "name": g.county_names[c], "park_count": g.county_parks[c][0], "filed_parks": g.county_parks[c][1],
                      **_finish(g.counties.get(c) or _zero())} for c in sorted(g.county_names)],
        # park_count: every active park of the level; the figures (入园企业数 …) and filed_parks:
        # the parks whose 附表1 is approved (an unreported park is counted in no figure)
        "by_star": [{"key": k, "label": label, "park_count": g.star_parks[k], "filed_parks": g.star_filed[k],
                     **_finish(g.stars[k], target=coverage_target(max(members)))} for k, label, members in STAR_BLOCKS],
        "by_batch": [{"key": b, "label": label, **_finish(g.batches[b])} for b, label in Batch.choices],
        "park_count": g.park_count,
        "filed_parks": g.filed_parks,
        "parks_at_full_coverage": g.full_coverage,
        "parks_partner_3_5": g.partner_3_5,
        "first_loan_count": total["first_loan_count"],
        "panels": {kind: _park_panel_finish(acc, g.panel_codes.get(kind, "")) for kind, acc in g.panels.items()},
    }


def group_figures(parks: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals, county subtotals, star-level and batch blocks of a list of park rows (filed only)."""
    return group_finish(group_raw(parks))


# --- banks: T4 sums, like-for-like changes, and the partner-bank checks --------------------------

T4_ADDITIVE = tuple(c.key for c in T4_COLUMNS if c.kind in ("amount", "count"))
T4_RATES = {"ent_new_loan_rate": "ent_loan_balance", "inclusive_new_loan_rate": "inclusive_loan_balance",
            "inclusive_financing_cost": "inclusive_loan_balance"}
T4_RATIOS = {"npl_ratio": ("all_npl_balance", "all_loan_balance"),
             "inclusive_npl_ratio": ("inclusive_npl_balance", "inclusive_loan_balance"),
             "inclusive_share": ("inclusive_loan_balance", "sme_loan_balance"),
             "credit_loan_share": ("sme_credit_loan_balance", "sme_loan_balance"),
             "inclusive_renewal_share": ("inclusive_renewal_balance", "inclusive_loan_balance"),
             "private_share": ("private_enterprise_loan_balance", "enterprise_loan_balance")}
RATE_WEIGHTS = "rate_weights"  # rate -> [Σ rate × balance, Σ balance]: kept so that comparisons use unrounded rates


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
        "filing_id", branch_id=F("filing__branch_id"), branch_name=F("filing__branch__name"), city=F("filing__branch__region__code"),
        type=F("filing__branch__institution__type"), *T4_ADDITIVE, *rates))


def t4_sum(records: Iterable[dict[str, Any]], *, by_type: bool = True) -> dict[str, Any]:
    """Σ of T4 records, rates weighted by their balances, ratios recomputed; also by institution type."""
    records = list(records)

    def total(rows) -> dict[str, Any]:
        out: dict[str, Any] = {c.key: (0 if c.kind == "count" else D0) for c in T4_COLUMNS if c.key in T4_ADDITIVE}
        w = {r: [D0, D0] for r in T4_RATES}
        for rec in rows:
            for k in T4_ADDITIVE:
                if rec.get(k) is not None:
                    out[k] += rec[k]
            for rate, weight in T4_RATES.items():
                if rec.get(rate) is not None and rec.get(weight):
                    w[rate][0] += Decimal(rec[rate]) * Decimal(rec[weight])
                    w[rate][1] += Decimal(rec[weight])
        for rate, (num, den) in w.items():
            out[rate] = weighted(num, den)
        out[RATE_WEIGHTS] = {rate: [num, den] for rate, (num, den) in w.items()}
        out["filers"] = len(rows)
        return _t4_ratios(out)

    result = total(records)
    if by_type:
        types = defaultdict(list)
        for rec in records:
            types[rec["type"]].append(rec)
        result["by_type"] = [{"type": t, "label": label, **total(types[t])} for t, label in InstitutionType.choices if t in types]
    return result


def t4_totals(*, period_code: str, city_code: str | None, exclude_city: str | None = None) -> dict[str, Any]:
    records = [r for r in t4_records(period_code=period_code, city_code=city_code) if r["city"] != exclude_city]
    return t4_sum(records)


def _t4_ratios(t: dict[str, Any]) -> dict[str, Any]:
    for key, (num, den) in T4_RATIOS.items():
        t[key] = ratio(t.get(num), t.get(den))
    return t


def t4_change(current: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """增减 and 增速 of every additive T4 total between two sums OF THE SAME FILERS (a panel)."""
    out = {}
    for k in T4_ADDITIVE:
        if k in current and k in base:
            delta, pct = change(current[k] or 0, base[k] or 0)
            out[k] = {"delta": delta, "growth": pct}
    return out


def _paired(now: dict[str, Any], then: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """One filer's two records with every value that is missing in either period left out of both
    (an optional column filled only once must not read as a rise or a fall)."""
    a, b = dict(now), dict(then)
    for k in (*T4_ADDITIVE, *T4_RATES):
        if now.get(k) is None or then.get(k) is None:
            a[k] = b[k] = None
    return a, b


def t4_panel(current: Iterable[dict[str, Any]], baseline: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """THE like-for-like comparison of a set of filers between two periods (比年初, 比上季, 同比).

    The comparable panel is the filers (bank branches) with an approved 附表4 in BOTH periods; every
    change and growth rate is computed on it, so a filer that has not filed (or not yet been
    approved) in one of the periods never reads as a fall or a rise. Filers approved now without a
    baseline (new filers) are summed apart (``new_filers_total``); filers approved only in the
    baseline are counted (``coverage.baseline``)."""
    current, baseline = list(current), list(baseline)
    then_by = {r["branch_id"]: r for r in baseline}
    pairs = [_paired(r, then_by[r["branch_id"]]) for r in current if r["branch_id"] in then_by]
    new = [r for r in current if r["branch_id"] not in then_by]
    now_ids = {r["branch_id"] for r in current}
    comparable_now = t4_sum([a for a, _ in pairs])
    comparable_then = t4_sum([b for _, b in pairs])
    return {
        "comparable": {"current": comparable_now, "baseline": comparable_then},
        "change": t4_change(comparable_now, comparable_then) if pairs else {},
        "coverage": {"comparable": len(pairs), "current": len(current), "baseline": len(baseline)},
        "new_filers": sorted(({"name": r["branch_name"], "city": r["city"]} for r in new), key=lambda r: (r["city"], r["name"])),
        "new_filers_total": t4_sum(new, by_type=False) if new else {},
        "baseline_only": sum(1 for r in baseline if r["branch_id"] not in now_ids),
    }


def banks_block(current: list[dict[str, Any]], baseline: list[dict[str, Any]], *, baseline_code: str,
                expected: int | None = None) -> dict[str, Any]:
    """The 附表4 block of a summary: the sums now (every approved filer), at the previous year-end,
    and 比年初 on the comparable panel with its coverage (how many filers are comparable, approved
    now, approved at the year-end, and expected this period)."""
    panel = t4_panel(current, baseline)
    panel["coverage"].update(expected=expected, baseline_period=baseline_code)
    return {"total": t4_sum(current), "baseline": t4_sum(baseline) if baseline else {}, **panel}


def partner_checks(*, period: Period, parks: list[dict[str, Any]], city_code: str | None = None) -> dict[str, Any]:
    """Parks outside the 3–5 partner-bank rule and parks without a 主办行, from THE register's links
    in force at period end (``PartnerLink.objects.in_force`` — the same definition as each park's
    附表2 伙伴银行家数 and ZJ2020-05), so this list is exactly the parks that fail ZJ2020-05.

    One bank-reported cross-check stays: parks that two or more banks report as 主办行 in their
    approved 附表5 (the register allows one lead bank at a time, so this can only be a filing error)."""
    leads = set(PartnerLink.objects.in_force(on=period.end).filter(role=PartnerRole.LEAD, **_park_filter("park__", city_code))
                .values_list("park_id", flat=True))
    filings = latest_approved(schedule="T5", period=period, **({"branch__region__code": city_code} if city_code else {}))
    reported = defaultdict(int)
    for code in T5Row.objects.filter(filing__in=filings.values("pk"), role=PartnerRole.LEAD).values_list("park_code", flat=True):
        reported[code] += 1

    def item(p: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"code": p["code"], "name": p["name"], "count": p["partner_bank_count"], **extra}

    return {
        "source": "register",
        "on": period.end.isoformat(),
        "outside_3_5": [item(p) for p in parks if not 3 <= p["partner_bank_count"] <= 5],
        "no_lead": [item(p) for p in parks if p["park_id"] not in leads],
        "t5_multi_lead": [item(p, leads=reported[p["code"]]) for p in parks if reported.get(p["code"], 0) > 1],
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
    earlier: dict | None = None  # park_figures_earlier
    register: dict | None = None  # register_park_counts


def register_park_counts(*, city_code: str | None = None) -> dict[str, dict[str, int]]:
    """city code → the register's park list by status (运营中 / 建设中 / 已撤销) and in all: the
    dashboards count the operating parks (those that report) and say how many the list holds."""
    qs = Park.objects.filter(county__province_code=ZHEJIANG_CODE)
    if city_code:
        qs = qs.filter(county__city_code=city_code)
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"listed": 0, "active": 0, "building": 0, "revoked": 0})
    for row in qs.values("county__city_code", "status").annotate(n=Count("pk")).order_by():
        c = out[row["county__city_code"]]
        c[row["status"]] = c.get(row["status"], 0) + row["n"]
        c["listed"] += row["n"]
    return dict(out)


def _register_block(register: dict[str, dict[str, int]], cities: Iterable[str]) -> dict[str, int]:
    out = {"listed": 0, "active": 0, "building": 0, "revoked": 0}
    for c in cities:
        for k, v in register.get(c, {}).items():
            out[k] = out.get(k, 0) + v
    return out


def _earlier_codes(period: Period) -> dict[str, str]:
    return {kind: shift_code(period.code, kind) for kind in PARK_PANEL_KINDS}


def _expected_banks(completeness: list[dict[str, Any]], exclude: str | None = None) -> int:
    return sum(r.get("banks_expected", 0) for r in completeness if r["code"] != exclude)


def city_data(*, city_code: str, period: Period, prepared: Prepared | None = None) -> tuple[dict[str, Any], dict[str, int]]:
    city = Region.objects.get(code=city_code)
    if prepared is None:
        parks, versions = parks_figures(period=period, city_code=city_code)
        earlier = park_figures_earlier(period=period, city_code=city_code)
        prepared = Prepared(parks, versions, group_raw(parks, earlier, _earlier_codes(period)),
                            t4_records(period_code=period.code, city_code=city_code),
                            t4_records(period_code=period.previous_year_end_code, city_code=city_code), earlier,
                            register_park_counts(city_code=city_code))
    parks, versions = prepared.parks, prepared.versions
    register = prepared.register if prepared.register is not None else register_park_counts(city_code=city_code)
    data = {"city": {"code": city.code, "name": city.name, "separately_planned": city.separately_planned},
            "period": period.code, "parks": parks,
            **group_finish(prepared.groups or group_raw(parks, prepared.earlier, _earlier_codes(period))),
            "register": _register_block(register, [city_code]),
            "not_filed": [{"code": p["code"], "name": p["name"], "county": p["county"]} for p in parks if not p["filed"]],
            "not_filed_note": NOT_FILED_NOTE}
    data["completeness"] = completeness_rows_data(completeness_by_city(period=period, today=timezone.localdate(), city_code=city_code))
    data["banks"] = banks_block([r for r in prepared.t4_now if r["city"] == city_code], [r for r in prepared.t4_base if r["city"] == city_code],
                                baseline_code=period.previous_year_end_code, expected=_expected_banks(data["completeness"]))
    data["partners"] = partner_checks(period=period, parks=parks, city_code=city_code)
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
        prepared = Prepared(parks, versions, None, t4_records(period_code=period.code), t4_records(period_code=period.previous_year_end_code),
                            park_figures_earlier(period=period, city_code=None), register_park_counts())
    parks, versions = prepared.parks, dict(prepared.versions)
    register = prepared.register if prepared.register is not None else register_park_counts()
    cities = list(Region.objects.filter(level="city", province_code=ZHEJIANG_CODE).order_by("code"))
    if city_groups is None:
        by_city = defaultdict(list)
        for p in parks:
            by_city[p["city_code"]].append(p)
        city_groups = {c.code: group_raw(by_city[c.code], prepared.earlier, _earlier_codes(period)) for c in cities}
    codes = [c.code for c in cities]
    data = {
        "period": period.code,
        "cities": [{"code": c.code, "name": c.name, "separately_planned": c.separately_planned, **group_finish(city_groups[c.code]),
                    "register": _register_block(register, [c.code])} for c in cities],
        "incl_ningbo": {**group_finish(group_merge(city_groups.values())), "register": _register_block(register, codes)},
        "excl_ningbo": {**group_finish(group_merge(g for code, g in city_groups.items() if code != NINGBO_CODE)),
                        "register": _register_block(register, [c for c in codes if c != NINGBO_CODE])},
        "not_filed_count": sum(1 for p in parks if not p["filed"]),
        "not_filed_note": NOT_FILED_NOTE,
    }
    data["completeness"] = completeness_rows_data(completeness_by_city(period=period, today=timezone.localdate()))
    data["banks"] = {}
    for key, exclude in (("incl_ningbo", None), ("excl_ningbo", NINGBO_CODE)):
        data["banks"][key] = banks_block([r for r in prepared.t4_now if r["city"] != exclude], [r for r in prepared.t4_base if r["city"] != exclude],
                                         baseline_code=period.previous_year_end_code, expected=_expected_banks(data["completeness"], exclude))
    data["partners"] = partner_checks(period=period, parks=parks)
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
    claimed = Summary.objects.filter(scope=scope, code=code, period_id=period_id, queued=False).update(queued=True, queued_at=now, requested_at=now)
    Summary.objects.filter(scope=scope, code=code, period_id=period_id).update(requested_at=now)
    if claimed:
        transaction.on_commit(lambda: summary_rebuild_task.apply_async((scope, code, period_id), countdown=countdown))
    return bool(claimed)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, autoretry_for=(OperationalError,),
             retry_backoff=True, retry_backoff_max=60, max_retries=5)
def summary_rebuild_task(self, scope: str, code: str, period_id: int) -> dict[str, Any]:
    Summary.objects.filter(scope=scope, code=code, period_id=period_id).update(queued=False, queued_at=None)
    summary = summary_rebuild(scope=scope, code=code, period_id=period_id)
    if scope == Summary.Scope.CITY:
        summary_request(scope=Summary.Scope.PROVINCE, code=ZHEJIANG_CODE, period_id=period_id)
    else:
        _province_built(period_id=period_id)
    return {"scope": scope, "code": code, "period_id": period_id, "build_ms": summary.build_ms}


def summaries_stuck(*, now=None) -> QuerySet:
    """Summaries whose roll-up was lost: queued longer than settings.ROLLUP_STUCK_MINUTES without a
    task starting (the message was lost: broker restarted empty, enqueue failed after commit), or
    started (flag cleared) but never finished and nothing newer was requested since (the worker
    died and the message is gone). The threshold exceeds the task time limit and the broker's
    visibility timeout, so a task that is running, or that Redis will redeliver, is never counted."""
    cutoff = (now or timezone.now()) - timedelta(minutes=settings.ROLLUP_STUCK_MINUTES)
    queued_too_long = Q(queued=True) & (Q(queued_at__lt=cutoff) | Q(queued_at__isnull=True))
    started_never_built = (Q(queued=False, requested_at__lt=cutoff)
                           & (Q(built_at__isnull=True) | Q(built_at__lt=F("requested_at"))))
    return Summary.objects.filter(queued_too_long | started_never_built)


def summaries_requeue_stuck(*, now=None) -> list[Summary]:
    """Enqueue the rebuild of every stuck summary again (idempotent builds make a duplicate
    harmless); its queued flag restarts the clock, so one lost task costs one more try per
    threshold, not one per beat."""
    now = now or timezone.now()
    requeued = []
    for summary in summaries_stuck(now=now).select_related("period"):
        with transaction.atomic():
            # claim it again only if nothing else did meanwhile (a request, a task, another beat)
            if not summaries_stuck(now=now).filter(pk=summary.pk).update(queued=True, queued_at=now):
                continue
            args = (summary.scope, summary.code, summary.period_id)
            transaction.on_commit(lambda args=args: summary_rebuild_task.apply_async(args))
        log.warning("roll-up %s %s %s was stuck (queued at %s, requested at %s, built at %s): enqueued again",
                    summary.scope, summary.code, summary.period.code, summary.queued_at, summary.requested_at, summary.built_at)
        requeued.append(summary)
    return requeued


@shared_task(acks_late=True, reject_on_worker_lost=True)
def summaries_requeue_stuck_task() -> int:
    """Beat (every few minutes): re-enqueue roll-ups left “更新中” too long."""
    return len(summaries_requeue_stuck())


def _province_built(*, period_id: int) -> None:
    """Later stages follow the province summary (the target results of this period)."""
    province_summary_built.send(sender=Summary, period_id=period_id)


def filing_transitioned_receiver(sender, *, filing: Filing, **kwargs) -> None:
    """Every workflow step: rebuild the filing's city (figures and completeness), then (from that
    task) the province."""
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
        _province_built(period_id=period.pk)
        return built
    parks, versions = parks_figures(period=period, city_code=None)
    t4_now, t4_base = t4_records(period_code=period.code), t4_records(period_code=period.previous_year_end_code)
    earlier, codes, register = park_figures_earlier(period=period, city_code=None), _earlier_codes(period), register_park_counts()
    by_city: dict[str, list] = defaultdict(list)
    for p in parks:
        by_city[p["city_code"]].append(p)
    built, city_groups = [], {}
    for code in Region.objects.filter(level="city", province_code=ZHEJIANG_CODE).order_by("code").values_list("code", flat=True):
        subset = by_city.get(code, [])
        city_groups[code] = group_raw(subset, earlier, codes)
        ids = {str(p["filing_id"]) for p in subset if p["filed"]}
        prepared = Prepared(subset, {k: v for k, v in versions.items() if k in ids}, city_groups[code], t4_now, t4_base, earlier, register)
        built.append(summary_rebuild(scope=Summary.Scope.CITY, code=code, period_id=period.pk, prepared=prepared))
    built.append(summary_rebuild(scope=Summary.Scope.PROVINCE, code=ZHEJIANG_CODE, period_id=period.pk,
                                 prepared=Prepared(parks, versions, None, t4_now, t4_base, earlier, register), city_groups=city_groups))
    _province_built(period_id=period.pk)
    return built


def approved_figures_changed_receiver(sender, *, city_code: str, period_ids, **kwargs) -> None:
    """A register change moved figures of approved 附表1: rebuild the city for those periods."""
    for period_id in period_ids:
        summary_request(scope=Summary.Scope.CITY, code=city_code, period_id=period_id)
