"""An unchanged re-send of a full replace is answered from the cache (``reports.filings.resend``)
with the very answer the dry-run probe would give; anything that moved since goes the ordinary way."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from reports.filings import quality_services, services
from reports.filings.models import Filing, Period, T1Row
from reports.workflow import services as workflow
from tests import factories as f
from tests.test_api_helpers import api, t1_row
from tests.test_filing_pages import t1_raw
from tests.test_quality_history import approve_t1

pytestmark = pytest.mark.usefixtures("_api_throttle_rates", "_media")


def _post(client, filing, body):
    lock = Filing.objects.get(pk=filing.pk).lock_version
    return client.post(f"/api/v1/filings/{filing.pk}/rows/", body, format="json", HTTP_IF_MATCH=f'"{lock}"')


def _no_parsing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the rows were parsed again")

    monkeypatch.setattr(services, "validate_rows", refuse)


def test_a_resend_is_answered_from_the_cache_with_the_same_answer(api_world, monkeypatch):
    w = api_world
    filing, client = w.filings.t1_op_hz, api(w.users["op_hz"])
    body = {"rows": [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name, loan_rate=20),  # a warning: rate above 15.4 %
                     t1_row(f.next_uscc("330106"), enterprise_name="新企业")]}
    assert _post(client, filing, body).json()["saved"] is True
    probe = _post(client, filing, body).json()  # ordinary probe (the save registered a tenant: context moved)
    _no_parsing(monkeypatch)
    again = _post(client, filing, body)
    assert again.status_code == 200
    assert again.json() == probe and probe["unchanged"] == 2 and probe["saved"] is False
    assert any(i["code"] == "loan_rate_high" for i in probe["warnings"])


def test_a_moved_context_or_another_body_is_read_again(api_world, monkeypatch, settings):
    w = api_world
    filing, client = w.filings.t1_op_hz, api(w.users["op_hz"])
    body = {"rows": [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name, loan_rate=8)]}
    assert _post(client, filing, body).json()["saved"] is True
    lock = Filing.objects.get(pk=filing.pk).lock_version
    settings.RATE_WARNING_THRESHOLD = "5"  # the rules' threshold moved: the same rows now warn
    again = _post(client, filing, body).json()
    assert again["unchanged"] == 1 and "loan_rate_high" in [i["code"] for i in again["warnings"]]
    body["rows"][0]["employees"] = 61  # another body: parsed and saved
    assert _post(client, filing, body).json()["updated"] == 1
    assert Filing.objects.get(pk=filing.pk).lock_version == lock + 1
    assert T1Row.objects.get(filing=filing).employees == 61
    _no_parsing(monkeypatch)
    assert _post(client, filing, body).json()["unchanged"] == 1  # and that save is remembered in turn


# --- the quality edits against history read more than the rows and the Context ------------------------

def _q3_resent(world, loan_balance: int):
    """西湖智造's 2020Q3 附表1 saved through the API (previous approved 2020Q2: loan 80), and its
    client; the re-send is then remembered."""
    client = api(world.users["op_hz"])
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=Period.objects.get(code="2020Q3"),
                                  park=world.p_hz)
    body = {"rows": [t1_raw(world.e_hz.uscc, "西湖甲企业有限公司", credit_amount="100", loan_balance=str(loan_balance))]}
    assert _post(client, filing, body).json()["saved"] is True
    assert _post(client, filing, body).json()["unchanged"] == 1  # remembered now
    return client, filing, body


def _warning_codes(answer) -> list[str]:
    return [i["code"] for i in answer["warnings"]]


@pytest.fixture
def ledger_q2(world):
    """西湖智造's approved 2020Q2 附表1: 西湖甲企业, credit 100, loan 80."""
    return t1_approved(world, Period.objects.get(code="2020Q2"), loan_balance="80")


def t1_approved(world, period, *, loan_balance: str, credit_amount: str = "100", filing=None) -> Filing:
    op = world.users["op_hz"]
    filing = filing or services.filing_open(actor=op, schedule="T1", period=period, park=world.p_hz)
    res = services.filing_rows_replace(actor=op, filing=filing, expected_lock_version=filing.lock_version,
                                       raw_rows=[t1_raw(world.e_hz.uscc, "西湖甲企业有限公司", loan_balance=loan_balance,
                                                                 credit_amount=credit_amount)])
    assert res.saved, res.issue_dicts()
    return approve_t1(world, res.filing)


def test_a_resend_after_a_threshold_change_is_checked_again(world, ledger_q2):
    client, filing, body = _q3_resent(world, loan_balance=48)  # −40 %: within the 50 % in force
    assert "history_loan_jump" not in _warning_codes(_post(client, filing, body).json())
    threshold = {t.key: t for t in quality_services.quality_thresholds_ensure()}["enterprise_change_share"]
    quality_services.quality_threshold_update(actor=world.users["province"], threshold=threshold, value=Decimal(30), reason="收紧")
    again = _post(client, filing, body).json()
    assert again["unchanged"] == 1 and again["saved"] is False
    assert "history_loan_jump" in _warning_codes(again)


def test_a_resend_after_the_previous_quarters_approved_figures_change_is_checked_again(world, ledger_q2):
    client, filing, body = _q3_resent(world, loan_balance=48)  # −40 % against 80
    assert "history_loan_jump" not in _warning_codes(_post(client, filing, body).json())
    amended = workflow.filing_amend(actor=world.users["op_hz"], filing=ledger_q2)
    t1_approved(world, None, loan_balance="120", credit_amount="150", filing=amended)  # v2 approved: 48 is −60 % of 120
    again = _post(client, filing, body).json()
    assert again["unchanged"] == 1
    [jump] = [i for i in again["warnings"] if i["code"] == "history_loan_jump"]
    assert "上期 120.00 万元" in jump["message"]


