"""Writes on institutions."""
from __future__ import annotations

from typing import Any

from django.db import transaction

from portal import access
from portal.models import User

from .models import Institution

FIELDS = ("name", "short_name", "type", "is_active")


@transaction.atomic
def institution_create(*, actor: User, data: dict[str, Any]) -> Institution:
    access.require_add(actor, Institution)
    inst = Institution(**{k: v for k, v in data.items() if k in FIELDS})
    inst.full_clean()
    inst.save()
    return inst


@transaction.atomic
def institution_update(*, actor: User, institution: Institution, data: dict[str, Any]) -> Institution:
    access.require(actor, access.CHANGE, institution)
    for k in FIELDS:
        if k in data:
            setattr(institution, k, data[k])
    institution.full_clean()
    institution.save()
    return institution
