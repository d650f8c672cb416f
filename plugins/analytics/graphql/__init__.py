"""The analytics plugin's GraphQL: the dashboard, the analysis modules, assessment tables."""

from __future__ import annotations

import strawberry

from plugins.analytics.graphql.analysis import AnalysisQueries
from plugins.analytics.graphql.assessment import AssessmentMutations, AssessmentQueries
from plugins.analytics.graphql.dashboard import DashboardQueries


@strawberry.type
class AnalyticsQueries(DashboardQueries, AnalysisQueries, AssessmentQueries):
    pass


@strawberry.type
class AnalyticsMutations(AssessmentMutations):
    pass
