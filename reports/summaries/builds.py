"""The builds of the summaries: a city's 附表3 with its banks' 附表4/5 totals, and the province's.

A city sums its parks' parts (``ParkSummary``: a dirty one is read again from the ledger first) and
keeps its raw sums in ``Summary.parts``; the province sums the cities' parts. Every ratio is
recomputed from the sums (never averaged) with the project's one rounding rule (``t2_ratios``). The
full rebuild (nightly, ``rebuild_summaries``) computes every park's part in one pass and then runs
these same builds, so both paths give the same summaries. A build runs under a row lock on its
Summary (one per scope and period) and writes in one transaction, recording when it ran and which
filing versions it used. Running it twice, or twice at once, gives the same answer."""
from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.choices import NINGBO_CODE, ZHEJIANG_CODE
from portal.models import Region
from reports.filings.kinds import BANK_PACKAGE
from reports.filings.models import Period
from reports.filings.periods import shift_code
from reports.filings.selectors import filings_latest_approved
from reports.schedules.t2 import HIDDEN_SUMS
from reports.summaries.bank_figures import banks_block, partner_checks, partner_facts_by_city, t4_records
from reports.summaries.completeness import (
    completeness_by_city,
    completeness_by_county,
    completeness_items,
    completeness_part,
    completeness_row_on,
    completeness_rows_data,
)
from reports.summaries.models import ParkSummary, Summary
from reports.summaries.park_figures import (
    NOT_FILED_NOTE,
    PARK_PANEL_KINDS,
    _register_block,
    group_finish,
    group_merge,
    group_raw,
    groups_dump,
    groups_load,
    register_park_counts,
)
from reports.summaries.park_summaries import earlier_periods, park_entries_current, park_row, park_summaries_rebuild, parks_listed
from reports.summaries.writes import Built, summaries_write


@dataclass
class Prepared:
    """What a build reads besides the summaries, for a city or (the full rebuild) the whole
    province at once — one query per family, whatever the number of cities: the parks (register
    attributes) with their parts, the regions, the expected filings (completeness items), the
    partner-bank facts, the 附表4/5 versions, the banks' 附表4 now and at the previous year-end,
    the register's park counts and the earlier periods of the comparable panels."""

    parks: list
    entries: dict
    t4_now: list
    t4_base: list
    register: dict
    earlier: dict
    regions: dict  # code → Region: the cities in scope and their counties
    items: list  # completeness items of the cities in scope (as of ``today``)
    today: Any
    leads: set  # parks with a 主办行 in force at period end
    t5_reported: dict  # city code → park code → approved 附表5 of the city's branches naming it 主办行
    bank_versions: dict  # city code → filing id → version of its branches' 附表4/5 that count

    @classmethod
    def read(cls, *, period: Period, city_code: str | None, full: bool = False) -> Prepared:
        """``full``: every park's part is recomputed (one query per figure family); otherwise only
        the dirty ones are."""
        parks = parks_listed(city_code=city_code)
        entries = (park_summaries_rebuild(period=period, city_code=city_code) if full
                   else park_entries_current(period=period, park_ids=[p["pk"] for p in parks]))
        today = timezone.localdate()
        regions = Region.objects.filter(Q(code=city_code) | Q(city_code=city_code)) if city_code else Region.objects.filter(province_code=ZHEJIANG_CODE)
        leads, reported = partner_facts_by_city(period=period, city_code=city_code)
        return cls(parks, entries, t4_records(period_code=period.code, city_code=city_code),
                   t4_records(period_code=period.previous_year_end_code, city_code=city_code),
                   register_park_counts(city_code=city_code), earlier_periods(period=period),
                   regions={r.code: r for r in regions},
                   items=completeness_items(period=period, today=today, city_code=city_code, parks=parks),
                   today=today, leads=leads, t5_reported=reported, bank_versions=_t4_t5_versions(period, city_code))


def _earlier_codes(period: Period) -> dict[str, str]:
    return {kind: shift_code(period.code, kind) for kind in PARK_PANEL_KINDS}


