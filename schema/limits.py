"""Abuse limits, all applied before execution: depth, aliases, tokens, cost (fields
weighted by the page sizes asked for), and no introspection or suggestions in production."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    get_operation_ast,
)
from graphql.execution.collect_fields import (
    FieldDetailsList,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
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
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> int:
    """1 per field, times the page size (``first``) of every list above it.

    Fields are collected as the executor collects them (graphql-core's own collection:
    fragments merged, @skip/@include applied) and arguments read as the executor reads
    them, so a page size left out, given as a variable, or left to a variable's default
    counts as what will run. A request whose variables do not coerce costs 0 here: the
    executor refuses it with BAD_USER_INPUT before resolving anything."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    values = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if not isinstance(values, VariableValues):
        return 0
    fragments = {
        d.name.value: FragmentDetails(d, None)
        for d in document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }

    def page_size(definition: GraphQLField, node: FieldNode) -> int:
        if "first" not in definition.args:
            return 1
        try:
            first = get_argument_values(definition, node, values).get("first")
        except GraphQLError:  # e.g. null for `Int!`: the executor reports it
            return 1
        return max(first, 1) if isinstance(first, int) else 1

    def cost(parent: GraphQLObjectType, grouped: dict[str, FieldDetailsList]) -> int:
        total = 0
        for group in grouped.values():
            node = group[0].node
            definition = parent.fields.get(node.name.value)
            if definition is None:  # __typename and introspection
                total += 1
                continue
            child = get_named_type(definition.type)
            below = 0
            if isinstance(child, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
                possible = (
                    schema.get_possible_types(child)
                    if isinstance(child, GraphQLInterfaceType | GraphQLUnionType)
                    else [child]
                )
                below = max(
                    (
                        cost(
                            t,
                            collect_subfields(
                                schema, fragments, values, operation, t, group
                            ).grouped_field_set,
                        )
                        for t in possible
                    ),
                    default=0,
                )
            total += 1 + page_size(definition, node) * below
        return total

    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    return cost(root, collect_fields(schema, fragments, values, root, operation).grouped_field_set)


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


def has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    return False


class RefuseNul(SchemaExtension):
    """A NUL character cannot be stored in PostgreSQL text: refuse it up front (in
    variables or in the document's string literals) instead of failing in the database."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        literal = ctx.query is not None and ("\\u0000" in ctx.query or "\x00" in ctx.query)
        if literal or has_nul(ctx.variables):
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


def validation_rules(settings: Settings) -> list[Any]:
    """The rules added to GraphQL's own: depth, aliases, and no introspection in production.

    Made once per app: the validation cache is keyed by the rule classes, so new classes
    per request (one limiter object per request) would never hit it. The lean request path
    (schema/lean) validates with the same list."""
    rules = [
        *QueryDepthLimiter(
            max_depth=settings.max_depth, should_ignore=_introspection
        ).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    if settings.production:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


def limit_extensions(settings: Settings) -> list[Any]:
    rules = validation_rules(settings)
    return [
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: CostLimit(settings.max_query_cost),
        RefuseNul,
    ]
