"""Park ↔ bank reconciliation (附表1 by 主要授信银行 against 附表5) and operating-risk signals from
园区大脑 readings: worlds built in each test, figures written by hand."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from parks import brain
from parks.models import BrainReading
from reports.filings.models import Filing, Period, T1Row, T5Row
from reports.monitoring import receivers, reconciliation, risk
from reports.monitoring.models import ReconciliationItem, RiskSignal
from reports.workflow.signals import filing_transitioned
from tests import factories as f
from tests.test_api_helpers import api

pytestmark = pytest.mark.usefixtures("_api_throttle_rates")


def t1_filing(park, period, rows, status="approved", banks=1):
    """``banks``: each enterprise's 授信银行家数 (1: only its 主要授信银行 lends to it)."""
    filing = Filing.objects.create(schedule="T1", period=period, park=park, status=status, row_count=len(rows))
    for n, (uscc, bank, credit, balance) in enumerate(rows, start=1):
        T1Row.objects.create(filing=filing, row_no=n, **f.t1_stored(uscc, main_bank=bank, credit_amount=D(credit), loan_balance=D(balance),
                                                                     lending_bank_count=banks,
                                                                     credit_loan_balance=D(0), medium_long_term_balance=D(0), renewal_balance=D(0)))
    return filing


def t5_filing(branch, period, park, count, credit, balance, **extra):
    filing = Filing.objects.create(schedule="T5", period=period, branch=branch, status="approved", row_count=1, **extra)
    T5Row.objects.create(filing=filing, row_no=1, **f.t5_stored(park.code, park.name, ent_credit_count=count, ent_credit_amount=D(credit),
                                                                ent_loan_balance=D(balance)))
    return filing


@pytest.fixture
def recon(world):
    """西湖园 2020Q3: its 附表1 says 甲银行 lends to 3 enterprises (1,500 授信, 900 余额) and 乙银行 to 1
    (1,000 / 800); 甲银行's 附表5 says 3 / 1,550 / 600 (余额 300 apart: above the tolerance; 授信 50
    apart: below), 乙银行's says 2 / 1,050 / 800 (户数 1 apart on 1: above)."""
    w = world
    w.period = Period.objects.get(code="2020Q3")
    usccs = [f.next_uscc("330106") for _ in range(4)]
    w.t1 = t1_filing(w.p_hz, w.period, [(usccs[0], "甲银行", 500, 300), (usccs[1], "甲银行股份有限公司", 500, 300),
                                        (usccs[2], "甲 银 行", 500, 300), (usccs[3], "乙银行", 1000, 800)])
    w.t5_a = t5_filing(w.bank_a_hz, w.period, w.p_hz, 3, 1550, 600)
    w.t5_b = t5_filing(w.bank_b_hz, w.period, w.p_hz, 2, 1050, 800)
    return w


def open_items():
    return {(i.branch.name, i.figure): (i.park_value, i.bank_value, i.difference)
            for i in ReconciliationItem.objects.filter(is_open=True).select_related("branch")}


def test_differences_above_the_tolerance_are_listed_and_those_below_are_not(recon):
    w = recon
    assert reconciliation.reconciliation_rebuild(period_id=w.period.pk)["created"] == 2
    assert open_items() == {("甲银行杭州分行", "balance"): (D("900.00"), D("600.00"), D("300.00")),
                            ("乙银行杭州分行", "count"): (D("1"), D("2"), D("-1"))}
    # idempotent: the same filings give the same rows, nothing written
    assert reconciliation.reconciliation_rebuild(period_id=w.period.pk) == {"created": 0, "updated": 0, "open": 2}
    assert ReconciliationItem.objects.count() == 2


