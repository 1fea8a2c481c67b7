"""Reads on the park registry, always through the access module."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from parks.models import Park
from portal import access
from portal.choices import OrgKind


def park_list_for_tenant_keeping(*, user: Any) -> QuerySet[Park]:
    """Parks whose enterprise register ``user`` keeps (its operator's parks)."""
    qs = access.restrict(user, Park.objects.all(), access.VIEW)
    if access.is_superuser(user):
        return qs
    if user.organisation_id and user.organisation.kind == OrgKind.PARK_OPERATOR:
        return qs
    return qs.none()
