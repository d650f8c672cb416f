"""What the plugins contribute to analytics, collected once at start-up."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

import pluggy

from core.analysis import AnalysisModule, AssessmentIndicator, PanelPart
from core.plugins import PluginError
from core.runtime import Runtime
from plugins.analytics.maps.heat import CellOutlines

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Panel:
    key: str
    title: str
    order: int
    parts: tuple[PanelPart, ...]


@dataclass(frozen=True)
class Registry:
    panels: list[Panel]
    modules: dict[str, AnalysisModule]
    indicators: dict[str, AssessmentIndicator]

    def panel(self, key: str) -> Panel | None:
        return next((p for p in self.panels if p.key == key), None)


@dataclass
class AnalyticsState:
    """The plugin's state in the runtime (``runtime.state.of(AnalyticsState)``)."""

    registry: Registry | None = None
    tz: str = "Asia/Shanghai"
    #: panel parts of plugins whose panel nobody founds (reported, not shown)
    orphans: list[str] = field(default_factory=list)
    #: the edges of the BeiDou cells heat maps have drawn
    outlines: CellOutlines = field(default_factory=CellOutlines)


def _flat(results: Iterable[Iterable[T] | None]) -> list[T]:
    return [item for result in results for item in result or ()]


def _keyed(items: list[T], what: str) -> dict[str, T]:
    out: dict[str, T] = {}
    for item in items:
        key: str = getattr(item, "key")  # noqa: B009 - both kinds have a key
        if key in out:
            raise PluginError(f"two plugins contribute the {what} {key!r}")
        out[key] = item
    return out


def build_registry(pm: pluggy.PluginManager) -> tuple[Registry, list[str]]:
    """The panels (parts grouped by key, founders' titles, in order), modules and
    indicators; a key contributed twice, or a panel founded twice, fails start-up."""
    parts: list[PanelPart] = _flat(pm.hook.gridgov_dashboard_panels())
    founders: dict[str, PanelPart] = {}
    for part in parts:
        if part.title is not None:
            if part.panel in founders:
                raise PluginError(f"two plugins found the dashboard panel {part.panel!r}")
            founders[part.panel] = part
    panels = [
        Panel(
            key,
            founder.title or key,
            founder.order,
            tuple(sorted((p for p in parts if p.panel == key), key=lambda p: p.order)),
        )
        for key, founder in founders.items()
    ]
    panels.sort(key=lambda p: (p.order, p.key))
    orphans = sorted({p.panel for p in parts if p.panel not in founders})
    modules = _keyed(_flat(pm.hook.gridgov_analysis_modules()), "analysis module")
    modules = dict(sorted(modules.items(), key=lambda kv: (kv[1].order, kv[0])))
    indicators = _keyed(_flat(pm.hook.gridgov_assessment_indicators()), "assessment indicator")
    return Registry(panels, modules, indicators), orphans


def registry(runtime: Runtime) -> Registry:
    """The app's registry: built at start-up (or on first use, when start-up hooks did not
    run, as in an app built without its lifespan)."""
    state = runtime.state.of(AnalyticsState)
    if state.registry is None:
        state.registry, state.orphans = build_registry(runtime.plugins)
    return state.registry
