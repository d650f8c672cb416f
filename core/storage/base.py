"""The attachment storage interface, what it returns, and its keys.

Keys are content-addressed: ``ab/cd/<sha256>.<ext>``, the hash of the bytes as stored (after
metadata stripping). Two uploads of the same content share one key and one stored object, so a
key may be referenced by several records: delete it only when none references it any more.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from core.errors import BadInput
from core.storage.sniff import EXTENSIONS, MediaKind

__all__ = [
    "AttachmentStorage",
    "InvalidKey",
    "StoredFile",
    "TooLarge",
    "Upload",
    "make_key",
    "sanitize_filename",
    "validate_key",
]

Upload = AsyncIterator[bytes] | bytes

_KEY = re.compile(r"([0-9a-f]{2})/([0-9a-f]{2})/(([0-9a-f]{64})\.([a-z0-9]{3,4}))")
MAX_FILENAME = 255


class TooLarge(BadInput):
    """The upload passed the size cap; the message names the cap."""


class InvalidKey(BadInput):
    """Not a key this storage could have made (and so never a path outside it)."""


@dataclass(frozen=True, slots=True)
class StoredFile:
    key: str
    mime: str
    kind: MediaKind
    size: int
    sha256: str
    original_filename: str | None
    """The client's file name, sanitised, for display only: never a path, never a type."""


@runtime_checkable
class AttachmentStorage(Protocol):
    """Where report photos and videos live. Implementations: :class:`DiskStorage`."""

    async def save(
        self, stream: Upload, *, declared_type: str | None, filename: str | None
    ) -> StoredFile:
        """Sniff, check, clean and store an upload; all or nothing."""
        ...

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """The stored bytes, in chunks; raises ``NotFound`` before the first chunk."""
        ...

    async def delete(self, key: str) -> None:
        """Remove a stored file; a missing one is not an error."""
        ...

    async def exists(self, key: str) -> bool: ...


def make_key(sha256: str, extension: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}.{extension}"


def validate_key(key: str) -> str:
    """``key`` itself if it is exactly a key :func:`make_key` could return, else InvalidKey."""
    match = _KEY.fullmatch(key) if isinstance(key, str) else None
    if match is None or match[1] + match[2] != match[4][:4] or match[5] not in EXTENSIONS:
        raise InvalidKey("not an attachment key", key=str(key)[:200])
    return key


def sanitize_filename(name: str | None) -> str | None:
    """The last path component of ``name``, without control or bidi characters, at most 255
    characters (keeping the extension); ``None`` when nothing printable is left."""
    if not name:
        return None
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    spaced = (" " if ch.isspace() else ch for ch in name)
    name = "".join(ch for ch in spaced if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).lstrip(".").strip()
    if not name:
        return None
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            name = stem[: MAX_FILENAME - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_FILENAME]
    return name
