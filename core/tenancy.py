"""County tenancy: one deployment holds many counties, and every account belongs to one of
them or to a level above (a city, a province, or the whole deployment).

An account's *tenancy* is a division-code prefix: a county's 6 digits, a city's 4 or a
province's 2, or ``""`` for the whole deployment. Whatever the account's role and grants
say, its reach never leaves its tenancy: a county's staff see their county only, a city's
command centre every county of the city.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.errors import BadInput

#: what a stored tenancy looks like (the empty string: the whole deployment)
TENANCY_PATTERN = "^([0-9]{2}|[0-9]{4}|[0-9]{6})?$"
_TENANCY = re.compile(TENANCY_PATTERN)
COUNTY_DIGITS = 6
WHOLE = ""


def parse_tenancy(value: str, argument: str = "tenancy") -> str:
    """A tenancy as typed (a county, city or province code, trailing zeros allowed; empty
    for the whole deployment), normalised to its significant digits."""
    text = value.strip()
    if text and len(text) in (6, 12) and text.isascii() and text.isdigit():
        text = text[:6]
        # 510000 is a province, 511500 a city, 511504 a county
        text = text[:2] if text[2:] == "0000" else text[:4] if text[4:] == "00" else text
    if not _TENANCY.match(text):
        raise BadInput(
            f"{argument} must be a county, city or province code (6 digits, like 511504), "
            f"or empty for the whole deployment; got {value!r}",
            argument=argument,
        )
    return text


def county_of(code: str | None) -> str:
    """The county prefix of a region or grid code (``""`` when there is none)."""
    return code[:COUNTY_DIGITS] if code and len(code) >= COUNTY_DIGITS else WHOLE


def single_county(prefixes: Iterable[str]) -> str | None:
    """The one county every prefix lies in (None: none given, or more than one county)."""
    counties = {
        prefix[:COUNTY_DIGITS] if len(prefix) >= COUNTY_DIGITS else "" for prefix in prefixes
    }
    if len(counties) != 1:
        return None
    (county,) = counties
    return county or None


def narrowest(parts: Iterable[str]) -> str:
    """The most specific of several tenancies that nest (the longest)."""
    return max(parts, key=len, default=WHOLE)


def contains(tenancy: str, code: str | None) -> bool:
    """The code lies inside the tenancy (every code lies inside the whole deployment)."""
    return not tenancy or (code is not None and code.startswith(tenancy))


def encloses(outer: str, inner: str) -> bool:
    """Tenancy ``inner`` lies inside tenancy ``outer`` (or is it)."""
    return inner.startswith(outer)


def clip(prefixes: Iterable[str], tenancy: str) -> tuple[str, ...]:
    """The parts of the prefixes that lie inside the tenancy: a prefix inside it stays, a
    prefix above it shrinks to it, a prefix beside it goes."""
    inside: set[str] = set()
    for prefix in prefixes:
        if prefix.startswith(tenancy):
            inside.add(prefix)
        elif tenancy.startswith(prefix):
            inside.add(tenancy)
    kept: list[str] = []
    for prefix in sorted(inside, key=len):  # drop prefixes covered by shorter ones
        if not any(prefix.startswith(k) for k in kept):
            kept.append(prefix)
    return tuple(sorted(kept))
