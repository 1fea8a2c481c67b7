"""Writes on filings: every path (web grid, xlsx upload, REST) calls these functions.

A save is all-or-nothing: the rows are parsed and checked with the schedule's rules; any error
saves nothing and returns every issue with its row, column label and value. Saving T1 keeps the
park register in step and recomputes the park's T2 at once. Concurrent edits are refused through
``lock_version`` (optimistic locking), never silently overwritten."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from parks.models import Park
from portal import access
from portal.choices import OrgKind
from portal.exceptions import StaleObject
from portal.gcpause import gc_paused
from portal.models import Organisation, User
from reports.filings import quality, selectors
from reports.filings.bulk import replace_apply, replace_plan, same_row
from reports.filings.carry import CarryPlan, carry_plan
from reports.filings.choices import ScheduleCode
from reports.filings.kinds import branch_schedules
from reports.filings.models import ROW_MODELS, Filing, Period, T4Record
from reports.filings.periods import period_defaults
from reports.filings.register_sync import _after_rows_saved
from reports.filings.resend import Sent, quality_fingerprint, recall, remember, remembering
from reports.filings.t2 import t2_rebuild
from reports.filings.validation import filing_stored_issues
from reports.schedules import SCHEDULES, T4, Issue
from reports.schedules.compiled import validate_rows
from reports.schedules.t1 import held_against_register, not_tenant_elsewhere
from reports.schedules.t4 import NARRATIVE


class StaleFiling(StaleObject):
    """Someone else saved the filing since it was opened."""

    def __init__(self, filing: Filing):
        who = filing.updated_by.display_name if filing.updated_by_id else "其他用户"
        when = timezone.localtime(filing.updated_at).strftime("%Y-%m-%d %H:%M:%S")
        super().__init__(f"该报表已被{who}于 {when} 修改，您的修改未保存。请刷新页面查看最新内容后重新修改。")


@dataclass
class SaveResult:
    saved: bool
    filing: Filing
    issues: list[Issue] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    incomplete_rows: frozenset[int] = frozenset()

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def blocking(self) -> list[Issue]:
        """The errors that stop a save: all of them, except a required cell left empty on a row
        started from the register (``incomplete_rows``), which is saved and keeps the filing from submission."""
        return [i for i in self.errors if not (i.code == "required" and i.row in self.incomplete_rows)]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if not i.is_error]

    def issue_dicts(self) -> list[dict[str, Any]]:
        schedule = SCHEDULES.get(self.filing.schedule)
        return [i.as_dict(schedule) for i in self.issues]


# --- opening a filing ----------------------------------------------------------------------

def _require_can_edit(actor: User, filing: Filing) -> None:
    if not access.can(actor, access.CHANGE, filing):
        raise PermissionDenied("您没有权限修改此报表。")
    if not filing.is_editable:
        raise ValidationError(f"报表状态为“{filing.get_status_display()}”，不能修改。如需更正，请在审核通过后发起修订。")
    if filing.locked_for(actor):
        raise ValidationError(f"{filing.period.code} 已于 {filing.period.lock_date:%Y-%m-%d} 锁定，如需修改请联系监管部门重新打开。")


@transaction.atomic
def filing_open(*, actor: User, schedule: str, period: Period, park: Park | None = None, branch: Organisation | None = None) -> Filing:
    """The current version of a filing, created as an empty draft when there is none."""
    if schedule not in (ScheduleCode.T1, ScheduleCode.T4, ScheduleCode.T5):
        raise ValidationError("只能填报附表1、附表4、附表5；附表2、附表3由系统生成。")
    if schedule == ScheduleCode.T1:
        if park is None:
            raise ValidationError("附表1须指定园区。")
        if not access.can_manage_tenants(actor, park):
            raise PermissionDenied("只有园区运营方可以填报本园区的附表1。")
        branch = None
    else:
        branch = branch or actor.organisation
        if branch is None or branch.kind != OrgKind.BANK_BRANCH:
            raise ValidationError("附表4、附表5由银行保险机构地市一级管理机构填报。")
        if not (access.is_superuser(actor) or actor.organisation_id == branch.pk):
            raise PermissionDenied("只能填报本机构的报表。")
        if schedule not in branch_schedules(branch):
            raise ValidationError("保险机构只填报附表4（含推进情况）；附表5《伙伴银行情况表》由银行填报。")
        park = None
    if period.is_baseline and schedule != ScheduleCode.T4:
        raise ValidationError(f"{period.code} 为2018年末基数期，仅填报附表4。")
    existing = selectors.filing_current(schedule=schedule, period=period, park=park, branch=branch)
    if existing:
        return existing
    filing = Filing.objects.create(schedule=schedule, period=period, park=park, branch=branch, created_by=actor, updated_by=actor)
    if schedule == ScheduleCode.T1:
        t2_rebuild(filing=filing)
    return filing


# --- saving rows ---------------------------------------------------------------------------

def _check_version(filing: Filing, expected_lock_version: int | None) -> None:
    if expected_lock_version is not None and int(expected_lock_version) != filing.lock_version:
        raise StaleFiling(filing)


def _bump(filing: Filing, actor: User, issues: list[Issue], row_count: int) -> None:
    """A save counted: the stored issues are the warnings and the required cells still empty on
    rows started from the register (``filing_stored_issues``), errors first."""
    schedule = SCHEDULES[filing.schedule]
    kept = [i for i in issues if i.is_error and i.code == "required"] + [i for i in issues if not i.is_error]
    Filing.objects.filter(pk=filing.pk).update(
        lock_version=F("lock_version") + 1, updated_by=actor, updated_at=timezone.now(), row_count=row_count,
        warning_count=len(kept) - len([i for i in kept if i.is_error]), error_count=len([i for i in kept if i.is_error]),
        issues=[i.as_dict(schedule) for i in kept],
    )
    filing.refresh_from_db()


def _lock(filing: Filing) -> Filing:
    return Filing.objects.select_for_update(of=("self",)).select_related("period", "park__county", "branch__institution").get(pk=filing.pk)


@gc_paused()  # every bulk path (REST, xlsx, 从上期带入) comes here: portal.gcpause
@transaction.atomic
def filing_rows_replace(
    *,
    actor: User,
    filing: Filing,
    raw_rows: list[dict[str, Any]],
    expected_lock_version: int | None = None,
    row_numbers: list[int] | None = None,
    dry_run: bool = False,
    incomplete_rows: frozenset[int] = frozenset(),
    unless_unchanged: bool = False,
    sent: Sent | None = None,
) -> SaveResult:
    """Replace every row of a T1/T5 filing (xlsx upload, REST full replace). All or nothing.
    ``incomplete_rows`` (从上期带入 only): rows started from the register, saved with their required
    cells still empty (``SaveResult.blocking``). ``unless_unchanged`` (the API): rows that would
    change nothing and hold no error are answered as a dry run, without the version check (a retry
    naming the version before its first attempt is not refused); anything else is checked against
    ``expected_lock_version`` and saved as usual. ``sent``: ``resend.Sent.of(raw_rows)`` if known."""
    filing = _lock(filing)
    _require_can_edit(actor, filing)
    if not unless_unchanged:
        _check_version(filing, expected_lock_version)
    schedule = SCHEDULES[filing.schedule]
    if not schedule.multi_row:
        raise ValidationError("该报表不是多行报表。")
    quality_before = quality_fingerprint(filing) if not row_numbers and not incomplete_rows else ""  # see keep()
    ctx = remembering(selectors.filing_context(filing=filing))
    rows, stored_issues = validate_rows(schedule, raw_rows, ctx)  # rows numbered as they will be stored (row_no)
    stored_issues += quality.quality_issues(filing=filing, rows=rows, insurer=ctx.is_insurer)
    issues = [_renumber(i, row_numbers) for i in stored_issues] if row_numbers else stored_issues  # as the filer numbered them
    result = SaveResult(saved=False, filing=filing, issues=issues, incomplete_rows=incomplete_rows)
    plan = replace_plan(ROW_MODELS[filing.schedule], schedule, filing, rows)  # unchanged rows: by their digest, kept
    result.created, result.updated, result.unchanged, result.deleted = plan.created, plan.updated, plan.unchanged, plan.deleted
    plain = not row_numbers and not incomplete_rows and not result.errors  # what an API re-send would find again
    nothing = result.created == result.updated == result.deleted == 0
    quiet = dry_run or (unless_unchanged and nothing and not result.errors)  # answered as a dry run
    if unless_unchanged and not quiet:
        _check_version(filing, expected_lock_version)
    kept = {"filing": filing, "rows": rows, "issues": issues, "ctx": ctx, "natural_key": schedule.natural_key,
            "quality_before": quality_before}
    if result.blocking or quiet:
        if plain and quiet and nothing:
            remember(sent=sent or Sent.of(raw_rows), **kept)
        return result
    replace_apply(plan)
    _bump(filing, actor, stored_issues, len(rows))
    if plain:
        remember(sent=sent or Sent.of(raw_rows), **kept)
    _after_rows_saved(filing=filing, actor=actor, rows=rows)
    result.saved = True
    return result


def filing_rows_unchanged(*, actor: User, filing: Filing, sent: Sent) -> SaveResult | None:
    """The answer of a full replace by the rows ``sent`` (``resend.Sent``) that would change nothing
    (``resend.recall``), or None: then ask ``filing_rows_replace``. Refused like it when the filing
    cannot be edited."""
    filing = Filing.objects.select_related("period", "park__county", "branch__institution").get(pk=filing.pk)
    issues = recall(filing=filing, sent=sent) if SCHEDULES[filing.schedule].multi_row else None
    if issues is None:
        return None
    _require_can_edit(actor, filing)
    return SaveResult(saved=False, filing=filing, issues=list(issues), unchanged=sent.rows)


@dataclass
class StartResult:
    """从上期带入: the save, where it started from, and what the register changed."""

    save: SaveResult
    plan: CarryPlan

    @property
    def saved(self) -> bool:
        return self.save.saved


@transaction.atomic
def filing_start_from_previous(*, actor: User, filing: Filing, expected_lock_version: int | None = None) -> StartResult:
    """Fill an empty 附表1 / 附表5 from the latest approved earlier version of the same filer,
    brought up to the register at this period's end (``carry.carry_plan``), through
    ``filing_rows_replace`` (all or nothing); the register's new rows keep their figures empty."""
    filing = _lock(filing)
    _require_can_edit(actor, filing)
    if filing.schedule not in ROW_MODELS:
        raise ValidationError("只有附表1、附表5可以从上期带入；附表4在填报页面显示上期数。")
    if ROW_MODELS[filing.schedule].objects.filter(filing=filing).exists():
        raise ValidationError("本表已有数据，只有空表可以从上期带入。")
    source = selectors.filing_previous_approved(filing=filing)
    if source is None:
        raise ValidationError(f"没有 {filing.period.code} 之前已审核通过的{filing.get_schedule_display()}，无法从上期带入。")
    plan = carry_plan(filing=filing, source=source)
    if not plan.raw_rows:
        raise ValidationError(f"{source.period.code} 的{filing.get_schedule_display()}中没有仍在册的行，登记册中也没有可带入的行。")
    save = filing_rows_replace(actor=actor, filing=filing, raw_rows=plan.raw_rows, expected_lock_version=expected_lock_version,
                               incomplete_rows=plan.added_rows)
    return StartResult(save=save, plan=plan)


