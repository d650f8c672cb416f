"""Abuse limits, all applied before execution: depth, aliases, tokens, cost (fields
weighted by the page sizes asked for), and no introspection or suggestions in production."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.extensions.query_depth_limiter import IgnoreContext

from core.settings import Settings


def _introspection(context: IgnoreContext) -> bool:
    return context.field_name.startswith("__")


def query_cost(
    schema: GraphQLSchema,
    document: Any,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> int:
    """1 per field, times the page size (``first``) of every list above it."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    operation = next(
        (
            o
            for o in operations
            if operation_name is None or (o.name and o.name.value == operation_name)
        ),
        None,
    )
    if operation is None:
        return 0
    root = schema.get_root_type(operation.operation)
    variables = variables or {}

    def first_of(node: FieldNode, default: Any) -> int:
        for arg in node.arguments:
            if arg.name.value == "first":
                if isinstance(arg.value, IntValueNode):
                    return int(arg.value.value)
                if isinstance(arg.value, VariableNode):
                    value = variables.get(arg.value.name.value, default)
                    return int(value) if isinstance(value, int) else 1
        return int(default) if isinstance(default, int) else 1

    def cost(selection_set: SelectionSetNode | None, parent: Any, seen: frozenset[str]) -> int:
        if selection_set is None or parent is None:
            return 0
        total = 0
        fields = getattr(parent, "fields", {})
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                definition = fields.get(sel.name.value)
                if definition is None:
                    total += 1
                    continue
                times = 1
                if "first" in definition.args:
                    times = max(first_of(sel, definition.args["first"].default_value), 1)
                child = get_named_type(definition.type)
                total += 1 + times * cost(sel.selection_set, child, seen)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                fragment = fragments.get(name)
                if fragment is not None and name not in seen:
                    target = schema.get_type(fragment.type_condition.name.value)
                    total += cost(fragment.selection_set, target, seen | {name})
            elif isinstance(sel, InlineFragmentNode):
                target = (
                    schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
                )
                total += cost(sel.selection_set, target, seen)
        return total

    return cost(operation.selection_set, root, frozenset())


class CostLimit(SchemaExtension):
    """Refuses, before execution, a request whose cost exceeds the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is not None:
            cost = query_cost(
                ctx.schema._schema, ctx.graphql_document, ctx.operation_name, ctx.variables
            )
            if cost > self.limit:
                ctx.result = ExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            f"the query would cost {cost} (fields × page sizes); the limit is "
                            f"{self.limit}: ask for smaller pages or fewer nested lists",
                            extensions={
                                "code": "BAD_USER_INPUT",
                                "cost": cost,
                                "limit": self.limit,
                            },
                        )
                    ],
                )
        yield


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class RefuseNul(SchemaExtension):
    """A NUL character cannot be stored in PostgreSQL text: refuse it up front (in
    variables or in the document's string literals) instead of failing in the database."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        literal = ctx.query is not None and ("\\u0000" in ctx.query or "\x00" in ctx.query)
        if literal or _has_nul(ctx.variables):
            ctx.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "text may not contain the NUL character (U+0000)",
                        extensions={"code": "BAD_USER_INPUT"},
                    )
                ],
            )
        yield


def limit_extensions(settings: Settings) -> list[Any]:
    # The rule classes are made once: the validation cache is keyed by them, so new
    # classes per request (one limiter object per request) would never hit it.
    rules = [
        *QueryDepthLimiter(
            max_depth=settings.max_depth, should_ignore=_introspection
        ).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    extensions: list[Any] = [
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: CostLimit(settings.max_query_cost),
        RefuseNul,
    ]
    if settings.production:
        extensions.append(DisableIntrospection)
    return extensions
