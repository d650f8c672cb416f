"""Trace management of grid-worker work (痕迹管理): attendance, tracks, visits, patrols.

A built-in plugin. So far it declares its data categories; its schema comes in a later issue.
"""

from core.categories import DataCategory
from core.plugins import hookimpl


@hookimpl
def gridgov_data_categories() -> list[DataCategory]:
    return [
        DataCategory("attendance", None, "Check-ins, visits and patrols of grid workers"),
        DataCategory("attendance:track", "attendance", "GPS tracks of grid workers", personal=True),
    ]
