"""Declarative tables of the demo filings: the periods, the demo's "today", the shares, rates and
paths the parks' ledgers and the banks' 附表4/5 figures follow, and the texts the filings carry."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from banks.choices import InstitutionType
from parks.choices import Batch
from reports.filings.periods import BASELINE, quarters_between
from reports.schedules.base import Issue

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

# Sums of a bank's ledger rows in one park and period (main_bank = the bank).
AGG_KEYS = ("credit_count", "credit_amount", "loan_count", "loan_balance", "inclusive_count", "inclusive_balance",
            "credit_loan_balance", "mlt_balance", "renewal_count", "renewal_balance", "first_loan_count", "rate_x_loan")
(A_CC, A_CA, A_LC, A_LB, A_IC, A_IB, A_CLB, A_MLT, A_RC, A_RB, A_FL, A_RXL) = range(len(AGG_KEYS))


RETURN_COMMENTS = ("请核实授信金额与贷款余额", "部分企业经营情况填报有误，请修改", "融资需求未满足原因说明不完整", "伙伴园区缺报，请补充")
