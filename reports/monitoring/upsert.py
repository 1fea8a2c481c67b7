"""The one way monitoring lists are stored: recompute, then upsert against what is stored — new
rows added, changed ones updated, rows no longer found closed (kept, with their comments and
acknowledgements). Running it twice writes nothing."""
from __future__ import annotations

from typing import Any, Callable

from django.db import models


def upsert_closing(*, model: type[models.Model], existing: dict[Any, models.Model], computed: dict[Any, dict[str, Any]],
                   fields: list[str], flag: str, create: Callable[[dict[str, Any]], bool] = lambda row: True,
                   ignore_conflicts: bool = False) -> tuple[int, int]:
    """(created, updated). ``existing`` and ``computed`` are keyed alike; ``flag`` is the field that
    says a stored row still holds (set False on rows no longer computed); ``create`` says which
    computed rows deserve a new stored row."""
    new, changed = [], []
    for key, row in computed.items():
        obj = existing.get(key)
        if obj is None:
            if create(row):
                new.append(model(**row))
        elif any(getattr(obj, f) != row[f] for f in fields):
            for f in fields:
                setattr(obj, f, row[f])
            changed.append(obj)
    for key, obj in existing.items():
        if key not in computed and getattr(obj, flag):
            setattr(obj, flag, False)
            changed.append(obj)
    model.objects.bulk_create(new, batch_size=1000, ignore_conflicts=ignore_conflicts)
    model.objects.bulk_update(changed, fields, batch_size=1000)
    return len(new), len(changed)