def _expected_banks(completeness: list[dict[str, Any]], exclude: str | None = None) -> int:
    return sum(r.get("banks_expected", 0) for r in completeness if r["code"] != exclude)


def _city_parks(prepared: Prepared, city_code: str) -> tuple[list[dict[str, Any]], dict[str, dict[int, dict]]]:
    """The city's park rows and their figures at the earlier periods (kind → park id → figures)."""
    parks = [park_row(p, prepared.entries[p["pk"]]) for p in prepared.parks if p["county__city_code"] == city_code]
    earlier: dict[str, dict[int, dict]] = {kind: {} for kind in prepared.earlier}
    for p in parks:
        then = prepared.entries[p["park_id"]]["earlier"]
        for kind, figures in earlier.items():
            if then.get(kind) is not None:
                figures[p["park_id"]] = then[kind]
    return parks, earlier


def city_data(*, city_code: str, period: Period, prepared: Prepared | None = None) -> tuple[dict[str, Any], dict[str, int], dict[str, Any]]:
    """A city's summary data, the filing versions it counts, and its parts for the province: its raw
    sums, its parks (with their partner-check facts), the 附表5 主办行 reports of its branches, its
    completeness row and every filing version it counts — so the province reads no ledger row, no
    partner link and no filing of a city again."""
    prepared = prepared or Prepared.read(period=period, city_code=city_code)
    regions = {code: r for code, r in prepared.regions.items() if code == city_code or r.city_code == city_code}  # the city and its counties
    city = regions[city_code]
    parks, earlier = _city_parks(prepared, city_code)
    groups = group_raw(parks, earlier, _earlier_codes(period))
    data = {"city": {"code": city.code, "name": city.name, "separately_planned": city.separately_planned},
            "period": period.code, "parks": [_park_listed(p) for p in parks], **group_finish(groups),
            "register": _register_block(prepared.register, [city_code]),
            "not_filed": [{"code": p["code"], "name": p["name"], "county": p["county"]} for p in parks if not p["filed"]],
            "not_filed_note": NOT_FILED_NOTE}
    today = prepared.today
    items = [i for i in prepared.items if i.city_code == city_code]
    rows = completeness_by_city(period=period, today=today, city_code=city_code, items=items, cities=[city])
    data["completeness"] = completeness_rows_data(rows)
    data["county_blocks"] = county_blocks(parks, completeness_by_county(period=period, today=today, city_code=city_code, items=items, regions=regions))
    data["banks"] = banks_block([r for r in prepared.t4_now if r["city"] == city_code], [r for r in prepared.t4_base if r["city"] == city_code],
                                baseline_code=period.previous_year_end_code, expected=_expected_banks(data["completeness"]))
    ids = {p["park_id"] for p in parks}
    leads, reported = facts = {pid for pid in prepared.leads if pid in ids}, prepared.t5_reported.get(city_code, {})
    data["partners"] = partner_checks(period=period, parks=parks, facts=facts)
    versions = {**{str(p["filing_id"]): p["version"] for p in parks if p["filed"]},
                **{str(k): v for k, v in prepared.bank_versions.get(city_code, {}).items()}}
    parts = {"groups": groups_dump(groups), "versions": versions, "t5_leads": reported, "completeness": completeness_part(rows[0], items),
             "parks": [[p["park_id"], p["code"], p["name"], p["partner_bank_count"], p["filed"], p["park_id"] in leads] for p in parks]}
    return data, versions, parts


def _park_listed(row: dict[str, Any]) -> dict[str, Any]:
    """A park row as the city summary lists it: without the weighted-rate sums (its rates are
    there; the sums only serve to add parks up, which the build has done)."""
    return {k: v for k, v in row.items() if k not in HIDDEN_SUMS}


