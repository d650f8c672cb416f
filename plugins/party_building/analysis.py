"""What the party building plugin gives the analysis system (研判分析), through the core's
``gridgov_analysis_modules`` hook: the member list (党员信息分析, personal: category
``party:member``) and the meetings held (三会一课分析, category ``party``).

Both place a record where its organization is (``region_code`` = the organization's
``area_code``, the code every party grant is tested against), so an actor's rows follow
the same reach as the plugin's own queries by region.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import DateTime, Integer, cast, func, select

from core.analysis import AnalysisModule, Column, Scope
from core.models import Person
from plugins.party_building.access import MEMBER, MEMBER_KIND, PARTY
from plugins.party_building.models import (
    MeetingKind,
    MemberStatus,
    PartyMeeting,
    PartyMeetingAttendance,
    PartyMember,
    PartyOrganization,
    Stage,
)

STAGE_FILTERS = {
    Stage.FULL.value: "正式党员",
    Stage.PROBATIONARY.value: "预备党员",
    Stage.CANDIDATE.value: "发展对象",
    Stage.ACTIVIST.value: "入党积极分子",
    Stage.APPLICANT.value: "入党申请人",
}
FLOWING = "flowing"
MEETING_FILTERS = {
    MeetingKind.GENERAL_ASSEMBLY.value: "支部党员大会",
    MeetingKind.COMMITTEE.value: "支部委员会",
    MeetingKind.GROUP.value: "党小组会",
    MeetingKind.LECTURE.value: "党课",
    MeetingKind.THEME_DAY.value: "主题党日",
}


def mask_first(name: str) -> str:
    """``张三丰`` → ``张**``: the first character kept."""
    return name[:1] + "*" * (len(name) - 1)


def local_midnight(scope: Scope, day: Any) -> Any:
    """SQL: the instant a local day starts (a date column as the module's ``at``)."""
    return func.timezone(scope.tz, cast(day, DateTime))


def members_source(scope: Scope, filter: str | None) -> Any:
    """Members on the rolls (not left), at the date they reached their stage; their age on
    the period's last day."""
    stmt = (
        select(
            PartyMember.id.label("id"),
            PartyOrganization.area_code.label("region_code"),
            local_midnight(scope, PartyMember.stage_on).label("at"),
            Person.name.label("name"),
            PartyOrganization.name.label("organization"),
            PartyMember.stage.label("stage"),
            PartyMember.stage_on.label("stage_on"),
            PartyMember.education.label("education"),
            cast(
                func.date_part("year", func.age(scope.last_day, Person.birth_date)),
                Integer,
            ).label("age"),
            PartyMember.flowing.label("flowing"),
        )
        .join(PartyOrganization, PartyOrganization.id == PartyMember.organization_id)
        .join(Person, Person.id == PartyMember.person_id)
        .where(PartyMember.status != MemberStatus.LEFT.value)
    )
    if filter == FLOWING:
        return stmt.where(PartyMember.flowing)
    if filter is not None:
        return stmt.where(PartyMember.stage == filter)
    return stmt


def meetings_source(scope: Scope, filter: str | None) -> Any:
    """Meetings held, at the day they were held, with those present and expected (the
    attendance recorded)."""
    attendance = PartyMeetingAttendance
    present = (
        select(func.count())
        .where(attendance.meeting_id == PartyMeeting.id, attendance.status == "present")
        .scalar_subquery()
    )
    expected = (
        select(func.count()).where(attendance.meeting_id == PartyMeeting.id).scalar_subquery()
    )
    stmt = (
        select(
            PartyMeeting.id.label("id"),
            PartyOrganization.area_code.label("region_code"),
            local_midnight(scope, PartyMeeting.held_on).label("at"),
            PartyOrganization.name.label("organization"),
            PartyMeeting.kind.label("kind"),
            PartyMeeting.title.label("title"),
            PartyMeeting.held_on.label("held_on"),
            present.label("present"),
            expected.label("expected"),
        )
        .join(PartyOrganization, PartyOrganization.id == PartyMeeting.organization_id)
        .where(PartyMeeting.held_on.is_not(None))
    )
    if filter is not None:
        stmt = stmt.where(PartyMeeting.kind == filter)
    return stmt


MODULES = [
    AnalysisModule(
        key="party_members",
        title="党员信息分析",
        category=MEMBER,
        kind=MEMBER_KIND,
        columns=(
            Column("name", "姓名", MEMBER, mask_first),
            Column("organization", "所在党组织"),
            Column("stage", "阶段"),
            Column("stage_on", "阶段日期"),
            Column("education", "学历"),
            Column("age", "年龄"),
            Column("flowing", "流动党员"),
        ),
        source=members_source,
        filters={**STAGE_FILTERS, FLOWING: "流动党员"},
        order=190,
    ),
    AnalysisModule(
        key="party_meetings",
        title="三会一课分析",
        category=PARTY,
        kind="party_meeting",
        columns=(
            Column("organization", "党组织"),
            Column("kind", "类别"),
            Column("title", "会议名称"),
            Column("held_on", "召开日期"),
            Column("present", "实到"),
            Column("expected", "应到"),
        ),
        source=meetings_source,
        dated=True,
        filters=MEETING_FILTERS,
        order=200,
    ),
]
