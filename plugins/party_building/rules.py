"""The rules of organizational life the plugin checks (党支部工作条例): how many meetings of
each kind a branch (or a party group) must hold in a quarter, and the points of service."""

from __future__ import annotations

from plugins.party_building.models import MeetingKind, OrgKind

#: meetings of each kind an organization must hold per quarter (三会一课 and 主题党日):
#: the branch assembly and a party lecture quarterly, the branch committee and the theme
#: day monthly; a party group meets monthly.
REQUIRED_PER_QUARTER: dict[OrgKind, dict[MeetingKind, int]] = {
    OrgKind.BRANCH: {
        MeetingKind.GENERAL_ASSEMBLY: 1,
        MeetingKind.COMMITTEE: 3,
        MeetingKind.LECTURE: 1,
        MeetingKind.THEME_DAY: 3,
    },
    OrgKind.GENERAL_BRANCH: {
        MeetingKind.GENERAL_ASSEMBLY: 1,
        MeetingKind.COMMITTEE: 3,
        MeetingKind.LECTURE: 1,
    },
    OrgKind.GROUP: {MeetingKind.GROUP: 3},
}
