"""Demo filings: 附表1/2 of the parks and 附表4/5 of the banks and insurers, 2019Q2 … 2020Q4
(plus the 2018Q4 附表4 baseline), built on top of the registers ``portal.demo.demo_build`` made.

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
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Model

from banks.choices import InstitutionType
from parks.choices import Batch, EntityType, LinkStatus, ParkStatus, PartnerRole
from parks.models import Park, PartnerLink, Tenancy
from portal.choices import OrgKind
from portal.models import Organisation, User
from reports.filings.choices import FilingStatus, ScheduleCode
from reports.filings.models import Filing, Period, T1Row, T2Summary, T4Record, T5Row
from reports.filings.periods import BASELINE, quarters_between
from reports.schedules import T1, T5
from reports.schedules.base import Issue
from reports.schedules.sizing import size_class_for
from reports.schedules.t1 import compute as t1_compute
from reports.schedules.t1 import tenant_missing
from reports.schedules.t2 import t2_compute

ROW_BATCH = 5000
TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2021, 1, 22, 17, 30, tzinfo=TZ)  # the demo's "today"

PERIOD_CODES: tuple[str, ...] = tuple(f"{y}Q{q}" for y, q in quarters_between("2019Q2", "2020Q4"))
N_PERIODS = len(PERIOD_CODES)  # 7: index 0 = 2019Q2 … 6 = 2020Q4
YEARS = tuple(int(code[:4]) for code in PERIOD_CODES)
LAST = N_PERIODS - 1

# --- parks and their ledgers -------------------------------------------------------------------

# First period index a park files from, by batch (later batches joined the scheme later).
START_INDEX = {Batch.FIRST: (0,), Batch.SECOND: (1, 2), Batch.THIRD: (2, 3)}
MISSING_FIRST, MISSING_LAST = 0.08, 0.02  # share of eligible parks without a T1, 2019Q2 → 2020Q4
LATE_SHARE = 0.08
# 2020's first half: the epidemic (operating status, demand, renewals).
COVID = (0.0, 0.0, 0.0, 0.25, 0.12, 0.04, 0.0)
RENEWAL_SHARE = (0.05, 0.06, 0.07, 0.11, 0.14, 0.16, 0.17)
INSURED_SHARE = (0.09, 0.10, 0.11, 0.12, 0.13, 0.14, 0.15)
RATE_SHIFT = (0.10, 0.05, 0.0, -0.10, -0.25, -0.35, -0.45)
DEMAND_BOOST = (1.0, 1.0, 1.0, 1.45, 1.3, 1.1, 1.0)

# 上年营业收入 per employee (万元), by 门类.
REVENUE_PER_HEAD = {"A": 25, "C": 40, "E": 45, "F": 110, "G": 55, "H": 12, "I": 30, "K": 45, "L": 35, "M": 28,
                    "O": 12, "R": 18}
BANK_RATE = {  # typical loan rate of a small business (%), by bank type
    InstitutionType.POLICY: 4.4, InstitutionType.LARGE: 4.6, InstitutionType.JOINT_STOCK: 5.3,
    InstitutionType.CITY_COMMERCIAL: 5.7, InstitutionType.RURAL: 6.2, InstitutionType.VILLAGE: 6.7,
    InstitutionType.PRIVATE: 7.0, InstitutionType.FOREIGN: 5.0,
}
PURPOSES = (("working_capital", 55), ("equipment", 15), ("tech_upgrade", 12), ("plant", 10), ("other", 8))
UNMET_DETAILS = {
    "enterprise": (
        "企业成立时间较短，财务制度不健全，缺少有效抵押物",
        "企业经营亏损，资产负债率偏高，暂不符合授信条件",
        "企业存在欠息记录，信用状况有待修复",
        "企业厂房为租赁，缺少可抵押资产，担保方式尚未落实",
        "受疫情影响订单下降，第一还款来源不足",
        "企业财务报表与纳税数据不一致，需补充材料",
    ),
    "bank": (
        "银行授信审批流程较长，尚在审批中",
        "抵押物评估价值低于企业预期，授信额度不足",
        "银行对该行业授信政策收紧",
        "企业需要中长期贷款，银行现有产品期限不匹配",
    ),
    "other": (
        "政府性融资担保公司担保额度已满，需另行落实担保",
        "园区厂房分割办证尚未完成，暂无法办理抵押",
        "企业融资用途尚不明确，资料未补齐",
    ),
}
SOLUTIONS = (
    "{bank}已上门对接，拟以“园区贷”信用方式授信{amount}万元",
    "由主办行{bank}牵头，引入政府性融资担保，预计下季度投放",
    "{bank}推荐厂房按揭贷款产品，正在办理评估",
    "指导企业完善财务报表，{bank}将在三个月内重新评估",
    "已纳入园区重点问题清单，由园区运营方协调{bank}开展银企对接",
    "{bank}拟以应收账款质押方式提供流动资金贷款{amount}万元",
)
LOAN_ABOVE_CREDIT = Issue("warning", "loan_balance", "贷款余额大于授信金额", "loan_above_credit")
T1_EXPLANATION = "个别企业贷款余额大于授信金额，系授信到期重新审批期间存量贷款尚未到期所致，已与授信银行核实。"
T1_MISSING_EXPLANATION = "未列入台帐的在园企业为新入园或尚在走访中的企业，建档后于下季度补报。"

# --- banks -------------------------------------------------------------------------------------

CITY_LOAN_SHARE = {"330100": 0.36, "330200": 0.17, "330300": 0.10, "330400": 0.065, "330500": 0.045, "330600": 0.075,
                   "330700": 0.07, "330800": 0.02, "330900": 0.015, "331000": 0.065, "331100": 0.02}
AREA_CODES = {"330100": "0571", "330200": "0574", "330300": "0577", "330400": "0573", "330500": "0572", "330600": "0575",
              "330700": "0579", "330800": "0570", "330900": "0580", "331000": "0576", "331100": "0578"}
# Province totals at 2019 year-end (万元), all banks including Ningbo's; filers are most of them.
PROVINCE_2019 = {
    "all_loan_balance": 1_400_000_000, "sme_loan_balance": 400_000_000, "inclusive_loan_balance": 135_000_000,
    "sme_credit_loan_balance": 42_000_000, "sme_renewal_balance": 24_000_000, "sme_renewal_count": 215_000,
}
# Share of a branch in its city's lending, by bank type (rural banks: the city's share split among them).
LARGE_SHARE = {"工商银行": 1.3, "农业银行": 1.1, "中国银行": 0.85, "建设银行": 1.2, "交通银行": 0.5, "邮储银行": 0.45}
POLICY_SHARE = {"国家开发银行": 0.9, "农业发展银行": 0.45, "进出口银行": 0.2}
TYPE_SHARE = {InstitutionType.JOINT_STOCK: 0.22, InstitutionType.CITY_COMMERCIAL: 0.08, InstitutionType.VILLAGE: 0.015,
              InstitutionType.PRIVATE: 0.25, InstitutionType.FOREIGN: 0.02}
RURAL_CITY_SHARE = 1.6
SME_RATIO = {InstitutionType.POLICY: 0.03, InstitutionType.LARGE: 0.22, InstitutionType.JOINT_STOCK: 0.2,
             InstitutionType.CITY_COMMERCIAL: 0.42, InstitutionType.RURAL: 0.55, InstitutionType.VILLAGE: 0.7,
             InstitutionType.PRIVATE: 0.85, InstitutionType.FOREIGN: 0.08}
INCLUSIVE_RATIO = {InstitutionType.POLICY: 0.1, InstitutionType.LARGE: 0.42, InstitutionType.JOINT_STOCK: 0.3,
                   InstitutionType.CITY_COMMERCIAL: 0.38, InstitutionType.RURAL: 0.45, InstitutionType.VILLAGE: 0.65,
                   InstitutionType.PRIVATE: 0.9, InstitutionType.FOREIGN: 0.2}
CREDIT_LOAN_BIAS = {InstitutionType.POLICY: 0.3, InstitutionType.LARGE: 1.1, InstitutionType.JOINT_STOCK: 0.9,
                    InstitutionType.CITY_COMMERCIAL: 0.8, InstitutionType.RURAL: 0.9, InstitutionType.VILLAGE: 0.6,
                    InstitutionType.PRIVATE: 3.0, InstitutionType.FOREIGN: 0.5}
RENEWAL_BIAS = {InstitutionType.POLICY: 0.1, InstitutionType.LARGE: 1.0, InstitutionType.JOINT_STOCK: 0.7,
                InstitutionType.CITY_COMMERCIAL: 1.1, InstitutionType.RURAL: 1.3, InstitutionType.VILLAGE: 0.8,
                InstitutionType.PRIVATE: 0.3, InstitutionType.FOREIGN: 0.2}
AVG_INCLUSIVE_LOAN = {InstitutionType.POLICY: 500, InstitutionType.LARGE: 90, InstitutionType.JOINT_STOCK: 70,
                      InstitutionType.CITY_COMMERCIAL: 55, InstitutionType.RURAL: 35, InstitutionType.VILLAGE: 25,
                      InstitutionType.PRIVATE: 4, InstitutionType.FOREIGN: 150}
INCLUSIVE_RATE = {InstitutionType.POLICY: 4.3, InstitutionType.LARGE: 4.55, InstitutionType.JOINT_STOCK: 5.3,
                  InstitutionType.CITY_COMMERCIAL: 5.8, InstitutionType.RURAL: 6.5, InstitutionType.VILLAGE: 7.2,
                  InstitutionType.PRIVATE: 8.8, InstitutionType.FOREIGN: 4.9}
NPL_BIAS = {InstitutionType.POLICY: 0.5, InstitutionType.LARGE: 0.8, InstitutionType.JOINT_STOCK: 1.0,
            InstitutionType.CITY_COMMERCIAL: 1.0, InstitutionType.RURAL: 1.3, InstitutionType.VILLAGE: 1.4,
            InstitutionType.PRIVATE: 1.2, InstitutionType.FOREIGN: 0.6}
# Paths of the whole-of-city figures relative to 2019 year-end: 2018Q4, 2019Q2 … 2020Q4.
T4_CODES: tuple[str, ...] = (BASELINE, *PERIOD_CODES)
PATH_ALL = (0.885, 0.94, 0.97, 1.0, 1.05, 1.09, 1.12, 1.15)
PATH_SME = (0.86, 0.925, 0.96, 1.0, 1.04, 1.10, 1.15, 1.20)
PATH_INCLUSIVE = (0.78, 0.88, 0.94, 1.0, 1.07, 1.17, 1.26, 1.35)
PATH_INCLUSIVE_COUNT = (0.84, 0.91, 0.95, 1.0, 1.03, 1.10, 1.16, 1.22)
PATH_CREDIT_SHARE = (0.86, 0.91, 0.95, 1.0, 1.04, 1.10, 1.15, 1.21)
PATH_RENEWAL = (0.6, 0.75, 0.88, 1.0, 1.25, 1.45, 1.58, 1.68)
PATH_RENEWAL_COUNT = (0.6, 0.75, 0.88, 1.0, 1.2, 1.36, 1.46, 1.55)
PATH_FIRST_LOANS = (1.0, 0.45, 0.72, 1.0, 0.22, 0.52, 0.82, 1.12)  # year to date
PATH_MANUFACTURING = (0.78, 0.86, 0.93, 1.0, 1.07, 1.17, 1.27, 1.38)
T4_RATE_SHIFT = (0.35, 0.25, 0.15, 0.0, -0.15, -0.35, -0.5, -0.62)
NPL_ALL = (1.25, 1.15, 1.1, 1.02, 1.05, 1.0, 0.98, 0.95)  # %
NPL_INCLUSIVE = (1.7, 1.6, 1.55, 1.45, 1.55, 1.5, 1.42, 1.35)  # %
INSURER_SHARE = {"人保财险": 0.38, "平安产险": 0.24, "太平洋产险": 0.18, "国寿财险": 0.12, "中华联合财险": 0.08}
SERVICES = ("规划", "建设", "招商", "运营")
GIVEN_NAME_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志斌海燕波宁晨浩婷倩雪琳颖鹏辉"
SURNAME_CHARS = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢金"
MOBILE_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "177", "180",
                   "181", "186", "187", "188", "189", "199")


def _money(x: float) -> Decimal:
    return Decimal(f"{x:.2f}")


def _rate(x: float) -> Decimal:
    return Decimal(f"{x:.2f}")


def _clamp(x: float, low: float, high: float) -> float:
    return low if x < low else high if x > high else x


def _round_credit(x: float) -> float:
    """Credit lines are round numbers."""
    if x < 10:
        return float(max(1, round(x)))
    if x < 100:
        return float(round(x / 5) * 5)
    if x < 1000:
        return float(round(x / 10) * 10)
    return float(round(x / 50) * 50)


def _curve(start: float, end: float, i: int, power: float = 0.8) -> float:
    return start + (end - start) * (i / LAST) ** power


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    """A working-hours moment of ``day``."""
    return dt.datetime(day.year, day.month, day.day, rng.randint(8, 19), rng.randint(0, 59), rng.randint(0, 59), tzinfo=TZ)


def _person(rng: random.Random) -> str:
    given = rng.choice(GIVEN_NAME_CHARS) + (rng.choice(GIVEN_NAME_CHARS) if rng.random() < 0.7 else "")
    return rng.choice(SURNAME_CHARS) + given


def _write(stdout: IO[str] | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message if message.endswith("\n") else message + "\n")


# --- in-memory registers -------------------------------------------------------------------------

@dataclass
class _Tenant:
    uscc: str
    name: str
    entity_type: str
    industry: str
    entered_on: dt.date
    left_on: dt.date | None

    def present_at(self, day: dt.date) -> bool:
        """As ``selectors.park_tenants_at``: entered by ``day`` and not left before it."""
        return self.entered_on <= day and (self.left_on is None or self.left_on >= day)


@dataclass
class _Link:
    park_id: int
    park_code: str
    park_name: str
    branch_id: int
    branch_name: str
    bank_short: str
    bank_type: str
    city_code: str
    role: str
    sub_branch: str
    since: dt.date
    until: dt.date | None

    def active_at(self, day: dt.date) -> bool:
        """As ``selectors.park_partner_count_at``: since by ``day`` and not ended before it."""
        return self.since <= day and (self.until is None or self.until >= day)


@dataclass
class _Park:
    id: int
    code: str
    name: str
    county_id: int
    city_code: str
    operator_id: int
    star_rating: int
    batch: int
    digital_status: str
    status: str
    tenants: list[_Tenant] = field(default_factory=list)
    links: list[_Link] = field(default_factory=list)
    credit_curve: tuple[float, ...] = ()
    filing_curve: tuple[float, ...] = ()


@dataclass
class _Branch:
    id: int
    name: str
    city_code: str
    short: str
    type: str


@dataclass
class _Meta:
    """Status and dates of one filing (a bank's T4 and T5 of a period share one)."""

    status: str
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    days_late: int
    lock_version: int


# Sums of a bank's ledger rows in one park and period (main_bank = the bank).
AGG_KEYS = ("credit_count", "credit_amount", "loan_count", "loan_balance", "inclusive_count", "inclusive_balance",
            "credit_loan_balance", "mlt_balance", "renewal_count", "renewal_balance", "first_loan_count", "rate_x_loan")
(A_CC, A_CA, A_LC, A_LB, A_IC, A_IB, A_CLB, A_MLT, A_RC, A_RB, A_FL, A_RXL) = range(len(AGG_KEYS))


# --- the builder ---------------------------------------------------------------------------------

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

    # registers

    def load(self) -> None:
        self.parks: list[_Park] = [
            _Park(id=p["id"], code=p["code"], name=p["name"], county_id=p["county_id"], city_code=p["county__city_code"],
                  operator_id=p["operator_id"], star_rating=p["star_rating"], batch=p["batch"],
                  digital_status=p["digital_status"], status=p["status"])
            for p in Park.objects.order_by("code").values(
                "id", "code", "name", "county_id", "county__city_code", "operator_id", "star_rating", "batch",
                "digital_status", "status")
        ]
        by_id = {p.id: p for p in self.parks}
        tenancies = Tenancy.objects.values_list(
            "park_id", "enterprise__uscc", "enterprise__name", "enterprise__entity_type", "enterprise__industry",
            "entered_on", "left_on")
        for park_id, uscc, name, entity_type, industry, entered, left in tenancies:
            by_id[park_id].tenants.append(_Tenant(uscc, name, entity_type, industry, entered, left))
        for park in self.parks:
            park.tenants.sort(key=lambda t: (t.entered_on, t.uscc))
        links = PartnerLink.objects.filter(status=LinkStatus.CONFIRMED).values_list(  # proposals are not partnerships
            "park_id", "branch_id", "branch__name", "branch__institution__short_name", "branch__institution__type",
            "branch__region__code", "role", "sub_branch", "since", "until")
        for park_id, branch_id, branch_name, short, kind, city, role, sub_branch, since, until in links:
            park = by_id[park_id]
            park.links.append(_Link(park_id, park.code, park.name, branch_id, branch_name, short, kind, city, role,
                                    sub_branch, since, until))
        for park in self.parks:
            park.links.sort(key=lambda link: (link.role != PartnerRole.LEAD, link.branch_name, link.since))
        self.branches: list[_Branch] = [
            _Branch(id=o["id"], name=o["name"], city_code=o["region__code"], short=o["institution__short_name"],
                    type=o["institution__type"])
            for o in Organisation.objects.filter(kind=OrgKind.BANK_BRANCH, institution__isnull=False)
            .order_by("name").values("id", "name", "region__code", "institution__short_name", "institution__type")
        ]

    # filing status and dates

    def meta(self, rng: random.Random, period: Period, *, statuses: tuple[tuple[str, float], ...], late_share: float) -> _Meta:
        status = rng.choices([s for s, _ in statuses], weights=[w for _, w in statuses])[0]
        end, due = period.end, period.filer_due
        now_day = NOW.date()
        latest = min(due + dt.timedelta(days=25), now_day - dt.timedelta(days=1))
        created_day = end + dt.timedelta(days=rng.randint(1, 10))
        if period.code == "2019Q2":  # the first filing: the scheme started in July 2019
            created_day = dt.date(2019, 7, 20) + dt.timedelta(days=rng.randint(0, 12))
        late = rng.random() < late_share
        if late and latest > due:
            submitted_day = due + dt.timedelta(days=rng.randint(1, (latest - due).days))
        else:
            submitted_day = due - dt.timedelta(days=rng.randint(0, 12))
        submitted_day = min(max(submitted_day, created_day), now_day - dt.timedelta(days=1))
        created = _at(created_day, rng)
        lock_version = rng.randint(1, 6)
        if status == FilingStatus.DRAFT:
            updated_day = min(created_day + dt.timedelta(days=rng.randint(0, 8)), now_day)
            updated = max(_at(updated_day, rng), created)
            return _Meta(status, created, min(updated, NOW), None, None, 0, lock_version)
        submitted = max(_at(submitted_day, rng), created)
        days_late = max(0, (submitted_day - due).days)
        if status == FilingStatus.APPROVED:
            approved_day = min(submitted_day + dt.timedelta(days=rng.randint(1, 8)), now_day)
            approved = min(max(_at(approved_day, rng), submitted + dt.timedelta(hours=2)), NOW)
            return _Meta(status, created, approved, submitted, approved, days_late, lock_version)
        # submitted / confirmed / returned: the last step happened a day or a few after submission
        step = submitted if status == FilingStatus.SUBMITTED else min(
            submitted + dt.timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 5)), NOW)
        return _Meta(status, created, step, submitted, None, days_late, lock_version)

    def filing(self, *, schedule: str, period: Period, meta: _Meta, park: _Park | None = None,
               branch: _Branch | None = None) -> Filing:
        user = self.users_by_org.get(park.operator_id if park else branch.id)  # the demo logins' own filings
        filing = Filing(
            schedule=schedule, period=period, park_id=park.id if park else None, branch_id=branch.id if branch else None,
            version=1, is_current=True, status=meta.status, lock_version=meta.lock_version,
            submitted_at=meta.submitted_at, approved_at=meta.approved_at, days_late=meta.days_late,
            created_by_id=user, updated_by_id=user,
        )
        filing._demo_times = (meta.created_at, meta.updated_at)  # set after bulk_create (auto_now fields)
        return filing

    # parks: which file when

    def park_plans(self) -> dict[int, list[_Meta | None]]:
        """Per park the meta of its T1 per period index, None where it files nothing."""
        rng = self.rng
        plans: dict[int, list[_Meta | None]] = {}
        t1_last = ((FilingStatus.APPROVED, 55), (FilingStatus.CONFIRMED, 12), (FilingStatus.SUBMITTED, 15),
                   (FilingStatus.RETURNED, 6), (FilingStatus.DRAFT, 12))
        t1_past = ((FilingStatus.APPROVED, 99), (FilingStatus.DRAFT, 1))
        for park in self.parks:
            star = park.star_rating
            if star >= 4:
                c0, c1, miss_factor = rng.uniform(0.50, 0.58), rng.uniform(0.70, 0.82), 0.4
            elif star == 3:
                c0, c1, miss_factor = rng.uniform(0.42, 0.52), rng.uniform(0.62, 0.74), 0.8
            else:
                c0, c1, miss_factor = rng.uniform(0.36, 0.48), rng.uniform(0.53, 0.68), 1.3
            f0 = rng.uniform(0.60, 0.80)
            f1 = 1.0 if rng.random() < 0.45 else rng.uniform(0.9, 0.985)
            park.credit_curve = tuple(_curve(c0, c1, i, 1.0) for i in range(N_PERIODS))
            park.filing_curve = tuple(_curve(f0, f1, i, 0.7) for i in range(N_PERIODS))
            start = rng.choice(START_INDEX[Batch(park.batch)])
            chronic = rng.random() < 0.015
            late_share = LATE_SHARE * (2.5 if chronic else rng.choice((0.5, 1.0, 1.0, 1.5)))
            row: list[_Meta | None] = []
            for i, code in enumerate(PERIOD_CODES):
                roll, roll_chronic = rng.random(), rng.random()
                eligible = (park.status == ParkStatus.ACTIVE or (park.status == ParkStatus.REVOKED and YEARS[i] == 2019)) \
                    and i >= start and park.tenants
                miss = roll < _curve(MISSING_FIRST, MISSING_LAST, i, 1.0) * miss_factor or (chronic and roll_chronic < 0.5)
                if not eligible or miss:
                    row.append(None)
                    continue
                row.append(self.meta(rng, self.periods[code], statuses=t1_last if i == LAST else t1_past,
                                     late_share=late_share))
            plans[park.id] = row
        return plans

    # enterprise ledgers

    def trajectory(self, park: _Park, tenant: _Tenant, banks: list[_Link]) -> list[dict[str, Any] | None]:
        """The enterprise's ledger row per period index (floats; None before it is ever filed)."""
        rng = random.Random(f"{self.seed}/filings/{tenant.uscc}")
        individual = tenant.entity_type == EntityType.INDIVIDUAL
        industry = tenant.industry
        cap = 180 if size_class_for(industry).name == "其他" else 290
        if individual:
            employees0 = rng.randint(3, 12)
        else:
            employees0 = int(_clamp(rng.lognormvariate(math.log(22), 0.75), 3, cap))
        per_head = REVENUE_PER_HEAD.get(industry, 25) * rng.lognormvariate(0, 0.35)
        max_revenue = 600 if individual else 8000
        revenue = {2019: _clamp(employees0 * per_head, 50, max_revenue)}
        revenue[2020] = _clamp(revenue[2019] * (1 + rng.gauss(0.07, 0.12)), 50, max_revenue)
        assets_ratio = rng.uniform(0.4, 1.6) if rng.random() < 0.88 else None
        tech = rng.random() < (0.18 if industry in "CIM" and not individual else 0.02)
        give_size = rng.random() < 0.6
        health = rng.random()
        u = rng.random()
        w = 0.85 * u + 0.15 * rng.random()
        never_borrowed = rng.random() < 0.75
        credit19 = _round_credit(_clamp(revenue[2019] * rng.lognormvariate(math.log(0.12), 0.75), 2, 100 if individual else 3000))
        roll = rng.random()
        raise20 = 1.0 if roll < 0.5 else rng.uniform(1.1, 1.5) if roll < 0.88 else rng.uniform(0.7, 0.95)
        credit = {2019: credit19, 2020: _round_credit(credit19 * raise20)}
        if credit19 > 500:
            bank_weights = (25, 35, 28, 8, 4)
        elif credit19 > 50:
            bank_weights = (55, 28, 14, 2.5, 0.5)
        else:
            bank_weights = (80, 16, 4, 0, 0)
        n_banks = rng.choices((1, 2, 3, 4, 5), weights=bank_weights)[0]
        main = rng.choices(banks, weights=[3 if b.role == PartnerRole.LEAD else 1 for b in banks])[0] if banks else None
        main_bank = main.bank_short if main else "农业银行"
        zero_loan = rng.random() < 0.1
        over = rng.random() < 0.02
        use = rng.uniform(1.02, 1.15) if over else rng.uniform(0.5, 0.98)
        credit_loan_2019 = rng.random() < 0.2
        credit_loan_2020 = credit_loan_2019 or rng.random() < 0.1
        credit_loan_share = rng.uniform(0.3, 1.0)
        mlt_share = rng.uniform(0.2, 0.8) if rng.random() < 0.2 else 0.0
        renewal_roll, renewal_share = rng.random(), rng.uniform(0.3, 1.0)
        rate_base = BANK_RATE.get(main.bank_type if main else InstitutionType.LARGE, 5.5) + rng.gauss(0, 0.3)
        rate_base += (0.3 if individual else 0) + (0.4 if health < 0.07 else 0) - (0.2 if credit19 > 500 else 0)
        rate_base = _clamp(rate_base, 3.95, 7.3)
        has_cost = rng.random() < 0.88
        spread = rng.uniform(0.5, 1.5) if rng.random() < 0.3 else rng.uniform(0.02, 0.3)
        insured_roll, insured_amount = rng.random(), float(round(rng.uniform(20, 600) / 10) * 10)
        demand_bias = rng.uniform(0.5, 1.5)

        curve = park.credit_curve
        first_index = next((i for i in range(N_PERIODS) if u < curve[i]), None)
        if first_index is None:
            first_year = None
        elif first_index == 0:
            first_year = 2019 if rng.random() < 0.08 else 0
        else:
            first_year = YEARS[first_index]

        out: list[dict[str, Any] | None] = []
        for i in range(N_PERIODS):
            year = YEARS[i]
            r_emp, r_op, r_use, r_rate = rng.random(), rng.random(), rng.gauss(0, 0.05), rng.gauss(0, 0.05)
            r_demand, r_status, r_amount, r_purpose, r_reason, r_text = (rng.random() for _ in range(6))
            r_solution, r_solution_amount = rng.random(), rng.random()
            if w >= park.filing_curve[i]:
                out.append(None)  # not filed this quarter (the draws above keep later quarters stable)
                continue
            employees = int(_clamp(employees0 * (1 + 0.015 * i - 0.6 * COVID[i] * (r_emp < 0.3) + 0.04 * (r_emp - 0.5)), 3, cap))
            score = 0.7 * health + 0.3 * r_op - COVID[i]
            operating = "good" if score > 0.45 else "fair" if score > 0.18 else "difficult" if score > 0.05 else "halted"
            credited = u < curve[i]
            new_credit = credited and first_index == i and i > 0
            row: dict[str, Any] = {
                "employees": employees, "revenue": revenue[year],
                "total_assets": revenue[year] * assets_ratio if assets_ratio else None,
                "tech_type": tech, "give_size": give_size, "operating_status": operating,
                "credit": 0.0, "loan": 0.0, "credit_loan": 0.0, "mlt": 0.0, "renewal": 0.0, "rate": None, "cost": None,
                "banks": 0, "main_bank": "", "first_loan": False,
            }
            if credited:
                amount = credit[year]
                loan = 0.0 if zero_loan else round(amount * (_clamp(use + r_use, 1.01, 1.2) if over else _clamp(use + r_use, 0.3, 1.0)), 2)
                row.update(credit=amount, loan=loan, banks=n_banks, main_bank=main_bank,
                           credit_status="good" if health > 0.25 else "fair" if health > 0.07 else "poor")
                if loan > 0:
                    if (credit_loan_2019 if year == 2019 else credit_loan_2020):
                        row["credit_loan"] = min(loan, round(loan * credit_loan_share, 2))
                    if mlt_share:
                        row["mlt"] = min(loan, round(loan * mlt_share, 2))
                    if renewal_roll < RENEWAL_SHARE[i]:
                        row["renewal"] = min(loan, round(loan * renewal_share, 2))
                    rate = _clamp(rate_base + RATE_SHIFT[i] + r_rate, 3.8, 7.5)
                    row["rate"] = rate
                    if has_cost:
                        row["cost"] = rate + spread * (1 - 0.05 * max(0, i - 2))
                    row["first_loan"] = first_year == year
            else:
                row["credit_status"] = "none" if never_borrowed else ("good" if health > 0.2 else "fair")
            # financing demand
            if new_credit:
                has_demand = r_demand < 0.7
                status = "met" if r_status < 0.8 else "partial"
            elif credited:
                has_demand = r_demand < 0.12 * demand_bias * DEMAND_BOOST[i]
                met = 0.5 + 0.03 * i
                status = "met" if r_status < met else "partial" if r_status < met + 0.32 else "unmet"
            else:
                has_demand = r_demand < 0.08 * demand_bias * DEMAND_BOOST[i]
                status = "unmet"
            row["has_demand"] = has_demand
            if has_demand:
                base = row["credit"] if credited else 0.0
                if base:
                    demand_amount = _round_credit(max(5.0, base * (0.2 + 0.8 * r_amount)))
                else:
                    demand_amount = _round_credit(10 + 290 * r_amount * (0.3 if individual else 1.0))
                row.update(demand_amount=demand_amount, demand_status=status,
                           demand_purpose=_pick(PURPOSES, r_purpose))
                if status != "met":
                    reason = "enterprise" if r_reason < 0.5 else "bank" if r_reason < 0.8 else "other"
                    details = UNMET_DETAILS[reason]
                    bank = main_bank if credited else (banks[0].bank_short if banks else "主办行")
                    row.update(unmet_reason=reason, unmet_detail=details[int(r_text * len(details))],
                               solution=SOLUTIONS[int(r_solution * len(SOLUTIONS))].format(
                                   bank=bank, amount=_round_credit(max(5.0, demand_amount * (0.3 + 0.7 * r_solution_amount)))))
            row["insured"] = insured_roll < INSURED_SHARE[i]
            if row["insured"]:
                row["insured_amount"] = insured_amount * (1 + 0.03 * i)
            out.append(row)
        return out

    def t1_values(self, tenant: _Tenant, v: dict[str, Any]) -> dict[str, Any]:
        """One stored T1 row (canonical values, computed columns included)."""
        loan = v["loan"]
        values: dict[str, Any] = {
            "enterprise_name": tenant.name, "uscc": tenant.uscc, "entity_type": tenant.entity_type,
            "industry": tenant.industry, "employees": v["employees"], "revenue": _money(v["revenue"]),
            "total_assets": _money(v["total_assets"]) if v["total_assets"] is not None else None,
            "size": "", "tech_type": v["tech_type"], "operating_status": v["operating_status"],
            "credit_status": v["credit_status"], "has_demand": v["has_demand"],
            "demand_amount": _money(v["demand_amount"]) if v["has_demand"] else None,
            "demand_purpose": v.get("demand_purpose", ""), "lending_bank_count": v["banks"], "main_bank": v["main_bank"],
            "credit_amount": _money(v["credit"]), "loan_balance": _money(loan),
            "credit_loan_balance": _money(v["credit_loan"]), "medium_long_term_balance": _money(v["mlt"]),
            "renewal_balance": _money(v["renewal"]), "is_first_loan": v["first_loan"],
            "loan_rate": _rate(v["rate"]) if v["rate"] is not None else None,
            "financing_cost": _rate(v["cost"]) if v["cost"] is not None else None,
            "insured": v["insured"], "insured_amount": _money(v["insured_amount"]) if v["insured"] else None,
            "demand_status": v.get("demand_status", ""), "unmet_reason": v.get("unmet_reason", ""),
            "unmet_detail": v.get("unmet_detail", ""), "solution": v.get("solution", ""),
        }
        computed = t1_compute(values)
        if v["give_size"] and computed["size_computed"] in ("medium", "small", "micro"):
            values["size"] = computed["size_computed"]
        values.update(computed)
        return values

    def build_t1(self) -> None:
        plans = self.park_plans()
        filings: dict[tuple[int, int], Filing] = {}
        for park in self.parks:
            for i, meta in enumerate(plans[park.id]):
                if meta is not None:
                    filings[(park.id, i)] = self.filing(schedule=ScheduleCode.T1, period=self.periods[PERIOD_CODES[i]],
                                                        meta=meta, park=park)
        Filing.objects.bulk_create(list(filings.values()), batch_size=1000)
        self.t1_filings = filings
        _write(self.stdout, f"附表1报表：{len(filings)} 份")

        rows: list[T1Row] = []
        summaries: list[T2Summary] = []
        n_rows = 0
        period_ends = [self.periods[code].end for code in PERIOD_CODES]
        for park in self.parks:
            indexes = [i for i in range(N_PERIODS) if (park.id, i) in filings]
            if not indexes:
                continue
            # main banks come from every bank the park ever partnered with (relations predate the links)
            trajectories = {t.uscc: self.trajectory(park, t, park.links) for t in park.tenants}
            for i in indexes:
                filing = filings[(park.id, i)]
                end = period_ends[i]
                present = [t for t in park.tenants if t.present_at(end)]
                stored: list[dict[str, Any]] = []
                warnings: list[dict[str, Any]] = []
                missing: list[_Tenant] = []
                for tenant in present:
                    v = trajectories[tenant.uscc][i]
                    if v is None:  # not in the ledger yet: a warning (held_against_register)
                        missing.append(tenant)
                        continue
                    values = self.t1_values(tenant, v)
                    stored.append(values)
                    row_no = len(stored)
                    rows.append(T1Row(filing=filing, row_no=row_no, **values))
                    if v["loan"] > v["credit"]:
                        warnings.append(Issue(LOAN_ABOVE_CREDIT.level, LOAN_ABOVE_CREDIT.column, LOAN_ABOVE_CREDIT.message,
                                              LOAN_ABOVE_CREDIT.code, row=row_no, value=values["loan_balance"]).as_dict(T1))
                    self.add_to_bank_sums(park, i, v, values)
                loan_warnings = bool(warnings)
                warnings += [tenant_missing(t.name, t.uscc).as_dict(T1) for t in sorted(missing, key=lambda t: (t.name, t.uscc))]
                filing.row_count = len(stored)
                filing.warning_count = len(warnings)
                filing.issues = warnings
                if warnings and filing.status != FilingStatus.DRAFT:
                    filing.explanation = "".join(text for text, given in ((T1_EXPLANATION, loan_warnings),
                                                                         (T1_MISSING_EXPLANATION, bool(missing))) if given)
                n_rows += len(stored)
                figures = t2_compute(rows=stored, enterprises_total=len(present),
                                     partner_bank_count=sum(link.active_at(end) for link in park.links),
                                     star_rating=park.star_rating)
                summaries.append(T2Summary(filing=filing, park_id=park.id, period_id=filing.period_id,
                                           county_id=park.county_id, star_rating=park.star_rating, batch=park.batch,
                                           digital_status=park.digital_status, **figures))
                if len(rows) >= ROW_BATCH:
                    T1Row.objects.bulk_create(rows, batch_size=ROW_BATCH)
                    rows = []
        T1Row.objects.bulk_create(rows, batch_size=ROW_BATCH)
        T2Summary.objects.bulk_create(summaries, batch_size=1000)
        self.counts["t1_filings"] = len(filings)
        self.counts["t1_rows"] = n_rows
        self.counts["t2_summaries"] = len(summaries)
        self.t2_summaries = summaries
        _write(self.stdout, f"附表1台帐行：{n_rows} 行；附表2：{len(summaries)} 份")

    def add_to_bank_sums(self, park: _Park, i: int, v: dict[str, Any], values: dict[str, Any]) -> None:
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

    def city_figures(self) -> dict[int, dict[str, float]]:
        """Each bank branch's whole-of-city figures at 2019 year-end (section 二 before the paths),
        scaled so that the province totals over every bank branch are those of ``PROVINCE_2019``."""
        rng = random.Random(f"{self.seed}/filings/city-lending")
        banks = [b for b in self.branches if b.type != InstitutionType.INSURER]
        rural_per_city = Counter(b.city_code for b in banks if b.type == InstitutionType.RURAL)
        home = {b.short: b.city_code for b in banks if b.name.endswith("（总行营业部）")}
        raw: dict[int, dict[str, float]] = {}
        for b in banks:
            kind = InstitutionType(b.type)
            if kind == InstitutionType.LARGE:
                share = LARGE_SHARE.get(b.short, 0.5)
            elif kind == InstitutionType.POLICY:
                share = POLICY_SHARE.get(b.short, 0.3)
            elif kind == InstitutionType.RURAL:
                share = RURAL_CITY_SHARE / rural_per_city[b.city_code]
            elif kind == InstitutionType.CITY_COMMERCIAL and home.get(b.short) == b.city_code:
                share = 1.0 if b.short in ("杭州银行", "宁波银行") else 0.5
            elif kind == InstitutionType.JOINT_STOCK and b.short == "浙商银行":
                share = 0.35
            else:
                share = TYPE_SHARE.get(kind, 0.05)
            city_weight = CITY_LOAN_SHARE.get(b.city_code, 0.02)
            all_loans = share * city_weight * rng.uniform(0.8, 1.25)
            sme = all_loans * SME_RATIO[kind] * rng.uniform(0.85, 1.15)
            renewal = sme * RENEWAL_BIAS[kind] * rng.uniform(0.8, 1.2)
            raw[b.id] = {
                "all_loan_balance": all_loans, "sme_loan_balance": sme,
                "inclusive_loan_balance": sme * INCLUSIVE_RATIO[kind] * rng.uniform(0.85, 1.15),
                "sme_credit_loan_balance": sme * CREDIT_LOAN_BIAS[kind] * rng.uniform(0.8, 1.2),
                "sme_renewal_balance": renewal,
                "sme_renewal_count": renewal / rng.uniform(80, 150),
            }
        totals = {key: sum(v[key] for v in raw.values()) for key in PROVINCE_2019}
        out: dict[int, dict[str, float]] = {}
        for b in banks:
            kind = InstitutionType(b.type)
            v = {key: raw[b.id][key] * PROVINCE_2019[key] / totals[key] for key in PROVINCE_2019}
            v["sme_loan_balance"] = min(v["sme_loan_balance"], 0.92 * v["all_loan_balance"])
            v["inclusive_loan_balance"] = min(v["inclusive_loan_balance"], 0.7 * v["sme_loan_balance"])
            v["sme_credit_loan_balance"] = min(v["sme_credit_loan_balance"], 0.3 * v["sme_loan_balance"])
            v["sme_renewal_balance"] = min(v["sme_renewal_balance"], 0.12 * v["sme_loan_balance"])
            v["inclusive_loan_count"] = v["inclusive_loan_balance"] / (AVG_INCLUSIVE_LOAN[kind] * rng.uniform(0.8, 1.25))
            v["inclusive_renewal_share"] = rng.uniform(0.55, 0.75)
            v["first_loan_share"] = rng.uniform(0.05, 0.09)
            v["rate"] = INCLUSIVE_RATE[kind] + rng.gauss(0, 0.25)
            v["cost_spread"] = rng.uniform(0.25, 0.6)
            v["npl_bias"] = NPL_BIAS[kind] * rng.uniform(0.8, 1.25)
            v["enterprise_share"] = rng.uniform(0.55, 0.7)
            v["private_share"] = rng.uniform(0.55, 0.78)
            v["manufacturing_share"] = rng.uniform(0.04, 0.09)
            v["tilt"] = rng.gauss(0, 0.04)
            out[b.id] = v
        return out

    def section_two(self, rng: random.Random, base: dict[str, float], j: int) -> dict[str, Any]:
        """Whole-of-city figures of T4 period index ``j`` (0 = 2018Q4) from the 2019 year-end base."""
        tilt = 1 + base["tilt"] * (j - 3) / 4
        noise = lambda: tilt * rng.uniform(0.985, 1.015)  # noqa: E731
        all_loans = base["all_loan_balance"] * PATH_ALL[j] * noise()
        sme = min(base["sme_loan_balance"] * PATH_SME[j] * noise(), 0.95 * all_loans)
        inclusive = min(base["inclusive_loan_balance"] * PATH_INCLUSIVE[j] * noise(), 0.97 * sme)
        credit_loans = min(base["sme_credit_loan_balance"] * PATH_SME[j] * PATH_CREDIT_SHARE[j] * noise(), sme)
        renewal = min(base["sme_renewal_balance"] * PATH_RENEWAL[j] * noise(), sme)
        inclusive_renewal = min(renewal * base["inclusive_renewal_share"], inclusive)
        inclusive_count = base["inclusive_loan_count"] * PATH_INCLUSIVE_COUNT[j] * noise()
        rate = _clamp(base["rate"] + T4_RATE_SHIFT[j] + rng.gauss(0, 0.04), 3.5, 15.0)
        npl_bias = base["npl_bias"]
        enterprise = all_loans * base["enterprise_share"]
        return {
            "all_loan_balance": _money(all_loans), "sme_loan_balance": _money(sme),
            "inclusive_loan_balance": _money(inclusive), "inclusive_loan_count": max(1, round(inclusive_count)),
            "sme_credit_loan_balance": _money(credit_loans), "sme_renewal_balance": _money(renewal),
            "sme_renewal_count": round(base["sme_renewal_count"] * PATH_RENEWAL_COUNT[j] * noise()),
            "inclusive_renewal_balance": _money(inclusive_renewal),
            "inclusive_first_loan_count": round(base["inclusive_loan_count"] * base["first_loan_share"] * PATH_FIRST_LOANS[j]),
            "inclusive_new_loan_rate": _rate(rate),
            "inclusive_financing_cost": _rate(rate + base["cost_spread"] * (1 - 0.1 * max(0, j - 3))),
            "all_npl_balance": _money(all_loans * NPL_ALL[j] * min(npl_bias, 1.5) / 100),
            "inclusive_npl_balance": _money(inclusive * NPL_INCLUSIVE[j] * npl_bias / 100),
            "enterprise_loan_balance": _money(enterprise),
            "private_enterprise_loan_balance": _money(enterprise * base["private_share"]),
            "manufacturing_mlt_balance": _money(all_loans * base["manufacturing_share"] * PATH_MANUFACTURING[j] / PATH_ALL[j]),
        }

    def link_facts(self, link: _Link) -> dict[str, Any]:
        """A partner link's stable 附表5 facts (contact, flags from which period index on, services)."""
        rng = random.Random(f"{self.seed}/filings/link/{link.park_code}/{link.branch_name}")
        lead = link.role == PartnerRole.LEAD
        since_index = next(i for i, code in enumerate(PERIOD_CODES) if self.periods[code].end >= link.since) \
            if link.since <= self.periods[PERIOD_CODES[-1]].end else N_PERIODS

        def start(shares: tuple[float, ...]) -> int:
            roll, acc = rng.random(), 0.0
            for delay, share in enumerate(shares):
                acc += share
                if roll < acc:
                    return since_index + delay
            return N_PERIODS + 1  # never

        if rng.random() < 0.85:
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
        else:
            phone = f"{AREA_CODES.get(link.city_code, '0571')}-{rng.randint(81_000_000, 89_999_999)}"
        services = [s for s in SERVICES if rng.random() < (0.6 if lead else 0.2)]
        if lead and not services:
            services = ["招商", "运营"]
        operator_credit = 0.0
        if rng.random() < (0.7 if lead else 0.25):
            operator_credit = float(round(rng.uniform(300, 5000) / 50) * 50)
        return {
            "contact_name": _person(rng), "contact_phone": phone, "services": "、".join(services),
            "agreement": start((0.82, 0.13)), "plaque": start((0.5, 0.25, 0.15)),
            "service_point": start((0.35, 0.15, 0.1) if lead else (0.1, 0.06, 0.04)),
            "reported": start((0.93, 0.05)), "operator_credit": operator_credit,
            "operator_use": rng.uniform(0.4, 0.9) if rng.random() < 0.8 else 0.0,
            "remarks": rng.choice(("", "", "", "已开展园区专场银企对接会", "园区服务站已常态化运行", "推出园区专属信贷产品"))
            if lead else "",
        }

    def build_t4_t5(self) -> None:
        rng = self.rng
        with_links: dict[int, list[_Link]] = defaultdict(list)
        for park in self.parks:
            for link in park.links:
                with_links[link.branch_id].append(link)
        filers = [b for b in self.branches if b.id in with_links or b.type == InstitutionType.INSURER]
        city_base = self.city_figures()
        facts = {(link.park_id, link.branch_id): self.link_facts(link) for links in with_links.values() for link in links}
        last_statuses = ((FilingStatus.APPROVED, 60), (FilingStatus.SUBMITTED, 28), (FilingStatus.RETURNED, 5),
                         (FilingStatus.DRAFT, 7))
        past_statuses = ((FilingStatus.APPROVED, 100),)

        t4_filings: list[Filing] = []
        t5_filings: list[Filing] = []
        records: list[tuple[Filing, dict[str, Any]]] = []
        t5_rows: list[tuple[Filing, list[dict[str, Any]]]] = []
        for branch in filers:
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
                    meta = self.meta(rng, period, statuses=last_statuses if i == LAST else past_statuses, late_share=0.05)
                values: dict[str, Any]
                rows: list[dict[str, Any]] = []
                if insurer:
                    values = self.insurer_values(brng, branch, max(i, 0), scale_back=0.75 if j == 0 else 1.0)
                else:
                    active = [link for link in with_links[branch.id] if i >= 0 and link.active_at(period.end)]
                    active.sort(key=lambda link: link.park_code)
                    values, rows = self.bank_values(
                        brng, branch, max(i, 0), sums, active, facts, factor=factor * (0.85 if j == 0 else 1.0),
                        npl_ratio=npl_ratio, rate_cut=rate_cut, pe_share=pe_share, baseline=j == 0)
                    values.update(self.section_two(brng, city_base[branch.id], j))
                    if j > 0:
                        values.update(self.narrative(branch, period, values))
                if meta is None:
                    meta = self._baseline_meta(rng, period)
                filing = self.filing(schedule=ScheduleCode.T4, period=period, meta=meta, branch=branch)
                t4_filings.append(filing)
                records.append((filing, values))
                if rows:
                    t5 = self.filing(schedule=ScheduleCode.T5, period=period, meta=meta, branch=branch)
                    warnings = [Issue("warning", "reported_to_regulator", "伙伴关系尚未报备属地监管部门", "not_reported",
                                      row=n, value=False).as_dict(T5)
                                for n, r in enumerate(rows, start=1) if r["reported_to_regulator"] is False]
                    t5.row_count, t5.warning_count, t5.issues = len(rows), len(warnings), warnings
                    if warnings and meta.status != FilingStatus.DRAFT:
                        t5.explanation = "相关伙伴关系已于近期建立，正在向属地监管部门报备。"
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
        _write(self.stdout, f"附表4：{len(t4_filings)} 份；附表5：{len(t5_filings)} 份，{self.counts['t5_rows']} 行")

    def _baseline_meta(self, rng: random.Random, period: Period) -> _Meta:
        """The 2018 year-end figures were filed with the first quarter's filing (August 2019) and approved."""
        created = _at(dt.date(2019, 7, 22) + dt.timedelta(days=rng.randint(0, 10)), rng)
        submitted = _at(dt.date(2019, 8, 5) + dt.timedelta(days=rng.randint(0, 10)), rng)
        approved = _at(dt.date(2019, 8, 17) + dt.timedelta(days=rng.randint(0, 8)), rng)
        return _Meta(FilingStatus.APPROVED, created, approved, submitted, approved, 0, rng.randint(1, 3))

    def bank_values(self, rng: random.Random, branch: _Branch, i: int, sums: dict[int, dict[int, list[float]]],
                    active: list[_Link], facts: dict[tuple[int, int], dict[str, Any]], *, factor: float,
                    npl_ratio: float, rate_cut: float, pe_share: float, baseline: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Section 一 of a bank's T4 and its T5 rows, from the parks' ledgers (main bank = this bank)
        scaled up by ``factor`` for the bank's lending as second bank and to tenants not yet filed."""
        f = factor * rng.uniform(0.98, 1.02)
        per_park: dict[int, dict[str, Any]] = {}
        for park_id, by_period in sums.items():
            s = by_period.get(i)
            if s is None:
                continue
            loan = round(s[A_LB] * f, 2)
            per_park[park_id] = {
                "credit_count": round(s[A_CC] * f), "credit_amount": round(s[A_CA] * f, 2),
                "loan_count": round(s[A_LC] * f), "loan_balance": loan,
                "inclusive_count": round(s[A_IC] * f), "inclusive_balance": min(loan, round(s[A_IB] * f, 2)),
                "credit_loan": min(loan, round(s[A_CLB] * f, 2)), "mlt": min(loan, round(s[A_MLT] * f, 2)),
                "renewal_count": round(s[A_RC] * f), "renewal": min(loan, round(s[A_RB] * f, 2)),
                "first": round(s[A_FL] * f), "rate_x_loan": s[A_RXL], "raw_loan": s[A_LB],
            }
        totals = {key: sum(p[key] for p in per_park.values()) for key in (
            "credit_count", "credit_amount", "loan_count", "loan_balance", "inclusive_count", "inclusive_balance",
            "credit_loan", "mlt", "renewal_count", "renewal", "first", "rate_x_loan", "raw_loan")}
        loan_total = totals["loan_balance"]
        partner = active
        t5: list[dict[str, Any]] = []
        service_points = operator_count = 0
        operator_balance = 0.0
        for link in partner:
            fact = facts[(link.park_id, link.branch_id)]
            p = per_park.get(link.park_id)
            service_point = i >= fact["service_point"]
            service_points += service_point
            if fact["operator_credit"] and fact["operator_use"]:
                operator_count += 1
                operator_balance += fact["operator_credit"] * fact["operator_use"]
            t5.append({
                "park_code": link.park_code, "park_name": link.park_name, "role": link.role, "sub_branch": link.sub_branch,
                "contact_name": fact["contact_name"], "contact_phone": fact["contact_phone"], "since": link.since,
                "agreement_signed": i >= fact["agreement"], "plaque": i >= fact["plaque"], "service_point": service_point,
                "reported_to_regulator": i >= fact["reported"], "services": fact["services"],
                "operator_credit_amount": _money(fact["operator_credit"]),
                "ent_credit_count": p["credit_count"] if p else 0,
                "ent_credit_amount": _money(p["credit_amount"]) if p else Decimal("0.00"),
                "ent_loan_balance": _money(p["loan_balance"]) if p else Decimal("0.00"),
                "remarks": fact["remarks"],
            })
        served = len({link.park_id for link in partner} | set(per_park))
        rate = None
        if totals["raw_loan"] > 0:
            rate = _rate(_clamp(totals["rate_x_loan"] / totals["raw_loan"] - rate_cut + (0.25 if baseline else 0.0), 3.5, 9.0))
        values = {
            "parks_served": served if not baseline else round(served * 0.85),
            "partner_parks": len(partner), "lead_parks": sum(link.role == PartnerRole.LEAD for link in partner),
            "service_points": service_points,
            "operator_loan_count": operator_count, "operator_loan_balance": _money(operator_balance),
            "ent_credit_count": totals["credit_count"], "ent_credit_amount": _money(totals["credit_amount"]),
            "ent_loan_count": totals["loan_count"], "ent_loan_balance": _money(loan_total),
            "ent_inclusive_count": totals["inclusive_count"], "ent_inclusive_balance": _money(totals["inclusive_balance"]),
            "ent_credit_loan_balance": _money(totals["credit_loan"]), "ent_mlt_balance": _money(totals["mlt"]),
            "ent_renewal_count": totals["renewal_count"], "ent_renewal_balance": _money(totals["renewal"]),
            "ent_first_loan_count": totals["first"],
            "ent_plant_equipment_balance": _money(min(loan_total, totals["mlt"] * pe_share + loan_total * 0.05)),
            "ent_npl_balance": _money(loan_total * npl_ratio), "ent_new_loan_rate": rate,
        }
        return values, t5

    def insurer_values(self, rng: random.Random, branch: _Branch, i: int, *, scale_back: float) -> dict[str, Any]:
        """Section 三 of an insurer: its share of the city's insured tenants in the ledgers, plus unfiled ones."""
        share = INSURER_SHARE.get(branch.short, 0.1) * rng.uniform(0.85, 1.15) * scale_back
        count, amount = self.insured[branch.city_code][i]
        parks = len(self.insured_parks[branch.city_code][i])
        enterprises = round(count * share * 1.25)
        sum_insured = amount * share * 1.25
        premium = sum_insured * rng.uniform(0.0025, 0.006)
        return {
            "insured_parks": min(parks, max(1 if enterprises else 0, round(parks * min(1.0, share * 2.2)))),
            "insured_enterprises": enterprises, "sum_insured": _money(sum_insured), "premium": _money(premium),
            "claims_paid": _money(premium * rng.uniform(0.2, 0.7)),
            "credit_insurance_loan_amount": _money(sum_insured * rng.uniform(0.03, 0.1)),
        }

    @staticmethod
    def narrative(branch: _Branch, period: Period, v: dict[str, Any]) -> dict[str, str]:
        end = f"{period.end.year}年{period.end.month}月末"
        return {
            "partner_bank_progress": (
                f"截至{end}，{branch.name}与辖内{v['partner_parks']}个小微企业园建立伙伴银行关系，其中担任主办行"
                f"{v['lead_parks']}个，设立园区服务站（点）{v['service_points']}个，服务小微企业园{v['parks_served']}个。"),
            "classification_progress": (
                f"配合园区运营方开展入园企业分类建档，对入园企业授信{v['ent_credit_count']}户、授信金额"
                f"{v['ent_credit_amount']}万元，贷款余额{v['ent_loan_balance']}万元。"),
            "experience": "推行“一园一策”，由主办行牵头组建园区金融服务团队，定期走访入园企业，开展银企对接。",
            "cases": "为园区内一家精密制造企业以厂房按揭方式发放中长期贷款，支持其购置设备、扩大产能。",
            "difficulties": "部分入园企业成立时间短、财务不规范、缺少有效抵押物，信用贷款投放仍有难度。",
            "suggestions": "建议加快园区厂房分割办证，完善政府性融资担保和风险补偿机制，推进涉企信用信息共享。",
        }

    # timestamps

    def set_times(self) -> None:
        """Write what is known only after the rows: the filings' counts and issues, and the
        ``auto_now`` timestamps ``bulk_create`` overwrote (one executemany, not a bulk_update:
        bulk_update's CASE expressions take minutes for ~10,000 filings)."""
        filings = list(self.t1_filings.values()) + self.t4_filings + self.t5_filings
        for filing in filings:
            filing.created_at, filing.updated_at = filing._demo_times
        _update_many(Filing, filings, ("created_at", "updated_at", "row_count", "warning_count", "issues", "explanation"))
        for summary in self.t2_summaries:  # 附表2 was recomputed when its 附表1 was last saved
            summary.computed_at = summary.filing.updated_at
        _update_many(T2Summary, self.t2_summaries, ("computed_at",))

    def build(self) -> dict[str, Any]:
        self.load()
        self.build_t1()
        self.build_t4_t5()
        self.set_times()
        filings = list(self.t1_filings.values()) + self.t4_filings + self.t5_filings
        by_status = Counter(f.status for f in filings)
        per_period = {code: 0 for code in PERIOD_CODES}
        for park_id, i in self.t1_filings:
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


def _update_many(model: type[Model], objs: list[Model], fields: tuple[str, ...]) -> None:
    """``UPDATE … WHERE id = %s`` for every object, values prepared by the fields themselves."""
    if not objs:
        return
    model_fields = [model._meta.get_field(name) for name in fields]
    qn = connection.ops.quote_name
    sql = (f"UPDATE {qn(model._meta.db_table)} SET " + ", ".join(f"{qn(f.column)} = %s" for f in model_fields)
           + f" WHERE {qn(model._meta.pk.column)} = %s")
    params = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in model_fields] + [obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        for start in range(0, len(params), 2000):
            cursor.executemany(sql, params[start:start + 2000])


def _pick(choices: tuple[tuple[str, float], ...], roll: float) -> str:
    total = sum(w for _, w in choices)
    acc = 0.0
    for value, weight in choices:
        acc += weight / total
        if roll < acc:
            return value
    return choices[-1][0]


RETURN_COMMENTS = ("请核实授信金额与贷款余额", "部分企业经营情况填报有误，请修改", "融资需求未满足原因说明不完整", "伙伴园区缺报，请补充")


def demo_transitions_build(*, seed: int) -> int:
    """A timeline for every seeded filing, consistent with its status and dates: 提交 (by the filer),
    主办行确认转报 (parks with a lead bank), 审核通过 or 退回 (by the city's branch regulator)."""
    from parks.models import PartnerLink
    from portal.models import Organisation
    from reports.filings.models import Filing
    from reports.workflow.models import FilingTransition

    rng = random.Random(f"{seed}/transitions")
    leads = dict(PartnerLink.objects.filter(role="lead", until__isnull=True, status="confirmed").order_by("-since").values_list("park_id", "branch_id"))
    branches = dict(Organisation.objects.filter(kind=OrgKind.BRANCH_REGULATOR).values_list("region__code", "pk"))
    rows: list[FilingTransition] = []
    filings = Filing.objects.filter(submitted_at__isnull=False).values(
        "pk", "schedule", "status", "park_id", "park__operator_id", "park__county__city_code", "branch_id", "branch__region__code",
        "submitted_at", "approved_at")
    for f in filings.order_by("pk"):
        filer = f["park__operator_id"] or f["branch_id"]
        city = f["park__county__city_code"] or f["branch__region__code"]
        submitted = f["submitted_at"]
        rows.append(FilingTransition(filing_id=f["pk"], action="submit", from_status="draft", to_status="submitted",
                                     actor_organisation_id=filer, at=submitted))
        lead = leads.get(f["park_id"]) if f["schedule"] == "T1" else None
        confirmed_at = submitted + dt.timedelta(hours=rng.randint(3, 48))
        if lead and f["status"] in ("confirmed", "approved", "returned"):
            rows.append(FilingTransition(filing_id=f["pk"], action="confirm", from_status="submitted", to_status="confirmed",
                                         actor_organisation_id=lead, at=confirmed_at, comment="已核对"))
        before = "confirmed" if lead else "submitted"
        if f["status"] == "approved":
            rows.append(FilingTransition(filing_id=f["pk"], action="approve", from_status=before, to_status="approved",
                                         actor_organisation_id=branches.get(city), at=f["approved_at"]))
        elif f["status"] == "returned":
            rows.append(FilingTransition(filing_id=f["pk"], action="return", from_status=before, to_status="returned",
                                         actor_organisation_id=branches.get(city), at=confirmed_at + dt.timedelta(hours=rng.randint(2, 72)),
                                         comment=rng.choice(RETURN_COMMENTS)))
    times = [r.at for r in rows]  # bulk_create's auto_now_add overwrites them on these instances too
    FilingTransition.objects.bulk_create(rows, batch_size=2000)
    created = list(FilingTransition.objects.order_by("pk").only("pk"))
    for obj, at in zip(created, times):
        obj.at = at
    _update_many(FilingTransition, created, ("at",))
    return len(rows)


def demo_filings_build(*, seed: int, scale: float, stdout: IO[str] | None = None) -> dict[str, Any]:
    """Write the demo filings (T1/T2 of the parks, T4/T5 of the banks and insurers) for the
    registers already in the database; returns the counts. Call inside a transaction."""
    result = _FilingsBuilder(seed=seed, scale=scale, stdout=stdout).build()
    result["transitions"] = demo_transitions_build(seed=seed)
    return result
