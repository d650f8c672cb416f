"""Documents prepared once per text: parsed (with the token limit), validated (GraphQL's
rules and ours), their operations found, and the cost of those without variables."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    parse,
    specified_rules,
)
from strawberry.schema.schema import validate_document

from schema.limits import query_cost


@dataclass(eq=False)
class Prepared:
    """A document that parsed and validated; ``None`` in the cache for one that did not."""

    document: DocumentNode
    operations: dict[str | None, OperationDefinitionNode]
    #: a NUL character in a string literal (refused by the full path's RefuseNul)
    nul_literal: bool
    costs: dict[str | None, int] = field(default_factory=dict)

    def operation(self, name: str | None) -> OperationDefinitionNode | None:
        """The operation to run: the named one, or the only one when no name is given."""
        if name is None and len(self.operations) == 1:
            return next(iter(self.operations.values()))
        return self.operations.get(name) if name is not None else None

    def cost(self, schema: GraphQLSchema, name: str | None, variables: Any) -> int:
        """The query cost (schema.limits.query_cost); kept when it cannot depend on
        variables (an operation that declares none)."""
        operation = self.operation(name)
        if operation is not None and not operation.variable_definitions:
            found = self.costs.get(name)
            if found is None:
                found = self.costs[name] = query_cost(schema, self.document, name, None)
            return found
        return query_cost(schema, self.document, name, variables)


class PreparedDocuments:
    """The app's prepared documents by text, least recently used dropped first."""

    def __init__(
        self, schema: GraphQLSchema, rules: list[Any], max_tokens: int, size: int = 512
    ) -> None:
        self.schema = schema
        self.rules = (*specified_rules, *rules)
        self.max_tokens = max_tokens
        self.size = size
        self._items: OrderedDict[str, Prepared | None] = OrderedDict()

    def get(self, text: str) -> Prepared | None:
        """The prepared document, or None when it does not parse or validate (the full
        path then reports why)."""
        try:
            found = self._items[text]
        except KeyError:
            found = self._items[text] = self._prepare(text)
            if len(self._items) > self.size:
                self._items.popitem(last=False)
            return found
        self._items.move_to_end(text)
        return found

    def _prepare(self, text: str) -> Prepared | None:
        try:
            document = parse(text, max_tokens=self.max_tokens)
        except GraphQLError:
            return None
        if validate_document(self.schema, document, self.rules):
            return None
        operations = {
            (d.name.value if d.name else None): d
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
        }
        return Prepared(
            document=document,
            operations=operations,
            nul_literal="\\u0000" in text or "\x00" in text,
        )


__all__ = ["OperationType", "Prepared", "PreparedDocuments"]
