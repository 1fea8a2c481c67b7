"""Signals of the park registry. ``parks`` knows nothing of the apps that listen (layering:
portal → parks → reports): ``reports`` connects its receivers in ``ReportsConfig.ready()``.

``register_changed`` is sent by ``parks.services`` (and the admin) inside the transaction that
changes a park's register — a tenancy (入园 / 退园) created, changed or deleted, an enterprise
changed, a partner link confirmed, changed, rejected or ended. Receivers run in that transaction,
so what they derive (附表2) commits or rolls back with the change itself.

    park_id   the park whose register changed
    dates     every date the change touched, old and new values (None entries allowed): a
              figure at a period end ``E`` can only change when some date is ≤ ``E``
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from django.dispatch import Signal

register_changed = Signal()


def send_register_changed(sender: type, *, park_id: int, dates: Iterable[dt.date | None]) -> None:
    register_changed.send(sender=sender, park_id=park_id, dates=tuple(d for d in dates if d is not None))


# Sent by ``parks.brain.brain_readings_upsert`` inside the transaction that saved 园区大脑 readings
# (never on a dry run or an unchanged push): ``park_id`` and the ``months`` (first days) touched.
# The reports stage derives its operating-risk signals from them (on commit, in a Celery task).
readings_changed = Signal()


def send_readings_changed(sender: type, *, park_id: int, months: Iterable[dt.date]) -> None:
    readings_changed.send(sender=sender, park_id=park_id, months=tuple(sorted(set(months))))
