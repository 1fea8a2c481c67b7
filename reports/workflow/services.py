"""The review workflow (DESIGN.md, 'The reporting cycle').

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
``TRANSITIONS``: every step function starts by asking it (``_require``) and the buttons a user is
offered (``filing_actions_for``) are the steps it allows — so a button is shown exactly when the
step would succeed, apart from what depends on input (a required comment or reason, the filing's
own validation errors and unexplained warnings)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from parks.models import PartnerLink
from portal import access
from portal.choices import OrgKind
from portal.models import Organisation, User
from portal.notifications import notify, organisation_users
from reports.filings import selectors, services
from reports.filings.choices import FilingStatus as S
from reports.filings.models import Filing, T1Row, T4Record, T5Row
from reports.filings.t2 import t2_rebuild
from reports.schedules import SCHEDULES
from reports.schedules.t4 import NARRATIVE
from reports.workflow.models import FilingTransition
from reports.workflow.selectors import subject_days_late
from reports.workflow.signals import filing_transitioned

A = FilingTransition.Action
EDITABLE = (S.DRAFT, S.RETURNED)


# --- who is who -------------------------------------------------------------------------------

def _org(actor: User):
    return actor.organisation if actor.organisation_id else None


def is_filer(actor: User, filing: Filing) -> bool:
    if access.is_superuser(actor):
        return True
    org = _org(actor)
    if org is None:
        return False
    if filing.park_id:
        return org.kind == OrgKind.PARK_OPERATOR and filing.park.operator_id == org.pk
    if filing.branch_id:
        return org.pk == filing.branch_id
    if filing.city_id:
        return org.kind == OrgKind.BRANCH_REGULATOR and org.region_id == filing.city_id
    return False


def lead_bank_id(filing: Filing) -> int | None:
    if not filing.park_id:
        return None
    return PartnerLink.objects.lead_branch_id(park_id=filing.park_id, on=timezone.localdate())


def is_lead_bank(actor: User, filing: Filing) -> bool:
    org = _org(actor)
    return bool(org and org.kind == OrgKind.BANK_BRANCH and lead_bank_id(filing) == org.pk)


def subject_city_code(filing: Filing) -> str:
    if filing.park_id:
        return filing.park.county.city_code
    if filing.branch_id:
        return filing.branch.region.code
    return filing.city.code


def is_reviewer(actor: User, filing: Filing) -> bool:
    """The branch regulator of the subject's city reviews park and bank filings; the province
    accepts a city's T3 (and may act for any branch)."""
    if access.is_province(actor):
        return True
    org = _org(actor)
    if org is None or org.kind != OrgKind.BRANCH_REGULATOR or filing.city_id:
        return False
    return org.region.code == subject_city_code(filing)


def _lead_bank_or_superuser(actor: User, filing: Filing) -> bool:
    return is_lead_bank(actor, filing) or access.is_superuser(actor)


# --- the rules: ONE transition table ----------------------------------------------------------

REGENERATE = "regenerate"  # 附表3 only: rebuild the draft from the city summary (reports.t3.t3_generate)
FILER_SCHEDULES = ("T1", "T4", "T5")  # filed by parks and banks: the ones a lock date closes
ALL_STATUSES = tuple(S.values)

# A condition answers None (met) or the refusal message; ``verb`` names the step in it.
Condition = Callable[[User, Filing, dt.date, str], "str | None"]


def _current(actor: User, filing: Filing, today: dt.date, verb: str) -> str | None:
    return None if filing.is_current else f"只有当前版本可以{verb}。"


def _not_locked(actor: User, filing: Filing, today: dt.date, verb: str) -> str | None:
    if not filing.locked_for(actor, today):
        return None
    return f"{filing.period.code} 已于 {filing.period.lock_date:%Y-%m-%d} 锁定，请联系监管部门重新打开后再{verb}。"


def _forwarded(actor: User, filing: Filing, today: dt.date, verb: str) -> str | None:
    """A park's T1 reaches the branch once its lead bank has forwarded it (``_reviewable_status``)."""
    if filing.status in _reviewable_status(filing):
        return None
    return f"报表当前状态为“{filing.get_status_display()}”，须先由主办行确认转报，才能{verb}。"


