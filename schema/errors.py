"""Every GraphQL error carries ``extensions.code``; unexpected errors are masked in
production and logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from core.codes.errors import InvalidCode
from core.database.faults import RETRY_AFTER_SECONDS, fault_of
from core.errors import DomainError

log = logging.getLogger("gridgov.graphql")

INTERNAL = "INTERNAL_SERVER_ERROR"
UNAVAILABLE = "SERVICE_UNAVAILABLE"


def error_code(error: GraphQLError) -> str:
    original = error.original_error
    if error.message.startswith("Variable '$"):
        return "BAD_USER_INPUT"  # a variable that does not coerce to its type
    if isinstance(original, DomainError):
        return original.code
    if isinstance(original, InvalidCode):
        return "BAD_USER_INPUT"
    if isinstance(original, GraphQLError) and original.message.startswith("Argument '"):
        # an argument the executor could not coerce, e.g. a variable sent as null where
        # the argument is non-null (`first: Int! = 50` takes a nullable variable)
        return "BAD_USER_INPUT"
    fault = fault_of(original)
    if fault is not None:
        return fault.code
    if original is None:
        if error.message.startswith("Syntax Error"):
            return "GRAPHQL_PARSE_FAILED"
        return "GRAPHQL_VALIDATION_FAILED"
    return INTERNAL


class ErrorCodes(SchemaExtension):
    """Adds ``extensions.code`` (and the argument at fault) to each error of a result."""

    def __init__(self, *, production: bool) -> None:
        self.production = production

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None:
            finish_errors(result, self.execution_context.context, production=self.production)


def finish_errors(result: Any, context: Any, *, production: bool) -> None:
    """Note the database faults among a result's errors and give each its code (both
    request paths, after execution)."""
    if not result.errors:
        return
    faults = getattr(context, "faults", None)
    for e in result.errors:
        fault = fault_of(e.original_error)
        if fault is not None and faults is not None:
            faults.note(fault, e.original_error)
    result.errors = [decorate(e, production=production) for e in result.errors]


def decorate(error: GraphQLError, *, production: bool) -> GraphQLError:
    """The error with ``extensions.code`` (idempotent), masked when unexpected in production.

    Errors raised before execution (a parse error from the parser cache, say) bypass the
    extension; the HTTP view calls this for every error it sends, so none goes out bare.
    """
    if error.extensions and "code" in error.extensions:
        return error
    code = error_code(error)
    extensions: dict[str, Any] = dict(error.extensions or {})
    extensions["code"] = code
    original = error.original_error
    if isinstance(original, DomainError) and "argument" in original.details:
        extensions["argument"] = original.details["argument"]
    if isinstance(original, DomainError) and "retry_after" in original.details:
        extensions["retryAfter"] = original.details["retry_after"]
    message = error.message
    fault = fault_of(original)
    if fault is not None:  # no driver or pool internals for clients
        message, original = fault.message, None
        if code == UNAVAILABLE:
            extensions["retryAfter"] = RETRY_AFTER_SECONDS
    if code == INTERNAL:
        log.error("unexpected error in %s", error.path, exc_info=original)
        if production:
            message = "Unexpected error."
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None if code == INTERNAL else original,
        extensions=extensions,
    )
