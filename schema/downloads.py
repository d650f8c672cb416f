"""Routes that answer a file (reports as XLSX or CSV) with the same bearer token as the API:
identify the caller in a transaction, run the work, and turn a refusal into the API's JSON
error (``extensions.code``) with the matching HTTP status."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from authz.identify import bearer_token, identify
from core.actor import Actor
from core.errors import DomainError
from schema.state import AppState, state_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404}

#: the work of a download: (session, actor, app state) -> the response
Work = Callable[[Any, Actor, AppState], Awaitable[Response]]


def error_response(exc: DomainError) -> JSONResponse:
    body = {"errors": [{"message": exc.message, "extensions": {"code": exc.code}}]}
    return JSONResponse(body, status_code=STATUS.get(exc.code, 400))


def attachment(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def as_caller(request: Request, work: Work) -> Response:
    """Run ``work`` for the request's caller in one transaction; a ``DomainError`` becomes
    the JSON error response."""
    state = state_of(request.app)
    try:
        token = bearer_token(request.headers.get("authorization"))
        async with state.sessionmaker() as session, session.begin():
            actor = await identify(session, token, state.tokens, state.authz)
            return await work(session, actor, state)
    except DomainError as exc:
        return error_response(exc)
