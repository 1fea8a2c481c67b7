from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

from django.db.models import F

from banks.choices import InstitutionType
from portal.choices import NINGBO_CODE, ZHEJIANG_CODE
from portal.models import Region
from reports.filings.choices import ScheduleCode
from reports.filings.models import Period, T4Record
from reports.filings.periods import shift_code
from reports.filings.selectors import filings_approved_versions
from reports.schedules.numbers import ratio
from reports.summaries.bank_figures import T4_ADDITIVE, T4_RATES, t4_sum
from reports.summaries.models import Summary
from reports.targets.choices import Earlier
from reports.targets.indicators import (
    NINGBO_LABEL,
    STAR_GROUPS,
    Frame,
    Panel,
    _summary_panel,
)
from reports.targets.models import Target

# --- scopes ---------------------------------------------------------------------------------------

@dataclass
class Scope:
    kind: str
    code: str
    label: str
    frames_at: Callable[[str], Frame | None]
    ningbo: str = ""  # incl / excl for province-wide scopes
    optional: bool = False  # a by-city scope: left out where the city has no park of the group


@dataclass
class Data:
    """Everything a period's evaluation reads, loaded once: block paths of the summaries of the
    period and the periods its thresholds refer to, and the per-branch 附表4 records."""

    period: Period
    province: dict[str, dict] = field(default_factory=dict)  # period code -> province data subset
    cities: dict[str, dict[str, dict]] = field(default_factory=dict)  # period code -> city code -> subset
    city_names: dict[str, str] = field(default_factory=dict)
    branches: dict[str, dict[int, dict]] = field(default_factory=dict)  # period code -> branch id -> T4 sum
    records: dict[str, dict[int, dict]] = field(default_factory=dict)  # period code -> branch id -> T4 record

    def records_at(self, code: str) -> dict[int, dict]:
        return self.records.get(code, {})


PROVINCE_KEYS = ("incl_ningbo", "excl_ningbo", "banks")
GROUP_KEYS = ("total", "by_star", "park_count", "filed_parks", "parks_at_full_coverage", "parks_partner_3_5", "panels")
CITY_KEYS = GROUP_KEYS + ("banks", "city")


def _needed_codes(period: Period) -> list[str]:
    codes = {period.code}
    for kind in Earlier.values:
        codes.add(shift_code(period.code, kind))
    codes |= {shift_code(c, Earlier.PREVIOUS_YEAR_END) for c in list(codes)}
    return sorted(codes)


def _group_only(block: dict | None) -> dict | None:
    return None if block is None else {k: block.get(k) for k in GROUP_KEYS}


def data_load(period: Period) -> Data:
    """Summaries (province and cities) and branch 附表4 sums of the period and its earlier periods,
    in a fixed number of queries; only the blocks the indicators read are fetched."""
    data = Data(period=period)
    codes = _needed_codes(period)
    province_paths = {f"p_{k}": F(f"data__{k}") for k in ("incl_ningbo__total", "incl_ningbo__by_star", "incl_ningbo__panels",
                                                             "excl_ningbo__total", "excl_ningbo__by_star", "excl_ningbo__panels", "banks")}
    scalars = ("park_count", "filed_parks", "parks_at_full_coverage", "parks_partner_3_5")
    for side in ("incl_ningbo", "excl_ningbo"):
        for key in scalars:
            province_paths[f"p_{side}__{key}"] = F(f"data__{side}__{key}")
    for row in (Summary.objects.filter(scope=Summary.Scope.PROVINCE, code=ZHEJIANG_CODE, period__code__in=codes)
                .values("period__code", "built_at", **province_paths)):
        if row["built_at"] is None:
            continue
        subset: dict[str, Any] = {"banks": row["p_banks"] or {}}
        for side in ("incl_ningbo", "excl_ningbo"):
            subset[side] = {"total": row[f"p_{side}__total"], "by_star": row[f"p_{side}__by_star"] or [],
                            "panels": row[f"p_{side}__panels"] or {}, **{k: row[f"p_{side}__{k}"] for k in scalars}}
        data.province[row["period__code"]] = subset
    city_paths = {f"c_{k}": F(f"data__{k}") for k in CITY_KEYS}
    for row in (Summary.objects.filter(scope=Summary.Scope.CITY, period__code__in=codes, built_at__isnull=False)
                .values("period__code", "code", **city_paths)):
        data.cities.setdefault(row["period__code"], {})[row["code"]] = {k: row[f"c_{k}"] for k in CITY_KEYS}
    data.city_names = dict(Region.objects.filter(level="city", province_code=ZHEJIANG_CODE).values_list("code", "name"))
    # per branch: the latest approved 附表4 of each branch at each needed period
    periods = {p.code: p for p in Period.objects.filter(code__in=codes)}
    filing_period: dict[int, str] = {}
    for code, p in periods.items():
        for filing_id, _version in filings_approved_versions(schedule=ScheduleCode.T4, period=p, branch__region__province_code=ZHEJIANG_CODE).values():
            filing_period[filing_id] = code
    if filing_period:
        records = T4Record.objects.filter(filing_id__in=list(filing_period)).values(
            "filing_id", *T4_ADDITIVE, *T4_RATES, branch_id=F("filing__branch_id"), branch_name=F("filing__branch__name"),
            city=F("filing__branch__region__code"), type=F("filing__branch__institution__type"))
        for rec in records:
            code = filing_period[rec["filing_id"]]
            data.records.setdefault(code, {})[rec["branch_id"]] = rec
            total = t4_sum([rec], by_type=False)
            total.update(branch_id=rec["branch_id"], branch_name=rec["branch_name"], city=rec["city"], type=rec["type"])
            data.branches.setdefault(code, {})[rec["branch_id"]] = total
    return data


