"""The province's own settings pages (periods, deadlines, lock dates, reopening, targets) and the
audit log: only the province regulator (and superusers) open them; every change is logged with
who, why and from where; a target change is in the target's history and recomputes the results;
the audit log filters, paginates with a bounded query count and exports a formula-safe xlsx."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from parks.choices import Batch, DigitalStatus, ParkStatus
from parks.models import Park
from portal.audit import audit_record
from portal.choices import AuditAction
from portal.models import AuditEvent
from reports.filings.models import Period
from reports.filings.periods import period_defaults
from reports.targets.models import Target, TargetResult
from reports.workflow.models import FilingTransition
from tests import factories as f

OUTSIDERS = ("hz_branch", "bank_a_hz", "op_hz", "jxt", "hz_jxj")


def settings_urls(world, period, target) -> list[str]:
    return [
        reverse("reports:period_list"), reverse("reports:period_settings", args=[period.pk]),
        reverse("reports:period_filings", args=[period.pk]), reverse("reports:target_set_list"),
        reverse("reports:target_set_settings", args=[target.target_set_id]), reverse("reports:target_settings", args=[target.pk]),
        reverse("dashboards:audit_log"), reverse("dashboards:audit_log") + "?format=xlsx",
    ]


def test_branch_bank_park_and_bureau_users_get_403_on_every_settings_page_and_the_audit_log(client, world, t1):
    target = Target.objects.get(code="ZJ2020-03")
    urls = settings_urls(world, t1.period, target)
    for key in OUTSIDERS:
        client.force_login(world.users[key])
        for url in urls:
            assert client.get(url).status_code == 403, (key, url)
        for url in (reverse("reports:period_open"), reverse("reports:period_settings", args=[t1.period.pk]),
                    reverse("reports:filing_reopen_settings", args=[t1.pk]), reverse("reports:target_settings", args=[target.pk])):
            assert client.post(url, {"reason": "x"}).status_code == 403, (key, url)
    client.force_login(world.users["province"])
    for url in urls:
        assert client.get(url).status_code == 200, url
    client.force_login(world.admin)
    assert client.get(reverse("reports:period_list")).status_code == 200


def test_the_province_opens_the_next_quarter_with_default_deadlines(client, world):
    latest = Period.objects.filter(is_baseline=False).order_by("-year", "-quarter").first()
    year, quarter = (latest.year + 1, 1) if latest.quarter == 4 else (latest.year, latest.quarter + 1)
    client.force_login(world.users["province"])
    response = client.post(reverse("reports:period_open"), {"reason": "新季度"})
    period = Period.objects.get(year=year, quarter=quarter)
    assert response.status_code == 302 and response["Location"] == period.get_absolute_url()
    defaults = period_defaults(year, quarter)
    assert (period.filer_due, period.branch_due, period.lock_date) == (defaults["filer_due"], defaults["branch_due"], defaults["lock_date"])
    event = AuditEvent.objects.get(action=AuditAction.PERIOD_OPEN)
    assert (event.actor, event.object_id, event.reason) == (world.users["province"], str(period.pk), "新季度")


def test_a_deadline_change_is_logged_with_who_why_and_from_where(client, world, period):
    client.force_login(world.users["province"])
    url = reverse("reports:period_settings", args=[period.pk])
    data = {"filer_due": "2020-10-20", "branch_due": "2020-10-25", "lock_date": "2020-12-31"}
    response = client.post(url, data)  # no reason: refused
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert not AuditEvent.objects.filter(action=AuditAction.PERIOD_CHANGE).exists()
    response = client.post(url, {**data, "reason": "国庆假期顺延"}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    period.refresh_from_db()
    assert (period.filer_due, period.branch_due, period.lock_date) == (dt.date(2020, 10, 20), dt.date(2020, 10, 25), dt.date(2020, 12, 31))
    event = AuditEvent.objects.get(action=AuditAction.PERIOD_CHANGE)
    assert event.actor == world.users["province"] and event.organisation == world.province
    assert event.reason == "国庆假期顺延" and event.ip == "10.1.2.3"
    assert event.changes["filer_due"] == ["2020-10-15", "2020-10-20"] and event.changes["lock_date"] == ["2099-12-31", "2020-12-31"]
    page = client.get(url)
    assert "国庆假期顺延" in page.content.decode()
    bad = client.post(url, {**data, "branch_due": "2020-10-01", "reason": "x"})  # before the filer deadline
    assert "branch_due" in bad.context["form"].errors


def test_the_province_reopens_a_locked_filing_with_a_reason(client, world, t1):
    Period.objects.filter(pk=t1.period_id).update(lock_date=dt.date(2020, 11, 30))
    client.force_login(world.users["province"])
    listing = client.get(reverse("reports:period_filings", args=[t1.period_id]))
    assert f'data-testid="reopen-{t1.pk}"' in listing.content.decode()
    url = reverse("reports:filing_reopen_settings", args=[t1.pk])
    assert "reason" in client.post(url, {"reason": " "}).context["form"].errors
    response = client.post(url, {"reason": "园区补报入园企业"})
    assert response.status_code == 302
    t1.refresh_from_db()
    assert t1.reopened
    step = FilingTransition.objects.get(filing=t1, action="reopen")
    assert (step.actor, step.comment) == (world.users["province"], "园区补报入园企业")
    event = AuditEvent.objects.get(action=AuditAction.REOPEN)
    assert (event.object_type, event.object_id, event.reason) == ("reports.filing", str(t1.pk), "园区补报入园企业")


def _target_form(target: Target, **changes) -> dict:
    from reports.targets.services import TARGET_FIELDS

    data = {}
    for key in TARGET_FIELDS:
        value = changes.get(key, getattr(target, key))
        if isinstance(value, bool):
            if value:
                data[key] = "on"
            continue
        data[key] = "" if value is None else str(value)
    return data


def test_a_threshold_change_is_in_history_with_who_and_why_and_the_results_are_recomputed(client, world, scenario):
    target = Target.objects.get(code="ZJ2020-03")
    before = TargetResult.objects.get(target=target, period__code="2020Q3", scope_code="star:3:incl")
    assert before.status == "unmet" and before.threshold == 60
    client.force_login(world.users["province"])
    url = reverse("reports:target_settings", args=[target.pk])
    response = client.post(url, {**_target_form(target, threshold_value="45"), "reason": "省局2020年中期调整"})
    assert response.status_code == 302, response.context["form"].errors
    target.refresh_from_db()
    assert target.threshold_value == 45
    record = target.history.order_by("-history_date").first()
    assert record.history_user == world.users["province"] and record.history_change_reason == "省局2020年中期调整"
    after = TargetResult.objects.get(target=target, period__code="2020Q3", scope_code="star:3:incl")
    assert after.threshold == 45 and after.status == "met"
    event = AuditEvent.objects.get(action=AuditAction.TARGET_CHANGE)
    assert event.changes["threshold_value"][1] == "45" and event.reason == "省局2020年中期调整"
    assert AuditEvent.objects.filter(object_type="reports.target").count() == 1  # no second event from the history mirror
    page = client.get(url).content.decode()
    assert "省局2020年中期调整" in page and "目标值" in page


def test_the_target_set_notes_with_the_plan_park_counts_are_editable_with_history(client, world):
    target = Target.objects.get(code="ZJ2020-01")
    target_set = target.target_set
    client.force_login(world.users["province"])
    data = {"name": target_set.name, "source_document": target_set.source_document, "issuer": target_set.issuer,
            "region_note": target_set.region_note, "due_date": "2020-12-31", "is_default": "on",
            "notes": target_set.notes.replace("505", "506"), "reason": "名单增补1个园区"}
    response = client.post(reverse("reports:target_set_settings", args=[target_set.pk]), data)
    assert response.status_code == 302
    target_set.refresh_from_db()
    assert "第一批506个" in target_set.notes
    record = target_set.history.order_by("-history_date").first()
    assert (record.history_user, record.history_change_reason) == (world.users["province"], "名单增补1个园区")


# --- the audit log ------------------------------------------------------------------------------

def _events(world, period):
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="parks.park").exists()  # the registry's own history
    AuditEvent.objects.all().delete()
    audit_record(actor=world.users["province"], action=AuditAction.PERIOD_CHANGE, obj=period, reason="顺延", ip="10.0.0.1",
                 changes={"filer_due": ["2020-10-15", "2020-10-20"]})
    audit_record(actor=world.users["hz_branch"], action=AuditAction.APPROVE, object_type="reports.filing", object_id="77",
                 object_label="附表1 · 西湖智造", ip="10.0.0.2")
    old = audit_record(actor=world.users["op_hz"], action=AuditAction.CHANGE, obj=world.p_hz, reason="=HYPERLINK(\"http://x\")")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=40))


def test_the_audit_log_filters_by_user_organisation_object_action_and_date(client, world, period):
    client.force_login(world.users["province"])  # a login is an event too
    _events(world, period)
    url = reverse("dashboards:audit_log")

    def rows(**params):
        table = client.get(url, params).context["table"]
        return sorted(r.record.action for r in table.page.object_list)

    assert rows() == ["approve", "change", "period_change"]
    assert rows(user="hz_br") == ["approve"]
    assert rows(organisation=world.province.pk) == ["period_change"]
    assert rows(action="approve") == ["approve"]
    assert rows(object_type="reports.filing", object_id="77") == ["approve"]
    assert rows(object_type="parks.park") == ["change"]
    today = timezone.localdate()
    assert rows(date_from=str(today - dt.timedelta(days=1))) == ["approve", "period_change"]
    assert rows(date_to=str(today - dt.timedelta(days=30))) == ["change"]
    assert rows(q="顺延") == ["period_change"]


def test_the_audit_log_export_has_date_and_number_cells_and_is_formula_safe(client, world, period):
    client.force_login(world.users["province"])  # a login is an event too
    _events(world, period)
    response = client.get(reverse("dashboards:audit_log"), {"format": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    header_row = next(i for i, row in enumerate(ws.iter_rows(values_only=True), 1) if row[0] == "时间")
    data = list(ws.iter_rows(min_row=header_row + 1, values_only=True))
    assert len(data) == 3
    assert all(isinstance(r[0], dt.datetime) for r in data)
    by_action = {r[5]: r for r in data}
    assert by_action["审核通过"][7] == 77 and by_action["修改报送期"][7] == period.pk  # numbers as numbers
    assert by_action["修改登记"][9].startswith("'=")  # a formula typed by a user stays text
    assert by_action["修改报送期"][4] == "10.0.0.1"
    assert by_action["修改报送期"][10] == "填报截止日期: 2020-10-15 → 2020-10-20"  # official labels
    filtered = client.get(reverse("dashboards:audit_log"), {"format": "xlsx", "action": "approve"})
    assert load_workbook(io.BytesIO(filtered.content)).active.max_row == header_row + 1


@pytest.mark.parametrize("n", [10, 1000])
def test_the_audit_log_query_count_does_not_grow_with_the_log(client, world, period, n, django_assert_num_queries):
    AuditEvent.objects.all().delete()
    AuditEvent.objects.bulk_create([
        AuditEvent(actor=world.users["hz_branch"], actor_name="hz_branch", organisation=world.hz_branch, action="approve",
                   object_type="reports.filing", object_id=str(i), object_label=f"报表{i}") for i in range(n)])
    client.force_login(world.users["province"])
    url = reverse("dashboards:audit_log")
    client.get(url)  # warm: the session and the unread count in the cache
    with django_assert_num_queries(5):
        response = client.get(url, {"action": "approve", "page": 1})
    assert response.context["table"].page.paginator.count == n


def test_the_target_page_shows_the_park_base_from_the_register_beside_the_policy_counts(client, world):
    operating_first = Park.objects.filter(status=ParkStatus.ACTIVE, batch=Batch.FIRST, county__province_code="330000").count()
    f.ParkFactory(batch=Batch.FIRST, county=f.region("330203"), digital_status=DigitalStatus.PILOT)  # 宁波 海曙区
    f.ParkFactory(batch=Batch.SECOND)
    f.ParkFactory(batch=Batch.FIRST, status=ParkStatus.REVOKED)  # not operating: not counted
    client.force_login(world.users["province"])
    response = client.get(reverse("reports:target_set_list"))
    rows = {r["key"]: r for r in response.context["park_base"]}
    assert rows["first"]["policy"] == 505 and rows["later"]["policy"] == 272 and rows["pilot"]["policy_ningbo"] == 4
    assert rows["first"]["register"] == operating_first + 1
    assert rows["pilot"]["register"] == 1 and rows["pilot"]["register_ningbo"] == 1
    assert rows["first"]["differs"] is True
    assert 'data-testid="park-base"' in response.content.decode()
