"""Who holds an event at each level, and where escalation leads."""

from __future__ import annotations

from typing import Any

from core.actor import Actor
from core.models.account import Role

LEVEL_UP = {"grid": "community", "community": "township", "township": "district"}


def region_of_level(region_code: str, level: str, district: str) -> str:
    """The handling region when an event lying in ``region_code`` sits at ``level``."""
    if level == "community":
        return region_code[:12]
    if level == "township":
        return region_code[:9] + "000"
    if level == "district":
        return district
    return region_code


def holds(actor: Actor, event: Any) -> bool:
    """Is the event in the actor's hands now (assignee, level staff, or department)?"""
    if not actor.authenticated:
        return False
    if event.assignee_department is not None:
        return bool(actor.department_code == event.assignee_department)
    level, region = event.level, event.handling_region
    if level == "grid":
        return bool(actor.account_id == event.assignee_id)
    if level == "community":
        return actor.role is Role.COMMUNITY_STAFF and actor.region_code == region
    if level == "township":
        return actor.role is Role.TOWNSHIP_STAFF and actor.region_code == region
    return actor.role is Role.DISTRICT_COMMAND


def may_supervise(actor: Actor, event: Any) -> bool:
    """Higher levels issue supervision cards: the district on anything below it, a township
    on its grids and communities."""
    if actor.role is Role.DISTRICT_COMMAND:
        return event.level != "district" or event.assignee_department is not None
    if actor.role is Role.TOWNSHIP_STAFF and actor.region_code:
        return event.level in ("grid", "community") and event.region_code.startswith(
            actor.region_code[:9]
        )
    return False
