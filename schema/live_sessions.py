"""Open WebSockets by sign-in session, so that a session that ends (logout, a password
change or reset, a disabled account) closes its live subscriptions at once with close code
4403 — on every process: the database notifies ``session_ended`` (migration 0010) and each
process's broker calls :meth:`LiveSessions.ended`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from starlette.websockets import WebSocket, WebSocketState

#: graphql-transport-ws: the server closes a socket its session no longer allows
SESSION_ENDED = 4403
TOPIC = "session_ended"

log = logging.getLogger(__name__)


class LiveSessions:
    """One per app: the WebSockets of each session, and the closing tasks in flight."""

    def __init__(self) -> None:
        self._sockets: dict[int, set[WebSocket]] = {}
        self._closing: set[asyncio.Task[None]] = set()

    def add(self, session_id: int, socket: WebSocket) -> None:
        self._sockets.setdefault(session_id, set()).add(socket)

    def discard(self, session_id: int, socket: WebSocket) -> None:
        sockets = self._sockets.get(session_id)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self._sockets[session_id]

    def __len__(self) -> int:
        return sum(len(s) for s in self._sockets.values())

    def ended(self, payload: dict[str, Any]) -> None:
        """A ``session_ended`` message (a broker watcher: quick, no awaiting here)."""
        session = payload.get("session")
        if not isinstance(session, int):
            return
        for socket in self._sockets.pop(session, set()):
            task = asyncio.get_running_loop().create_task(_close(socket))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)


async def _close(socket: WebSocket) -> None:
    if socket.application_state is WebSocketState.DISCONNECTED:
        return
    with contextlib.suppress(RuntimeError, OSError):  # closed meanwhile by either side
        await socket.close(code=SESSION_ENDED, reason="session ended: log in again")
