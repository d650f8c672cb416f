"""Stored photos and videos at ``/files/<key>``, served to whoever may see a record that
holds them: an event's files to its handlers and its reporter (``authz.files``), a plugin's
files as the plugin says (``gridgov_file_readable``); 404 to anyone else, as for a key
that does not exist.

The caller is the API's bearer token, or the signed link a GraphQL ``Attachment.url``
gives (``?t=…``, see ``core.storage.links``): the account it was made for, who must still be
allowed to read the file. ``?size=thumb`` answers a small JPEG of an image (for lists).

Files are content-addressed and never change: answers are privately cacheable for an
hour (``Cache-Control: private``), carry an ETag, and honour ``Range`` (a video plays
and seeks without downloading it whole). The content type is the one sniffed at upload.
"""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route
from strawberry.types import Info

from authz.files import readable_event_file
from authz.identify import identify_account
from core.actor import Actor
from core.errors import BadInput, NotFound, Unauthenticated
from core.plugins import call_async
from core.storage.base import InvalidKey, validate_key
from core.storage.links import link_account, link_token
from core.storage.sniff import BY_EXTENSION
from core.storage.thumbs import THUMBNAIL_TYPES, thumbnail
from schema.downloads import answered, caller
from schema.state import AppState, state_of

FILES_PATH = "/files"
THUMB = "thumb"
FILE_HEADERS = {
    "Cache-Control": "private, max-age=3600",
    "Vary": "Authorization",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Referrer-Policy": "no-referrer",
    "Content-Disposition": "inline",
}


def media_type(key: str) -> str:
    """The type sniffed when ``key`` was stored (its extension says it)."""
    return BY_EXTENSION[key.rsplit(".", 1)[1]].mime


def has_thumbnail(mime: str) -> bool:
    return mime in THUMBNAIL_TYPES


@strawberry.type
class StoredFileLinks:
    """A stored file's ``key`` and ``mime``, and where the caller fetches it: a base of
    the GraphQL types of files (``Attachment``, a plugin's photo type)."""

    key: str = strawberry.field(description="Storage key (content address)")
    mime: str

    @strawberry.field(
        description="Where to fetch the file: a link made for you (it works without an "
        "Authorization header, e.g. as <img src>) for 1–2 hours, and only while you may "
        "still see the record"
    )
    def url(self, info: Info) -> str:
        return file_link(info, self.key)

    @strawberry.field(
        description="A small JPEG of an image for lists (320 px on the long edge); null "
        "for videos and HEIC/HEIF photos"
    )
    def thumbnail_url(self, info: Info) -> str | None:
        return file_link(info, self.key, thumb=True) if has_thumbnail(self.mime) else None


def file_link(info: Info, key: str, *, thumb: bool = False) -> str:
    """The URL of ``key`` for the request's caller (a signed link: no header needed)."""
    ctx = info.context
    token = link_token(
        key=key, account_id=ctx.actor.account_id or 0, secret=ctx.app.settings.signing_key()
    )
    size = f"&size={THUMB}" if thumb else ""
    return f"{FILES_PATH}/{key}?t={token}{size}"


async def may_read(session: Any, actor: Actor, key: str, state: AppState) -> bool:
    """Does a record holding ``key`` let ``actor`` read it (the core's, then plugins')?"""
    if not actor.authenticated:
        return False
    if (await session.execute(readable_event_file(actor, key))).scalar():
        return True
    answers = await call_async(
        state.plugin_manager.hook.gridgov_file_readable, session=session, actor=actor, key=key
    )
    return any(answer is True for answer in answers)


async def _reader(request: Request, state: AppState, session: Any, key: str) -> Actor:
    link = request.query_params.get("t")
    if link is None:
        return await caller(request, state, session)
    account = link_account(link, key=key, secret=state.settings.signing_key())
    if account is None:
        raise NotFound("no such file (or the link has expired)")
    try:
        return await identify_account(session, account, state.authz, state.identity_cache)
    except Unauthenticated as exc:
        raise NotFound("no such file") from exc


async def serve_file(request: Request) -> Response:
    state = state_of(request.app)

    async def run() -> Response:
        try:
            key = validate_key(request.path_params["key"])
        except InvalidKey as exc:
            raise NotFound("no such file") from exc
        size = request.query_params.get("size")
        if size not in (None, THUMB):
            raise BadInput(f"size must be {THUMB!r} or left out", argument="size")
        async with state.sessionmaker() as session, session.begin():
            actor = await _reader(request, state, session, key)
            if not await may_read(session, actor, key, state):
                raise NotFound("no such file")
        mime = media_type(key)
        path = state.storage.path(key)
        if size == THUMB:
            if not has_thumbnail(mime):
                raise NotFound("this file has no thumbnail")
            path, mime = await thumbnail(state.storage.root, key, path), "image/jpeg"
        elif not await asyncio.to_thread(path.is_file):
            raise NotFound("no such file")
        # the content address is a strong validator: the bytes of a key never change
        etag = f'"{key.rsplit("/", 1)[1].split(".")[0]}{"-" + THUMB if size else ""}"'
        headers = {**FILE_HEADERS, "ETag": etag}
        asked = request.headers.get("if-none-match", "")
        if any(t.strip().removeprefix("W/") in (etag, "*") for t in asked.split(",") if t):
            return Response(status_code=304, headers=headers)
        # FileResponse answers Range and HEAD
        return FileResponse(path, media_type=mime, headers=headers)

    return await answered(state, run)


def file_routes() -> list[Route]:
    return [Route(FILES_PATH + "/{key:path}", serve_file, methods=["GET", "HEAD"])]
