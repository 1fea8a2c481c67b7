from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from django.db.models import Count

from parks.choices import Batch
from parks.models import Park, PartnerLink, Tenancy
from portal.choices import ZHEJIANG_CODE
from reports.filings.t2 import D0
from reports.schedules.t2 import AMOUNT_KEYS, COUNT_KEYS, HIDDEN_SUMS, coverage_target, t2_ratios

ADDITIVE = tuple(k for k in COUNT_KEYS if k not in ("partner_bank_count", "enterprises_total")) + AMOUNT_KEYS + HIDDEN_SUMS
STAR_BLOCKS = (("5", "五星", (5,)), ("4", "四星", (4,)), ("3", "三星", (3,)), ("other", "其他", (0, 1, 2)))
NOT_FILED_NOTE = "未报送的园区列出但不计入任何合计（含入园企业数）。"




def park_filter(prefix: str, city_code: str | None) -> dict[str, Any]:
    f = {f"{prefix}status": "active", f"{prefix}county__province_code": ZHEJIANG_CODE}
    if city_code:
        f[f"{prefix}county__city_code"] = city_code
    return f


def park_tenant_counts(*, on, where: dict[str, Any]) -> dict[int, int]:
    """park id → its tenants at ``on`` (``where``: filters on the tenancy, e.g. ``park_filter("park__", …)``)."""
    qs = Tenancy.objects.in_force(on=on).filter(**where).values("park_id").annotate(n=Count("pk")).order_by()
    return {r["park_id"]: r["n"] for r in qs}


def park_partner_counts(*, on, where: dict[str, Any]) -> dict[int, int]:
    """park id → its partner banks at ``on`` (THE register's links in force, as 附表2 counts them)."""
    qs = PartnerLink.objects.in_force(on=on).filter(**where).values("park_id").annotate(n=Count("pk")).order_by()
    return {r["park_id"]: r["n"] for r in qs}


# --- figures ---------------------------------------------------------------------------------

SUMMED = ADDITIVE + ("enterprises_total",)
_ZERO = {k: (0 if k.endswith("_count") or k == "enterprises_total" else D0) for k in SUMMED}


def _zero() -> dict[str, Any]:
    return dict(_ZERO)


def _add(acc: dict[str, Any], fig: dict[str, Any]) -> None:
    get = fig.get
    for k in SUMMED:
        value = get(k)
        if value:  # a zero or missing figure adds nothing (not even a decimal's exponent)
            acc[k] += value


def _finish(acc: dict[str, Any], *, target: Decimal | None = None) -> dict[str, Any]:
    acc = dict(acc)
    t2_ratios(acc, star_rating=None)
    if target is not None:
        acc["coverage_target"] = target
        acc["coverage_met"] = acc["credit_coverage"] is not None and acc["credit_coverage"] >= target
    return acc


def figures_sum(blocks: Iterable[dict[str, Any]], *, target: Decimal | None = None) -> dict[str, Any]:
    """The sums of finished figure blocks (e.g. read back from stored JSON: amounts as strings),
    every ratio recomputed from the sums (never averaged)."""
    acc = _zero()
    for block in blocks:
        for k in acc:
            value = block.get(k) or 0
            acc[k] += Decimal(str(value)) if isinstance(acc[k], Decimal) else int(value)
    return _finish(acc, target=target)


# --- comparable panels of parks: the same parks at an earlier period ----------------------------

PARK_PANEL_KEYS = ("enterprises_total", "filed_count", "credited_count", "loan_count", "first_loan_count")
PARK_PANEL_KINDS = ("previous_quarter", "previous_year_end", "same_quarter_last_year")


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


def group_finish(g: Groups, *, counties: bool = True) -> dict[str, Any]:
    """The finished blocks of a group; ``counties=False``: without the per-county list (the
    province's blocks: each city's summary holds its counties)."""
    total = _finish(g.total)
    out = {
        "total": total,
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
    if counties:
        out["counties"] = [{"code": c, "name": g.county_names[c], "park_count": g.county_parks[c][0], "filed_parks": g.county_parks[c][1],
                            **_finish(g.counties.get(c) or _zero())} for c in sorted(g.county_names)]
    return out


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



# --- a city's raw sums kept in its summary (Summary.parts), so the province sums the cities ------

def _figures_dump(acc: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in acc.items()}


def _figures_load(acc: dict[str, Any]) -> dict[str, Any]:
    out = _zero()
    for k, v in acc.items():
        out[k] = Decimal(v) if isinstance(out.get(k), Decimal) else v
    return out


def groups_dump(g: Groups) -> dict[str, Any]:
    """The raw sums as plain JSON (amounts as exact decimal strings): ``groups_load`` gives them back unchanged."""
    return {"total": _figures_dump(g.total), "counties": {c: _figures_dump(a) for c, a in g.counties.items()},
            "county_names": dict(g.county_names), "county_parks": {c: list(v) for c, v in g.county_parks.items()},
            "stars": {k: _figures_dump(a) for k, a in g.stars.items()}, "star_parks": dict(g.star_parks),
            "star_filed": dict(g.star_filed), "batches": {str(b): _figures_dump(a) for b, a in g.batches.items()},
            "counts": [g.park_count, g.filed_parks, g.full_coverage, g.partner_3_5],
            "panels": copy.deepcopy(g.panels), "panel_codes": dict(g.panel_codes)}


def groups_load(data: dict[str, Any]) -> Groups:
    g = Groups()
    g.total = _figures_load(data["total"])
    g.counties = {c: _figures_load(a) for c, a in data["counties"].items()}
    g.county_names = dict(data["county_names"])
    g.county_parks.update({c: list(v) for c, v in data["county_parks"].items()})
    g.stars = {k: _figures_load(a) for k, a in data["stars"].items()}
    g.star_parks.update(data["star_parks"])
    g.star_filed.update(data["star_filed"])
    g.batches = {b: _figures_load(data["batches"][str(b)]) for b in g.batches}  # JSON keys are strings
    g.park_count, g.filed_parks, g.full_coverage, g.partner_3_5 = data["counts"]
    g.panels = {kind: {**acc, "now": dict(acc["now"]), "then": dict(acc["then"])} for kind, acc in data["panels"].items()}
    g.panel_codes = dict(data["panel_codes"])
    return g
