"""A client that goes away before its answer starts cancels its request.

The request runs in a task of its own; once its body is read, the connection is watched,
and a disconnect cancels the task. asyncpg answers the cancellation of a task waiting on a
statement by cancelling the statement in the database, so a slow query nobody waits for
any more stops holding locks and a connection; a write in progress is rolled back."""

from __future__ import annotations

import asyncio
import contextlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send


async def cancel_on_disconnect(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Run ``app`` for an HTTP request; cancel it if the client disconnects first."""
    body_read = asyncio.Event()
    started = False

    async def receive_body() -> Message:
        message = await receive()
        if message["type"] == "http.disconnect" or not message.get("more_body", False):
            body_read.set()
        return message

    async def send_answer(message: Message) -> None:
        nonlocal started
        if message["type"] == "http.response.start":
            started = True
        await send(message)

    async def gone() -> None:
        await body_read.wait()
        while (await receive())["type"] != "http.disconnect":
            pass

    handler = asyncio.ensure_future(app(scope, receive_body, send_answer))
    watcher = asyncio.create_task(gone())
    try:
        await asyncio.wait({handler, watcher}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:  # the server itself cancelled us: pass it on
        handler.cancel()
        watcher.cancel()
        raise
    if not handler.done() and not started:
        handler.cancel()  # nobody is waiting for the answer
        with contextlib.suppress(asyncio.CancelledError):
            await handler
        return
    watcher.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await watcher
    await handler  # its answer, or its exception