def _renumber(issue: Issue, row_numbers: list[int]) -> Issue:
    if issue.row is None:
        return issue
    return replace(issue, row=row_numbers[issue.row - 1], depends=())


_FIELDS: dict[type, frozenset[str]] = {}


def _row_instance(model, filing: Filing, row_no: int, values: dict[str, Any]):
    fields = _FIELDS.get(model)
    if fields is None:
        fields = _FIELDS[model] = frozenset(f.name for f in model._meta.concrete_fields)
    data = {k: _db_value(model, k, v) for k, v in values.items() if k in fields and k not in ("id", "filing", "row_no")}
    return model(filing=filing, row_no=row_no, **data)


def _db_value(model, key: str, value: Any) -> Any:
    if value is None:
        f = model._meta.get_field(key)
        if not f.null:
            return f.get_default()
    return value


@transaction.atomic
def filing_row_save(
    *,
    actor: User,
    filing: Filing,
    raw_row: dict[str, Any],
    row_no: int | None = None,
    expected_lock_version: int | None = None,
) -> SaveResult:
    """Add (row_no None) or change one row of a T1/T5 filing from the web grid."""
    filing = _lock(filing)
    _require_can_edit(actor, filing)
    _check_version(filing, expected_lock_version)
    schedule = SCHEDULES[filing.schedule]
    ctx = selectors.filing_context(filing=filing)
    stored = selectors.filing_row_values(filing=filing)
    target = next((r for r in stored if r["row_no"] == row_no), None) if row_no else None
    if row_no and target is None:
        raise ValidationError("该行不存在或已被删除，请刷新页面。")
    position = row_no or (max((r["row_no"] for r in stored), default=0) + 1)
    values, issues = schedule.parse_row(raw_row, row=position)
    bad = {i.column for i in issues}
    issues += schedule.check_row(values, ctx, row=position, parsed_bad=bad, raw=raw_row)
    if schedule.compute:
        values.update(schedule.compute(values))
    others = [r for r in stored if r["row_no"] != row_no]
    key = values.get(schedule.natural_key)
    clash = next((r for r in others if key and r.get(schedule.natural_key) == key), None)
    if clash:
        label = schedule.label_of(schedule.natural_key)
        issues.append(Issue("error", schedule.natural_key, f"{label}与第{clash['row_no']}行重复", "duplicate", row=position, value=key))
    if filing.schedule == ScheduleCode.T1:
        issues += not_tenant_elsewhere([values], ctx, first_row=position)
        issues += held_against_register([values], ctx, first_row=position, missing=False)
    issues = schedule.named(issues, {position: values}, ctx)
    result = SaveResult(saved=False, filing=filing, issues=issues)
    if result.errors:
        return result
    model = ROW_MODELS[filing.schedule]
    if row_no:
        obj = model.objects.get(filing=filing, row_no=row_no)
        for k, v in values.items():
            if k in {f.name for f in model._meta.concrete_fields}:
                setattr(obj, k, _db_value(model, k, v))
        obj.save()
        result.updated = 1
    else:
        _row_instance(model, filing, position, values).save()
        result.created = 1
    all_issues = filing_stored_issues(filing=filing, ctx=ctx)
    _bump(filing, actor, all_issues, len(others) + 1)
    _after_rows_saved(filing=filing, actor=actor)
    result.saved = True
    result.issues = [i for i in issues]
    return result


