"""The lean path's request handler: answers a plain request itself, or hands it (body
replayed, persisted query filled in) to the full path."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from graphql import OperationType, execute
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.execution.is_awaitable import optimized_is_awaitable

from schema.audit import flush_audit
from schema.compiled.execution import CompiledExecutionContext
from schema.errors import finish_errors
from schema.lean.answer import GRAPHQL_RESPONSE, Answer, answer_of, encode
from schema.lean.documents import PreparedDocuments
from schema.lean.persisted import NOT_FOUND, PersistedQueries, PersistedQueryError
from schema.lean.request import (
    PlainRequest,
    accepts_plain,
    is_json,
    read_get,
    read_post,
    with_query,
)
from schema.limits import has_nul


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replayed(body: bytes, receive: Receive) -> Receive:
    """``receive`` that gives ``body`` first, then what the client sends next."""
    given = False

    async def replay() -> Any:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def send_answer(send: Send, answer: Answer) -> None:
    body = encode(answer.body)
    media = f"{answer.media}; charset=utf-8" if answer.media else "application/json"
    headers = [
        (b"content-type", media.encode()),
        (b"content-length", str(len(body)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in answer.headers.items()),
    ]
    await send({"type": "http.response.start", "status": answer.status or 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class LeanPath:
    """Per app: the prepared documents and persisted queries, and the full path (``view``)
    for what is not plain."""

    def __init__(
        self,
        schema: Any,
        view: ASGIApp,
        documents: PreparedDocuments,
        persisted: PersistedQueries,
        *,
        max_cost: int,
        production: bool,
    ) -> None:
        self.schema = schema  # the Strawberry schema (its process_errors logs)
        self.view = view
        self.documents = documents
        self.persisted = persisted
        self.max_cost = max_cost
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send, ctx: Any) -> None:
        headers = ctx.request.headers
        accept = headers.get("accept", "")
        method = scope["method"]
        if method not in ("GET", "POST") or not accepts_plain(accept):
            await self.view(scope, receive, send)
            return
        body = b""
        if method == "POST":
            content_type = headers.get("content-type", "")
            if not is_json(content_type):  # an upload streams to the full path, unread
                await self.view(scope, receive, send)
                return
            body = await _read_body(receive)
            request = read_post(content_type, body)
        else:
            request = read_get(scope.get("query_string", b""))
        if request is None:
            await self.view(scope, _replayed(body, receive), send)
            return
        try:
            query = self.persisted.resolve(request.query, request.extensions)
        except PersistedQueryError as exc:
            await send_answer(send, self._refusal(exc, accept))
            return
        if query is not request.query:  # filled in from the store: the full path sees it too
            body, query_string = with_query(request, query)
            if method == "GET":
                scope = {**scope, "query_string": query_string}
        if not await self._answer(request, query, ctx, accept, send):
            await self.view(scope, _replayed(body, receive), send)

    def _refusal(self, exc: PersistedQueryError, accept: str) -> Answer:
        status = 200 if exc.code == NOT_FOUND and GRAPHQL_RESPONSE not in accept else 400
        return Answer(
            {"errors": [{"message": exc.message, "extensions": {"code": exc.code}}]},
            status=status,
            media=GRAPHQL_RESPONSE if GRAPHQL_RESPONSE in accept else None,
        )

    async def _answer(
        self, request: PlainRequest, query: Any, ctx: Any, accept: str, send: Send
    ) -> bool:
        """Run and send a plain, valid operation within the limits; False to hand it on."""
        if not isinstance(query, str):
            return False
        prepared = self.documents.get(query)
        if prepared is None:
            return False
        self.persisted.keep(query, request.extensions)
        operation = prepared.operation(request.operation_name)
        if operation is None or operation.operation is OperationType.SUBSCRIPTION:
            return False
        if request.method == "GET" and operation.operation is not OperationType.QUERY:
            return False
        variables = request.variables
        if prepared.nul_literal or (variables and has_nul(variables)):
            return False
        graphql_schema = self.schema._schema
        if prepared.cost(graphql_schema, request.operation_name, variables) > self.max_cost:
            return False
        running = execute(
            graphql_schema,
            prepared.document,
            variable_values=variables,
            operation_name=request.operation_name,
            context_value=ctx,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]  # a TypeGuard
            executor_class=CompiledExecutionContext,
            operation_extensions=request.extensions,
        )
        result = await running if isinstance(running, Awaitable) else running
        if result.errors:
            self.schema.process_errors(result.errors)
        await flush_audit(ctx, result)
        finish_errors(result, ctx, production=self.production)
        await send_answer(send, answer_of(result, accept, production=self.production))
        return True
