"""The analysis modules the analytics plugin gives itself (attendance's come from it)."""

from __future__ import annotations

from core.analysis import AnalysisModule
from plugins.analytics.modules import events, people, places, workers


def builtin_modules() -> list[AnalysisModule]:
    return [*people.MODULES, *places.MODULES, *events.MODULES, *workers.MODULES]
