"""Smart government affairs (智慧政务): service requests handled on residents' behalf.

A built-in plugin. So far it declares its data categories; its schema comes in a later issue.
"""

from core.categories import DataCategory
from core.plugins import hookimpl


@hookimpl
def gridgov_data_categories() -> list[DataCategory]:
    return [
        DataCategory("service", None, "Government service requests and errands (代办帮办)"),
    ]