def test_a_bank_may_lend_to_enterprises_served_by_several_banks_without_being_their_main_bank(world):
    """西湖园: 甲银行 is the main bank of 3 enterprises (each with 2 lending banks) and 乙银行 of 1. 乙银行's
    附表5 may count up to 1 + 3 户 (500 授信 each): 2 户 / 1,050 is inside the range, 6 户 / 3,000 is
    above it (by 2 户 and 500 万元)."""
    w = world
    w.period = Period.objects.get(code="2020Q3")
    usccs = [f.next_uscc("330106") for _ in range(4)]
    t1_filing(w.p_hz, w.period, [(usccs[0], "甲银行", 500, 300), (usccs[1], "甲银行", 500, 300), (usccs[2], "甲银行", 500, 300)], banks=2)
    T1Row.objects.create(filing=Filing.objects.get(schedule="T1", park=w.p_hz, period=w.period), row_no=4,
                         **f.t1_stored(usccs[3], main_bank="乙银行", credit_amount=D(1000), loan_balance=D(800), lending_bank_count=1,
                                       credit_loan_balance=D(0), medium_long_term_balance=D(0), renewal_balance=D(0)))
    t5 = t5_filing(w.bank_b_hz, w.period, w.p_hz, 2, 1050, 800)
    assert reconciliation.reconciliation_rebuild(period_id=w.period.pk)["open"] == 0
    T5Row.objects.filter(filing=t5).update(ent_credit_count=6, ent_credit_amount=D(3000))
    reconciliation.reconciliation_rebuild(period_id=w.period.pk)
    items = {i.figure: (i.park_value, i.park_value_max, i.bank_value, i.difference) for i in ReconciliationItem.objects.filter(is_open=True)}
    assert items == {"count": (D("1"), D("4"), D("6"), D("-2")), "credit": (D("1000.00"), D("2500.00"), D("3000.00"), D("-500.00"))}


def test_tolerance_is_ten_percent_and_a_floor():
    assert not reconciliation.differs(figure="credit", park_value=D(1000), bank_value=D(901))  # 99 < 100 万元
    assert not reconciliation.differs(figure="credit", park_value=D(1000), bank_value=D(900))  # 100 = 10 %, not above
    assert reconciliation.differs(figure="credit", park_value=D(1000), bank_value=D(890))
    assert not reconciliation.differs(figure="balance", park_value=D(5000), bank_value=D(4600))  # 400 ≤ 10 % of 5,000
    assert not reconciliation.differs(figure="count", park_value=D(10), bank_value=D(11))  # 1 ≤ 10 % of 11
    assert reconciliation.differs(figure="count", park_value=D(3), bank_value=D(4))


def test_a_corrected_filing_closes_the_item_and_keeps_its_comments(recon):
    w = recon
    reconciliation.reconciliation_rebuild(period_id=w.period.pk)
    item = ReconciliationItem.objects.get(branch=w.bank_a_hz, figure="balance")
    api(w.users["bank_a_hz"]).post(f"/api/v1/reconciliation-items/{item.pk}/comment/", {"text": "附表5漏报一笔"}, format="json")
    # the bank amends: version 2 approved with the right balance
    Filing.objects.filter(pk=w.t5_a.pk).update(is_current=False)
    t5_filing(w.bank_a_hz, w.period, w.p_hz, 3, 1550, 880, version=2, amends=w.t5_a)
    reconciliation.reconciliation_rebuild(period_id=w.period.pk, park_ids=[w.p_hz.pk])
    item.refresh_from_db()
    assert (item.is_open, item.bank_value, item.comments.count()) == (False, D("880.00"), 1)


def test_a_workflow_step_enqueues_the_rebuild_of_its_parks_on_commit(recon, monkeypatch, django_capture_on_commit_callbacks):
    w = recon
    calls = []
    monkeypatch.setattr(reconciliation.reconciliation_rebuild_task, "delay", lambda period_id, park_ids: calls.append(("recon", period_id, park_ids)))
    monkeypatch.setattr(risk.risk_signals_task, "delay", lambda park_id: calls.append(("risk", park_id)))
    with django_capture_on_commit_callbacks(execute=True):
        filing_transitioned.send(sender=Filing, filing=w.t5_b)
        filing_transitioned.send(sender=Filing, filing=w.t1)
    assert calls == [("recon", w.period.pk, [w.p_hz.pk]), ("recon", w.period.pk, [w.p_hz.pk]), ("risk", w.p_hz.pk)]
    assert receivers.filing_transitioned_receiver  # connected in ReportsConfig.ready (dispatch_uid)


