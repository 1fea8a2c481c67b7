"""The comparable panel of a summary's 附表4 block in figures and in words: how its 比年初
comparison is made (shown by the dashboards, printed under 附表3's 附表4 sheet)."""
from __future__ import annotations

from typing import Any


def bank_coverage(banks: dict | None) -> dict[str, Any]:
    """How the 比年初 comparison of a 附表4 block is made, in figures and in words (from the
    summary's comparable panel, ``rollups.banks_block``)."""
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
