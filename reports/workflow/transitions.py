from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from parks.choices import PartnerRole
from parks.models import PartnerLink
from portal import access
from portal.choices import OrgKind
from portal.models import Organisation, User
from reports.filings.choices import FilingStatus as S
from reports.filings.choices import ScheduleCode
from reports.filings.kinds import CITY_SCHEDULES, FILER_SCHEDULES, FORWARDED, is_insurer_branch
from reports.filings.models import Filing
from reports.workflow.models import FilingTransition

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
    """The park's lead bank (主办行) today; read from ``with_workflow_facts`` when loaded with it."""
    if not filing.park_id:
        return None
    if hasattr(filing, "wf_lead_bank_id"):
        return filing.wf_lead_bank_id
    return PartnerLink.objects.lead_branch_id(park_id=filing.park_id, on=timezone.localdate())


def lead_bank_name(filing: Filing) -> str:
    if hasattr(filing, "wf_lead_bank_name"):
        return filing.wf_lead_bank_name or ""
    pk = lead_bank_id(filing)
    if pk is None:
        return ""
    return Organisation.objects.filter(pk=pk).values_list("name", flat=True).first() or ""


def _was_forwarded(filing: Filing) -> bool:
    """Whether the lead bank ever forwarded (转报) this filing."""
    if hasattr(filing, "wf_forwarded"):
        return filing.wf_forwarded
    return FilingTransition.objects.filter(filing=filing, action=A.CONFIRM).exists()


def with_workflow_facts(filings: QuerySet, *, today: dt.date | None = None) -> QuerySet:
    """``filings`` loaded with what the table reads beyond the filing itself (its park's lead bank
    today, and whether that bank ever forwarded it), so that asking the table about many filings at
    once (the review inbox) costs no query per filing. Subjects and periods come with them too."""
    today = today or timezone.localdate()
    lead = (PartnerLink.objects.in_force(on=today).filter(park_id=OuterRef("park_id"), role=PartnerRole.LEAD)
            .order_by("since", "pk"))  # as PartnerLink.objects.lead_branch_id
    return (filings.select_related("period", "park__county", "branch__region", "city")
            .annotate(wf_lead_bank_id=Subquery(lead.values("branch_id")[:1]), wf_lead_bank_name=Subquery(lead.values("branch__name")[:1]),
                      wf_forwarded=Exists(FilingTransition.objects.filter(filing_id=OuterRef("pk"), action=A.CONFIRM))))


def is_lead_bank(actor: User, filing: Filing) -> bool:
    """A bank (never an insurer) that is the park's 主办行 today."""
    org = _org(actor)
    return bool(org and org.kind == OrgKind.BANK_BRANCH and not is_insurer_branch(org) and lead_bank_id(filing) == org.pk)


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

REGENERATE = "regenerate"  # 附表3 only: rebuild the draft from the city summary (summaries.t3.t3_generate)
ALL_STATUSES = tuple(S.values)

# A condition answers None (met) or the refusal message; ``verb`` names the step in it.
Condition = Callable[[User, Filing, dt.date, str], "str | None"]


def _current(actor: User, filing: Filing, today: dt.date, verb: str) -> str | None:
    return None if filing.is_current else f"只有当前版本可以{verb}。"


def _not_locked(actor: User, filing: Filing, today: dt.date, verb: str) -> str | None:
    if not filing.locked_for(actor, today):
        return None
    return f"{filing.period.code} 已于 {filing.period.lock_date:%Y-%m-%d} 锁定，请联系监管部门重新打开后再{verb}。"


def reviewable_status(filing: Filing) -> tuple[str, ...]:
    """A park's T1 reaches the branch once its lead bank has forwarded it; a resubmission after a
    return by the branch goes straight back to the branch (the bank forwarded this version once)."""
    if filing.schedule == ScheduleCode.T1 and lead_bank_id(filing) is not None:
        if _was_forwarded(filing):
            return (S.SUBMITTED, S.CONFIRMED)
        return (S.CONFIRMED,)
    return (S.SUBMITTED, S.CONFIRMED)



def _forwarded(actor: User, filing: Filing, today: dt.date, verb: str) -> str | None:
    """A park's T1 reaches the branch once its lead bank has forwarded it (``reviewable_status``)."""
    if filing.status in reviewable_status(filing):
        return None
    return f"等待主办行 {lead_bank_name(filing)} 确认转报：报表当前状态为“{filing.get_status_display()}”，主办行确认转报后才能{verb}。"


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
               schedules=FORWARDED, wrong_schedule="只有园区附表1、附表2需要主办行转报。"),
    Transition(A.APPROVE, (S.SUBMITTED, S.CONFIRMED), is_reviewer, "只有属地银保监分局可以审核此报表。", "审核通过", (_forwarded,)),
    Transition(A.RETURN, (S.SUBMITTED, S.CONFIRMED), is_reviewer, RETURN_DENIED, "退回", (_forwarded,)),
    Transition(A.RETURN, (S.SUBMITTED,), _lead_bank_or_superuser, RETURN_DENIED, "退回", schedules=FORWARDED),  # before 转报
    Transition(A.AMEND, (S.APPROVED,), is_filer, "只有报送主体本机构的填报人可以发起修订。", "发起修订", (_current, _not_locked)),
    # after the lock date, the filing's reviewer (the city's branch, or the province) reopens it for its filer
    Transition(A.REOPEN, ALL_STATUSES, is_reviewer, "只有监管部门可以重新打开报表。", "重新打开", (_current, _period_locked, _not_reopened),
               schedules=FILER_SCHEDULES, wrong_schedule="附表3由监管部门报送，不受锁定限制，无需重新打开。"),
    Transition(REGENERATE, EDITABLE, is_filer, "只能生成本分局所在地市的附表3。", "重新生成", (_current, _not_locked),
               schedules=CITY_SCHEDULES, wrong_schedule="只有附表3由系统生成。"),
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


def from_statuses(*actions: str) -> tuple[str, ...]:
    """Every status some row of the table takes one of ``actions`` from."""
    return tuple(sorted({s for t in TRANSITIONS if t.action in actions for s in t.from_status}))


def allowed(action: str, *, user: User, filing: Filing, today: dt.date | None = None) -> bool:
    return refusal(action, user=user, filing=filing, today=today) is None


def require(action: str, actor: User, filing: Filing) -> None:
    exc = refusal(action, user=actor, filing=filing)
    if exc is not None:
        raise exc

