"""Compose the GraphQL schema from the core's parts and the plugins'.

Strawberry has no cross-module ``extend type``: each composable type (``Grid``…) is a
class built here from its core part and the plugins' mixins, checked for field clashes,
and assigned into ``schema.registry`` where lazy references find it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import pluggy
import strawberry
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.types import ExecutionResult
from strawberry.types.base import get_object_definition, has_object_definition
from strawberry.types.graphql import OperationType

from core.settings import Settings
from schema import registry
from schema.account.admin import AccountAdminMutations, AccountAdminQueries
from schema.account.login import LoginMutation
from schema.account.queries import AccountQueries
from schema.account.types import AccountCore
from schema.audit import AuditFlush
from schema.authz.mutations import AuthzMutations
from schema.authz.queries import AuthzQueries
from schema.compiled.execution import CompiledExecutionContext
from schema.department.queries import DepartmentQueries
from schema.department.types import DepartmentCore
from schema.errors import INTERNAL, ErrorCodes, error_code
from schema.event.grid_events import GridEvents
from schema.event.mutations import EventMutations
from schema.event.queries import EventQueries
from schema.event.subscriptions import EventSubscriptions
from schema.event.types import EventCore
from schema.grid.manage import GridManageMutations, GridManageQueries
from schema.grid.queries import GridQueries
from schema.grid.types import GridCore, GridWorkerCore, RegionCore
from schema.limits import limit_extensions
from schema.locate.queries import LocateQueries
from schema.person.create import CreatePersonMutation
from schema.person.queries import PersonQueries
from schema.person.types import HouseholdCore, PersonCore
from schema.place.create import CreatePlaceMutations
from schema.place.queries import PlaceQueries
from schema.place.types import OrganizationCore, PlaceCore, ThingCore
from schema.scalars import SCALARS

CORE = "core"

#: The composable types and their core parts.
CORE_TYPES: dict[str, type] = {
    "Region": RegionCore,
    "Grid": GridCore,
    "GridWorker": GridWorkerCore,
    "Account": AccountCore,
    "Department": DepartmentCore,
    "Person": PersonCore,
    "Household": HouseholdCore,
    "Place": PlaceCore,
    "Thing": ThingCore,
    "Organization": OrganizationCore,
    "Event": EventCore,
}
#: Parts of core types that live in another domain (Grid.events lives with events).
CORE_TYPE_PARTS: tuple[tuple[str, type], ...] = (("Grid", GridEvents),)
CORE_QUERIES: tuple[type, ...] = (
    AccountQueries,
    AccountAdminQueries,
    AuthzQueries,
    EventQueries,
    GridQueries,
    GridManageQueries,
    LocateQueries,
    DepartmentQueries,
    PersonQueries,
    PlaceQueries,
)
CORE_MUTATIONS: tuple[type, ...] = (
    LoginMutation,
    AccountAdminMutations,
    AuthzMutations,
    EventMutations,
    GridManageMutations,
    CreatePersonMutation,
    CreatePlaceMutations,
)
CORE_SUBSCRIPTIONS: tuple[type, ...] = (EventSubscriptions,)

_BUILD_LOCK = threading.Lock()


class SchemaCompositionError(RuntimeError):
    """Plugins' schema parts do not fit together (a clash, an unknown type…)."""


class GridgovSchema(strawberry.Schema):
    """Our schema: logs only unexpected errors (client errors are not server faults), and
    runs subscriptions only as subscriptions (a WebSocket, or an HTTP stream)."""

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        # Executed like a query, a subscription's field would be an unfinished stream (an
        # internal error); refused instead, as an operation type this transport lacks.
        allowed = set(allowed_operation_types or DEFAULT_ALLOWED_OPERATION_TYPES)
        allowed.discard(OperationType.SUBSCRIPTION)
        return await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed,
            operation_extensions,
        )

    def process_errors(self, errors: list[Any], execution_context: Any = None) -> None:
        unexpected = [e for e in errors if error_code(e) == INTERNAL]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def _fields(part: type) -> list[str]:
    definition = get_object_definition(part, strict=True)
    return [f.graphql_name or strawberry_camel(f.python_name) for f in definition.fields]


def strawberry_camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(w.capitalize() for w in rest)


