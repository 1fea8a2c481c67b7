"""Exceptions every app may raise and portal answers the same way everywhere (``portal.api.errors``
maps them to HTTP responses), so that portal needs to import no domain app to recognise them."""
from __future__ import annotations


class StaleObject(Exception):
    """Optimistic locking: someone else saved the object since it was opened; nothing was saved
    (the API answers 409 ``stale`` with the exception's message). ``reports``' ``StaleFiling`` is one."""
