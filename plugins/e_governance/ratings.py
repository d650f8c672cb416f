"""好差评 and 差评整改: the applicant's rating of a completed application and the
rectification a bad one opens.

* Rating: by the applicant's side only (their account or their agent), once, and only
  when the application is completed. A 差评 (``BAD_GRADES``) opens a rectification in the
  same transaction, due ``RECTIFICATION_DAYS`` working days after the local day of the
  rating (counted as ``workdays`` counts: that day itself is not counted).
* Rectification: the owning department (or whoever handles ``service`` where the
  applicant lives) records its measures, then closes it with the call-back to the
  applicant (回访). It is on time when the local day it is closed is no later than its
  due day. A closed rectification is final.

Every write reads one clock (``utc_now``) so that a rating, the rectification it opens
and the due day agree; tests set it to a day of their choosing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.errors import BadInput, Conflict, Forbidden, NotFound, Unauthenticated
from plugins.e_governance import access
from plugins.e_governance.models import (
    BAD_GRADES,
    GRADE_SCORE,
    RECTIFICATION_DAYS,
    ApplicationStatus,
    GovApplication,
    GovRating,
    GovRectification,
    Grade,
    RectificationStatus,
)
from plugins.e_governance.workdays import load_calendar

COMMENT_LENGTH = 2000
MEASURES_LENGTH = 4000
NOTE_LENGTH = 2000
#: a call-back may be dated this far past the server's clock (clocks differ a little)
CLOCK_SKEW = timedelta(minutes=5)


def utc_now() -> datetime:
    """The one clock of ratings and rectifications (a test replaces it to fix the day)."""
    return datetime.now(UTC)


def local_day(at: datetime, tz: str) -> date:
    """The local calendar day of an instant (working days are counted in local days)."""
    return at.astimezone(ZoneInfo(tz)).date()


def text_of(value: str | None, argument: str, limit: int, *, required: bool) -> str | None:
    """Trimmed text within ``limit`` characters; empty is None, refused when required."""
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            raise BadInput(f"{argument} must not be empty", argument=argument)
        return None
    if len(cleaned) > limit:
        raise BadInput(
            f"{argument} is {len(cleaned)} characters long; at most {limit}", argument=argument
        )
    return cleaned


def is_overdue(status: str, due_on: date, today: date) -> bool:
    """Open past its due day (on the due day itself it is still in time)."""
    return status == RectificationStatus.OPEN.value and due_on < today


@dataclass(frozen=True, slots=True)
class Rated:
    """A rating, its application and the rectification it opened (None: a good one)."""

    application: GovApplication
    rating: GovRating
    rectification: GovRectification | None


@dataclass(frozen=True, slots=True)
class Rectified:
    """A rectification written and its application."""

    application: GovApplication
    rectification: GovRectification


async def _locked_application(
    session: AsyncSession, actor: Actor, application_id: int, argument: str
) -> GovApplication:
    """The application, locked against a concurrent rating or step; NOT_FOUND when it
    does not exist or the actor may not see it (the same answer, telling nothing)."""
    if not actor.authenticated:
        raise Unauthenticated("log in to rate an application or rectify a rating")
    app = await session.scalar(
        select(GovApplication).where(GovApplication.id == application_id).with_for_update()
    )
    if app is None or not access.sees(actor, app):
        raise NotFound(f"no application has the id {application_id}", argument=argument)
    return app


async def rate(
    session: AsyncSession,
    actor: Actor,
    application_id: int,
    grade: Grade,
    comment: str | None,
    tz: str,
) -> Rated:
    """The applicant's side rates a completed application once; a 差评 opens its
    rectification, due ``RECTIFICATION_DAYS`` working days after today (local)."""
    note = text_of(comment, "comment", COMMENT_LENGTH, required=False)
    app = await _locked_application(session, actor, application_id, "id")
    if not access.applicant_side(actor, app):
        raise Forbidden("only the applicant or their agent rates an application")
    if app.status != ApplicationStatus.COMPLETED.value:
        raise Conflict(
            f"application {application_id} is {app.status}: only a completed one is rated",
            argument="id",
        )
    # the application's lock serializes ratings of it: this read sees a committed one
    rated = select(GovRating.application_id).where(GovRating.application_id == application_id)
    if await session.scalar(rated) is not None:
        raise Conflict(f"application {application_id} is rated already", argument="id")
    now = utc_now()
    rating = GovRating(
        application_id=application_id,
        grade=grade.value,
        score=GRADE_SCORE[grade],
        comment=note,
        rated_by=actor.account_id,
        rated_at=now,
    )
    session.add(rating)
    rectification = None
    if grade in BAD_GRADES:
        calendar = await load_calendar(session)
        rectification = GovRectification(
            application_id=application_id,
            status=RectificationStatus.OPEN.value,
            opened_at=now,
            due_on=calendar.add(local_day(now, tz), RECTIFICATION_DAYS),
        )
        session.add(rectification)
    await session.flush()
    return Rated(app, rating, rectification)


async def _open_rectification(
    session: AsyncSession, actor: Actor, application_id: int
) -> Rectified:
    """The application's rectification, locked, for the department that handles it; an
    open one only (a closed one is final)."""
    app = await _locked_application(session, actor, application_id, "applicationId")
    if not access.handles(actor, app):
        raise Forbidden(
            f"only {app.department_code}, who handled application {application_id}, "
            "rectifies its rating"
        )
    found = await session.scalar(
        select(GovRectification)
        .where(GovRectification.application_id == application_id)
        .with_for_update()
    )
    if found is None:
        raise NotFound(
            f"application {application_id} has no rectification (no bad rating)",
            argument="applicationId",
        )
    if found.status != RectificationStatus.OPEN.value:
        raise Conflict(
            f"the rectification of application {application_id} is closed",
            argument="applicationId",
        )
    return Rectified(app, found)


async def record_measures(
    session: AsyncSession, actor: Actor, application_id: int, measures: str
) -> Rectified:
    """The department's measures (整改措施), replacing earlier ones while it is open."""
    text = text_of(measures, "measures", MEASURES_LENGTH, required=True)
    done = await _open_rectification(session, actor, application_id)
    done.rectification.measures = text
    await session.flush()
    return done


async def close(
    session: AsyncSession,
    actor: Actor,
    application_id: int,
    callback_note: str,
    callback_satisfied: bool,
    called_back_at: datetime | None,
    tz: str,
) -> Rectified:
    """Close with the call-back (回访): what the applicant said, satisfied or not, when
    they were called (default now; not ahead of the clock, not before the rating)."""
    note = text_of(callback_note, "callbackNote", NOTE_LENGTH, required=True)
    done = await _open_rectification(session, actor, application_id)
    found = done.rectification
    if found.measures is None:
        raise Conflict(
            "record the rectification's measures before the call-back closes it",
            argument="applicationId",
        )
    now = utc_now()
    at = now if called_back_at is None else called_back_at
    if at.tzinfo is None:  # a time with no offset is local time
        at = at.replace(tzinfo=ZoneInfo(tz))
    if at > now + CLOCK_SKEW:
        raise BadInput("calledBackAt lies in the future", argument="calledBackAt")
    if at < found.opened_at:
        raise BadInput("calledBackAt is before the rating opened it", argument="calledBackAt")
    found.callback_at = at.astimezone(UTC)  # as the database answers it later
    found.callback_by = actor.account_id
    found.callback_note = note
    found.callback_satisfied = callback_satisfied
    found.closed_at = now
    found.status = RectificationStatus.CLOSED.value
    found.on_time = local_day(now, tz) <= found.due_on
    await session.flush()
    return done
