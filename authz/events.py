"""Who may see an event: one answer, as a SQL predicate for lists and as a check on a row
already read (a single event, a live update). Both say the same: the reporter, whoever holds
the event now, and whoever's reach covers its region for ``event`` ``read``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_

from core.actor import Actor
from core.models import Event
from core.services.event_rules import can_see

__all__ = ["can_see", "handled_events", "visible_events"]


def visible_events(actor: Actor, event: Any = Event) -> ColumnElement[bool]:
    """SQL: events this actor may read (by reach, as reporter, as department or holder);
    ``event`` is the table or an alias of it."""
    if not actor.authenticated:
        return false()
    return or_(handled_events(actor, event), event.reporter_id == actor.account_id)


def handled_events(actor: Actor, event: Any = Event) -> ColumnElement[bool]:
    """SQL: events this actor may read other than as their reporter (by reach, as holder
    or as the department it was dispatched to)."""
    if not actor.authenticated:
        return false()
    parts = [
        actor.reach.where("event", "read", event.region_code),
        event.assignee_id == actor.account_id,
    ]
    if actor.department_code:
        parts.append(event.assignee_department == actor.department_code)
    return or_(*parts)
