"""Who sees a warning, and who sets the rules.

A warning is seen by whoever may read (``event`` ``read``) where at least one of its
members lies: the district command centre sees every warning, a township's or
community's staff those touching their area, a grid worker those touching the grid. A
merged warning is seen by whoever sees the warning it was merged into. Among the members,
a reader is shown the events they may read (``authz.events.visible_events``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, func, select, true

from core.actor import Actor
from core.errors import Forbidden, Unauthenticated
from core.models import Event
from core.models.base import prefix_match
from plugins.early_warning.models import EarlyWarning, WarningMember

#: typed as the reach predicates take it (a mapped attribute is a column to SQL)
_EVENT_REGION: Any = Event.region_code


def owner(warning: Any = EarlyWarning) -> ColumnElement[Any]:
    """SQL: the warning holding the members (the one a merged warning went into)."""
    return func.coalesce(warning.merged_into_id, warning.id)


def visible_warnings(actor: Actor, warning: Any = EarlyWarning) -> ColumnElement[bool]:
    """SQL: warnings with a member where the actor may read events."""
    if not actor.authenticated:
        return false()
    prefixes = actor.reach.prefixes("event", "read")
    if "" in prefixes:
        return true()
    if not prefixes:
        return false()
    return (
        select(WarningMember.event_id)
        .join(Event, Event.id == WarningMember.event_id)
        .where(
            WarningMember.warning_id == owner(warning),
            actor.reach.where("event", "read", _EVENT_REGION),
        )
        .exists()
    )


def touching(prefix: str, warning: Any = EarlyWarning) -> ColumnElement[bool]:
    """SQL: warnings with a member inside the region (or grid) of ``prefix``."""
    if not prefix:
        return true()
    return (
        select(WarningMember.event_id)
        .join(Event, Event.id == WarningMember.event_id)
        .where(WarningMember.warning_id == owner(warning), prefix_match(Event.region_code, prefix))
        .exists()
    )


def may_set_rules(actor: Actor) -> bool:
    """The rules are the whole deployment's: whoever may write events everywhere (the
    district command centre, or a department granted ``event`` ``write`` on it all)."""
    return "" in actor.reach.prefixes("event", "write")


def require_rule_setter(actor: Actor) -> None:
    if not actor.authenticated:
        raise Unauthenticated("log in to set warning rules")
    if not may_set_rules(actor):
        raise Forbidden("only the district command centre sets warning rules")
