"""Reads of the summaries stage that earlier stages ask for through their hooks."""
from __future__ import annotations

from typing import Any

from reports.filings.models import T2Summary
from reports.summaries.models import Summary


def t2_rollup_pending(t2s: list[T2Summary]) -> set[int]:
    """Of these 附表2, the ones whose city roll-up has been requested and not rebuilt yet
    (``Summary.is_stale``): if approved, 附表3 and the dashboards still show older figures. One query."""
    if not t2s:
        return set()
    cities = {t.pk: t.county.city_code for t in t2s}
    summaries = {(s.code, s.period_id): s for s in Summary.objects.filter(
        scope=Summary.Scope.CITY, code__in=set(cities.values()), period_id__in={t.period_id for t in t2s})}
    return {t.pk for t in t2s if (s := summaries.get((cities[t.pk], t.period_id))) is not None and s.is_stale}


def bank_coverage(banks: dict | None) -> dict[str, Any]:
    """How the 比年初 comparison of a 附表4 block is made, in figures and in words (from the
    summary's comparable panel, ``bank_figures.banks_block``)."""
    banks = banks or {}
    cov = banks.get("coverage") or {}
    total = banks.get("total") or {}
    current = cov.get("current", total.get("filers") or 0)
    comparable = cov.get("comparable", 0)
    new = banks.get("new_filers") or []
    text = f"{comparable} / {current} 家机构可比"
    parts = [f"比年初按可比口径：本期与上年末（{cov.get('baseline_period', '')}）均有审核通过附表4的 {comparable} 家机构"
             f"（本期已审核 {current} 家，上年末 {cov.get('baseline', 0)} 家）"]
    if new:
        parts.append(f"新填报机构 {len(new)} 家（{'、'.join(n['name'] for n in new[:5])}{'等' if len(new) > 5 else ''}）本期末余额单列，不计入增减")
    complete = ""
    if cov.get("expected"):
        complete = f"附表4已审核 {current} / 应报 {cov['expected']}"
        parts.append(f"本期{complete}")
    return {"comparable": comparable, "current": current, "baseline": cov.get("baseline", 0), "expected": cov.get("expected"),
            "new": len(new), "text": text, "completeness": complete, "note": "；".join(parts) + "。"}
