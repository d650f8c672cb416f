"""The plugin manager: built per app, built-ins registered explicitly, others by entry point."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable
from typing import Any

import pluggy

from core import hookspecs
from core.settings import Settings

hookimpl = pluggy.HookimplMarker("gridgov")

ENTRY_POINT_GROUP = "gridgov"

#: Built-in plugins, by name and module. Strings, so the core never imports a plugin.
BUILTIN_PLUGINS: tuple[tuple[str, str], ...] = (
    ("party_building", "plugins.party_building"),
    ("e_governance", "plugins.e_governance"),
    ("attendance", "plugins.attendance"),
    ("analytics", "plugins.analytics"),
)


class PluginError(RuntimeError):
    """A plugin cannot be loaded, or implements a hook that does not exist."""


def make_plugin_manager(settings: Settings, extra: Iterable[Any] = ()) -> pluggy.PluginManager:
    """A new manager: built-ins, then entry-point plugins, then ``extra`` (tests, embedders).

    Plugins named in ``settings.disabled_plugins`` are blocked. ``check_pending`` makes a
    misspelt hook implementation fail here, at start-up.
    """
    pm = pluggy.PluginManager("gridgov")
    pm.add_hookspecs(hookspecs)
    disabled = settings.disabled_plugin_names
    for name in disabled:
        pm.set_blocked(name)
    for name, module in BUILTIN_PLUGINS:
        if name not in disabled:
            pm.register(importlib.import_module(module), name=name)
    pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for plugin in extra:
        name = getattr(plugin, "name", None) or getattr(plugin, "__name__", None)
        if name not in disabled:
            pm.register(plugin, name=name)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(str(exc)) from exc
    return pm


def check_models(pm: pluggy.PluginManager) -> list[type]:
    """The plugins' model classes; each must be a mapped subclass of ``core.models.Base``."""
    from core.models import Base

    models: list[type] = []
    for impl in pm.hook.gridgov_models.get_hookimpls():
        for model in impl.function() or ():
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
