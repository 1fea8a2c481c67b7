"""The landing page (``portal.views.home``): portal draws it (portal/home.html); the apps that
know the user's duties fill it in. Each registers, from its ``AppConfig.ready()``, a panel
``panel(user=..., org=..., kind=...) -> dict`` whose keys are merged into the page's context in the
order of registration. No model import here: apps.py modules import this one."""
from __future__ import annotations

from typing import Any, Callable

LANDING_PANELS: list[Callable[..., dict[str, Any]]] = []


def register_landing_panel(panel: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    if panel not in LANDING_PANELS:
        LANDING_PANELS.append(panel)
    return panel


def landing_for(*, user: Any) -> dict[str, Any]:
    """What the landing page shows each role: its duties and the size of its scope."""
    org = user.organisation if user.organisation_id else None
    kind = org.kind if org else None
    ctx: dict[str, Any] = {"org": org, "kind": kind}
    for panel in LANDING_PANELS:
        ctx.update(panel(user=user, org=org, kind=kind))
    return ctx
