"""Record ids travel as GraphQL IDs (strings); this turns them into database ids."""

from __future__ import annotations

from core.errors import BadInput

MAX_ID = 2**63 - 1


def parse_id(value: object, argument: str = "id") -> int:
    """A positive 64-bit id, or BAD_USER_INPUT naming the argument."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_ID:
        raise BadInput(
            f"{argument} must be a record id (a positive number), got {value!r}", argument=argument
        )
    return int(text)


def optional_id(value: object | None, argument: str) -> int | None:
    return None if value is None else parse_id(value, argument)
