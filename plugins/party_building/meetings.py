"""三会一课 and 主题党日: planning, recording (with attendance) and cancelling meetings, and
the SQL of the quarterly compliance view (did an organization hold each kind of meeting as
often as ``rules.REQUIRED_PER_QUARTER`` asks?).

Rules kept here, so the GraphQL layer only translates:

* a kind of meeting fits only some kinds of organization (``KINDS_FOR``);
* a meeting is held on a day that is not in the future (local today of the deployment);
* attendance names active members of the meeting's organization or of its subtree, once
  each; recording a held meeting again replaces its minutes and attendance;
* a held meeting cannot be cancelled (its record stays).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    column,
    delete,
    distinct,
    func,
    insert,
    or_,
    select,
    values,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import Values

from core.actor import Actor
from core.errors import BadInput, Conflict, NotFound
from plugins.party_building.access import PARTY, PartyAccess, access_for, organization, subtree
from plugins.party_building.models import (
    Attendance,
    MeetingKind,
    MemberStatus,
    OrgKind,
    PartyMeeting,
    PartyMeetingAttendance,
    PartyMember,
    PartyOrganization,
)
from plugins.party_building.rules import REQUIRED_PER_QUARTER

TITLE_LIMIT = 200
VENUE_LIMIT = 200
MINUTES_LIMIT = 20_000
#: how many attendance lines one meeting may record
ATTENDANCE_LIMIT = 2_000

_BRANCH_KINDS = frozenset(
    {
        MeetingKind.GENERAL_ASSEMBLY,
        MeetingKind.COMMITTEE,
        MeetingKind.LECTURE,
        MeetingKind.THEME_DAY,
    }
)
#: the meetings an organization of each kind may hold: a party group its group meeting, a
#: branch or general branch the branch meetings, a committee (党委) lectures and theme days
KINDS_FOR: dict[OrgKind, frozenset[MeetingKind]] = {
    OrgKind.COMMITTEE: frozenset({MeetingKind.LECTURE, MeetingKind.THEME_DAY}),
    OrgKind.GENERAL_BRANCH: _BRANCH_KINDS,
    OrgKind.BRANCH: _BRANCH_KINDS,
    OrgKind.GROUP: frozenset({MeetingKind.GROUP}),
}

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True, slots=True)
class AttendanceLine:
    member_id: int
    status: Attendance


@dataclass(frozen=True, slots=True)
class Quarter:
    """A calendar quarter, both ends inclusive."""

    label: str
    starts_on: date
    ends_on: date


def parse_quarter(text: str, today: date, argument: str = "quarter") -> Quarter:
    """``2026-Q3`` → 1 July to 30 September 2026; a quarter not begun yet has nothing to
    check, so it is refused like a malformed one."""
    found = _QUARTER.match(text.strip())
    if found is None or int(found.group(1)) < 1:
        raise BadInput(f"quarter must look like 2026-Q3, got {text!r}", argument=argument)
    year, number = int(found.group(1)), int(found.group(2))
    starts_on = date(year, 3 * number - 2, 1)
    ends_on = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    ends_on = date.fromordinal(ends_on.toordinal() - 1)
    if starts_on > today:
        raise BadInput(f"quarter {text} has not begun yet", argument=argument)
    return Quarter(f"{year}-Q{number}", starts_on, ends_on)


def _text(value: str | None, argument: str, limit: int, *, required: bool) -> str | None:
    """Trimmed text; empty is None (or refused when required); too long is refused."""
    value = (value or "").strip()
    if not value:
        if required:
            raise BadInput(f"{argument} must not be empty", argument=argument)
        return None
    if len(value) > limit:
        raise BadInput(f"{argument} has more than {limit} characters", argument=argument)
    return value


def check_kind(org: PartyOrganization, kind: MeetingKind) -> None:
    """The kind must be one this organization holds (a group meets as a group, …)."""
    allowed = KINDS_FOR.get(OrgKind(org.kind), frozenset())
    if kind not in allowed:
        names = ", ".join(sorted(k.name for k in allowed)) or "none"
        raise BadInput(
            f"a {OrgKind(org.kind).name} organization does not hold {kind.name} meetings "
            f"(it holds: {names})",
            argument="kind",
        )


async def plan_meeting(
    session: AsyncSession,
    actor: Actor,
    *,
    organization_id: int,
    kind: MeetingKind,
    title: str,
    planned_on: date,
    venue: str | None = None,
) -> int:
    """Plan a meeting of an organization the actor may write ``party`` data of; its id."""
    access = await access_for(session, actor)
    access.require_any(PARTY, "write")
    org = await organization(session, access, organization_id, "write", PARTY)
    check_kind(org, kind)
    meeting = PartyMeeting(
        organization_id=org.id,
        kind=kind.value,
        title=_text(title, "title", TITLE_LIMIT, required=True),
        planned_on=planned_on,
        venue=_text(venue, "venue", VENUE_LIMIT, required=False),
        created_by=actor.account_id,
    )
    session.add(meeting)
    await session.flush()
    return int(meeting.id)


async def _meeting_to_change(
    session: AsyncSession, access: PartyAccess, meeting_id: int
) -> tuple[PartyMeeting, PartyOrganization]:
    """The meeting (locked against a concurrent record or cancel) and its organization;
    NOT_FOUND when the actor cannot read it, FORBIDDEN when they read but may not write."""
    meeting = (
        await session.execute(
            select(PartyMeeting).where(PartyMeeting.id == meeting_id).with_for_update()
        )
    ).scalar_one_or_none()
    org = None if meeting is None else await session.get(PartyOrganization, meeting.organization_id)
    if meeting is None or org is None or not access.allows(org, "read", PARTY):
        raise NotFound(f"no party meeting has the id {meeting_id}", argument="id")
    access.require(org, "write", PARTY)
    return meeting, org


def _check_lines(lines: Sequence[AttendanceLine]) -> list[int]:
    """The member ids, each once (a member is present, absent or excused, not two)."""
    if len(lines) > ATTENDANCE_LIMIT:
        raise BadInput(
            f"a meeting records at most {ATTENDANCE_LIMIT} attendance lines", argument="attendance"
        )
    seen: set[int] = set()
    for line in lines:
        if line.member_id in seen:
            raise BadInput(
                f"member {line.member_id} is named twice in the attendance", argument="attendance"
            )
        seen.add(line.member_id)
    return list(seen)


async def _check_members(session: AsyncSession, org: PartyOrganization, ids: list[int]) -> None:
    """Every attendee is an active member of the organization or of one below it."""
    if not ids:
        return
    found = set(
        (
            await session.scalars(
                select(PartyMember.id)
                .join(PartyOrganization, PartyOrganization.id == PartyMember.organization_id)
                .where(
                    PartyMember.id.in_(ids),
                    PartyMember.status == MemberStatus.ACTIVE.value,
                    subtree(org.path),
                )
            )
        ).all()
    )
    outside = sorted(set(ids) - found)
    if outside:
        listed = ", ".join(str(i) for i in outside)
        raise BadInput(
            f"not active members of {org.code} or of an organization below it: {listed}",
            argument="attendance",
            memberIds=[str(i) for i in outside],
        )


async def record_meeting(
    session: AsyncSession,
    actor: Actor,
    meeting_id: int,
    *,
    held_on: date,
    minutes: str | None,
    attendance: Sequence[AttendanceLine],
    today: date,
) -> int:
    """Mark a meeting held with its minutes and attendance. Recording a held meeting again
    replaces both (a correction), so what was sent is what is kept."""
    access = await access_for(session, actor)
    access.require_any(PARTY, "write")
    meeting, org = await _meeting_to_change(session, access, meeting_id)
    if held_on > today:
        raise BadInput(f"heldOn {held_on} is in the future (today is {today})", argument="heldOn")
    if org.established_on is not None and held_on < org.established_on:
        raise BadInput(
            f"heldOn {held_on} is before {org.code} was established ({org.established_on})",
            argument="heldOn",
        )
    text = _text(minutes, "minutes", MINUTES_LIMIT, required=False)
    await _check_members(session, org, _check_lines(attendance))
    meeting.held_on = held_on
    meeting.minutes = text
    await session.execute(
        delete(PartyMeetingAttendance).where(PartyMeetingAttendance.meeting_id == meeting.id)
    )
    if attendance:
        await session.execute(
            insert(PartyMeetingAttendance),
            [
                {"meeting_id": meeting.id, "member_id": a.member_id, "status": a.status.value}
                for a in attendance
            ],
        )
    await session.flush()
    return int(meeting.id)


async def cancel_meeting(session: AsyncSession, actor: Actor, meeting_id: int) -> int:
    """Delete a meeting not held yet; a held one is a record and stays (CONFLICT)."""
    access = await access_for(session, actor)
    access.require_any(PARTY, "write")
    meeting, _ = await _meeting_to_change(session, access, meeting_id)
    if meeting.held_on is not None:
        raise Conflict(
            f"meeting {meeting_id} was held on {meeting.held_on}: it cannot be cancelled",
            argument="id",
        )
    await session.delete(meeting)
    await session.flush()
    return meeting_id


# --- the quarterly compliance view (SQL) ---------------------------------------------


def requirements() -> Values:
    """``REQUIRED_PER_QUARTER`` as rows ``(org_kind, meeting_kind, required)``, for SQL."""
    rows = [
        (org_kind.value, kind.value, required)
        for org_kind, kinds in REQUIRED_PER_QUARTER.items()
        for kind, required in kinds.items()
    ]
    return values(
        column("org_kind", String),
        column("meeting_kind", String),
        column("required", Integer),
        name="required_meeting",
    ).data(rows)


def with_requirements(org: type[PartyOrganization] = PartyOrganization) -> ColumnElement[bool]:
    """SQL: organizations of a kind that must hold meetings (branches, groups, …)."""
    return org.kind.in_([k.value for k in REQUIRED_PER_QUARTER])


def existing_in(quarter: Quarter, org: type[PartyOrganization] = PartyOrganization) -> Any:
    """SQL: organizations established by the quarter's end (or of unknown date)."""
    return or_(org.established_on.is_(None), org.established_on <= quarter.ends_on)


