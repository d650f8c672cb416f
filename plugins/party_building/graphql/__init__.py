"""The party building plugin's GraphQL parts, composed into the core schema through hooks."""

from __future__ import annotations

import strawberry

from plugins.party_building.graphql.dues import DuesMutations, DuesQueries
from plugins.party_building.graphql.helpers import TYPE_PARTS as HELPER_PARTS
from plugins.party_building.graphql.helpers import HelperMutations, HelperQueries
from plugins.party_building.graphql.meetings import MeetingMutations, MeetingQueries
from plugins.party_building.graphql.members import (
    MemberMutations,
    MemberQueries,
    PersonPartyMember,
)
from plugins.party_building.graphql.organizations import (
    OrganizationMutations,
    OrganizationQueries,
)
from plugins.party_building.graphql.service import ServiceMutations, ServiceQueries


@strawberry.type
class PartyQueries(
    OrganizationQueries, MemberQueries, MeetingQueries, DuesQueries, ServiceQueries, HelperQueries
):
    pass


@strawberry.type
class PartyMutations(
    OrganizationMutations,
    MemberMutations,
    MeetingMutations,
    DuesMutations,
    ServiceMutations,
    HelperMutations,
):
    pass


#: fields of core types: the grid's helpers, an event's helper, a person's membership
TYPE_PARTS: dict[str, list[type]] = {**HELPER_PARTS}
TYPE_PARTS.setdefault("Person", []).append(PersonPartyMember)

__all__ = ["TYPE_PARTS", "PartyMutations", "PartyQueries"]
