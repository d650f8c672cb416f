"""Tell what an upload is from its first bytes, never from the client's name or content type.

Hand-written signature checks: the accepted set is small, and each check says exactly which
brand or doc type it accepts (a generic detector would also name formats we refuse, and would
not tell HEIC from AVIF or WebM from Matroska the way we need).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.errors import BadInput

__all__ = [
    "HEAD_SIZE",
    "MediaKind",
    "Sniffed",
    "UnsupportedMedia",
    "check_declared",
    "sniff",
]

MediaKind = Literal["image", "video"]

HEAD_SIZE = 4096
"""How many leading bytes :func:`sniff` needs at most (a long ``ftyp`` brand list fits)."""

ACCEPTED = "JPEG, PNG, WebP, GIF or HEIC images and MP4, QuickTime, WebM/Matroska or 3GP videos"


class UnsupportedMedia(BadInput):
    """The content is not a kind of photo or video we accept (or not what it claims to be)."""


@dataclass(frozen=True, slots=True)
class Sniffed:
    mime: str
    kind: MediaKind
    extension: str


JPEG = Sniffed("image/jpeg", "image", "jpg")
PNG = Sniffed("image/png", "image", "png")
WEBP = Sniffed("image/webp", "image", "webp")
GIF = Sniffed("image/gif", "image", "gif")
HEIC = Sniffed("image/heic", "image", "heic")
HEIF = Sniffed("image/heif", "image", "heif")
MP4 = Sniffed("video/mp4", "video", "mp4")
QUICKTIME = Sniffed("video/quicktime", "video", "mov")
THREE_GP = Sniffed("video/3gpp", "video", "3gp")
THREE_G2 = Sniffed("video/3gpp2", "video", "3g2")
WEBM = Sniffed("video/webm", "video", "webm")
MATROSKA = Sniffed("video/x-matroska", "video", "mkv")

ALL: tuple[Sniffed, ...] = (
    JPEG, PNG, WEBP, GIF, HEIC, HEIF, MP4, QUICKTIME, THREE_GP, THREE_G2, WEBM, MATROSKA,
)  # fmt: skip
EXTENSIONS = frozenset(s.extension for s in ALL)

# ISO-BMFF ``ftyp`` brands (major first, then compatible ones); a string is a refusal.
_MP4_BRANDS = (
    b"isom iso2 iso3 iso4 iso5 iso6 iso7 iso8 iso9 mp41 mp42 mp71 avc1 dash mmp4 MSNV XAVC"
)
_BRANDS: dict[bytes, Sniffed | str] = {
    **dict.fromkeys((b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"), HEIC),
    **dict.fromkeys((b"mif1", b"msf1", b"heif"), HEIF),
    b"qt  ": QUICKTIME,
    **dict.fromkeys(_MP4_BRANDS.split(), MP4),
    **dict.fromkeys((b"M4V ", b"M4VH", b"M4VP", b"f4v "), MP4),
    **dict.fromkeys((b"3g2a", b"3g2b", b"3g2c", b"kddi"), THREE_G2),
    **dict.fromkeys((b"avif", b"avis"), "AVIF images are not accepted"),
    **dict.fromkeys((b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "), "audio files are not accepted"),
    b"crx ": "camera RAW files are not accepted",
}
_3GP_PREFIXES = (b"3gp", b"3gg", b"3gr", b"3gs", b"3ge")

_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_EBML_DOCTYPE = 0x4282


def sniff(head: bytes) -> Sniffed:
    """The media type of a file from its first bytes (up to :data:`HEAD_SIZE`).

    Raises :class:`UnsupportedMedia` for anything else. ISO-BMFF files are judged by their
    ``ftyp`` box (major brand first, then the compatible brands); Matroska by its EBML doc type.
    """
    head = bytes(head[:HEAD_SIZE])
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp":
        return _iso_bmff(head)
    if head.startswith(_EBML_MAGIC):
        return _ebml(head)
    raise _unsupported()


def _unsupported(reason: str = "unsupported file type") -> UnsupportedMedia:
    return UnsupportedMedia(f"{reason}: send {ACCEPTED}", accepted=[s.mime for s in ALL])


def _iso_bmff(head: bytes) -> Sniffed:
    size = int.from_bytes(head[:4], "big")
    end = len(head) if size < 16 else min(size, len(head))
    brands = [head[8:12]] + [head[i : i + 4] for i in range(16, end - 3, 4)]
    for brand in brands:
        if brand.startswith(_3GP_PREFIXES):
            return THREE_GP
        hit = _BRANDS.get(brand)
        if isinstance(hit, Sniffed):
            return hit
        if isinstance(hit, str):
            raise _unsupported(hit)
    raise _unsupported()


def _vint(buf: bytes, pos: int, *, marker: bool) -> tuple[int, int]:
    """An EBML variable-length integer at ``pos``: ``(value, next_pos)``."""
    if pos >= len(buf) or buf[pos] == 0:
        raise _unsupported("malformed EBML header")
    length = 9 - buf[pos].bit_length()
    if pos + length > len(buf):
        raise _unsupported("malformed EBML header")
    value = buf[pos] if marker else buf[pos] & (0xFF >> length)
    for byte in buf[pos + 1 : pos + length]:
        value = value << 8 | byte
    return value, pos + length


def _ebml(head: bytes) -> Sniffed:
    size, pos = _vint(head, len(_EBML_MAGIC), marker=False)
    end = min(pos + size, len(head))
    while pos < end:
        element, pos = _vint(head, pos, marker=True)
        size, pos = _vint(head, pos, marker=False)
        if element == _EBML_DOCTYPE:
            doctype = head[pos : pos + size].rstrip(b"\0")
            if doctype == b"webm":
                return WEBM
            if doctype == b"matroska":
                return MATROSKA
            break
        pos += size
    raise _unsupported()


# Content types that name the same container; browsers label files by their extension, and
# phones routinely save QuickTime as ``.mp4`` or WebM as ``.mkv``.
_FAMILIES: dict[str, str] = {
    **dict.fromkeys(("image/jpeg", "image/jpg", "image/pjpeg"), "jpeg"),
    **dict.fromkeys(("image/png", "image/x-png", "image/apng"), "png"),
    "image/webp": "webp",
    "image/gif": "gif",
    **dict.fromkeys(
        ("image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence"), "heif"
    ),
    **dict.fromkeys(
        "video/mp4 application/mp4 video/x-m4v video/quicktime video/x-quicktime".split(),
        "iso-bmff",
    ),
    **dict.fromkeys(("video/3gpp", "video/3gpp2"), "iso-bmff"),
    **dict.fromkeys(("video/webm", "video/x-matroska", "video/matroska"), "ebml"),
}
_NO_CLAIM = frozenset({"", "application/octet-stream", "binary/octet-stream"})


def check_declared(declared: str | None, sniffed: Sniffed) -> None:
    """Refuse content whose client-declared type names another kind of file.

    No declared type, or ``application/octet-stream``, makes no claim and passes.
    """
    if declared is None:
        return
    normal = declared.split(";", 1)[0].strip().lower()
    if normal in _NO_CLAIM:
        return
    family = _FAMILIES.get(normal)
    if family is None or family != _FAMILIES[sniffed.mime]:
        raise UnsupportedMedia(
            f"declared {normal[:100]} but the content is {sniffed.mime}",
            declared=normal[:100],
            detected=sniffed.mime,
        )


BY_EXTENSION: dict[str, Sniffed] = {s.extension: s for s in ALL}