def held_in(quarter: Quarter) -> ColumnElement[bool]:
    """SQL: a meeting held in the quarter (by the day it was held, not planned)."""
    return PartyMeeting.held_on.between(quarter.starts_on, quarter.ends_on)


def compliant(quarter: Quarter, org: type[PartyOrganization] = PartyOrganization) -> Any:
    """SQL, per organization: no requirement of its kind was held fewer times than asked.
    (An organization of a kind without requirements is trivially compliant.)"""
    req = requirements()
    held = (
        select(func.count())
        .select_from(PartyMeeting)
        .where(
            PartyMeeting.organization_id == org.id,
            PartyMeeting.kind == req.c.meeting_kind,
            held_in(quarter),
        )
        .correlate_except(PartyMeeting)
        .scalar_subquery()
    )
    unmet = select(req.c.meeting_kind).where(req.c.org_kind == org.kind, held < req.c.required)
    return ~unmet.exists()


def quarter_tallies(
    organization_ids: Sequence[int], quarter: Quarter
) -> Select[int, str, int, int, int]:
    """Per organization and kind: meetings held in the quarter, and the attendance
    recorded at them (all lines, and those present). One statement for a page."""
    line = PartyMeetingAttendance
    return (
        select(
            PartyMeeting.organization_id,
            PartyMeeting.kind,
            func.count(distinct(PartyMeeting.id)).label("held"),
            func.count(line.member_id).label("recorded"),
            func.count(line.member_id)
            .filter(line.status == Attendance.PRESENT.value)
            .label("present"),
        )
        .select_from(PartyMeeting)
        .outerjoin(line, line.meeting_id == PartyMeeting.id)
        .where(PartyMeeting.organization_id.in_(list(organization_ids)), held_in(quarter))
        .group_by(PartyMeeting.organization_id, PartyMeeting.kind)
    )


@dataclass(frozen=True, slots=True)
class Tally:
    held: int = 0
    recorded: int = 0
    present: int = 0


@dataclass(frozen=True, slots=True)
class Item:
    kind: MeetingKind
    required: int
    held: int

    @property
    def met(self) -> bool:
        return self.held >= self.required


def items_of(org_kind: str, tallies: dict[str, Tally]) -> list[Item]:
    """The requirements of an organization's kind, each with how many were held."""
    kinds = REQUIRED_PER_QUARTER.get(OrgKind(org_kind), {})
    return [
        Item(kind, required, tallies.get(kind.value, Tally()).held)
        for kind, required in kinds.items()
    ]


def attendance_rate(tallies: dict[str, Tally]) -> float | None:
    """Present / recorded attendance over the held meetings (None: nothing recorded)."""
    recorded = sum(t.recorded for t in tallies.values())
    if recorded == 0:
        return None
    return sum(t.present for t in tallies.values()) / recorded