def _compose(name: str, parts: list[tuple[type, str]]) -> type:
    """One Strawberry type named ``name`` whose bases are the parts; clashes raise."""
    owners: dict[str, str] = {}
    for part, owner in parts:
        if not has_object_definition(part):
            raise SchemaCompositionError(
                f"{owner} contributes {part!r} to {name}, which is not a Strawberry type"
            )
        for field in _fields(part):
            if field in owners:
                raise SchemaCompositionError(
                    f"field {name}.{field} is defined by both {owners[field]} and {owner}"
                )
            owners[field] = owner
    bases = tuple(part for part, _ in reversed(parts))
    return strawberry.type(type(name, bases, {}), name=name)


def _hook_parts(hook: Any) -> Iterable[tuple[str, Any]]:
    """Each implementation's result with the name of the plugin that gave it."""
    for impl in reversed(hook.get_hookimpls()):
        result = impl.function()
        if result is not None:
            yield impl.plugin_name, result


def _reset_lazy_caches(roots: Iterable[type]) -> None:
    """Forget resolved annotations so lazy references see this build's composed types."""
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        cls = stack.pop()
        if id(cls) in seen or not has_object_definition(cls):
            continue
        seen.add(id(cls))
        for field in cls.__strawberry_definition__.fields:
            annotations = [field.type_annotation]
            if field.base_resolver is not None:
                annotations.append(field.base_resolver.type_annotation)
                annotations.extend(a.type_annotation for a in field.base_resolver.arguments)
            for ann in annotations:
                if ann is not None and hasattr(ann, "__resolve_cache__"):
                    ann.__resolve_cache__ = None
            stack.extend(_named_types(field.type))


def _named_types(t: Any) -> list[type]:
    out: list[type] = []
    inner = getattr(t, "of_type", None)
    if inner is not None:
        out.extend(_named_types(inner))
    elif isinstance(t, type):
        out.append(t)
    return out


def build_schema(
    pm: pluggy.PluginManager, settings: Settings, extensions: Iterable[Any] = ()
) -> strawberry.Schema:
    """The schema composed of the core's types and roots and every plugin's parts."""
    type_parts: dict[str, list[tuple[type, str]]] = {
        name: [(part, CORE)] for name, part in CORE_TYPES.items()
    }
    for name, extra in CORE_TYPE_PARTS:
        type_parts[name].append((extra, CORE))
    for owner, contributed in _hook_parts(pm.hook.gridgov_graphql_type_parts):
        for type_name, mixins in dict(contributed).items():
            if type_name not in type_parts:
                raise SchemaCompositionError(
                    f"{owner} extends {type_name}, which is not a composable type "
                    f"(one of: {', '.join(sorted(type_parts))})"
                )
            type_parts[type_name].extend((m, owner) for m in mixins)
    roots: dict[str, list[tuple[type, str]]] = {
        "Query": [(q, CORE) for q in CORE_QUERIES],
        "Mutation": [(m, CORE) for m in CORE_MUTATIONS],
        "Subscription": [(s, CORE) for s in CORE_SUBSCRIPTIONS],
    }
    for root, hook in (
        ("Query", pm.hook.gridgov_graphql_query),
        ("Mutation", pm.hook.gridgov_graphql_mutation),
        ("Subscription", pm.hook.gridgov_graphql_subscription),
    ):
        roots[root].extend((part, owner) for owner, part in _hook_parts(hook))

    with _BUILD_LOCK:
        composed = {name: _compose(name, parts) for name, parts in type_parts.items()}
        for name, cls in composed.items():
            setattr(registry, name, cls)
        root_types = {
            name: _compose(name, parts) if parts else None for name, parts in roots.items()
        }
        _reset_lazy_caches([*composed.values(), *(r for r in root_types.values() if r)])
        schema_extensions: list[Any] = [
            lambda: ErrorCodes(production=settings.production),
            *limit_extensions(settings),
            AuditFlush,
            # Clients send the same few documents again and again: parse and validate once.
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
            *extensions,
        ]
        schema = GridgovSchema(
            query=root_types["Query"],  # type: ignore[arg-type]  # the core has a Query
            mutation=root_types["Mutation"],
            subscription=root_types["Subscription"],
            extensions=schema_extensions,
            config=StrawberryConfig(
                scalar_map=SCALARS, disable_field_suggestions=settings.production
            ),
            execution_context_class=CompiledExecutionContext,
        )
    return schema
