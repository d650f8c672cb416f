"""Where the composed GraphQL types live, so that ``strawberry.lazy("schema.registry")``
finds them. Written only by ``schema.build.build_schema``, under its lock, right before
the Strawberry schema is built; nothing else assigns here."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    raise AttributeError(
        f"schema.registry has no composed type {name!r}: build_schema() has not run, or "
        "no core type of that name exists"
    )