def _merge_star_blocks(blocks: list[dict]) -> dict:
    """Several by_star entries as one group block (counts summed, coverages recomputed)."""
    total: dict[str, Any] = defaultdict(int)
    park_count = 0
    for b in blocks:
        park_count += b.get("park_count") or 0
        for key in ("enterprises_total", "filed_count", "credited_count", "loan_count", "first_loan_count"):
            total[key] += b.get(key) or 0
    total = dict(total)
    total["filing_coverage"] = ratio(total.get("filed_count"), total.get("enterprises_total"))
    total["credit_coverage"] = ratio(total.get("credited_count"), total.get("enterprises_total"))
    return {"total": total, "park_count": park_count}


def _star_frame(block: dict | None, group: str) -> Frame | None:
    if not block or not block.get("by_star"):
        return None
    keys = STAR_GROUPS[group][1]
    return Frame(parks=_merge_star_blocks([b for b in block["by_star"] if b["key"] in keys]))


def _side_filter(ningbo: str) -> Callable[[dict], bool]:
    return (lambda r: True) if ningbo == "incl" else (lambda r: r["city"] != NINGBO_CODE)


def _province_frame(subset: dict | None, ningbo: str) -> Frame | None:
    if subset is None:
        return None
    side = "incl_ningbo" if ningbo == "incl" else "excl_ningbo"
    banks = (subset.get("banks") or {}).get(side) or {}
    return Frame(parks=subset.get(side), banks=banks.get("total") or None, ytd=_summary_panel(banks), filers=_side_filter(ningbo))


def _city_frame(subset: dict | None, city: str) -> Frame | None:
    if subset is None:
        return None
    banks = subset.get("banks") or {}
    return Frame(parks=_group_only(subset), banks=banks.get("total") or None, ytd=_summary_panel(banks),
                 filers=lambda r: r["city"] == city)


def _type_frame(subset: dict | None, ningbo: str, type_code: str) -> Frame | None:
    """One institution type of a province side: its sums now and its own 比年初 panel."""
    if subset is None:
        return None
    side = "incl_ningbo" if ningbo == "incl" else "excl_ningbo"
    block = (subset.get("banks") or {}).get(side) or {}

    def pick(total: dict | None) -> dict | None:
        return next((t for t in (total or {}).get("by_type", []) if t["type"] == type_code), None)

    banks = pick(block.get("total"))
    if banks is None:
        return None
    comparable = block.get("comparable") or {}
    now, then = pick(comparable.get("current")), pick(comparable.get("baseline"))
    ytd = None
    if now and then and now.get("filers"):
        coverage = {"comparable": now["filers"], "current": banks.get("filers", 0), "baseline": (pick(block.get("baseline")) or {}).get("filers", 0)}
        ytd = Panel("banks", "previous_year_end", now, then, coverage, coverage["current"] - coverage["comparable"])
    in_side = _side_filter(ningbo)
    return Frame(banks=banks, ytd=ytd, filers=lambda r: r["type"] == type_code and in_side(r))


