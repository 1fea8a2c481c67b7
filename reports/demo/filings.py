"""Demo filings: 附表1/2 of the parks and 附表4/5 of the banks and insurers, 2019Q2 … 2020Q4
(plus the 2018Q4 附表4 baseline), built on top of the registers ``reports.demo.registers`` made.

Everything is deterministic: the filing decisions come from ``random.Random(f"{seed}/filings")``,
an enterprise's ledger values from its own stream seeded with the seed and its 统一社会信用代码
(so the same enterprise keeps similar values quarter after quarter and trends look real), a
partner link's 附表5 facts from a stream of the link, and the banks' whole-of-city figures from a
stream of the branch.

The rows are written with ``bulk_create`` and the computed columns come from the schedules
themselves (``reports.schedules.t1.compute`` and ``t2_compute``): the services are not called
(far too slow for ~180,000 ledger rows), but every stored row passes the schedule's error rules.

The demo's "today" is ``NOW`` (late January 2021): 2020Q4 is still being filed and reviewed,
earlier quarters are approved.
"""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from typing import IO, Any

from banks.choices import InstitutionType
from parks.choices import ParkStatus
from portal.models import User
from reports.demo.banks import bank_values, city_figures, insurer_values, link_facts, section_two
from reports.demo.calibration import (
    A_CA,
    A_CC,
    A_CLB,
    A_FL,
    A_IB,
    A_IC,
    A_LB,
    A_LC,
    A_MLT,
    A_RB,
    A_RC,
    A_RXL,
    AGG_KEYS,
    LAST,
    LOAN_ABOVE_CREDIT,
    N_PERIODS,
    PERIOD_CODES,
    ROW_BATCH,
    T1_EXPLANATION,
    T1_MISSING_EXPLANATION,
    T4_CODES,
)
from reports.demo.helpers import write
from reports.demo.ledgers import t1_values, trajectory
from reports.demo.loaded import LoadedBranch, LoadedLink, LoadedPark, LoadedTenant, registers_load
from reports.demo.narratives import insurer_narrative, narrative
from reports.demo.timelines import FilingMeta, baseline_meta, demo_transitions_build, filing_meta, filing_times_write, park_schedule
from reports.filings.choices import FilingStatus, ScheduleCode
from reports.filings.models import Filing, Period, T1Row, T2Summary, T4Record, T5Row
from reports.filings.periods import BASELINE
from reports.schedules import T1, T5
from reports.schedules.base import Issue
from reports.schedules.t1 import tenant_missing
from reports.schedules.t2 import t2_compute

T4_LAST_STATUSES = ((FilingStatus.APPROVED, 60), (FilingStatus.SUBMITTED, 28), (FilingStatus.RETURNED, 5),
                    (FilingStatus.DRAFT, 7))
T4_PAST_STATUSES = ((FilingStatus.APPROVED, 100),)


