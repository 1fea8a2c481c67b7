"""Writes on portal-wide registries."""
from __future__ import annotations

from typing import Any

from django.db import transaction

from . import access
from .models import Organisation, User

ORG_FIELDS = ("name", "kind", "region", "institution", "separately_planned", "contact_name", "contact_phone", "is_active")


@transaction.atomic
def organisation_create(*, actor: User, data: dict[str, Any]) -> Organisation:
    access.require_add(actor, Organisation)
    org = Organisation(**{k: v for k, v in data.items() if k in ORG_FIELDS})
    org.full_clean()
    org.save()
    return org


@transaction.atomic
def organisation_update(*, actor: User, organisation: Organisation, data: dict[str, Any]) -> Organisation:
    access.require(actor, access.CHANGE, organisation)
    for k in ORG_FIELDS:
        if k in data:
            setattr(organisation, k, data[k])
    organisation.full_clean()
    organisation.save()
    return organisation
