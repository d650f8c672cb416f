"""Routes beside the GraphQL endpoint (reports as XLSX or CSV, map tiles) with the same
bearer token as the API: identify the caller in a transaction (a token seen recently costs
no statement: the app's identity cache), run the work, and turn a refusal into the API's
JSON error (``extensions.code``) with the matching HTTP status — a database outage into
503 with Retry-After, as the endpoint does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from authz.identify import anonymous, bearer_token, identify, known_actor
from core.actor import Actor
from core.database.faults import RETRY_AFTER_SECONDS, fault_of
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


async def caller(request: Request, state: AppState, session: Any) -> Actor:
    """The request's actor, as the GraphQL endpoint finds it: a token seen recently costs
    no statement (the app's identity cache), else it is read in ``session``."""
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        return anonymous(state.authz)
    identities = state.identity_cache
    actor = known_actor(token, state.tokens, identities)
    if actor is None:
        actor = await identify(session, token, state.tokens, state.authz, identities)
    return actor


def unavailable(exc: BaseException, state: AppState) -> Response | None:
    """503 with Retry-After when ``exc`` is a database fault (noted), else None."""
    fault = fault_of(exc)
    if fault is None:
        return None
    state.faults.note(fault, exc)
    body = {"errors": [{"message": fault.message, "extensions": {"code": fault.code}}]}
    return JSONResponse(body, 503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


async def answered(state: AppState, run: Callable[[], Awaitable[Response]]) -> Response:
    """``run()``'s response; a ``DomainError`` or a database fault becomes the JSON error."""
    try:
        return await run()
    except DomainError as exc:
        return error_response(exc)
    except Exception as exc:
        refusal = unavailable(exc, state)
        if refusal is None:
            raise
        return refusal


async def as_caller(request: Request, work: Work) -> Response:
    """Run ``work`` for the request's caller in one transaction, errors answered as JSON."""
    state = state_of(request.app)

    async def run() -> Response:
        async with state.sessionmaker() as session, session.begin():
            return await work(session, await caller(request, state, session), state)

    return await answered(state, run)