def test_reconciliation_access_and_comments_over_the_api(recon):
    w = recon
    reconciliation.reconciliation_rebuild(period_id=w.period.pk)
    item_a = ReconciliationItem.objects.get(branch=w.bank_a_hz)
    url = f"/api/v1/reconciliation-items/{item_a.pk}/"
    for who in ("hz_branch", "province", "bank_a_hz", "op_hz"):
        assert api(w.users[who]).get(url).status_code == 200, who
    for who in ("bank_b_hz", "op_hz2", "wz_branch", "bank_a_wz", "hz_jxj"):
        assert api(w.users[who]).get(url).status_code == 404, who
    listed = api(w.users["bank_b_hz"]).get("/api/v1/reconciliation-items/?period=2020Q3").json()
    assert [r["figure"] for r in listed["results"]] == ["count"]
    by_park = api(w.users["bank_b_hz"]).get(f"/api/v1/reconciliation-items/?park={w.p_hz.code}")
    assert by_park.status_code == 200 and [r["figure"] for r in by_park.json()["results"]] == ["count"]  # a partner names its item's park
    assert api(w.users["bank_b_hz"]).get(f"/api/v1/reconciliation-items/?park={w.p_hz2.code}").json()["results"] == []  # its city's
    assert api(w.users["bank_a_wz"]).get(f"/api/v1/reconciliation-items/?park={w.p_hz.code}").status_code == 400  # another city's
    t5_filing(w.bank_a_wz, w.period, w.p_hz, 9, 9000, 9000)  # until its own 附表5 names that park
    reconciliation.reconciliation_rebuild(period_id=w.period.pk)
    across = api(w.users["bank_a_wz"]).get(f"/api/v1/reconciliation-items/?park={w.p_hz.code}")
    assert across.status_code == 200 and {r["figure"] for r in across.json()["results"]} >= {"count"}
    r = api(w.users["op_hz"]).post(url + "comment/", {"text": "园区按主要授信银行归集，含一笔银团贷款"}, format="json")
    assert r.status_code == 201 and r.json()["organisation"] == "西湖园运营公司"
    assert api(w.users["op_hz"]).post(url + "comment/", {"text": ""}, format="json").status_code == 400
    assert api(w.users["op_hz2"]).post(url + "comment/", {"text": "x"}, format="json").status_code == 404
    assert api(w.users["op_hz"]).get(url).json()["comments"][0]["text"].startswith("园区按")


# --- risk signals ------------------------------------------------------------------------------

def readings(enterprise, park, user, **overrides):
    """24 months 2019-01..2020-12 of 1,000 kWh, some months overridden ({"2020-11": 650})."""
    rows = []
    for year in (2019, 2020):
        for month in range(1, 13):
            kwh = D(overrides.get(f"{year}-{month:02d}", 1000))
            rows.append(BrainReading(enterprise=enterprise, park=park, month=dt.date(year, month, 1), electricity_kwh=kwh,
                                     pushed_by=user, pushed_at=timezone.now()))
    BrainReading.objects.bulk_create(rows)


@pytest.fixture
def risky(world):
    """西湖园: e_hz has a loan (approved 2020Q3 附表1: 300 余额 at 甲银行) and a tenant without one; both
    use 35 % less power in Nov and Dec 2020 than a year before (650, 640 against 1,000)."""
    w = world
    w.period = Period.objects.get(code="2020Q3")
    w.e_free = f.TenancyFactory(park=w.p_hz, enterprise=f.EnterpriseFactory(name="西湖无贷企业", uscc=f.next_uscc("330106"))).enterprise
    t1_filing(w.p_hz, w.period, [(w.e_hz.uscc, "甲银行", 500, 300), (w.e_free.uscc, "", 0, 0)])
    for ent in (w.e_hz, w.e_free):
        readings(ent, w.p_hz, w.users["op_hz"], **{"2020-11": 650, "2020-12": 640})
    return w


def test_two_months_down_35_percent_with_a_loan_is_a_signal_and_without_a_loan_is_not(risky):
    w = risky
    assert risk.risk_signals_rebuild(park_id=w.p_hz.pk) == {"created": 1, "updated": 0, "active": 1}
    s = RiskSignal.objects.get()
    assert (s.enterprise, s.month, s.drop, s.previous_drop, s.loan_balance, s.branch, s.main_bank) == (
        w.e_hz, dt.date(2020, 12, 1), D("36.00"), D("35.00"), D("300.00"), w.bank_a_hz, "甲银行")
    assert risk.risk_signals_rebuild(park_id=w.p_hz.pk) == {"created": 0, "updated": 0, "active": 1}  # idempotent
    # the park's summed use fell the same way: flagged on its page
    assert risk.park_readings_drop(park_id=w.p_hz.pk)["flagged"] is True
    assert risk.park_readings_drop(park_id=w.p_hz2.pk) is None


