"""Spatio-temporal codes: a BeiDou grid cell and a time period in one string.

Format: ``<BeiDou grid location code>/<time code>``, e.g.::

    N48H5127623001132411/20261125143000
    `------ cell -------' `--- time ---'

The BeiDou part is a GB/T 39409-2020 code of level 1-10 (:mod:`core.codes.beidou`), the time
part a time code of level year-second (:mod:`core.codes.timecode`), read in the deployment
time zone (default ``Asia/Shanghai``).

Prefixes: a prefix of a code is a coarser *cell* (any time) - ``N48H51`` - or, for codes
whose cell is exactly that one, the cell plus a coarser *period* - ``N48H5127623001132411/
202611``. A coarser cell *and* a period together is not one prefix; query the two parts
separately (see ``docs/codes.md``).

:mod:`core.codes.beidou` is imported when first needed, so this module (splitting and the
time part) works on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from core.codes.errors import InvalidCode
from core.codes.timecode import (
    DEFAULT_TZ,
    TimeInterval,
    TimeLevel,
    TimeZone,
    decode_time,
    encode_time,
)

if TYPE_CHECKING:
    from core.codes.beidou import BeidouCell

__all__ = [
    "SEPARATOR",
    "InvalidCode",
    "SpaceTimeCell",
    "decode_spacetime",
    "encode_spacetime",
    "split_spacetime",
]

SEPARATOR = "/"
_EXAMPLE = "N48H5127623001132411/20261125143000"


@dataclass(frozen=True, slots=True)
class SpaceTimeCell:
    beidou: str  # the BeiDou part, normalised (upper case) as beidou.decode reports it
    cell: BeidouCell  # beidou.decode(beidou)
    time: TimeInterval  # decode_time(time part, tz)

    @property
    def code(self) -> str:
        """The normalised spatio-temporal code."""
        return f"{self.beidou}{SEPARATOR}{self.time.code}"

    def contains(self, lon: float, lat: float, moment: datetime) -> bool:
        """Whether the point is in the cell and the (aware) moment in the period (exact)."""
        return self.cell.contains(lon, lat) and self.time.contains(moment)


def split_spacetime(code: str) -> tuple[str, str]:
    """Split a spatio-temporal code into its BeiDou part and its time part.

    Only the structure is checked (one ``/``, two non-empty parts, no whitespace inside);
    :func:`decode_spacetime` validates the parts themselves.
    """
    if not isinstance(code, str):
        raise InvalidCode(
            f"spatio-temporal code must be a string, got {type(code).__name__}", value=code
        )
    text = code.strip()
    if not text:
        raise InvalidCode("spatio-temporal code is empty", value=code)
    if any(char.isspace() for char in text):
        raise InvalidCode(f"spatio-temporal code {text!r} must not contain spaces", value=code)
    separators = text.count(SEPARATOR)
    if separators != 1:
        found = "no" if separators == 0 else str(separators)
        raise InvalidCode(
            f"spatio-temporal code {text!r} has {found} {SEPARATOR!r} separators; expected "
            f"exactly one between the BeiDou code and the time code, e.g. {_EXAMPLE!r}",
            value=code,
        )
    beidou_part, time_part = text.split(SEPARATOR)
    if not beidou_part:
        raise InvalidCode(
            f"spatio-temporal code {text!r}: the BeiDou code before {SEPARATOR!r} is empty",
            value=code,
        )
    if not time_part:
        raise InvalidCode(
            f"spatio-temporal code {text!r}: the time code after {SEPARATOR!r} is empty",
            value=code,
        )
    return beidou_part, time_part


def decode_spacetime(code: str, tz: TimeZone = DEFAULT_TZ) -> SpaceTimeCell:
    """Validate a spatio-temporal code and decode its cell and its period (in ``tz``).

    The time part is checked first, so a bad time part is reported even where
    :mod:`core.codes.beidou` is unavailable. The BeiDou part is normalised as
    ``beidou.decode`` does (``"n48h51/2026"`` gives ``beidou == "N48H51"``).
    """
    beidou_part, time_part = split_spacetime(code)
    text = f"{beidou_part}{SEPARATOR}{time_part}"
    try:
        interval = decode_time(time_part, tz)
    except InvalidCode as exc:
        raise InvalidCode(f"spatio-temporal code {text!r}: {exc}", value=code) from None

    from core.codes import beidou

    try:
        cell = beidou.decode(beidou_part)
    except InvalidCode as exc:
        raise InvalidCode(f"spatio-temporal code {text!r}: {exc}", value=code) from None
    return SpaceTimeCell(beidou=cell.code, cell=cell, time=interval)


def encode_spacetime(
    lon: float,
    lat: float,
    moment: datetime,
    *,
    level: int = 10,
    time_level: TimeLevel | str = TimeLevel.SECOND,
    tz: TimeZone = DEFAULT_TZ,
) -> str:
    """The code of the BeiDou cell of ``level`` at ``(lon, lat)`` and the period of ``moment``.

    ``moment`` must be an aware datetime (see :func:`core.codes.timecode.encode_time`).
    """
    time_code = encode_time(moment, time_level, tz)

    from core.codes import beidou

    return f"{beidou.encode(lon, lat, level)}{SEPARATOR}{time_code}"
