"""Smart party building (智慧党建): party organizations, members, activities.

A built-in plugin. So far it declares its data categories; its schema comes in a later issue.
"""

from core.categories import DataCategory
from core.plugins import hookimpl


@hookimpl
def gridgov_data_categories() -> list[DataCategory]:
    return [
        DataCategory("party", None, "Party organizations, members and activities"),
        DataCategory("party:member", "party", "Party members' personal records", personal=True),
    ]
