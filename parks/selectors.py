"""Reads on the park registry, always through the access module."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from portal import access
from portal.choices import OrgKind

from .models import Park, PartnerLink, Tenancy


def park_list_for_tenant_keeping(*, user: Any) -> QuerySet[Park]:
    """Parks whose enterprise register ``user`` keeps (its operator's parks)."""
    qs = access.restrict(user, Park.objects.all(), access.VIEW)
    if access.is_superuser(user):
        return qs
    if user.organisation_id and user.organisation.kind == OrgKind.PARK_OPERATOR:
        return qs
    return qs.none()


def tenancy_current_at(*, on: dt.date) -> QuerySet[Tenancy]:
    """Tenancies in force on ``on`` (entered by then, not left before): the one definition of a
    park's tenants at a date (T2's 入园企业数, roll-ups, dashboards)."""
    return Tenancy.objects.filter(entered_on__lte=on).exclude(left_on__lt=on)


def partner_link_active_at(*, on: dt.date) -> QuerySet[PartnerLink]:
    """Partner links in force on ``on`` (the one definition of a park's partner banks at a date)."""
    return PartnerLink.objects.filter(since__lte=on).exclude(until__lt=on)
