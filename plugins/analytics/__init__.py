"""Intelligent analysis (智能分析): dashboard panels, heat maps, assessment tables.

A built-in plugin. So far it declares its data categories; its schema comes in a later issue.
"""

from core.categories import DataCategory
from core.plugins import hookimpl


@hookimpl
def gridgov_data_categories() -> list[DataCategory]:
    return [
        DataCategory("analytics", None, "Aggregated indicators, heat maps and assessments"),
    ]
