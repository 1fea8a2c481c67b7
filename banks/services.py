"""Writes on institutions."""
from __future__ import annotations

from typing import Any

from django.db import transaction

from banks.models import Institution
from portal.models import User
from portal.services import registry_create, registry_update

FIELDS = ("name", "short_name", "type", "is_active")


@transaction.atomic
def institution_create(*, actor: User, data: dict[str, Any]) -> Institution:
    return registry_create(actor=actor, model=Institution, fields=FIELDS, data=data)


@transaction.atomic
def institution_update(*, actor: User, institution: Institution, data: dict[str, Any]) -> Institution:
    return registry_update(actor=actor, obj=institution, fields=FIELDS, data=data)