def county_blocks(parks: list[dict[str, Any]], completeness: list) -> dict[str, dict[str, Any]]:
    """What the county dashboards read beyond the county rows: each county's coverage by star
    level (its parks only) and its parks' 附表1/2 completeness (filed / approved / late)."""
    by_county: dict[str, list] = defaultdict(list)
    for p in parks:
        by_county[p["county_code"]].append(p)
    rows = {r["code"]: r for r in completeness_rows_data(completeness)}
    return {code: {"by_star": group_finish(group_raw(members), counties=False)["by_star"], "completeness": rows.get(code)}
            for code, members in sorted(by_county.items())}


def _t4_t5_versions(period: Period, city_code: str | None) -> dict[str, dict[int, int]]:
    """city code → filing id → version of the 附表4/5 that count (of a city's branches, or all): one query."""
    filters = {"branch__region__code": city_code} if city_code else {}
    t4, t5 = (filings_latest_approved(schedule=schedule, period=period, **filters).values_list("pk", "version", "branch__region__code").order_by()
              for schedule in BANK_PACKAGE)
    out: dict[str, dict[int, int]] = defaultdict(dict)
    for pk, version, city in t4.union(t5, all=True):
        out[city][pk] = version
    return dict(out)


def cities() -> list[Region]:
    return list(Region.objects.filter(level="city", province_code=ZHEJIANG_CODE).order_by("code"))


def _parts_current(parts: dict[str, Any] | None) -> bool:
    """Parts as ``city_data`` keeps them now (not empty, nor from before a key was added)."""
    return bool(parts) and all(key in parts for key in PARTS_KEYS)


PARTS_KEYS = ("groups", "versions", "parks", "t5_leads", "completeness")


def cities_parts(*, period: Period, codes: list[str]) -> dict[str, dict[str, Any]]:
    """The stored parts of these cities. A city never built, or with a dirty park, is built first;
    a queued one is not (its task comes and requests the province again): its stored parts are
    summed, or computed without being stored if it has none yet."""
    stored = {s.code: s for s in Summary.objects.filter(scope=Summary.Scope.CITY, period=period, code__in=codes).defer("data", "source_versions")}
    dirty = set(ParkSummary.objects.filter(period=period, dirty=True).values_list("park__county__city_code", flat=True).distinct())
    out = {}
    for code in codes:
        s = stored.get(code)
        if s is not None and s.queued:
            out[code] = s.parts if _parts_current(s.parts) else city_data(city_code=code, period=period)[2]
        elif s is None or not _parts_current(s.parts) or code in dirty:
            out[code] = summary_rebuild(scope=Summary.Scope.CITY, code=code, period_id=period.pk).parts
        else:
            out[code] = s.parts
    return out


def province_data(*, period: Period, city_parts: dict[str, dict[str, Any]], prepared: Prepared | None = None,
                  regions: list[Region] | None = None) -> tuple[dict[str, Any], dict[str, int]]:
    """The province's summary data from the cities' parts: no ledger row, partner link or filing of
    a city is read again (only the register's park counts and the banks' 附表4 records)."""
    regions = regions if regions is not None else cities()
    codes = [c.code for c in regions]
    groups = {code: groups_load(city_parts[code]["groups"]) for code in codes}
    parks, leads, reported = [], set(), defaultdict(int)
    for c in codes:
        for pid, code, name, n, filed, lead in city_parts[c]["parks"]:
            parks.append({"park_id": pid, "code": code, "name": name, "partner_bank_count": n, "filed": filed})
            if lead:
                leads.add(pid)
        for code, n in city_parts[c]["t5_leads"].items():
            reported[code] += n
    register = prepared.register if prepared else register_park_counts()
    t4_now = prepared.t4_now if prepared else t4_records(period_code=period.code)
    t4_base = prepared.t4_base if prepared else t4_records(period_code=period.previous_year_end_code)
    data = {
        "period": period.code,
        "cities": [{"code": c.code, "name": c.name, "separately_planned": c.separately_planned, **group_finish(groups[c.code], counties=False),
                    "register": _register_block(register, [c.code])} for c in regions],
        "incl_ningbo": {**group_finish(group_merge(groups.values()), counties=False), "register": _register_block(register, codes)},
        "excl_ningbo": {**group_finish(group_merge(g for code, g in groups.items() if code != NINGBO_CODE), counties=False),
                        "register": _register_block(register, [c for c in codes if c != NINGBO_CODE])},
        "not_filed_count": sum(1 for p in parks if not p["filed"]),
        "not_filed_note": NOT_FILED_NOTE,
    }
    today = timezone.localdate()
    data["completeness"] = [{**completeness_row_on(city_parts[c.code]["completeness"], period=period, today=today),
                             "code": c.code, "name": c.name, "separately_planned": c.separately_planned} for c in regions]
    data["banks"] = {}
    for key, exclude in (("incl_ningbo", None), ("excl_ningbo", NINGBO_CODE)):
        data["banks"][key] = banks_block([r for r in t4_now if r["city"] != exclude], [r for r in t4_base if r["city"] != exclude],
                                         baseline_code=period.previous_year_end_code, expected=_expected_banks(data["completeness"], exclude))
    data["partners"] = partner_checks(period=period, parks=parks, facts=(leads, dict(reported)))
    versions = {}
    for code in codes:
        versions.update(city_parts[code]["versions"])
    return data, versions


