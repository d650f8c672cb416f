"""Who may read a stored file of the core's records: an event's photo or video is read by
whoever may read the event as a handler (reach, holder, the department it went to), and
by its reporter — except the files of internal steps, which the reporter's trace hides."""

from __future__ import annotations

from sqlalchemy import Select, and_, false, not_, or_, select

from authz.events import handled_events
from core.actor import Actor
from core.models import Event
from core.models.event import EventAttachment, EventTrace


def readable_event_file(actor: Actor, key: str) -> Select[tuple[bool]]:
    """SELECT of one boolean: may ``actor`` read the file ``key`` through an event?"""
    if not actor.authenticated:
        return select(false())
    public = or_(EventAttachment.trace_id.is_(None), not_(EventTrace.internal))
    reporter = and_(Event.reporter_id == actor.account_id, public)
    found = (
        select(EventAttachment.id)
        .join(Event, Event.id == EventAttachment.event_id)
        .outerjoin(EventTrace, EventTrace.id == EventAttachment.trace_id)
        .where(EventAttachment.key == key, or_(handled_events(actor), reporter))
        .exists()
    )
    return select(found)