def _period_locked(actor: User, filing: Filing, today: dt.date, verb: str) -> str | None:
    if filing.period.is_locked(today):
        return None
    return f"{filing.period.code} 尚未锁定（锁定日期 {filing.period.lock_date:%Y-%m-%d}），填报人仍可修改，无需{verb}。"


def _not_reopened(actor: User, filing: Filing, today: dt.date, verb: str) -> str | None:
    return "该报表已重新打开，填报人可以修改并提交。" if filing.reopened else None


@dataclass(frozen=True)
class Transition:
    """One row of the table: ``who`` may take ``action`` from a status in ``from_status`` when every
    condition holds (schedules: the schedules it applies to; empty = all)."""

    action: str
    from_status: tuple[str, ...]
    who: Callable[[User, Filing], bool]
    denied: str  # PermissionDenied message when ``who`` does not hold
    verb: str
    conditions: tuple[Condition, ...] = ()
    schedules: tuple[str, ...] = ()
    wrong_schedule: str = ""

    def applies_to(self, filing: Filing) -> bool:
        return not self.schedules or filing.schedule in self.schedules

    def refusal(self, actor: User, filing: Filing, today: dt.date) -> str | None:
        """Why ``actor`` (for whom ``who`` holds) may not take this step now; None when it may."""
        if filing.status not in self.from_status:
            return f"报表当前状态为“{filing.get_status_display()}”，不能{self.verb}。"
        for condition in self.conditions:
            message = condition(actor, filing, today, self.verb)
            if message:
                return message
        return None


RETURN_DENIED = "只有属地银保监分局（或园区主办行在转报前）可以退回此报表。"

TRANSITIONS: tuple[Transition, ...] = (
    # (action, from statuses, who, refused-with message, verb, conditions, schedules)
    Transition(A.SUBMIT, EDITABLE, is_filer, "只有报送主体本机构的填报人可以提交此报表。", "提交", (_current, _not_locked)),
    Transition(A.CONFIRM, (S.SUBMITTED,), _lead_bank_or_superuser, "只有该园区的主办行可以确认转报。", "转报",
               schedules=("T1",), wrong_schedule="只有园区附表1、附表2需要主办行转报。"),
    Transition(A.APPROVE, (S.SUBMITTED, S.CONFIRMED), is_reviewer, "只有属地银保监分局可以审核此报表。", "审核通过", (_forwarded,)),
    Transition(A.RETURN, (S.SUBMITTED, S.CONFIRMED), is_reviewer, RETURN_DENIED, "退回", (_forwarded,)),
    Transition(A.RETURN, (S.SUBMITTED,), _lead_bank_or_superuser, RETURN_DENIED, "退回", schedules=("T1",)),  # before 转报
    Transition(A.AMEND, (S.APPROVED,), is_filer, "只有报送主体本机构的填报人可以发起修订。", "发起修订", (_current, _not_locked)),
    # after the lock date, the filing's reviewer (the city's branch, or the province) reopens it for its filer
    Transition(A.REOPEN, ALL_STATUSES, is_reviewer, "只有监管部门可以重新打开报表。", "重新打开", (_current, _period_locked, _not_reopened),
               schedules=FILER_SCHEDULES, wrong_schedule="附表3由监管部门报送，不受锁定限制，无需重新打开。"),
    Transition(REGENERATE, EDITABLE, is_filer, "只能生成本分局所在地市的附表3。", "重新生成", (_current, _not_locked),
               schedules=("T3",), wrong_schedule="只有附表3由系统生成。"),
)
BUTTONS = (A.SUBMIT, A.CONFIRM, A.APPROVE, A.RETURN, A.AMEND, A.REOPEN)  # the workflow panel, in this order


def refusal(action: str, *, user: User, filing: Filing, today: dt.date | None = None) -> Exception | None:
    """None when ``user`` may take ``action`` on ``filing`` now; else the exception that refuses it
    (PermissionDenied: not this user's step; ValidationError: not now)."""
    today = today or timezone.localdate()
    rows = [t for t in TRANSITIONS if t.action == action]
    if not rows:
        return PermissionDenied("未知操作。")
    fitting = [t for t in rows if t.applies_to(filing)]
    if not fitting:
        return ValidationError(rows[0].wrong_schedule or f"{filing.get_schedule_display()}不能{rows[0].verb}。")
    mine = [t for t in fitting if t.who(user, filing)]
    if not mine:
        return PermissionDenied(fitting[0].denied)
    messages = [t.refusal(user, filing, today) for t in mine]
    if None in messages:
        return None
    return ValidationError(messages[0])


