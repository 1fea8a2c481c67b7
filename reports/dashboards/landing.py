"""The landing page's panel (``portal.landing.landing_for``, registered by
``ReportsConfig.ready()``): each role's duties in the open reporting period, the size of its scope
and its concrete outstanding work."""
from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from parks.choices import ParkStatus
from parks.models import Enterprise, Park, PartnerLink
from portal import access
from portal.choices import OrgKind
from reports.filings.choices import FilingStatus, ScheduleCode
from reports.filings.kinds import branch_schedules, is_insurer_branch, short_label
from reports.filings.models import Filing, Period
from reports.workflow.inbox import review_inbox
from reports.workflow.selectors import lead_bank_waiting


def landing_panel(*, user: Any, org: Any, kind: str | None) -> dict[str, Any]:
    """What the landing page shows each role: its duties and the size of its scope."""
    period_obj = _period_open(today=timezone.localdate())  # periods come from a data migration
    period, end, due = (period_obj.code, period_obj.end, period_obj.filer_due) if period_obj else ("", None, None)
    parks = access.restrict(user, Park.objects.all())
    ctx: dict[str, Any] = {"org": org, "kind": kind, "period": period, "period_end": end, "filer_due": due}
    if kind == OrgKind.PARK_OPERATOR:
        ctx["my_parks"] = list(parks.select_related("county"))
        ctx["duties"] = [
            "维护本园区入园企业名单（入园 / 退园日期）。",
            f"于 {due:%Y年%m月%d日} 前填报 {period} 附表1《分类建档基础台帐》，系统自动生成附表2。",
            "将附表1、附表2报送园区主办行审核转报。",
        ]
    elif kind == OrgKind.BANK_BRANCH and is_insurer_branch(org):
        ctx["insurer"] = True
        ctx["duties"] = [
            f"于 {due:%Y年%m月%d日} 前报送 {period} 附表4《金融服务情况监测表》第三部分“保险服务”及推进情况。",
            "推进情况写明保险服务小微企业园开展情况、入园企业保险保障情况、经验做法、典型案例、困难问题和政策建议。",
        ]
    elif kind == OrgKind.BANK_BRANCH:
        links = access.restrict(user, PartnerLink.objects.in_force(on=timezone.localdate()))
        ctx["link_count"] = links.count()
        ctx["lead_count"] = links.filter(role="lead").count()
        ctx["duties"] = [
            f"于 {due:%Y年%m月%d日} 前报送 {period} 附表4《金融服务情况监测表》、附表5《伙伴银行情况表》及推进情况。",
            "作为主办行，审核并转报伙伴园区的附表1、附表2。",
            "在“伙伴银行关系”中申报、更新与园区的合作关系。",
        ]
    elif kind == OrgKind.BRANCH_REGULATOR:
        ctx.update(_park_counts(parks))
        ctx["duties"] = [
            "审核辖内园区和银行保险机构报送的附表1、2、4、5（通过或退回）。",
            f"于 {period_obj.branch_due:%Y年%m月%d日} 前向省局报送 {period} 附表3和辖内附表4汇总。",
        ]
    elif kind == OrgKind.PROVINCE_REGULATOR or user.is_superuser:
        ctx.update(_park_counts(parks))
        ctx["enterprise_count"] = Enterprise.objects.count()
        ctx["duties"] = [
            "接收各分局报送的附表3及附表4汇总，查看全省监测指标与目标完成情况。",
            "设置报送期、截止日期与锁定日期。",
        ]
    elif kind == OrgKind.ECONOMY_BUREAU:
        ctx.update(_park_counts(parks))
        ctx["duties"] = [
            "维护辖内小微企业园名单（名单以经信部门提供为准）。",
            "认定园区星级、批次与数字化园区称号；查阅园区附表1、附表2反馈。",
        ]
        if access.is_county_viewer(user):
            ctx["county_dashboard"] = {"name": org.region.name, "url": reverse("dashboards:county", args=[org.region.code])}
    else:
        ctx["duties"] = ["您的账号尚未关联机构，请联系管理员。"]
    ctx["todo"] = _todo(user=user, org=org, period=period_obj) if period_obj is not None and org is not None else []
    ctx["period_obj"] = period_obj
    return ctx


def _park_counts(parks: QuerySet) -> dict[str, int]:
    """The parks a landing page counts: the operating ones (运营中: they report and the dashboards
    count them) out of the register's whole list (建设中 and 已撤销 included)."""
    listed = parks.count()
    return {"park_count": parks.filter(status=ParkStatus.ACTIVE).count(), "park_listed": listed}


def _period_open(*, today: dt.date):
    """The latest reporting period still open for filers (else the latest one)."""
    periods = Period.objects.filter(is_baseline=False).order_by("-year", "-quarter")
    return periods.filter(lock_date__gte=today).first() or periods.first()


