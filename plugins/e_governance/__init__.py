"""Smart government affairs (智慧政务): service requests handled on residents' behalf.

A built-in plugin. So far it declares its data categories and gives the dashboard its panel; its
schema comes in a later issue.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from core.categories import DataCategory
from core.plugins import hookimpl

if TYPE_CHECKING:
    from core.analysis import PanelPart


@hookimpl
def gridgov_data_categories() -> list[DataCategory]:
    return [
        DataCategory("service", None, "Government service requests and errands (代办帮办)"),
    ]


@hookimpl
def gridgov_dashboard_panels() -> list[PanelPart]:
    from plugins.e_governance.panel import PANEL

    return [PANEL]


@hookimpl
def gridgov_migration_dirs() -> list[Path]:
    return [Path(__file__).parent / "migrations"]