def test_one_month_down_or_a_smaller_fall_is_no_signal(world):
    w = world
    t1_filing(w.p_hz, Period.objects.get(code="2020Q3"), [(w.e_hz.uscc, "甲银行", 500, 300)])
    readings(w.e_hz, w.p_hz, w.users["op_hz"], **{"2020-10": 800, "2020-11": 600, "2020-12": 750})
    assert risk.risk_signals_rebuild(park_id=w.p_hz.pk)["active"] == 0


def test_a_push_recomputes_the_signals_on_commit_and_a_recovery_deactivates_them(risky, monkeypatch, django_capture_on_commit_callbacks):
    w = risky
    monkeypatch.setattr(risk.risk_signals_task, "delay", lambda park_id: risk.risk_signals_rebuild(park_id=park_id))
    with django_capture_on_commit_callbacks(execute=True):
        result = brain.brain_readings_upsert(actor=w.users["op_hz"], park=w.p_hz, rows=[{"uscc": w.e_hz.uscc, "month": "2020-12", "electricity_kwh": 630}])
    assert result.saved and RiskSignal.objects.get().kwh == D("630.00")
    with django_capture_on_commit_callbacks(execute=True):  # an unchanged push sends nothing
        brain.brain_readings_upsert(actor=w.users["op_hz"], park=w.p_hz, rows=[{"uscc": w.e_hz.uscc, "month": "2020-12", "electricity_kwh": 630}])
    with django_capture_on_commit_callbacks(execute=True):
        brain.brain_readings_upsert(actor=w.users["op_hz"], park=w.p_hz, rows=[{"uscc": w.e_hz.uscc, "month": "2020-12", "electricity_kwh": 990}])
    assert RiskSignal.objects.get().is_active is False


def test_acknowledge_with_a_note_and_who_sees_a_signal(risky):
    w = risky
    risk.risk_signals_rebuild(park_id=w.p_hz.pk)
    s = RiskSignal.objects.get()
    url = f"/api/v1/risk-signals/{s.pk}/"
    for who in ("bank_a_hz", "hz_branch", "province"):
        assert api(w.users[who]).get(url).status_code == 200, who
    for who in ("bank_b_hz", "bank_a_wz", "op_hz", "op_hz2", "wz_branch", "hz_jxj"):
        assert api(w.users[who]).get(url).status_code == 404, who
    assert api(w.users["bank_b_hz"]).post(url + "acknowledge/", {"note": "x"}, format="json").status_code == 404
    assert api(w.users["bank_a_hz"]).post(url + "acknowledge/", {}, format="json").status_code == 400
    r = api(w.users["bank_a_hz"]).post(url + "acknowledge/", {"note": "已走访：企业11月起停产检修，12月底复工"}, format="json")
    assert r.status_code == 200 and r.json()["note"].startswith("已走访") and r.json()["acknowledged_by"] == "bank_a_hz"
    # a recompute keeps the acknowledgement
    risk.risk_signals_rebuild(park_id=w.p_hz.pk)
    s.refresh_from_db()
    assert s.acknowledged_at and s.note.startswith("已走访")
    assert api(w.users["province"]).post(url + "acknowledge/", {"note": "x"}, format="json").status_code == 403


def test_the_desk_pages(risky, client):
    w = risky
    risk.risk_signals_rebuild(park_id=w.p_hz.pk)
    s = RiskSignal.objects.get()
    client.force_login(w.users["hz_branch"])
    page = client.get("/monitoring/risk/").content.decode()
    assert w.e_hz.name in page and "−35.00% / −36.00%" in page
    detail = client.get(s.get_absolute_url()).content.decode()
    assert 'id="risk-chart-data"' in detail and '"2020-12"' in detail
    r = client.post(s.get_absolute_url(), {"note": "分局已约谈"})
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.note == "分局已约谈"
    client.force_login(w.users["bank_b_hz"])
    assert client.get(s.get_absolute_url()).status_code == 404