def _todo(*, user: Any, org: Any, period: Any) -> list[dict[str, Any]]:
    """This user's concrete outstanding work in ``period``: (text, link, level)."""
    items: list[dict[str, Any]] = []
    filings = access.restrict(user, Filing.objects.filter(period=period, is_current=True))
    if org.kind in (OrgKind.PARK_OPERATOR, OrgKind.BRANCH_REGULATOR):
        pending = access.restrict(user, PartnerLink.objects.filter(status="proposed"))
        if org.kind == OrgKind.BRANCH_REGULATOR:
            pending = pending.filter(park__county__city_code=org.region.code)
        if count := pending.count():
            items.append({"text": f"{count} 条伙伴银行关系申报待确认", "url": "/partner-links/?status=proposed", "level": "warning"})
    if org.kind == OrgKind.PARK_OPERATOR:
        items += _park_todo(user=user, org=org, period=period, today=timezone.localdate())
    elif org.kind == OrgKind.BANK_BRANCH:
        items += _branch_todo(org=org, period=period, filings=filings)
    elif org.kind in (OrgKind.BRANCH_REGULATOR, OrgKind.PROVINCE_REGULATOR):
        # the very lists of the review inbox (workflow.inbox): the filings this user may approve or
        # return now, and apart those waiting for someone else first (a park's 附表1 at its lead bank)
        box = review_inbox(user=user)
        items.append({"text": f"{len(box.mine)} 份报表待审核", "url": reverse("reports:inbox"), "level": "warning" if box.mine else "success"})
        if box.waiting:
            items.append({"text": f"{len(box.waiting)} 份园区附表1待主办行审核转报（转报后进入本局待审核）",
                          "url": f"{reverse('reports:inbox')}#waiting", "level": "secondary"})
        t3 = sum(1 for e in box.mine if e.filing.schedule == ScheduleCode.T3)  # the province accepts them
        if t3:
            items.append({"text": f"{t3} 份附表3待省局审核", "url": f"{reverse('reports:inbox')}?schedule={ScheduleCode.T3}", "level": "warning"})
        items.append({"text": f"查看 {period.code} 报送完整性与及时性", "url": f"/completeness/?period={period.code}", "level": "secondary"})
        items.append({"text": f"{period.code} 附表3", "url": f"/t3/?period={period.code}", "level": "secondary"})
    return items



def new_filing_url(*, schedule: str, period: Any, park: Any = None) -> str:
    """The new-filing form preset to ``schedule`` (and period, park): the “附表X尚未填报” links."""
    query = {"schedule": schedule, "period": period.pk} | ({"park": park.pk} if park is not None else {})
    return f"{reverse('reports:filing_new')}?{urlencode(query)}"


def _branch_todo(*, org: Any, period: Any, filings: QuerySet) -> list[dict[str, Any]]:
    """A bank's or insurer's branch: its own package (an insurer's is 附表4 alone) and, for a bank,
    its lead parks' 附表1 waiting for its 转报 (the bulk 转报 page)."""
    items: list[dict[str, Any]] = []
    state_labels = dict(Filing._meta.get_field("status").choices)
    own = {f.schedule: f for f in filings.filter(branch=org)}
    for schedule in branch_schedules(org):
        f = own.get(schedule)
        label = short_label(schedule)
        if f is None:
            items.append({"text": f"{period.code} {label}尚未填报", "url": new_filing_url(schedule=schedule, period=period), "level": "danger"})
        else:
            level = "success" if f.status in (FilingStatus.SUBMITTED, FilingStatus.CONFIRMED, FilingStatus.APPROVED) else "warning"
            items.append({"text": f"{period.code} {label}：{state_labels[f.status]}", "url": f.get_absolute_url(), "level": level})
    if is_insurer_branch(org):
        return items  # an insurer is never a park's 主办行
    waiting = lead_bank_waiting(branch=org).filter(period=period).count()
    if waiting:
        items.append({"text": f"{waiting} 个主办园区的附表1待您审核转报", "url": f"{reverse('reports:forward_list')}?period={period.pk}",
                      "level": "warning"})
    return items


def periods_open_for_filers(*, today: dt.date) -> list[Period]:
    """The periods a filer still owes: the quarter has ended and the lock date has not passed."""
    return list(Period.objects.filter(is_baseline=False, end__lt=today, lock_date__gte=today).order_by("-year", "-quarter"))


def _park_todo(*, user: Any, org: Any, period: Any, today: dt.date) -> list[dict[str, Any]]:
    """The operator's 附表1 of ``period`` for each of its parks (whatever its state), then every other
    open period (``periods_open_for_filers``) whose 附表1 is not filed, a draft or returned."""
    earlier = [p for p in periods_open_for_filers(today=today) if p.pk != period.pk]
    parks = list(Park.objects.filter(operator=org, status="active").order_by("code"))
    filings = access.restrict(user, Filing.objects.filter(schedule=ScheduleCode.T1, is_current=True, park__in=parks,
                                                          period__in=[period, *earlier]))
    mine = {(f.park_id, f.period_id): f for f in filings.select_related("period")}
    labels = dict(Filing._meta.get_field("status").choices)
    items: list[dict[str, Any]] = []
    for p in [period, *earlier]:
        for park in parks:
            f = mine.get((park.pk, p.pk))
            if f is None:
                items.append({"text": f"{park.name}：{p.code} 附表1尚未填报", "url": new_filing_url(schedule=ScheduleCode.T1, period=p, park=park),
                              "level": "danger"})
            elif f.status in (FilingStatus.DRAFT, FilingStatus.RETURNED):
                items.append({"text": f"{park.name}：{p.code} 附表1{labels[f.status]}，待提交", "url": f.get_absolute_url(),
                              "level": "danger" if f.status == FilingStatus.RETURNED else "warning"})
            elif p.pk == period.pk:
                items.append({"text": f"{park.name}：{p.code} 附表1{labels[f.status]}", "url": f.get_absolute_url(), "level": "success"})
    return items
