"""The plugin manager: built per app; every plugin, the built-ins included, comes in through
the ``gridgov`` entry-point group (the built-ins are declared in pyproject.toml)."""

from __future__ import annotations

import importlib.metadata
import inspect
from collections.abc import Iterable
from typing import Any, cast

import pluggy

from core import hookspecs
from core.settings import Settings

hookimpl = pluggy.HookimplMarker("gridgov")

ENTRY_POINT_GROUP = "gridgov"


class PluginError(RuntimeError):
    """A plugin cannot be loaded, or implements a hook that does not exist."""


def make_plugin_manager(settings: Settings, extra: Iterable[Any] = ()) -> pluggy.PluginManager:
    """A new manager: entry-point plugins (built-ins and third parties', in name order),
    then ``extra`` (tests, embedders).

    Plugins named in ``settings.disabled_plugins`` are blocked. ``check_pending`` makes a
    misspelt hook implementation fail here, at start-up.
    """
    pm = pluggy.PluginManager("gridgov")
    pm.add_hookspecs(hookspecs)
    disabled = settings.disabled_plugin_names
    for name in disabled:
        pm.set_blocked(name)
    _load_entry_points(pm)
    for plugin in extra:
        given: str | None = getattr(plugin, "name", None) or getattr(plugin, "__name__", None)
        if given not in disabled:
            _register(pm, plugin, given)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(str(exc)) from exc
    return pm


def _load_entry_points(pm: pluggy.PluginManager) -> None:
    """Register each plugin of the entry-point group that is not blocked (disabled), in
    name order so that the composed schema does not depend on installation order."""
    points = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    for point in sorted(points, key=lambda p: p.name):
        if pm.is_blocked(point.name) or pm.get_plugin(point.name) is not None:
            continue
        try:
            plugin = point.load()
        except Exception as exc:
            raise PluginError(
                f"cannot load the plugin {point.name!r} ({point.value}): {exc}"
            ) from exc
        _register(pm, plugin, point.name)


def _register(pm: pluggy.PluginManager, plugin: object, name: str | None) -> None:
    """Register, turning pluggy's complaints (a hook implementation whose arguments the
    hook does not have, a name taken twice) into a PluginError naming the plugin."""
    try:
        pm.register(plugin, name=name)
    except (pluggy.PluginValidationError, ValueError) as exc:
        raise PluginError(f"cannot register the plugin {name!r}: {exc}") from exc


def check_models(pm: pluggy.PluginManager) -> list[type]:
    """The plugins' model classes; each must be a mapped subclass of ``core.models.Base``."""
    # imported when used: the models (SQLAlchemy, GeoAlchemy) cost every command a second
    from core.models import Base

    models: list[type] = []
    for impl in pm.hook.gridgov_models.get_hookimpls():
        contributed = cast(Iterable[object], impl.function() or ())
        for model in contributed:
            if not (
                isinstance(model, type) and issubclass(model, Base) and hasattr(model, "__table__")
            ):
                raise PluginError(
                    f"plugin {impl.plugin_name!r} returned {model!r} from gridgov_models, "
                    "which is not a mapped subclass of core.models.Base"
                )
            models.append(model)
    return models


def plugin_names(pm: pluggy.PluginManager) -> list[str]:
    return sorted(name for name, plugin in pm.list_name_plugin() if plugin is not None)


async def call_async(hook: Any, **kwargs: Any) -> list[Any]:
    """Call a hook whose implementations may return awaitables; await them in order."""
    results = []
    for result in hook(**kwargs):
        if inspect.isawaitable(result):
            result = await result
        results.append(result)
    return results