def _types(value: str) -> list[str]:
    return [t.strip() for t in value.split(",") if t.strip()]


def scopes_for(target: Target, data: Data) -> list[Scope]:
    """The scopes a target is evaluated on at this period. Province-wide scopes (province, star
    group, institution type) are evaluated both 含宁波 and 不含宁波 (the target's own side is its
    official result, the other is for comparison); ``also_by_city`` adds every city; ``institution``
    lists every branch with an approved 附表4 (Ningbo's left out when the target excludes it)."""
    kind, value = target.scope_kind, target.scope_value.strip()
    K = Target.ScopeKind
    scopes: list[Scope] = []

    def city_at(city: str) -> Callable[[str], Frame | None]:
        return lambda code: _city_frame(data.cities.get(code, {}).get(city), city)

    cities = sorted(data.city_names)
    for side in ("incl", "excl"):
        tag = NINGBO_LABEL[side]
        block = "incl_ningbo" if side == "incl" else "excl_ningbo"
        if kind == K.PROVINCE:
            scopes.append(Scope(K.PROVINCE, f"{ZHEJIANG_CODE}:{side}", f"全省（{tag}）",
                                lambda code, side=side: _province_frame(data.province.get(code), side), side))
        elif kind == K.STAR_GROUP:
            label = STAR_GROUPS.get(value, (value, ()))[0]
            scopes.append(Scope(K.STAR_GROUP, f"star:{value}:{side}", f"{label}（{tag}）",
                                lambda code, block=block: _star_frame((data.province.get(code) or {}).get(block), value), side))
        elif kind == K.INSTITUTION_TYPE:
            labels = dict(InstitutionType.choices)
            for t in _types(value) or [t for t in labels if t != InstitutionType.INSURER]:
                scopes.append(Scope(K.INSTITUTION_TYPE, f"type:{t}:{side}", f"{labels.get(t, t)}（{tag}）",
                                    lambda code, t=t, side=side: _type_frame(data.province.get(code), side, t), side))
    if kind == K.CITY:
        scopes += [Scope(K.CITY, c, data.city_names.get(c, c), city_at(c)) for c in ([value] if value else cities)]
    elif kind == K.INSTITUTION:
        wanted = set(_types(value)) or {t for t, _ in InstitutionType.choices if t != InstitutionType.INSURER}
        now = data.branches.get(data.period.code, {})
        for branch_id, rec in sorted(now.items(), key=lambda kv: (kv[1]["city"], kv[1]["branch_name"])):
            if rec["type"] not in wanted or (target.ningbo == "excl" and rec["city"] == NINGBO_CODE):
                continue
            scopes.append(Scope(K.INSTITUTION, f"org:{branch_id}", rec["branch_name"],
                                lambda code, b=branch_id: _branch_frame(data, code, b)))
    if target.also_by_city and kind in (K.PROVINCE, K.STAR_GROUP):
        for c in cities:
            if kind == K.PROVINCE:
                frames_at = city_at(c)
            else:
                frames_at = (lambda city: (lambda code: _star_frame(data.cities.get(code, {}).get(city), value)))(c)
            scopes.append(Scope(K.CITY, c, data.city_names.get(c, c), frames_at, optional=True))
    return scopes


def _branch_frame(data: Data, code: str, branch_id: int) -> Frame | None:
    """One institution: its own 附表4 (a panel of one: comparable when it filed in both periods)."""
    rec = data.branches.get(code, {}).get(branch_id)
    if rec is None:
        return None
    base = data.branches.get(shift_code(code, Earlier.PREVIOUS_YEAR_END), {}).get(branch_id)
    ytd = Panel("banks", "previous_year_end", rec, base, {"comparable": 1, "current": 1, "baseline": 1}) if base else None
    return Frame(banks=rec, ytd=ytd, filers=lambda r: r["branch_id"] == branch_id)

