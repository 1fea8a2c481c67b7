"""Grants of access are two-party facts: a partner link counts only once the park (or the branch)
confirms it, a park has one lead bank at a time, and an enterprise that is a tenant of one park
cannot be claimed, renamed or put on the ledger of another."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from parks.models import Enterprise, PartnerLink, Tenancy
from reports.filings import services
from reports.filings.models import Filing, ImportJob, Period, T1Row
from reports.schedules import T1
from reports.workflow import services as workflow
from reports.workflow.transitions import lead_bank_id
from tests import factories as f
from tests.test_api_helpers import api, t1_row


@pytest.fixture
def new_park(world):
    """A Hangzhou park with a T1 for 2020Q3 and no partner bank yet."""
    op = f.park_operator("330106", name="新园运营公司")
    park = f.ParkFactory(code="330106050", name="西湖新园", county=f.region("330106"), operator=op)
    tenant = f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(name="新园甲企业有限公司", uscc=f.next_uscc("330106")))
    user = f.UserFactory(username="op_new", organisation=op)
    period = Period.objects.get(code="2020Q3")
    filing = services.filing_open(actor=user, schedule="T1", period=period, park=park)
    assert services.filing_rows_replace(actor=user, filing=filing, raw_rows=[t1_row(tenant.enterprise.uscc)]).saved
    return park, user, filing


def _sees(client, filing: Filing, park) -> dict[str, bool]:
    tenancies = client.get("/api/v1/tenancies/", {"park": park.pk}).json()
    return {
        "rows": client.get(f"/api/v1/filings/{filing.pk}/rows/").status_code == 200,
        "filing": client.get(f"/api/v1/filings/{filing.pk}/").status_code == 200,
        "tenants": bool(tenancies.get("results")) if isinstance(tenancies, dict) else False,
    }


# --- partner links ------------------------------------------------------------------------------------

def test_a_self_declared_back_dated_lead_bank_sees_nothing_until_the_branch_confirms(world, new_park):
    park, op_user, filing = new_park
    bank = api(world.users["bank_a_hz"])
    response = bank.post("/api/v1/partner-links/", {"park": park.pk, "role": "lead", "sub_branch": "x", "since": "2000-01-01"},
                         format="json")
    assert response.status_code == 201, response.json()
    link = response.json()
    assert (link["status"], link["is_current"]) == ("proposed", False)
    assert _sees(bank, filing, park) == {"rows": False, "filing": False, "tenants": False}
    assert lead_bank_id(filing) is None
    # the park's operator may not confirm a link dated before its proposal; the branch may
    refused = api(op_user).post(f"/api/v1/partner-links/{link['id']}/confirm/", {}, format="json")
    assert refused.status_code == 400 and "银保监分局" in refused.json()["message"] + str(refused.json()["errors"])
    assert _sees(bank, filing, park)["rows"] is False
    confirmed = api(world.users["hz_branch"]).post(f"/api/v1/partner-links/{link['id']}/confirm/", {"note": "核实无误"}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed" and confirmed.json()["is_current"] is True
    assert _sees(bank, filing, park) == {"rows": True, "filing": True, "tenants": True}
    assert lead_bank_id(filing) == world.bank_a_hz.pk


def test_the_park_operator_confirms_a_link_dated_from_today_and_the_bank_then_sees_the_register(world, new_park):
    park, op_user, filing = new_park
    bank = api(world.users["bank_b_hz"])
    today = timezone.localdate().isoformat()
    link = bank.post("/api/v1/partner-links/", {"park": park.pk, "role": "partner", "sub_branch": "西湖支行", "since": today},
                     format="json").json()
    assert _sees(bank, filing, park)["tenants"] is False
    assert api(op_user).post(f"/api/v1/partner-links/{link['id']}/confirm/", {}, format="json").status_code == 200
    assert _sees(bank, filing, park) == {"rows": False, "filing": False, "tenants": True}  # a partner sees tenants, not the T1


def test_a_rejected_proposal_grants_nothing_and_needs_a_reason(world, new_park):
    park, op_user, filing = new_park
    bank = api(world.users["bank_b_hz"])
    link = bank.post("/api/v1/partner-links/", {"park": park.pk, "role": "lead", "sub_branch": "x",
                                                "since": timezone.localdate().isoformat()}, format="json").json()
    operator = api(op_user)
    assert operator.post(f"/api/v1/partner-links/{link['id']}/reject/", {}, format="json").status_code == 400
    assert operator.post(f"/api/v1/partner-links/{link['id']}/reject/", {"note": "未签约"}, format="json").json()["status"] == "rejected"
    assert _sees(bank, filing, park)["tenants"] is False
    # the bank cannot revive it by editing, but may propose again
    assert bank.patch(f"/api/v1/partner-links/{link['id']}/", {"sub_branch": "y"}, format="json").status_code == 400
    again = bank.post("/api/v1/partner-links/", {"park": park.pk, "role": "lead", "sub_branch": "x",
                                                 "since": timezone.localdate().isoformat()}, format="json")
    assert again.status_code == 201


def test_a_second_lead_bank_is_refused_while_the_first_is_in_force(world):
    # p_hz is led by bank A; bank B (already a confirmed partner) cannot be made lead by any path
    bank_b = api(world.users["bank_b_hz"])
    response = bank_b.patch(f"/api/v1/partner-links/{world.link_b_hz.pk}/", {"role": "lead"}, format="json")
    assert response.status_code == 400
    world.link_b_hz.refresh_from_db()
    assert world.link_b_hz.role == "partner"
    # a new bank proposing to lead is refused at once, naming the lead bank
    other = f.bank_branch("330100", f.InstitutionFactory(name="丙银行股份有限公司", short_name="丙银行"), name="丙银行杭州分行")
    user = f.UserFactory(username="bank_c", organisation=other)
    response = api(user).post("/api/v1/partner-links/", {"park": world.p_hz.pk, "role": "lead", "sub_branch": "x",
                                                         "since": timezone.localdate().isoformat()}, format="json")
    assert response.status_code == 400 and "甲银行杭州分行" in str(response.json())
    # once the park ends bank A's link, bank C may lead from the next day
    end = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert api(world.users["op_hz"]).post(f"/api/v1/partner-links/{world.link_a_hz.pk}/end/", {"until": end}, format="json").status_code == 200
    link = api(user).post("/api/v1/partner-links/", {"park": world.p_hz.pk, "role": "lead", "sub_branch": "x",
                                                     "since": timezone.localdate().isoformat()}, format="json")
    assert link.status_code == 201
    assert api(world.users["op_hz"]).post(f"/api/v1/partner-links/{link.json()['id']}/confirm/", {}, format="json").status_code == 200
    assert PartnerLink.objects.lead_branch_id(park_id=world.p_hz.pk, on=timezone.localdate()) == other.pk


def test_the_database_refuses_two_open_confirmed_lead_links_of_one_park(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerLink.objects.create(park=world.p_hz, branch=world.bank_b_hz, role="lead", sub_branch="x", since=dt.date(2020, 1, 1),
                                   until=None, status="confirmed")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraints exist on PostgreSQL only (CI runs it)")
def test_on_postgresql_the_database_refuses_overlapping_confirmed_lead_intervals(world):
    world.link_a_hz.until = dt.date(2020, 12, 31)
    world.link_a_hz.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerLink.objects.create(park=world.p_hz, branch=world.bank_b_hz, role="lead", sub_branch="x", since=dt.date(2020, 6, 1),
                                   until=dt.date(2021, 6, 30), status="confirmed")
    PartnerLink.objects.create(park=world.p_hz, branch=world.bank_b_hz, role="lead", sub_branch="x", since=dt.date(2021, 1, 1),
                               until=dt.date(2021, 6, 30), status="confirmed")  # adjacent, not overlapping


def test_a_lead_link_with_a_future_end_date_still_leads_and_sees_the_t1(world, new_park):
    park, op_user, filing = new_park
    PartnerLink.objects.create(park=park, branch=world.bank_b_hz, role="lead", sub_branch="x", since=dt.date(2019, 1, 1),
                               until=timezone.localdate() + dt.timedelta(days=30), status="confirmed")
    assert lead_bank_id(filing) == world.bank_b_hz.pk
    assert _sees(api(world.users["bank_b_hz"]), filing, park)["rows"] is True
    workflow.filing_submit(actor=op_user, filing=filing)
    filing.refresh_from_db()
    workflow.filing_confirm(actor=world.users["bank_b_hz"], filing=filing)  # 转报 by that lead bank
    filing.refresh_from_db()
    assert filing.status == "confirmed"


def test_a_confirmed_link_keeps_its_park_role_and_start_but_the_bank_may_end_it(world):
    bank = api(world.users["bank_a_hz"])
    for field, value in (("role", "partner"), ("since", "2018-01-01")):
        assert bank.patch(f"/api/v1/partner-links/{world.link_a_hz.pk}/", {field: value}, format="json").status_code == 400
    response = bank.patch(f"/api/v1/partner-links/{world.link_a_hz.pk}/", {"until": "2020-12-31", "sub_branch": "新支行"}, format="json")
    assert response.status_code == 200 and response.json()["until"] == "2020-12-31"
    history = world.link_a_hz.history.order_by("-history_date").first()
    assert history.history_user == world.users["bank_a_hz"] and history.until == dt.date(2020, 12, 31)


def test_the_park_operator_confirms_on_the_web_page_and_sees_the_proposal_on_its_landing(client, world, new_park):
    park, op_user, _ = new_park
    link = PartnerLink.objects.create(park=park, branch=world.bank_b_hz, role="partner", sub_branch="x", since=timezone.localdate(),
                                      status="proposed", proposed_at=timezone.now(), proposed_by=world.users["bank_b_hz"])
    client.force_login(op_user)
    landing = client.get(reverse("home")).content.decode()
    assert "1 条伙伴银行关系申报待确认" in landing
    page = client.get(link.get_absolute_url()).content.decode()
    assert "待园区运营方或所在地银保监分局确认" in page and "data-confirm" in page
    response = client.post(reverse("parks:partnerlink_decide", args=[link.pk, "confirm"]), {"note": ""})
    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.status, link.decided_by) == ("confirmed", op_user)
    # another park's operator cannot decide it (it cannot even see it)
    client.force_login(world.users["op_hz2"])
    assert client.post(reverse("parks:partnerlink_decide", args=[link.pk, "end"]), {"until": "2030-01-01"}).status_code == 404


# --- enterprises are shared, tenancies are not -----------------------------------------------------

def test_a_park_cannot_register_another_parks_current_tenant(world):
    response = api(world.users["op_hz"]).post("/api/v1/tenancies/", {
        "park": world.p_hz.pk, "uscc": world.e_wz.uscc, "enterprise_name": "改名", "industry": "C", "entered_on": "2020-09-01"},
        format="json")
    assert response.status_code == 400 and "鹿城鞋业小微企业园" in str(response.json())
    assert not Tenancy.objects.filter(park=world.p_hz, enterprise=world.e_wz).exists()
    # after the other park registers its departure, the move is possible (and keeps the name)
    Tenancy.objects.filter(pk=world.t_wz.pk).update(left_on=dt.date(2020, 8, 31))
    response = api(world.users["op_hz"]).post("/api/v1/tenancies/", {
        "park": world.p_hz.pk, "uscc": world.e_wz.uscc, "enterprise_name": "改名", "industry": "C", "entered_on": "2020-09-01"},
        format="json")
    assert response.status_code == 201
    assert Enterprise.objects.get(pk=world.e_wz.pk).name == "鹿城丙企业有限公司"


def test_only_the_current_park_or_its_branch_renames_an_enterprise_and_the_change_is_logged(world):
    name = "西湖甲企业（集团）有限公司"
    assert api(world.users["op_hz2"]).patch(f"/api/v1/enterprises/{world.e_hz.pk}/", {"name": "x"}, format="json").status_code == 404
    assert api(world.users["wz_branch"]).patch(f"/api/v1/enterprises/{world.e_hz.pk}/", {"name": "x"}, format="json").status_code == 404
    assert api(world.users["hz_branch"]).patch(f"/api/v1/enterprises/{world.e_hz.pk}/", {"name": name}, format="json").status_code == 200
    record = world.e_hz.history.order_by("-history_date").first()
    assert (record.name, record.history_user) == (name, world.users["hz_branch"])
    # once the enterprise has left, its former park no longer changes it
    Tenancy.objects.filter(pk=world.t_hz.pk).update(left_on=dt.date(2020, 9, 30))
    assert api(world.users["op_hz"]).patch(f"/api/v1/enterprises/{world.e_hz.pk}/", {"name": "y"}, format="json").status_code == 403


FOREIGN = "鹿城鞋业小微企业园"


@pytest.fixture
def t1_hz(world) -> Filing:
    period = Period.objects.get(code="2020Q3")
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=period, park=world.p_hz)
    assert services.filing_rows_replace(actor=world.users["op_hz"], filing=filing, raw_rows=[t1_row(world.e_hz.uscc)]).saved
    filing.refresh_from_db()
    return filing


def _unchanged(world, filing: Filing) -> None:
    assert list(T1Row.objects.filter(filing=filing).values_list("uscc", flat=True)) == [world.e_hz.uscc]
    assert not Tenancy.objects.filter(park=world.p_hz, enterprise=world.e_wz).exists()


def test_a_t1_row_with_another_parks_tenant_is_refused_over_the_api(world, t1_hz):
    response = api(world.users["op_hz"]).post(f"/api/v1/filings/{t1_hz.pk}/rows/", {
        "rows": [t1_row(world.e_hz.uscc), t1_row(world.e_wz.uscc)], "lock_version": t1_hz.lock_version}, format="json")
    assert response.status_code == 400
    errors = [e for e in response.json()["errors"] if e["code"] == "tenant_elsewhere"]
    assert len(errors) == 1 and errors[0]["row"] == 2 and FOREIGN in errors[0]["message"]
    _unchanged(world, t1_hz)


def test_a_t1_row_with_another_parks_tenant_is_refused_in_an_xlsx_upload(client, world, t1_hz, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    wb = Workbook()
    ws = wb.active
    ws.append([col.label for col in T1.columns])
    for row in (t1_row(world.e_hz.uscc), t1_row(world.e_wz.uscc)):
        ws.append([row.get(col.key, "") for col in T1.columns])
    buf = io.BytesIO()
    wb.save(buf)
    client.force_login(world.users["op_hz"])
    response = client.post(reverse("reports:filing_upload", args=[t1_hz.pk]),
                           {"file": ContentFile(buf.getvalue(), name="台账.xlsx"), "lock_version": t1_hz.lock_version})
    assert response.status_code == 302
    job = ImportJob.objects.get(filing=t1_hz)
    assert job.status == "failed"
    assert FOREIGN in client.get(response["Location"]).content.decode()
    _unchanged(world, t1_hz)


def test_a_t1_row_with_another_parks_tenant_is_refused_in_the_grid(client, world, t1_hz):
    data = {col.key: "" for col in T1.columns}
    data.update({k: str(v) for k, v in t1_row(world.e_wz.uscc).items()})
    for col in T1.columns:
        if col.choices:
            data[col.key] = {label: key for key, label in col.choices}.get(data[col.key], data[col.key])
    data["lock_version"] = str(t1_hz.lock_version)
    client.force_login(world.users["op_hz"])
    response = client.post(reverse("reports:row_add", args=[t1_hz.pk]), data)
    assert response.status_code == 200 and FOREIGN in response.content.decode()
    _unchanged(world, t1_hz)


# --- the permission matrix of the partner-link decisions --------------------------------------------

ROLES = ["province", "hz_branch", "wz_branch", "jxt", "hz_jxj", "xihu_jxj", "wz_jxj", "bank_a_hz", "bank_b_hz", "bank_a_wz",
         "op_hz", "op_hz2", "op_wz"]
DECIDERS_P_HZ2 = {"op_hz2", "hz_branch", "province"}


@pytest.mark.parametrize("decision,body", [("confirm", {}), ("reject", {"note": "不同意"})])
@pytest.mark.parametrize("role", ROLES)
def test_only_the_park_operator_and_the_regulators_decide_a_proposal(world, role, decision, body):
    link = PartnerLink.objects.create(park=world.p_hz2, branch=world.bank_a_hz, role="partner", sub_branch="x",
                                      since=timezone.localdate(), status="proposed", proposed_at=timezone.now())
    response = api(world.users[role]).post(f"/api/v1/partner-links/{link.pk}/{decision}/", body, format="json")
    link.refresh_from_db()
    if role in DECIDERS_P_HZ2:
        assert response.status_code == 200 and link.status == ("confirmed" if decision == "confirm" else "rejected")
    else:
        assert response.status_code in (403, 404) and link.status == "proposed"
        assert set(response.json()) >= {"code", "message"}


@pytest.mark.parametrize("role", ROLES)
def test_only_the_park_operator_and_the_regulators_end_a_confirmed_link(world, role):
    response = api(world.users[role]).post(f"/api/v1/partner-links/{world.link_b_hz2.pk}/end/", {"until": "2020-12-31"}, format="json")
    world.link_b_hz2.refresh_from_db()
    if role in DECIDERS_P_HZ2:
        assert response.status_code == 200 and world.link_b_hz2.until == dt.date(2020, 12, 31)
    else:
        assert response.status_code in (403, 404) and world.link_b_hz2.until is None


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_partner_links_and_tenancies_of_its_scope_only(world, role):
    client = api(world.users[role])
    links = {x["id"] for x in client.get("/api/v1/partner-links/", {"page_size": 1000}).json()["results"]}
    tenancies = {x["id"] for x in client.get("/api/v1/tenancies/", {"page_size": 1000}).json()["results"]}
    hz_links = {world.link_a_hz.pk, world.link_b_hz.pk, world.link_b_hz2.pk}
    all_tenancies = {world.t_hz.pk, world.t_hz2.pk, world.t_wz.pk}
    # written by hand: who sees which link and which stay
    expected_links = {
        "province": hz_links | {world.link_a_wz.pk}, "jxt": hz_links | {world.link_a_wz.pk},
        "hz_branch": hz_links, "hz_jxj": hz_links, "xihu_jxj": {world.link_a_hz.pk, world.link_b_hz.pk},
        "wz_branch": {world.link_a_wz.pk}, "wz_jxj": {world.link_a_wz.pk},
        "bank_a_hz": {world.link_a_hz.pk}, "bank_b_hz": {world.link_b_hz.pk, world.link_b_hz2.pk}, "bank_a_wz": {world.link_a_wz.pk},
        "op_hz": {world.link_a_hz.pk, world.link_b_hz.pk}, "op_hz2": {world.link_b_hz2.pk}, "op_wz": {world.link_a_wz.pk},
    }[role]
    expected_tenancies = {
        "province": all_tenancies, "jxt": all_tenancies, "hz_branch": {world.t_hz.pk, world.t_hz2.pk},
        "hz_jxj": {world.t_hz.pk, world.t_hz2.pk}, "xihu_jxj": {world.t_hz.pk}, "wz_branch": {world.t_wz.pk}, "wz_jxj": {world.t_wz.pk},
        "bank_a_hz": {world.t_hz.pk}, "bank_b_hz": {world.t_hz.pk, world.t_hz2.pk}, "bank_a_wz": {world.t_wz.pk},
        "op_hz": {world.t_hz.pk}, "op_hz2": {world.t_hz2.pk}, "op_wz": {world.t_wz.pk},
    }[role]
    assert (links, tenancies) == (expected_links, expected_tenancies)