def allowed(action: str, *, user: User, filing: Filing, today: dt.date | None = None) -> bool:
    return refusal(action, user=user, filing=filing, today=today) is None


def _require(action: str, actor: User, filing: Filing) -> None:
    exc = refusal(action, user=actor, filing=filing)
    if exc is not None:
        raise exc


# --- helpers -----------------------------------------------------------------------------------

def _refuse(message: str) -> None:
    raise ValidationError(message)


def _log(filing: Filing, actor: User, action: str, old: str, new: str, comment: str = "") -> FilingTransition:
    transaction.on_commit(lambda: filing_transitioned.send(sender=Filing, filing=filing))
    return FilingTransition.objects.create(filing=filing, action=action, from_status=old, to_status=new, actor=actor,
                                           actor_organisation_id=actor.organisation_id, comment=comment)


def _load(filing: Filing) -> Filing:
    return (Filing.objects.select_for_update(of=("self",))
            .select_related("period", "park__county", "branch__region", "branch__institution", "city").get(pk=filing.pk))


def package(filing: Filing) -> list[Filing]:
    """T4 and T5 of one bank branch and period travel together."""
    if filing.schedule not in ("T4", "T5"):
        return [filing]
    members = list(Filing.objects.select_for_update(of=("self",)).filter(branch_id=filing.branch_id, period_id=filing.period_id,
                                                               schedule__in=("T4", "T5"), is_current=True).order_by("schedule"))
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
    _require(A.SUBMIT, actor, filing)
    whole = package(filing) if filing.branch_id else [filing]
    members = [m for m in whole if m.status in EDITABLE]
    if filing.branch_id:
        schedules = {m.schedule for m in whole}
        needs_t5 = bool(selectors.branch_partner_parks_at(branch_id=filing.branch_id, on=filing.period.end))
        if "T4" not in schedules:
            _refuse("附表4尚未填报：附表4、附表5及推进情况须一并报送。")
        if needs_t5 and "T5" not in schedules:
            _refuse("附表5尚未填报：本机构有伙伴园区，附表4、附表5须一并报送。")
    problems: list[str] = []
    for m in members:
        issues = services.filing_validate(filing=m)
        errors = [i for i in issues if i.is_error]
        if errors:
            first = errors[0]
            where = f"第{first.row}行 " if first.row else ""
            problems.append(f"{m.get_schedule_display()}有 {len(errors)} 个错误（如：{where}{first.message}），请修改后再提交。")
        elif _unexplained_warnings(m, issues):
            problems.append(f"{m.get_schedule_display()}有 {sum(1 for i in issues if not i.is_error)} 条提示，请先填写书面说明。")
        if m.schedule == "T1" and m.row_count == 0:
            problems.append("附表1没有任何企业行，不能提交。")
    if problems:
        _refuse(" ".join(problems))
    now = timezone.now()
    due = filing.period.filer_due if not filing.city_id else filing.period.branch_due
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
    what = f"{filing.subject} {filing.period.code} {'附表1/2' if filing.park_id else '附表4/5'}"
    if lead and S.SUBMITTED in _reviewable_status(filing):
        _tell(_reviewer_org_ids(filing), filing, f"{what}已修改后重新提交，待审核")
    elif lead:
        _tell([lead], filing, f"{what}已提交，请审核转报")
    else:
        _tell(_reviewer_org_ids(filing), filing, f"{what}已提交，待审核")
    return Outcome(members, transitions)


@transaction.atomic
def filing_confirm(*, actor: User, filing: Filing, comment: str = "") -> Outcome:
    """The park's lead bank checks the park's T1/T2 and forwards (转报) it to the branch."""
    filing = _load(filing)
    _require(A.CONFIRM, actor, filing)
    Filing.objects.filter(pk=filing.pk).update(status=S.CONFIRMED, lock_version=F("lock_version") + 1, updated_by=actor)
    t = _log(filing, actor, A.CONFIRM, S.SUBMITTED, S.CONFIRMED, comment)
    filing.refresh_from_db()
    _tell(_reviewer_org_ids(filing), filing, f"{filing.subject} {filing.period.code} 附表1/2 已由主办行转报，待审核")
    return Outcome([filing], [t])


