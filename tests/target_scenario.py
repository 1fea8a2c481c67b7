"""The seeded scenario of the target and dashboard tests (the ``scenario`` fixture in conftest.py)
and the helpers it is built from; the target tests compute their expectations from ``T4``."""
from __future__ import annotations

from decimal import Decimal as D

from django.utils import timezone

from parks.choices import PartnerRole
from reports.filings import services
from reports.filings.choices import FilingStatus
from reports.filings.models import Filing, Period, T4Record
from reports.summaries import rollups
from reports.targets.engine import target_results_rebuild
from reports.workflow import services as workflow
from reports.workflow.transitions import lead_bank_id
from tests import factories as f
from tests.test_t1_t2 import raw_row


def approve(world, park, op_key, rows, period, reviewer_key):
    op = world.users[op_key]
    filing = services.filing_open(actor=op, schedule="T1", period=period, park=park)
    result = services.filing_rows_replace(actor=op, filing=filing, raw_rows=rows)
    assert result.saved, result.issue_dicts()
    if result.warnings:  # e.g. a tenant not on the ledger (held against the register): explained
        services.filing_explanation_save(actor=op, filing=filing, explanation="部分在园企业尚在走访建档，下季度补报。")
    workflow.filing_submit(actor=op, filing=filing)
    lead = lead_bank_id(filing)
    if lead:
        workflow.filing_confirm(actor=next(u for u in world.users.values() if u.organisation_id == lead), filing=filing)
    workflow.filing_approve(actor=world.users[reviewer_key], filing=filing)
    return filing


def tenants(park, n, county):
    while park.tenancies.count() < n:
        f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(uscc=f.next_uscc(county)))
    return [t.enterprise.uscc for t in park.tenancies.order_by("pk")]


def ledger(usccs, credits, first=()):
    rows = []
    for i, (uscc, credit) in enumerate(zip(usccs, credits)):
        extra = {"is_first_loan": "是"} if i in first else {}
        rows.append(raw_row(i, uscc, credit, **extra))
    return rows


# 附表4 of each branch (万元 / 户 / %): (2019Q3, 2019Q4, 2020Q3)
T4 = {
    "a_hz": {"all_loan_balance": (98000, 100000, 110000), "inclusive_loan_balance": (19000, 20000, 23000),
             "inclusive_financing_cost": ("5.9", "5.8", "5.2"), "inclusive_loan_count": (2950, 3000, 2900),
             "all_npl_balance": (900, 900, 1000), "inclusive_npl_balance": (300, 300, 1000), "sme_renewal_count": (100, 110, 120),
             "inclusive_new_loan_rate": ("5.5", "5.4", "5.3"), "sme_renewal_balance": (900, 1000, 1200),
             "sme_credit_loan_balance": (3000, 3100, 3600), "sme_loan_balance": (40000, 41000, 45000)},
    "b_hz": {"all_loan_balance": (48000, 50000, 52000), "inclusive_loan_balance": (7800, 8000, 9000),
             "inclusive_financing_cost": ("6.1", "6.0", "5.6"), "inclusive_loan_count": (1100, 1200, 1300),
             "all_npl_balance": (500, 500, 520), "inclusive_npl_balance": (100, 100, 110), "sme_renewal_count": (50, 55, 60),
             "inclusive_new_loan_rate": ("5.9", "5.8", "6.0"), "sme_renewal_balance": (400, 420, 500),
             "sme_credit_loan_balance": (1500, 1600, 1800), "sme_loan_balance": (20000, 21000, 22000)},
    "a_wz": {"all_loan_balance": (39000, 40000, 45000), "inclusive_loan_balance": (5800, 6000, 6300),
             "inclusive_financing_cost": ("6.3", "6.2", "6.0"), "inclusive_loan_count": (800, 900, 950),
             "all_npl_balance": (400, 400, 420), "inclusive_npl_balance": (90, 90, 95), "sme_renewal_count": (40, 45, 48),
             "inclusive_new_loan_rate": ("6.2", "6.1", "6.0"), "sme_renewal_balance": (300, 310, 330),
             "sme_credit_loan_balance": (1000, 1100, 1200), "sme_loan_balance": (15000, 16000, 17000)},
    "nb": {"all_loan_balance": (58000, 60000, 66000), "inclusive_loan_balance": (9500, 10000, 13000),
           "inclusive_financing_cost": ("5.6", "5.5", "4.6"), "inclusive_loan_count": (1500, 1600, 1800),
           "all_npl_balance": (600, 600, 650), "inclusive_npl_balance": (150, 150, 160), "sme_renewal_count": (1000, 1050, 1150),
           "inclusive_new_loan_rate": ("5.0", "4.9", "4.8"), "sme_renewal_balance": (2000, 2100, 2500),
           "sme_credit_loan_balance": (2000, 2100, 2600), "sme_loan_balance": (30000, 31000, 34000)},
}
CODES = ("2019Q3", "2019Q4", "2020Q3")


