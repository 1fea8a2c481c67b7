"""Reads of the quality edits against history (``reports.filings.quality``): the thresholds the
province set, and the values a filing is compared with — the same subject's previous approved
filing and year-end, and the approved filings of its city in the same period."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from reports.filings import selectors
from reports.filings.choices import FilingStatus, ScheduleCode
from reports.filings.models import Filing, QualityThreshold, T1Row, T2Summary, T4Record
from reports.schedules.t4 import NARRATIVE, RATES

# THE thresholds and their defaults (key, label, default, unit, help). The data migration
# ``0013_quality_thresholds`` loads a frozen copy; the province edits the stored values.
THRESHOLDS: tuple[tuple[str, str, Decimal, str, str], ...] = (
    ("enterprise_change_share", "企业贷款余额、授信金额较上期变动幅度", Decimal(50), "%",
     "附表1：同一企业（统一社会信用代码）的贷款余额或授信金额较上期已审核数增减超过此比例时提示"),
    ("park_credited_drop_share", "园区获得授信企业数较上期下降幅度", Decimal(20), "%",
     "附表2：园区获得授信企业数较上期已审核数下降超过此比例时提示"),
    ("park_coverage_drop_points", "园区授信覆盖率较上期下降", Decimal(10), "个百分点",
     "附表2：园区授信覆盖率较上期已审核数下降超过此数时提示"),
    ("bank_inclusive_fall_share", "普惠型小微企业贷款余额较年初下降幅度", Decimal(0), "%",
     "附表4：普惠型小微企业贷款余额较上年末已审核数下降超过此比例时提示（0：凡下降即提示）"),
    ("rate_z_limit", "利率稳健Z值上限", Decimal("3.5"), "",
     "利率与同地市同期已审核报表利率的中位数之差按中位数绝对偏差（MAD）折算的稳健Z值，绝对值超过此数时提示"),
    ("rate_min_sample", "利率分布最少报表数", Decimal(5), "份",
     "同地市同期已审核报表中有利率的少于此数时，不做利率分布校验"),
)
DEFAULTS = {key: default for key, _, default, _, _ in THRESHOLDS}


def quality_thresholds() -> dict[str, Decimal]:
    """key → the threshold in force: the stored value, else its default."""
    stored = dict(QualityThreshold.objects.values_list("key", "value"))
    return {key: stored.get(key, default) for key, default in DEFAULTS.items()}


@dataclass
class Previous:
    """What a filing is compared with. ``period``: the code of the period the values come from."""

    period: str = ""
    values: dict[str, Any] = field(default_factory=dict)


def filing_city_code(*, filing: Filing) -> str:
    """The city of the filing's subject (a park's county's city, a branch's region)."""
    if filing.park_id:
        return filing.park.county.city_code
    region = filing.branch.region
    return region.city_code or region.code


def t1_previous_rows(*, filing: Filing) -> Previous:
    """uscc → credit_amount / loan_balance of the park's previous approved 附表1."""
    source = selectors.filing_previous_approved(filing=filing)
    if source is None:
        return Previous()
    rows = T1Row.objects.filter(filing=source).values("uscc", "credit_amount", "loan_balance")
    return Previous(source.period.code, {r["uscc"]: r for r in rows})


def t2_previous(*, filing: Filing) -> Previous:
    """The 附表2 (credited count, coverage) of the park's previous approved 附表1."""
    source = selectors.filing_previous_approved(filing=filing)
    values = T2Summary.objects.filter(filing=source).values("credited_count", "credit_coverage", "enterprises_total").first() if source else None
    return Previous(source.period.code, values) if values else Previous()


def park_register_now(*, filing: Filing) -> tuple[set[str], int]:
    """The park's tenants at period end (统一社会信用代码s) and their number: what 附表2 counts."""
    tenants = set(selectors.park_tenants_at(park_id=filing.park_id, on=filing.period.end).values_list("enterprise__uscc", flat=True))
    return tenants, len(tenants)


def park_city_rates(*, filing: Filing) -> list[Decimal]:
    """The 附表2 weighted loan rates of the other parks of the city with an approved 附表1 this period."""
    approved = selectors.filings_latest_approved(schedule=ScheduleCode.T1, period=filing.period,
                                                  park__county__city_code=filing_city_code(filing=filing))
    return list(T2Summary.objects.filter(filing__in=approved.values("pk"), weighted_loan_rate__isnull=False)
                .exclude(park_id=filing.park_id).values_list("weighted_loan_rate", flat=True))


def branch_city_rates(*, filing: Filing) -> dict[str, list[Decimal]]:
    """附表4 rate key → the rates of the other branches of the city with an approved 附表4 this period."""
    city = filing_city_code(filing=filing)
    approved = selectors.filings_latest_approved(schedule=ScheduleCode.T4, period=filing.period).filter(
        Q(branch__region__city_code=city) | Q(branch__region__code=city))
    records = list(T4Record.objects.filter(filing__in=approved.values("pk")).exclude(filing__branch_id=filing.branch_id).values(*RATES))
    return {key: [r[key] for r in records if r[key] is not None] for key in RATES}


def t4_year_end(*, filing: Filing) -> Previous:
    """The branch's approved 附表4 at the previous year-end (its latest approved version)."""
    record = (T4Record.objects.filter(filing__branch_id=filing.branch_id, filing__schedule=ScheduleCode.T4,
                                      filing__status=FilingStatus.APPROVED, filing__period__code=filing.period.previous_year_end_code)
              .order_by("-filing__version").values("inclusive_loan_balance", "ent_inclusive_balance").first())
    return Previous(filing.period.previous_year_end_code, record) if record else Previous()


def t4_previous_narrative(*, filing: Filing) -> Previous:
    """The 推进情况 of the branch's previous approved 附表4."""
    source = selectors.filing_previous_approved(filing=filing)
    record = T4Record.objects.filter(filing=source).values(*[c.key for c in NARRATIVE]).first() if source else None
    return Previous(source.period.code, record) if record else Previous()


def t4_stored_narrative(*, filing: Filing) -> dict[str, str]:
    """The 推进情况 stored on the filing's own 附表4 record."""
    return T4Record.objects.filter(filing=filing).values(*[c.key for c in NARRATIVE]).first() or {}
