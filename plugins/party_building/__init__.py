"""Smart party building (智慧党建): party organizations, members, activities.

A built-in plugin. So far it declares its data categories and gives the dashboard its panel; its
schema comes in a later issue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.categories import DataCategory
from core.plugins import hookimpl

if TYPE_CHECKING:
    from core.analysis import PanelPart


@hookimpl
def gridgov_data_categories() -> list[DataCategory]:
    return [
        DataCategory("party", None, "Party organizations, members and activities"),
        DataCategory("party:member", "party", "Party members' personal records", personal=True),
    ]


@hookimpl
def gridgov_dashboard_panels() -> list[PanelPart]:
    from plugins.party_building.panel import PANEL

    return [PANEL]
