"""The e-governance plugin's GraphQL parts, composed into the core schema through hooks."""

from __future__ import annotations

import strawberry

from plugins.e_governance.graphql.applications import (
    ApplicationMutations,
    ApplicationQueries,
    ApplicationSubscriptions,
)
from plugins.e_governance.graphql.catalogue import CatalogueMutations, CatalogueQueries
from plugins.e_governance.graphql.ratings import RatingMutations, RatingQueries


@strawberry.type
class GovQueries(CatalogueQueries, ApplicationQueries, RatingQueries):
    pass


@strawberry.type
class GovMutations(CatalogueMutations, ApplicationMutations, RatingMutations):
    pass


@strawberry.type
class GovSubscriptions(ApplicationSubscriptions):
    pass


__all__ = ["GovMutations", "GovQueries", "GovSubscriptions"]
