"""Writes on portal-wide registries."""
from __future__ import annotations

from typing import Any, Iterable

from django.db import transaction
from django.db.models import Model

from portal import access
from portal.models import Organisation, User

ORG_FIELDS = ("name", "kind", "region", "institution", "separately_planned", "contact_name", "contact_phone", "is_active")


def registry_create(*, actor: User, model: type[Model], fields: Iterable[str], data: dict[str, Any]) -> Model:
    """Create a registry row from the whitelisted ``fields`` of ``data`` (permission, full validation)."""
    access.require_add(actor, model)
    obj = model(**{k: v for k, v in data.items() if k in set(fields)})
    obj.full_clean()
    obj.save()
    return obj


def registry_update(*, actor: User, obj: Model, fields: Iterable[str], data: dict[str, Any]) -> Model:
    access.require(actor, access.CHANGE, obj)
    for k in fields:
        if k in data:
            setattr(obj, k, data[k])
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def organisation_create(*, actor: User, data: dict[str, Any]) -> Organisation:
    return registry_create(actor=actor, model=Organisation, fields=ORG_FIELDS, data=data)


@transaction.atomic
def organisation_update(*, actor: User, organisation: Organisation, data: dict[str, Any]) -> Organisation:
    return registry_update(actor=actor, obj=organisation, fields=ORG_FIELDS, data=data)
