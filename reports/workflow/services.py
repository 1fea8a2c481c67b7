"""The review workflow.

    draft ──submit──▶ submitted ──confirm (T1, lead bank 转报)──▶ confirmed ──approve──▶ approved
      ▲                  │ return                                  │ return
      └──── returned ◀───┴─────────────────────────────────────────┘

- Park path: the park operator submits T1 (T2 goes with it) → the park's lead partner bank
  (主办行) confirms and forwards (转报) → the city's branch regulator approves or returns.
  A park with no lead bank goes straight from submitted to the branch.
- Bank path: the bank's city branch submits T4 + T5 (+ narrative) as one package → the branch
  regulator of its city approves or returns the package.
- Approved filings are read-only; ``filing_amend`` starts version n+1 from the approved one.
- After a period's lock date only a regulator may reopen a filing, with a logged reason.
Every step is a FilingTransition (who, when, from, to, comment).

Who may take which step from which state, and on what condition, is written ONCE, in
``TRANSITIONS``: every step function starts by asking it (``transitions.require``) and the buttons a user is
offered (``filing_actions_for``) are the steps it allows — so a button is shown exactly when the
step would succeed, apart from what depends on input (a required comment or reason, the filing's
own validation errors and unexplained warnings)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portal.audit import audit_record
from portal.choices import OrgKind
from portal.models import Organisation, User
from portal.notifications import notify, organisation_users
from reports.filings import selectors, validation
from reports.filings.choices import FilingStatus as S
from reports.filings.choices import ScheduleCode
from reports.filings.kinds import BANK_PACKAGE, branch_schedules, filing_schedules_label
from reports.filings.models import ROW_MODELS, Filing, T4Record
from reports.filings.signals import approved_figures_changed
from reports.filings.t2 import t2_rebuild
from reports.workflow.models import FilingTransition
from reports.workflow.selectors import filing_due, subject_days_late
from reports.workflow.signals import filing_transitioned
from reports.workflow.transitions import (
    BUTTONS,
    EDITABLE,
    A,
    allowed,
    from_statuses,
    lead_bank_id,
    refusal,
    require,
    reviewable_status,
    subject_city_code,
)

# --- helpers -----------------------------------------------------------------------------------

def _refuse(message: str) -> None:
    raise ValidationError(message)


def _log(filing: Filing, actor: User, action: str, old: str, new: str, comment: str = "") -> FilingTransition:
    transaction.on_commit(lambda: filing_transitioned.send(sender=Filing, filing=filing))
    if filing.schedule == ScheduleCode.T1 and S.APPROVED in (old, new):  # the approved figures of a park moved
        approved_figures_changed.send(sender=Filing, park_id=filing.park_id, city_code=subject_city_code(filing),
                                      period_ids=[filing.period_id], refresh=False)  # filing_transitioned refreshes
    audit_record(actor=actor, action=action, obj=filing, reason=comment, changes={"status": [old, new]} if old != new else {})
    return FilingTransition.objects.create(filing=filing, action=action, from_status=old, to_status=new, actor=actor,
                                           actor_organisation_id=actor.organisation_id, comment=comment)


def _load(filing: Filing) -> Filing:
    return (Filing.objects.select_for_update(of=("self",))
            .select_related("period", "park__county", "branch__region", "branch__institution", "city").get(pk=filing.pk))


def package(filing: Filing) -> list[Filing]:
    """T4 and T5 of one bank branch and period travel together."""
    if filing.schedule not in BANK_PACKAGE:
        return [filing]
    members = list(Filing.objects.select_for_update(of=("self",)).filter(branch_id=filing.branch_id, period_id=filing.period_id,
                                                               schedule__in=BANK_PACKAGE, is_current=True).order_by("schedule"))
    return members or [filing]


def _unexplained_warnings(filing: Filing, issues) -> bool:
    return any(not i.is_error for i in issues) and not filing.explanation.strip()


def _filer_org_id(filing: Filing) -> int | None:
    if filing.park_id:
        return filing.park.operator_id
    if filing.branch_id:
        return filing.branch_id
    return Organisation.objects.filter(kind=OrgKind.BRANCH_REGULATOR, region_id=filing.city_id).values_list("pk", flat=True).first()


def _reviewer_org_ids(filing: Filing) -> list[int]:
    if filing.city_id:
        return list(Organisation.objects.filter(kind=OrgKind.PROVINCE_REGULATOR).values_list("pk", flat=True))
    return list(Organisation.objects.filter(kind=OrgKind.BRANCH_REGULATOR, region__code=subject_city_code(filing)).values_list("pk", flat=True))


def _tell(org_ids, filing: Filing, title: str, body: str = "") -> None:
    ids = [i for i in org_ids if i]
    if ids:
        notify(users=organisation_users(organisation_ids=ids), title=title, body=body, url=filing.get_absolute_url())


# --- transitions -----------------------------------------------------------------------------

@dataclass
class Outcome:
    filings: list[Filing]
    transitions: list[FilingTransition]


@transaction.atomic
def filing_submit(*, actor: User, filing: Filing, comment: str = "") -> Outcome:
    filing = _load(filing)
    require(A.SUBMIT, actor, filing)
    whole = package(filing) if filing.branch_id else [filing]
    members = [m for m in whole if m.status in EDITABLE]
    if filing.branch_id:
        schedules = {m.schedule for m in whole}
        needs_t5 = (ScheduleCode.T5 in branch_schedules(filing.branch)  # never an insurer's
                    and bool(selectors.branch_partner_parks_at(branch_id=filing.branch_id, on=filing.period.end)))
        if ScheduleCode.T4 not in schedules:
            _refuse("附表4尚未填报：附表4、附表5及推进情况须一并报送。")
        if needs_t5 and ScheduleCode.T5 not in schedules:
            _refuse("附表5尚未填报：本机构有伙伴园区，附表4、附表5须一并报送。")
    problems: list[str] = []
    for m in members:
        issues = validation.filing_validate(filing=m)
        errors = [i for i in issues if i.is_error]
        if errors:
            first = errors[0]
            where = (f"第{first.row}行" + (f"（{first.name}）" if first.name else "") + " ") if first.row else ""
            problems.append(f"{m.get_schedule_display()}有 {len(errors)} 个错误（如：{where}{first.message}），请修改后再提交。")
        elif _unexplained_warnings(m, issues):
            problems.append(f"{m.get_schedule_display()}有 {sum(1 for i in issues if not i.is_error)} 条提示，请先填写书面说明。")
        if m.schedule == ScheduleCode.T1 and m.row_count == 0:
            problems.append("附表1没有任何企业行，不能提交。")
    if problems:
        _refuse(" ".join(problems))
    now = timezone.now()
    due = filing_due(filing)
    transitions = []
    for m in members:
        old = m.status
        # judged on the subject's first submission across versions; submitted_at is this one's own date
        days_late = subject_days_late(m, due=due, today=timezone.localdate(now))
        Filing.objects.filter(pk=m.pk).update(status=S.SUBMITTED, submitted_at=now, days_late=days_late,
                                              lock_version=F("lock_version") + 1, updated_by=actor, updated_at=now)
        transitions.append(_log(m, actor, A.SUBMIT, old, S.SUBMITTED, comment))
        m.refresh_from_db()
    lead = lead_bank_id(filing)
    what = f"{filing.subject} {filing.period.code} {filing_schedules_label(filing)}"
    if lead and S.SUBMITTED in reviewable_status(filing):
        _tell(_reviewer_org_ids(filing), filing, f"{what}已修改后重新提交，待审核")
    elif lead:
        _tell([lead], filing, f"{what}已提交，请审核转报")
    else:
        _tell(_reviewer_org_ids(filing), filing, f"{what}已提交，待审核")
    return Outcome(members, transitions)


@transaction.atomic
def filing_confirm(*, actor: User, filing: Filing, comment: str = "", clean_only: bool = False) -> Outcome:
    """The park's lead bank checks the park's T1/T2 and forwards (转报) it to the branch; with
    ``clean_only`` (bulk 转报) a filing with warnings is refused: it must be opened and read first."""
    filing = _load(filing)
    require(A.CONFIRM, actor, filing)
    if clean_only and filing.warning_count:
        _refuse(f"有 {filing.warning_count} 条提示，不能批量转报，请打开报表查看提示及书面说明后逐份转报。")
    Filing.objects.filter(pk=filing.pk).update(status=S.CONFIRMED, lock_version=F("lock_version") + 1, updated_by=actor)
    t = _log(filing, actor, A.CONFIRM, S.SUBMITTED, S.CONFIRMED, comment)
    filing.refresh_from_db()
    _tell(_reviewer_org_ids(filing), filing, f"{filing.subject} {filing.period.code} 附表1/2 已由主办行转报，待审核")
    return Outcome([filing], [t])


@dataclass
class BulkOutcome:
    forwarded: list[Filing]
    refused: list[tuple[Filing, str]]  # (filing, why)


def filings_confirm_many(*, actor: User, filings: Iterable[Filing], comment: str = "") -> BulkOutcome:
    """Bulk 转报: the lead bank forwards several of its parks' submitted 附表1 at once. Each goes
    through ``filing_confirm`` (the same rule of ``TRANSITIONS``, its own FilingTransition and
    notification, its own savepoint) with ``clean_only``: a filing with warnings, of a park this
    bank does not lead, or no longer waiting is refused on its own, the others are forwarded."""
    out = BulkOutcome([], [])
    for filing in filings:
        try:
            done = filing_confirm(actor=actor, filing=filing, comment=comment, clean_only=True)
        except ValidationError as exc:
            out.refused.append((filing, " ".join(exc.messages)))
        except PermissionDenied as exc:
            out.refused.append((filing, str(exc) or "无权转报此报表。"))
        else:
            out.forwarded += done.filings
    return out


@transaction.atomic
def filing_approve(*, actor: User, filing: Filing, comment: str = "") -> Outcome:
    filing = _load(filing)
    require(A.APPROVE, actor, filing)
    members = [m for m in package(filing) if m.status in (S.SUBMITTED, S.CONFIRMED)] if filing.branch_id else [filing]
    for m in members:
        issues = validation.filing_validate(filing=m)
        if any(i.is_error for i in issues):
            _refuse(f"{m.get_schedule_display()}存在错误，不能审核通过，请退回修改。")
        if _unexplained_warnings(m, issues):
            _refuse(f"{m.get_schedule_display()}有未作说明的提示，不能审核通过，请退回填报人补充说明。")
    now = timezone.now()
    transitions = []
    for m in members:
        old = m.status
        Filing.objects.filter(pk=m.pk).update(status=S.APPROVED, approved_at=now, lock_version=F("lock_version") + 1, updated_by=actor)
        transitions.append(_log(m, actor, A.APPROVE, old, S.APPROVED, comment))
        m.refresh_from_db()
    _tell([_filer_org_id(filing)], filing, f"{filing.subject} {filing.period.code} {filing.get_schedule_display()}已审核通过")
    return Outcome(members, transitions)


@transaction.atomic
def filing_return(*, actor: User, filing: Filing, comment: str) -> Outcome:
    """Return for correction, with a required comment: by the reviewer once the filing has reached
    it, or by the park's lead bank before it forwards the park's T1 (``TRANSITIONS``)."""
    filing = _load(filing)
    require(A.RETURN, actor, filing)
    if not (comment or "").strip():
        _refuse("退回时必须填写退回意见。")
    members = [m for m in package(filing) if m.status in (S.SUBMITTED, S.CONFIRMED)] if filing.branch_id else [filing]
    transitions = []
    for m in members:
        old = m.status
        Filing.objects.filter(pk=m.pk).update(status=S.RETURNED, lock_version=F("lock_version") + 1, updated_by=actor)
        transitions.append(_log(m, actor, A.RETURN, old, S.RETURNED, comment.strip()))
        m.refresh_from_db()
    _tell([_filer_org_id(filing)], filing, f"{filing.subject} {filing.period.code} {filing.get_schedule_display()}被退回", comment.strip())
    return Outcome(members, transitions)


@transaction.atomic
def filing_amend(*, actor: User, filing: Filing, comment: str = "") -> Filing:
    """Start version n+1 from an approved filing (rows copied); it is reviewed again."""
    filing = _load(filing)
    require(A.AMEND, actor, filing)
    Filing.objects.filter(pk=filing.pk).update(is_current=False)
    new = Filing.objects.create(
        schedule=filing.schedule, period=filing.period, park=filing.park, branch=filing.branch, city=filing.city,
        version=filing.version + 1, is_current=True, amends=filing, status=S.DRAFT, explanation=filing.explanation,
        days_late=filing.days_late,  # timeliness is the subject's (first submission), not this version's
        row_count=filing.row_count, warning_count=filing.warning_count, issues=filing.issues, reopened=filing.reopened,
        created_by=actor, updated_by=actor,
    )
    if filing.schedule in ROW_MODELS:
        model = ROW_MODELS[filing.schedule]
        copies = []
        for row in model.objects.filter(filing=filing):
            row.pk = None
            row.filing = new
            copies.append(row)
        model.objects.bulk_create(copies, batch_size=2000)
        if filing.schedule == ScheduleCode.T1:
            t2_rebuild(filing=new)
    elif filing.schedule == ScheduleCode.T4:
        record = T4Record.objects.filter(filing=filing).first()
        if record:
            record.pk = None
            record.filing = new
            record.save()
    _log(new, actor, A.AMEND, S.APPROVED, S.DRAFT, comment or f"基于第{filing.version}版发起修订")
    return new


@transaction.atomic
def filing_reopen(*, actor: User, filing: Filing, reason: str) -> Filing:
    """After the lock date, a regulator reopens one filing for its filer: an explicit, logged exception."""
    filing = _load(filing)
    require(A.REOPEN, actor, filing)
    if not (reason or "").strip():
        _refuse("重新打开报表必须填写原因。")
    old = filing.status
    new_status = S.RETURNED if old in (S.SUBMITTED, S.CONFIRMED) else old
    Filing.objects.filter(pk=filing.pk).update(reopened=True, status=new_status, lock_version=F("lock_version") + 1, updated_by=actor)
    _log(filing, actor, A.REOPEN, old, new_status, reason.strip())
    filing.refresh_from_db()
    return filing


# --- what a user may do now (for buttons), and doing it by name ---------------------------------

def filing_actions_for(*, user: User, filing: Filing) -> list[str]:
    """The workflow buttons ``user`` is offered on ``filing``: the steps ``TRANSITIONS`` allows now."""
    today = timezone.localdate()
    return [str(a) for a in BUTTONS if allowed(a, user=user, filing=filing, today=today)]


def filing_waiting_reason(*, user: User, filing: Filing, actions: list[str] | None = None) -> str:
    """Why the reviewer of a filing awaiting review is offered no button: the table's refusal of
    审核通过 (e.g. "等待主办行 XX 确认转报：…"). "" when it has a button, when the filing does not await
    review, or when ``user`` is not its reviewer."""
    actions = filing_actions_for(user=user, filing=filing) if actions is None else actions
    if actions or filing.status not in from_statuses(A.APPROVE):
        return ""
    exc = refusal(A.APPROVE, user=user, filing=filing)
    return exc.messages[0] if isinstance(exc, ValidationError) else ""


def perform(action: str, *, actor: User, filing: Filing, comment: str = "") -> Outcome | Filing:
    """Take the workflow step named ``action`` (a button): ``comment`` is the reason of a reopen."""
    if action == A.REOPEN:
        return filing_reopen(actor=actor, filing=filing, reason=comment)
    steps = {A.SUBMIT: filing_submit, A.CONFIRM: filing_confirm, A.APPROVE: filing_approve, A.RETURN: filing_return,
             A.AMEND: filing_amend}
    if action not in steps:
        raise PermissionDenied("未知操作。")
    return steps[action](actor=actor, filing=filing, comment=comment)


