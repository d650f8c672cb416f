"""Attachments on a local disk, under one root folder, written all-or-nothing."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from pathlib import Path
from typing import IO, Any, TypeVar

from core.errors import BadInput, NotFound, Unavailable
from core.storage.base import (
    StoredFile,
    TooLarge,
    Upload,
    make_key,
    sanitize_filename,
    validate_key,
)
from core.storage.sniff import HEAD_SIZE, Sniffed, check_declared, sniff
from core.storage.strip import clean_image, stripper_for

__all__ = ["DiskStorage"]

CHUNK_SIZE = 256 * 1024
T = TypeVar("T")


def _human(size: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.3g} {unit} ({size} bytes)"
    return f"{size} bytes"


async def _capped(stream: Upload, max_bytes: int) -> AsyncGenerator[bytes, None]:
    """The chunks of ``stream``, raising :class:`TooLarge` as soon as they pass ``max_bytes``."""
    chunks: AsyncIterator[bytes] = _one(stream) if isinstance(stream, bytes) else stream
    total = 0
    async for chunk in chunks:
        total += len(chunk)
        if total > max_bytes:
            raise TooLarge(
                f"the file is larger than the {_human(max_bytes)} limit", max_bytes=max_bytes
            )
        if chunk:
            yield bytes(chunk)


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


class _TempFile:
    """A temp file beside the stored ones (same file system, so the final rename is atomic).

    Its methods block: call them through ``asyncio.to_thread``.
    """

    def __init__(self, folder: Path) -> None:
        fd, name = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=folder)
        self.path = Path(name)
        self.file: IO[bytes] = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        self.file.write(data)

    def finish(self) -> None:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()

    def commit(self, dest: Path) -> None:
        """Move into place (or drop it if the same content is already stored there)."""
        _make_dirs(dest.parent)
        if dest.is_file():
            self.path.unlink()
        else:
            os.replace(self.path, dest)
            _fsync_dir(dest.parent)

    def discard(self) -> None:
        with contextlib.suppress(OSError):  # flushing what a full disk refused fails again
            self.file.close()
        self.path.unlink(missing_ok=True)


async def _on_disk(work: Callable[..., T], *args: Any) -> T:
    """``work(*args)`` in a thread; the disk failing it (full, I/O error) is reported as
    the server being unable to store attachments now, not as a bug."""
    try:
        return await asyncio.to_thread(work, *args)
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else type(exc).__name__
        raise Unavailable(
            f"the attachment could not be stored ({reason}); try again later"
        ) from exc


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_dirs(folder: Path) -> None:
    if folder.is_dir():
        return
    _make_dirs(folder.parent)
    folder.mkdir(exist_ok=True)
    _fsync_dir(folder.parent)


class DiskStorage:
    """:class:`~core.storage.base.AttachmentStorage` in ``root/ab/cd/<sha256>.<ext>``.

    ``save`` sniffs the type from the first bytes and refuses what is not an accepted photo or
    video, or not what the client declared; it counts bytes while they arrive and stops at
    ``max_bytes``. Images are held in memory (at most ``max_bytes``), stripped of metadata and
    verified with Pillow; videos are streamed to disk and stored exactly as sent (any location
    they carry included). Either way the bytes go to a temp file in ``root`` that is fsynced
    and then renamed into place, and a failure or cancellation at any point removes it. Files
    are created mode 0600.
    """

    def __init__(self, root: Path, max_bytes: int) -> None:
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes

    def path(self, key: str) -> Path:
        """Where ``key`` lives (validated; it may not exist), e.g. for a file response."""
        return self.root / validate_key(key)

    async def save(
        self, stream: Upload, *, declared_type: str | None, filename: str | None
    ) -> StoredFile:
        chunks = _capped(stream, self.max_bytes)
        temp: _TempFile | None = None
        try:
            head = bytearray()
            async for chunk in chunks:
                head += chunk
                if len(head) >= HEAD_SIZE:
                    break
            if not head:
                raise BadInput("the file is empty")
            sniffed = sniff(bytes(head))
            if sniffed.kind == "image":
                stripper_for(sniffed)  # refuse HEIC first, whatever it was declared as
            check_declared(declared_type, sniffed)
            temp = await _on_disk(_TempFile, self.root)
            if sniffed.kind == "image":
                digest, size = await self._write_image(temp, head, chunks, sniffed)
            else:
                digest, size = await self._write_video(temp, head, chunks)
            key = make_key(digest, sniffed.extension)
            await _on_disk(temp.commit, self.root / key)
        except BaseException:
            if temp is not None:
                await asyncio.shield(asyncio.to_thread(temp.discard))
            raise
        finally:
            await chunks.aclose()
        return StoredFile(
            key=key,
            mime=sniffed.mime,
            kind=sniffed.kind,
            size=size,
            sha256=digest,
            original_filename=sanitize_filename(filename),
        )

    @staticmethod
    async def _write_image(
        temp: _TempFile, head: bytearray, chunks: AsyncIterator[bytes], sniffed: Sniffed
    ) -> tuple[str, int]:
        data = head
        async for chunk in chunks:
            data += chunk
        cleaned = await asyncio.to_thread(clean_image, bytes(data), sniffed)
        await _on_disk(temp.write, cleaned)
        await _on_disk(temp.finish)
        return hashlib.sha256(cleaned).hexdigest(), len(cleaned)

    @staticmethod
    async def _write_video(
        temp: _TempFile, head: bytearray, chunks: AsyncIterator[bytes]
    ) -> tuple[str, int]:
        digest = hashlib.sha256(head)
        size = len(head)
        await _on_disk(temp.write, bytes(head))
        async for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            await _on_disk(temp.write, chunk)
        await _on_disk(temp.finish)
        return digest.hexdigest(), size

    async def open(self, key: str) -> AsyncIterator[bytes]:
        path = self.path(key)
        try:
            file = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise NotFound("no such attachment", key=key) from None
        return _read(file)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path(key).unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path(key).is_file)


async def _read(file: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while chunk := await asyncio.to_thread(file.read, CHUNK_SIZE):
            yield chunk
    finally:
        file.close()
