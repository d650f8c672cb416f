"""The ``/graphql`` endpoint: Strawberry's ASGI view with our per-request Context."""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError

from authz.identify import anonymous, bearer_token, identify, known_actor
from core.actor import ANONYMOUS, Actor
from core.auth import TokenVerifier
from core.database.faults import RETRY_AFTER_SECONDS, Fault, FaultLog, fault_of
from core.errors import Unauthenticated
from schema.context import Context
from schema.disconnect import cancel_on_disconnect
from schema.event.mutations import MAX_ATTACHMENTS
from schema.graphiql import render_page
from schema.lean.answer import answer_of, encode
from schema.lean.handler import LeanPath
from schema.state import AppState, state_of


def _rate_key(conn: HTTPConnection, tokens: TokenVerifier) -> str:
    """The account of a valid token, else the client's address."""
    try:
        token = bearer_token(conn.headers.get("authorization"))
        if token:
            return f"account:{tokens.verify(token).account_id}"
    except Unauthenticated:
        pass
    return f"address:{conn.client.host if conn.client else '-'}"


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, schema: Any, *, production: bool, **kwargs: Any) -> None:
        super().__init__(schema, **kwargs)
        self.production = production

    async def process_result(self, request: Any, result: Any) -> Any:
        answer = answer_of(result, request.headers.get("accept", ""), production=self.production)
        ctx = request.scope.get("state", {}).get("gridgov_context")
        if ctx is not None and ctx.response is not None:
            if answer.status is not None:
                ctx.response.status_code = answer.status
            ctx.response.headers.update(answer.headers)
            ctx.response.gridgov_media = answer.media
        return answer.body

    def encode_json(self, data: object) -> str:
        # A str, not bytes: WebSocket messages must go out as text frames.
        return encode(data).decode()

    def create_response(self, response_data: Any, sub_response: Any) -> Any:
        response = super().create_response(response_data, sub_response)
        media = getattr(sub_response, "gridgov_media", None)
        if media is not None:
            response.headers["content-type"] = f"{media}; charset=utf-8"
        return response

    async def render_graphql_ide(self, request: Any) -> Any:
        """Our GraphiQL page, loading its files from this server (Strawberry's loads them
        from a CDN): it works offline."""
        return render_page(request)

    async def on_ws_connect(self, context: Any) -> Any:
        """A browser cannot set headers on a WebSocket: its token may come in the
        connection_init payload as ``Authorization: Bearer …``."""
        params = context.connection_params or {}
        raw = params.get("Authorization") or params.get("authorization")
        if isinstance(raw, str) and raw.strip():
            try:
                token = bearer_token(raw)
                async with context.locked() as session:
                    context.actor = await identify(
                        session,
                        token,
                        context.app.tokens,
                        context.app.authz,
                    )
                await context.fresh()  # a WebSocket holds no connection while it waits
            except Unauthenticated as exc:
                raise ConnectionRejectionError({"message": exc.message}) from exc
        if context.actor.session_id is not None and isinstance(context.request, WebSocket):
            # its session ending closes it (4403), on whichever process ends it
            context.app.live_sessions.add(context.actor.session_id, context.request)
        return await super().on_ws_connect(context)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        ctx: Context = request.scope["state"]["gridgov_context"]
        ctx.request = request
        ctx.response = response
        return ctx


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers=headers,
    )


def _fault_response(fault: Fault) -> JSONResponse:
    """A request that failed before GraphQL ran (identifying its account) for a fault."""
    return _error(503, fault.code, fault.message, {"Retry-After": str(RETRY_AFTER_SECONDS)})


class BodyTooLarge(Exception):
    pass


def _capped(receive: Receive, cap: int) -> Receive:
    """Stop reading a body (sent with or without Content-Length) once it passes the cap."""
    seen = 0

    async def wrapped() -> Any:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > cap:
                raise BodyTooLarge(cap)
        return message

    return wrapped