def summary_rebuild(*, scope: str, code: str, period_id: int, prepared: Prepared | None = None,
                    city_parts: dict[str, dict[str, Any]] | None = None) -> Summary:
    """Recompute one summary under a row lock, in one transaction (idempotent)."""
    period = Period.objects.get(pk=period_id)
    Summary.objects.only("pk").get_or_create(scope=scope, code=code, period=period)
    started = time.perf_counter()
    with transaction.atomic():
        summary = Summary.objects.select_for_update().defer("data", "source_versions", "parts").get(scope=scope, code=code, period=period)
        if scope == Summary.Scope.CITY:
            data, versions, parts = city_data(city_code=code, period=period, prepared=prepared)
        else:
            regions = cities()
            if city_parts is None:
                city_parts = cities_parts(period=period, codes=[c.code for c in regions])
            (data, versions), parts = province_data(period=period, city_parts=city_parts, prepared=prepared, regions=regions), {}
        if settings.ROLLUP_BUILD_DELAY:
            time.sleep(settings.ROLLUP_BUILD_DELAY)
        summaries_write([Built(summary, data, versions, parts, _ms(started))], now=timezone.now())
    return summary


def summaries_rebuild_prepared(*, period: Period, prepared: Prepared) -> list[Summary]:
    """The full rebuild's builds: every city, then the province from their parts, all from
    ``prepared``, in one transaction under the row locks of the twelve summaries (the province's
    first, as a province build takes them), written in one statement."""
    regions = cities()
    Summary.objects.bulk_create([Summary(scope=Summary.Scope.PROVINCE, code=ZHEJIANG_CODE, period=period)]
                                + [Summary(scope=Summary.Scope.CITY, code=c.code, period=period) for c in regions], ignore_conflicts=True)
    with transaction.atomic():
        mine = Summary.objects.select_for_update().defer("data", "source_versions", "parts").filter(period=period)
        province = mine.get(scope=Summary.Scope.PROVINCE, code=ZHEJIANG_CODE)
        rows = {s.code: s for s in mine.filter(scope=Summary.Scope.CITY, code__in=[c.code for c in regions]).order_by("code")}
        built, parts = [], {}
        for city in regions:
            started = time.perf_counter()
            data, versions, parts[city.code] = city_data(city_code=city.code, period=period, prepared=prepared)
            built.append(Built(rows[city.code], data, versions, parts[city.code], _ms(started)))
        started = time.perf_counter()
        data, versions = province_data(period=period, city_parts=parts, prepared=prepared, regions=regions)
        built.append(Built(province, data, versions, {}, _ms(started)))
        return summaries_write(built, now=timezone.now())


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
