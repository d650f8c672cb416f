"""Automatic persisted queries (Apollo's protocol, version 1): a client sends
``extensions.persistedQuery.sha256Hash`` instead of the document; the first time, the
server answers PERSISTED_QUERY_NOT_FOUND and the client sends the document with its hash,
which the server checks and keeps. Kept per process (least recently used dropped first),
so behind several processes a client may be asked once per process."""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

HASH = re.compile(r"^[0-9a-f]{64}$")
NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"


@dataclass(frozen=True, slots=True)
class PersistedQueryError(Exception):
    """The request's persisted query cannot be used: its message and code."""

    message: str
    code: str


def requested_hash(extensions: Any) -> str | None:
    """The sha256 a request names in ``extensions.persistedQuery``, if any."""
    if not isinstance(extensions, dict) or "persistedQuery" not in extensions:
        return None
    persisted = extensions["persistedQuery"]
    if not isinstance(persisted, dict):
        raise PersistedQueryError("extensions.persistedQuery must be an object", "BAD_USER_INPUT")
    if persisted.get("version") != 1:
        raise PersistedQueryError(
            "unsupported persisted query version (this server speaks version 1)",
            "BAD_USER_INPUT",
        )
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not HASH.match(digest):
        raise PersistedQueryError(
            "extensions.persistedQuery.sha256Hash must be 64 lower-case hex digits",
            "BAD_USER_INPUT",
        )
    return digest


class PersistedQueries:
    """Documents by their sha256, at most ``size`` of them."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._items: OrderedDict[str, str] = OrderedDict()

    def resolve(self, query: Any, extensions: Any) -> Any:
        """The document to run: ``query`` itself (checked against its hash when one is
        sent), or the one kept for the hash. PersistedQueryError when neither works."""
        digest = requested_hash(extensions)
        if digest is None:
            return query
        if query is None:
            found = self._items.get(digest)
            if found is None:
                raise PersistedQueryError("PersistedQueryNotFound", NOT_FOUND)
            self._items.move_to_end(digest)
            return found
        if not isinstance(query, str):
            return query  # the full path says what is wrong with it
        if hashlib.sha256(query.encode()).hexdigest() != digest:
            raise PersistedQueryError("provided sha does not match query", "BAD_USER_INPUT")
        return query

    def keep(self, query: str, extensions: Any) -> None:
        """Remember a document sent with its (checked) hash, once it proved valid."""
        digest = requested_hash(extensions)
        if digest is None or digest in self._items:
            return
        self._items[digest] = query
        if len(self._items) > self.size:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