def _reviewable_status(filing: Filing) -> tuple[str, ...]:
    """A park's T1 reaches the branch once its lead bank has forwarded it; a resubmission after a
    return by the branch goes straight back to the branch (the bank forwarded this version once)."""
    if filing.schedule == "T1" and lead_bank_id(filing) is not None:
        if FilingTransition.objects.filter(filing=filing, action=A.CONFIRM).exists():
            return (S.SUBMITTED, S.CONFIRMED)
        return (S.CONFIRMED,)
    return (S.SUBMITTED, S.CONFIRMED)


@transaction.atomic
def filing_approve(*, actor: User, filing: Filing, comment: str = "") -> Outcome:
    filing = _load(filing)
    _require(A.APPROVE, actor, filing)
    members = [m for m in package(filing) if m.status in (S.SUBMITTED, S.CONFIRMED)] if filing.branch_id else [filing]
    for m in members:
        issues = services.filing_validate(filing=m)
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
    _require(A.RETURN, actor, filing)
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
    _require(A.AMEND, actor, filing)
    Filing.objects.filter(pk=filing.pk).update(is_current=False)
    new = Filing.objects.create(
        schedule=filing.schedule, period=filing.period, park=filing.park, branch=filing.branch, city=filing.city,
        version=filing.version + 1, is_current=True, amends=filing, status=S.DRAFT, explanation=filing.explanation,
        days_late=filing.days_late,  # timeliness is the subject's (first submission), not this version's
        row_count=filing.row_count, warning_count=filing.warning_count, issues=filing.issues, reopened=filing.reopened,
        created_by=actor, updated_by=actor,
    )
    if filing.schedule in ("T1", "T5"):
        model = T1Row if filing.schedule == "T1" else T5Row
        copies = []
        for row in model.objects.filter(filing=filing):
            row.pk = None
            row.filing = new
            copies.append(row)
        model.objects.bulk_create(copies, batch_size=2000)
        if filing.schedule == "T1":
            t2_rebuild(filing=new)
    elif filing.schedule == "T4":
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
    _require(A.REOPEN, actor, filing)
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


def perform(action: str, *, actor: User, filing: Filing, comment: str = "") -> Outcome | Filing:
    """Take the workflow step named ``action`` (a button): ``comment`` is the reason of a reopen."""
    if action == A.REOPEN:
        return filing_reopen(actor=actor, filing=filing, reason=comment)
    steps = {A.SUBMIT: filing_submit, A.CONFIRM: filing_confirm, A.APPROVE: filing_approve, A.RETURN: filing_return,
             A.AMEND: filing_amend}
    if action not in steps:
        raise PermissionDenied("未知操作。")
    return steps[action](actor=actor, filing=filing, comment=comment)


# --- differences between versions ------------------------------------------------------------

@dataclass
class CellChange:
    key: str  # natural key of the row ("" for T4)
    column: str
    label: str
    old: Any
    new: Any


@dataclass
class Diff:
    added: list[str]
    removed: list[str]
    changed: list[CellChange]


def filing_diff(*, old: Filing, new: Filing) -> Diff:
    """Exactly the cells that differ between two versions of one filing (rows matched by their
    natural key: 统一社会信用代码 for T1, 园区编码 for T5)."""
    if (old.schedule, old.period_id, old.park_id, old.branch_id, old.city_id) != (new.schedule, new.period_id, new.park_id, new.branch_id, new.city_id):
        raise ValidationError("只能比较同一报表的两个版本。")
    schedule = SCHEDULES[old.schedule]
    columns = list(schedule.columns) + (list(NARRATIVE) if schedule.code == "T4" else [])
    keyname = schedule.natural_key
    def rows(f):
        if schedule.code == "T4":
            rec = T4Record.objects.filter(filing=f).values(*[c.key for c in columns]).first()
            return {"": rec} if rec else {}
        return {r[keyname]: r for r in selectors.filing_row_values(filing=f)}
    a, b = rows(old), rows(new)
    added = [k for k in b if k not in a]
    removed = [k for k in a if k not in b]
    changed = []
    for k in a:
        if k not in b:
            continue
        for col in columns:
            x, y = a[k].get(col.key), b[k].get(col.key)
            if services._norm(x) != services._norm(y):
                changed.append(CellChange(k, col.key, col.label, col.display(x), col.display(y)))
    return Diff(added, removed, changed)