@transaction.atomic
def filing_row_delete(*, actor: User, filing: Filing, row_no: int, expected_lock_version: int | None = None) -> Filing:
    filing = _lock(filing)
    _require_can_edit(actor, filing)
    _check_version(filing, expected_lock_version)
    model = ROW_MODELS[filing.schedule]
    deleted, _ = model.objects.filter(filing=filing, row_no=row_no).delete()
    if not deleted:
        raise ValidationError("该行不存在或已被删除，请刷新页面。")
    ctx = selectors.filing_context(filing=filing)
    _bump(filing, actor, filing_stored_issues(filing=filing, ctx=ctx), model.objects.filter(filing=filing).count())
    _after_rows_saved(filing=filing, actor=actor)
    return filing


@transaction.atomic
def filing_t4_save(
    *,
    actor: User,
    filing: Filing,
    raw_values: dict[str, Any],
    narrative: dict[str, str] | None = None,
    expected_lock_version: int | None = None,
    dry_run: bool = False,
) -> SaveResult:
    """Save the single T4 record and its narrative (推进情况)."""
    filing = _lock(filing)
    _require_can_edit(actor, filing)
    _check_version(filing, expected_lock_version)
    if filing.schedule != ScheduleCode.T4:
        raise ValidationError("不是附表4。")
    ctx = selectors.filing_context(filing=filing)
    rows, issues = T4.validate([raw_values], ctx)
    issues += quality.quality_issues(filing=filing, rows=rows, narrative=narrative, insurer=ctx.is_insurer)
    values = rows[0]
    result = SaveResult(saved=False, filing=filing, issues=issues)
    before = selectors.filing_row_values(filing=filing)
    if before:
        same = same_row(T4, before[0], values)
        result.unchanged, result.updated = (1, 0) if same else (0, 1)
    else:
        result.created = 1
    if result.errors or dry_run:
        return result
    record, _ = T4Record.objects.get_or_create(filing=filing)
    for col in T4.columns:
        setattr(record, col.key, values.get(col.key))
    for col in NARRATIVE:
        if narrative is not None and col.key in narrative:
            setattr(record, col.key, (narrative.get(col.key) or "").strip())
    record.save()
    _bump(filing, actor, issues, 1)
    result.saved = True
    return result



@transaction.atomic
def filing_explanation_save(*, actor: User, filing: Filing, explanation: str, expected_lock_version: int | None = None) -> Filing:
    filing = _lock(filing)
    _require_can_edit(actor, filing)
    _check_version(filing, expected_lock_version)
    Filing.objects.filter(pk=filing.pk).update(explanation=explanation.strip(), lock_version=F("lock_version") + 1,
                                               updated_by=actor, updated_at=timezone.now())
    filing.refresh_from_db()
    return filing



def period_ensure(*, year: int, quarter: int) -> Period:
    period, _ = Period.objects.get_or_create(year=year, quarter=quarter, defaults=period_defaults(year, quarter))
    return period