def t4_value(branch_key: str, key: str, code: str) -> D:
    return D(str(T4[branch_key][key][CODES.index(code)]))


def t4_approved(branch, code: str, branch_key: str) -> None:
    period = Period.objects.get(code=code)
    filing = Filing.objects.create(schedule="T4", period=period, branch=branch, status=FilingStatus.APPROVED, approved_at=timezone.now())
    T4Record.objects.create(filing=filing, **{k: t4_value(branch_key, k, code) for k in T4[branch_key]})


def scenario_build(world):
    """Four parks (杭州 四星 + 三星, 温州 未评定, 宁波 五星) with approved 2020Q3 ledgers; four bank
    branches (one in Ningbo, a city commercial bank) with approved 附表4 for 2019Q3, 2019Q4, 2020Q3
    (the ``scenario`` fixture of conftest.py)."""
    period = Period.objects.get(code="2020Q3")
    w = world
    w.p_hz.star_rating, w.p_hz2.star_rating = 4, 3
    w.p_hz.save(), w.p_hz2.save()
    w.nb_reg = f.branch_regulator("330200", name="宁波银保监局")
    nb_inst = f.InstitutionFactory(name="宁波测试银行股份有限公司", short_name="宁波测试银行", type="city_commercial")
    w.bank_nb = f.bank_branch("330200", nb_inst, name="宁波测试银行宁波分行")
    w.op_nb = f.park_operator("330203", name="海曙园运营公司")
    w.p_nb = f.ParkFactory(code="330203001", name="海曙五星小微企业园", county=f.region("330203"), operator=w.op_nb, star_rating=5)
    f.PartnerLinkFactory(park=w.p_nb, branch=w.bank_nb, role=PartnerRole.LEAD)
    for _ in range(2):
        f.PartnerLinkFactory(park=w.p_nb, branch=f.bank_branch("330200"))
    for key in ("nb_reg", "bank_nb", "op_nb"):
        w.users[key] = f.UserFactory(username=key, organisation=getattr(w, key))
    approve(w, w.p_hz, "op_hz", ledger(tenants(w.p_hz, 4, "330106"), ["100", "100", "100", "0"], first=(0,)), period, "hz_branch")
    approve(w, w.p_hz2, "op_hz2", ledger(tenants(w.p_hz2, 2, "330110")[:1], ["50"]), period, "hz_branch")
    approve(w, w.p_wz, "op_wz", ledger(tenants(w.p_wz, 2, "330302"), ["0", "0"]), period, "wz_branch")
    approve(w, w.p_nb, "op_nb", ledger(tenants(w.p_nb, 2, "330203"), ["80", "80"], first=(0, 1)), period, "nb_reg")
    branches = {"a_hz": w.bank_a_hz, "b_hz": w.bank_b_hz, "a_wz": w.bank_a_wz, "nb": w.bank_nb}
    for code in CODES:
        for key, branch in branches.items():
            t4_approved(branch, code, key)
        rollups.summaries_rebuild_all(period=Period.objects.get(code=code))
    counts = {code: target_results_rebuild(period_id=Period.objects.get(code=code).pk) for code in CODES}
    w.branches = branches
    w.counts = counts
    return w