class GraphQLEndpoint:
    """Builds the request's Context (and Actor) around the Strawberry view, closes it after.

    A bad or expired token is refused before GraphQL runs: 401 with a GraphQL-shaped body.
    """

    def __init__(self, view: GraphQLView, pm: Any, lean: LeanPath | None = None) -> None:
        self.view = view
        self.pm = pm
        self.lean = lean

    @staticmethod
    def _body_cap(conn: HTTPConnection, settings: Any) -> int:
        kind = conn.headers.get("content-type", "")
        if kind.startswith("multipart/"):
            return int(settings.upload_max_bytes * MAX_ATTACHMENTS + settings.max_body_bytes)
        return int(settings.max_body_bytes)

    def _refuse(self, conn: HTTPConnection, state: AppState) -> JSONResponse | None:
        """413 for a declared body over the cap, 429 past the rate limit."""
        settings = state.settings
        length = conn.headers.get("content-length")
        if length and length.isdigit() and int(length) > self._body_cap(conn, settings):
            return _error(
                413,
                "BAD_USER_INPUT",
                f"the request body is larger than {self._body_cap(conn, settings)} bytes",
            )
        key = _rate_key(conn, state.tokens)
        if not state.rate_limiter.allow(key):
            return _error(
                429,
                "RATE_LIMITED",
                f"more than {settings.rate_limit_per_minute} requests a minute; slow down",
            )
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.view(scope, receive, send)
            return
        state = state_of(scope["app"])
        conn = HTTPConnection(scope)
        settings = state.settings
        if scope["type"] == "http":
            refusal = self._refuse(conn, state)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
            receive = _capped(receive, self._body_cap(conn, settings))
        identities = state.identity_cache
        ctx = Context(
            request=conn,
            settings=settings,
            sessionmaker=state.sessionmaker,
            actor=ANONYMOUS,  # until the token is read, below
            plugin_manager=self.pm,
            on_identity_change=identities.clear,
            read_sessionmaker=state.read_sessionmaker,
            app_state=state,
        )
        try:
            try:
                token = bearer_token(conn.headers.get("authorization"))
                actor: Actor | None
                if token is None:
                    actor = anonymous(state.authz)
                else:
                    actor = known_actor(token, state.tokens, identities)
                if actor is None:
                    async with ctx.locked() as session:
                        actor = await identify(
                            session, token, state.tokens, state.authz, identities
                        )
                ctx.actor = actor
                if scope["type"] == "websocket":
                    await ctx.fresh()  # open all day: it borrows a connection when it reads
            except Unauthenticated as exc:
                if scope["type"] == "http":
                    body = {"errors": [{"message": exc.message, "extensions": {"code": exc.code}}]}
                    await JSONResponse(body, status_code=401)(scope, receive, send)
                    return
                raise
            scope.setdefault("state", {})["gridgov_context"] = ctx
            try:
                if scope["type"] == "http":
                    await cancel_on_disconnect(self._http(ctx), scope, receive, send)
                else:
                    await self.view(scope, receive, send)
            except BodyTooLarge as exc:
                await _error(
                    413, "BAD_USER_INPUT", f"the request body is larger than {exc.args[0]} bytes"
                )(scope, receive, send)
        except Exception as exc:
            fault = fault_of(exc)
            if fault is None or scope["type"] != "http":
                raise
            state.faults.note(fault, exc)
            await _fault_response(fault)(scope, receive, send)
        finally:
            if isinstance(ctx.request, WebSocket) and ctx.actor.session_id is not None:
                state.live_sessions.discard(ctx.actor.session_id, ctx.request)
            await self._close(ctx, state.faults)

    def _http(self, ctx: Context) -> ASGIApp:
        """The lean path when it is on (it hands on what it does not answer), else the view."""
        lean = self.lean
        if lean is None:
            return self.view

        async def answer(scope: Scope, receive: Receive, send: Send) -> None:
            await lean(scope, receive, send, ctx)

        return answer

    @staticmethod
    async def _close(ctx: Context, faults: FaultLog) -> None:
        """Close the request's session; a connection the database already lost is no
        news to report twice."""
        try:
            await ctx.close()
        except Exception as exc:
            fault = fault_of(exc)
            if fault is None:
                raise
            faults.note(fault, exc)