# --- what the key must cover: the register, tenants elsewhere, the lock, who asks, the version ------------

def _resent(w, rows):
    """西湖智造's 2020Q3 附表1 saved with ``rows`` through the API, then re-sent until it is
    remembered (the save may register new tenants: the context moves once)."""
    filing, client = w.filings.t1_op_hz, api(w.users["op_hz"])
    body = {"rows": rows}
    assert _post(client, filing, body).status_code == 200  # saved (or already so)
    first = _post(client, filing, body).json()
    assert first["unchanged"] == len(rows)
    return filing, client, body, first


def _parses(monkeypatch) -> list[int]:
    """Counts the validations the service runs (a re-send from the cache runs none)."""
    calls: list[int] = []
    original = services.validate_rows

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "validate_rows", counted)
    return calls


def test_a_new_tenant_or_a_renamed_one_in_the_register_is_read_again(api_world, monkeypatch):
    w = api_world
    filing, client, body, first = _resent(w, [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name)])
    calls = _parses(monkeypatch)
    assert _post(client, filing, body).json() == first and not calls  # from the cache
    newcomer = f.TenancyFactory(park=w.p_hz, enterprise=f.EnterpriseFactory(name="新入园企业有限公司")).enterprise
    again = _post(client, filing, body).json()
    assert calls and again["unchanged"] == 1
    assert [i["message"] for i in again["warnings"] if i["code"] == "tenant_missing"] == [
        f"期末在园企业“新入园企业有限公司”（{newcomer.uscc}）未列入附表1"]
    calls.clear()
    assert _post(client, filing, body).json() == again and not calls  # remembered in turn
    type(newcomer).objects.filter(pk=newcomer.pk).update(name="改名企业有限公司")  # no signal, no filing write
    renamed = _post(client, filing, body).json()
    assert calls and "改名企业有限公司" in [i["message"] for i in renamed["warnings"] if i["code"] == "tenant_missing"][0]


def test_a_stay_elsewhere_begun_after_the_save_is_read_again(api_world, monkeypatch):
    w = api_world
    gone = f.TenancyFactory(park=w.p_hz, enterprise=f.EnterpriseFactory(name="已退园企业有限公司"),
                            entered_on=dt.date(2019, 1, 1), left_on=dt.date(2020, 6, 30)).enterprise
    filing, client, body, first = _resent(w, [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name),
                                              t1_row(gone.uscc, enterprise_name=gone.name)])
    assert "tenant_left" in _warning_codes(first)
    calls = _parses(monkeypatch)
    assert _post(client, filing, body).json() == first and not calls
    f.TenancyFactory(park=w.p_hz2, enterprise=gone, entered_on=dt.date(2020, 7, 1))  # now a tenant of 余杭 at period end
    again = _post(client, filing, body)
    assert calls and again.status_code == 400
    assert [e["code"] for e in again.json()["errors"]] == ["tenant_elsewhere"]
    assert Filing.objects.get(pk=filing.pk).lock_version == first["lock_version"]


def test_a_register_change_while_the_rules_ran_is_not_remembered(api_world, monkeypatch):
    """The rules read the register, then someone else registers a tenant before the save ends: the
    save's answer was right for what the rules read, but must not answer a later re-send."""
    from reports.filings import selectors

    w = api_world
    filing, client = w.filings.t1_op_hz, api(w.users["op_hz"])
    body = {"rows": [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name, employees=77)]}
    original = selectors.park_register_at
    late: list = []

    def read_then_changed(**kwargs):
        answer = original(**kwargs)
        if not late:
            late.append(f.TenancyFactory(park=w.p_hz, enterprise=f.EnterpriseFactory(name="迟到企业有限公司")).enterprise)
        return answer

    monkeypatch.setattr(selectors, "park_register_at", read_then_changed)
    saved = _post(client, filing, body).json()
    assert saved["saved"] is True and "tenant_missing" not in _warning_codes(saved)
    again = _post(client, filing, body).json()
    assert again["unchanged"] == 1 and "tenant_missing" in _warning_codes(again)


def test_a_resend_to_a_locked_period_or_by_someone_else_is_refused(api_world):
    w = api_world
    filing, client, body, first = _resent(w, [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name)])
    other = _post(api(w.users["op_hz2"]), filing, body)
    assert other.status_code in (403, 404)
    Period.objects.filter(pk=filing.period_id).update(lock_date=dt.date(2020, 10, 1))
    locked = _post(client, filing, body)
    assert locked.status_code == 400 and "锁定" in locked.content.decode()


def test_the_same_bytes_again_still_name_the_version_and_keep_their_errors(api_world):
    w = api_world
    filing, client, body, first = _resent(w, [t1_row(w.e_hz.uscc, enterprise_name=w.e_hz.name)])
    url = f"/api/v1/filings/{filing.pk}/rows/"
    assert client.post(url, body, format="json").status_code == 428  # the bytes are known, the version is still asked for
    assert client.post(url, body, format="json", HTTP_IF_MATCH='"x"').status_code == 400
    old = client.post(url, body, format="json", HTTP_IF_MATCH=f'"{first["lock_version"] - 1}"')
    assert old.status_code == 200 and old.json() == first  # a retry naming the version before its first attempt
    unknown = {"rows": [{**body["rows"][0], "no_such_field": 1}]}
    for _ in range(2):
        answer = _post(client, filing, unknown)
        assert answer.status_code == 400 and [e["code"] for e in answer.json()["errors"]] == ["unknown_field"]