class _FilingsBuilder:
    def __init__(self, *, seed: int, scale: float, stdout: IO[str] | None) -> None:
        self.seed, self.scale, self.stdout = seed, scale, stdout
        self.rng = random.Random(f"{seed}/filings")
        self.periods = {p.code: p for p in Period.objects.filter(code__in=T4_CODES)}
        missing = [code for code in T4_CODES if code not in self.periods]
        if missing:
            raise RuntimeError(f"缺少报送期：{'、'.join(missing)}（请先执行 migrate）")
        self.users_by_org = {}
        for org_id, user_id in User.objects.filter(organisation__isnull=False).order_by("-username").values_list("organisation_id", "pk"):
            self.users_by_org[org_id] = user_id
        # (bank short name, city code) -> park id -> period index -> AGG_KEYS sums of its ledger rows;
        # city code -> period index -> [insured rows, insured amount] and the parks they are in
        self.bank_sums: dict[tuple[str, str], dict[int, dict[int, list[float]]]] = defaultdict(lambda: defaultdict(dict))
        self.insured: dict[str, list[list[float]]] = defaultdict(lambda: [[0.0, 0.0] for _ in range(N_PERIODS)])
        self.insured_parks: dict[str, list[set[int]]] = defaultdict(lambda: [set() for _ in range(N_PERIODS)])
        self.counts: Counter[str] = Counter()

    def filing(self, *, schedule: str, period: Period, meta: FilingMeta, park: LoadedPark | None = None,
               branch: LoadedBranch | None = None) -> Filing:
        user = self.users_by_org.get(park.operator_id if park else branch.id)  # the demo logins' own filings
        filing = Filing(
            schedule=schedule, period=period, park_id=park.id if park else None, branch_id=branch.id if branch else None,
            version=1, is_current=True, status=meta.status, lock_version=meta.lock_version,
            submitted_at=meta.submitted_at, approved_at=meta.approved_at, days_late=meta.days_late,
            created_by_id=user, updated_by_id=user,
        )
        filing._demo_times = (meta.created_at, meta.updated_at)  # set after bulk_create (auto_now fields)
        return filing

    # parks: T1 and T2

    def build_t1(self) -> None:
        plans = park_schedule(self.rng, self.parks, self.periods)
        filings: dict[tuple[int, int], Filing] = {}
        for park in self.parks:
            for i, meta in enumerate(plans[park.id]):
                if meta is not None:
                    filings[(park.id, i)] = self.filing(schedule=ScheduleCode.T1, period=self.periods[PERIOD_CODES[i]],
                                                        meta=meta, park=park)
        Filing.objects.bulk_create(list(filings.values()), batch_size=1000)
        self.t1_filings = filings
        write(self.stdout, f"附表1报表：{len(filings)} 份")

        rows: list[T1Row] = []
        summaries: list[T2Summary] = []
        n_rows = 0
        period_ends = [self.periods[code].end for code in PERIOD_CODES]
        for park in self.parks:
            indexes = [i for i in range(N_PERIODS) if (park.id, i) in filings]
            if not indexes:
                continue
            # main banks come from every bank the park ever partnered with (relations predate the links)
            trajectories = {t.uscc: trajectory(self.seed, park, t, park.links) for t in park.tenants}
            for i in indexes:
                n_rows += self.ledger(park, i, filings[(park.id, i)], period_ends[i], trajectories, rows, summaries)
                if len(rows) >= ROW_BATCH:
                    T1Row.objects.bulk_create(rows, batch_size=ROW_BATCH)
                    rows = []
        T1Row.objects.bulk_create(rows, batch_size=ROW_BATCH)
        T2Summary.objects.bulk_create(summaries, batch_size=1000)
        self.counts["t1_filings"] = len(filings)
        self.counts["t1_rows"] = n_rows
        self.counts["t2_summaries"] = len(summaries)
        self.t2_summaries = summaries
        write(self.stdout, f"附表1台帐行：{n_rows} 行；附表2：{len(summaries)} 份")

    def ledger(self, park: LoadedPark, i: int, filing: Filing, end: dt.date, trajectories: dict[str, list[dict[str, Any] | None]],
               rows: list[T1Row], summaries: list[T2Summary]) -> int:
        """The T1 rows of one filing (appended to ``rows``), its warnings and its T2; returns the row count."""
        present = [t for t in park.tenants if t.present_at(end)]
        stored: list[dict[str, Any]] = []
        warnings: list[dict[str, Any]] = []
        missing: list[LoadedTenant] = []
        for tenant in present:
            v = trajectories[tenant.uscc][i]
            if v is None:  # not in the ledger yet: a warning (held_against_register)
                missing.append(tenant)
                continue
            values = t1_values(tenant, v)
            stored.append(values)
            row_no = len(stored)
            rows.append(T1Row(filing=filing, row_no=row_no, **values))
            if v["loan"] > v["credit"]:
                warnings.append(Issue(LOAN_ABOVE_CREDIT.level, LOAN_ABOVE_CREDIT.column, LOAN_ABOVE_CREDIT.message,
                                      LOAN_ABOVE_CREDIT.code, row=row_no, value=values["loan_balance"]).as_dict(T1))
            self.add_to_bank_sums(park, i, v, values)
        _t1_issues(filing, stored, warnings, missing)
        figures = t2_compute(rows=stored, enterprises_total=len(present),
                             partner_bank_count=sum(link.active_at(end) for link in park.links),
                             star_rating=park.star_rating)
        summaries.append(T2Summary(filing=filing, park_id=park.id, period_id=filing.period_id,
                                   county_id=park.county_id, star_rating=park.star_rating, batch=park.batch,
                                   digital_status=park.digital_status, **figures))
        return len(stored)

    def add_to_bank_sums(self, park: LoadedPark, i: int, v: dict[str, Any], values: dict[str, Any]) -> None:
        if v["insured"]:
            sums = self.insured[park.city_code][i]
            sums[0] += 1
            sums[1] += v["insured_amount"]
            self.insured_parks[park.city_code][i].add(park.id)
        if not v["credit"]:
            return
        per_park = self.bank_sums[(v["main_bank"], park.city_code)][park.id]
        s = per_park.get(i)
        if s is None:
            s = per_park[i] = [0.0] * len(AGG_KEYS)
        loan = v["loan"]
        s[A_CC] += 1
        s[A_CA] += v["credit"]
        if loan > 0:
            s[A_LC] += 1
            s[A_LB] += loan
            if values["inclusive"]:
                s[A_IC] += 1
                s[A_IB] += loan
            s[A_CLB] += v["credit_loan"]
            s[A_MLT] += v["mlt"]
            if v["renewal"] > 0:
                s[A_RC] += 1
                s[A_RB] += v["renewal"]
            if v["first_loan"]:
                s[A_FL] += 1
            s[A_RXL] += v["rate"] * loan

    # banks and insurers: T4 and T5

    def build_t4_t5(self) -> None:
        with_links: dict[int, list[LoadedLink]] = defaultdict(list)
        for park in self.parks:
            for link in park.links:
                with_links[link.branch_id].append(link)
        filers = [b for b in self.branches if b.id in with_links or b.type == InstitutionType.INSURER]
        city_base = city_figures(self.seed, self.branches)
        facts = {(link.park_id, link.branch_id): link_facts(self.seed, self.periods, link)
                 for links in with_links.values() for link in links}
        t4_filings: list[Filing] = []
        t5_filings: list[Filing] = []
        records: list[tuple[Filing, dict[str, Any]]] = []
        t5_rows: list[tuple[Filing, list[dict[str, Any]]]] = []
        for branch in filers:
            for filing, values, t5, rows in self.branch_filings(branch, with_links[branch.id], city_base, facts):
                t4_filings.append(filing)
                records.append((filing, values))
                if t5 is not None:
                    t5_filings.append(t5)
                    t5_rows.append((t5, rows))
                filing.row_count = 1
        Filing.objects.bulk_create(t4_filings + t5_filings, batch_size=1000)
        T4Record.objects.bulk_create([T4Record(filing=f, **v) for f, v in records], batch_size=1000)
        T5Row.objects.bulk_create([T5Row(filing=f, row_no=n, **r) for f, rows in t5_rows for n, r in enumerate(rows, start=1)],
                                  batch_size=ROW_BATCH)
        self.t4_filings, self.t5_filings = t4_filings, t5_filings
        self.counts["t4_filings"] = len(t4_filings)
        self.counts["t4_baseline"] = sum(1 for f in t4_filings if f.period.code == BASELINE)
        self.counts["t5_filings"] = len(t5_filings)
        self.counts["t5_rows"] = sum(len(rows) for _, rows in t5_rows)
        self.counts["bank_filers"] = sum(1 for b in filers if b.type != InstitutionType.INSURER)
        self.counts["insurer_filers"] = sum(1 for b in filers if b.type == InstitutionType.INSURER)
        write(self.stdout, f"附表4：{len(t4_filings)} 份；附表5：{len(t5_filings)} 份，{self.counts['t5_rows']} 行")

    def branch_filings(self, branch: LoadedBranch, links: list[LoadedLink], city_base: dict[int, dict[str, float]],
                       facts: dict[tuple[int, int], dict[str, Any]]):
        """Per period (the baseline first) the branch's T4 filing, its values, its T5 filing (or None) and T5 rows."""
        rng = self.rng
        insurer = branch.type == InstitutionType.INSURER
        brng = random.Random(f"{self.seed}/filings/branch/{branch.name}")
        factor = brng.uniform(1.1, 1.5)
        npl_ratio = brng.uniform(0.003, 0.015)
        rate_cut = brng.uniform(0.05, 0.25)
        pe_share = brng.uniform(0.5, 0.9)
        sums = self.bank_sums.get((branch.short, branch.city_code), {})
        for j, code in enumerate(T4_CODES):
            period = self.periods[code]
            i = j - 1  # ledger period index (-1 = the 2018 baseline)
            if j == 0:
                meta = None  # the baseline was filed with 2019Q2, below
            elif rng.random() < (0.015 if i < LAST else 0.0):
                continue  # a few banks missed a quarter
            else:
                meta = filing_meta(rng, period, statuses=T4_LAST_STATUSES if i == LAST else T4_PAST_STATUSES, late_share=0.05)
            rows: list[dict[str, Any]] = []
            if insurer:
                k = max(i, 0)
                values = insurer_values(brng, branch, self.insured[branch.city_code][k],
                                        len(self.insured_parks[branch.city_code][k]), scale_back=0.75 if j == 0 else 1.0)
                if j > 0:
                    values.update(insurer_narrative(branch, period, values))
            else:
                active = sorted((link for link in links if i >= 0 and link.active_at(period.end)), key=lambda link: link.park_code)
                values, rows = bank_values(
                    brng, branch, max(i, 0), sums, active, facts, factor=factor * (0.85 if j == 0 else 1.0),
                    npl_ratio=npl_ratio, rate_cut=rate_cut, pe_share=pe_share, baseline=j == 0)
                values.update(section_two(brng, city_base[branch.id], j))
                if j > 0:
                    values.update(narrative(branch, period, values))
            if meta is None:
                meta = baseline_meta(rng, period)
            filing = self.filing(schedule=ScheduleCode.T4, period=period, meta=meta, branch=branch)
            t5 = self.t5_filing(branch, period, meta, rows) if rows else None
            yield filing, values, t5, rows

    def t5_filing(self, branch: LoadedBranch, period: Period, meta: FilingMeta, rows: list[dict[str, Any]]) -> Filing:
        t5 = self.filing(schedule=ScheduleCode.T5, period=period, meta=meta, branch=branch)
        warnings = [Issue("warning", "reported_to_regulator", "伙伴关系尚未报备属地监管部门", "not_reported",
                          row=n, value=False).as_dict(T5)
                    for n, r in enumerate(rows, start=1) if r["reported_to_regulator"] is False]
        t5.row_count, t5.warning_count, t5.issues = len(rows), len(warnings), warnings
        if warnings and meta.status != FilingStatus.DRAFT:
            t5.explanation = "相关伙伴关系已于近期建立，正在向属地监管部门报备。"
        return t5

    # everything

    def build(self) -> dict[str, Any]:
        self.parks, self.branches = registers_load()
        self.build_t1()
        self.build_t4_t5()
        filings = list(self.t1_filings.values()) + self.t4_filings + self.t5_filings
        filing_times_write(filings, self.t2_summaries)
        by_status = Counter(f.status for f in filings)
        per_period = {code: 0 for code in PERIOD_CODES}
        for _park_id, i in self.t1_filings:
            per_period[PERIOD_CODES[i]] += 1
        return {
            "seed": self.seed,
            "scale": self.scale,
            **self.counts,
            "filings": len(filings),
            "by_status": {s.value: by_status.get(s.value, 0) for s in FilingStatus},
            "late": sum(1 for f in filings if f.days_late > 0),
            "t1_per_period": per_period,
            "active_parks": sum(1 for p in self.parks if p.status == ParkStatus.ACTIVE),
        }


def _t1_issues(filing: Filing, stored: list[dict[str, Any]], warnings: list[dict[str, Any]], missing: list[LoadedTenant]) -> None:
    """A T1 filing's counts, warnings (loans above credit, tenants not in the ledger) and explanation."""
    loan_warnings = bool(warnings)
    warnings += [tenant_missing(t.name, t.uscc).as_dict(T1) for t in sorted(missing, key=lambda t: (t.name, t.uscc))]
    filing.row_count = len(stored)
    filing.warning_count = len(warnings)
    filing.issues = warnings
    if warnings and filing.status != FilingStatus.DRAFT:
        filing.explanation = "".join(text for text, given in ((T1_EXPLANATION, loan_warnings),
                                                             (T1_MISSING_EXPLANATION, bool(missing))) if given)


def demo_filings_build(*, seed: int, scale: float, stdout: IO[str] | None = None) -> dict[str, Any]:
    """Write the demo filings (T1/T2 of the parks, T4/T5 of the banks and insurers) for the
    registers already in the database; returns the counts. Call inside a transaction."""
    result = _FilingsBuilder(seed=seed, scale=scale, stdout=stdout).build()
    result["transitions"] = demo_transitions_build(seed=seed)
    return result
