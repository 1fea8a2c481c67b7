"""Reads of the summaries stage that earlier stages ask for through their hooks."""
from __future__ import annotations

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
