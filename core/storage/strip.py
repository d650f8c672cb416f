"""Remove metadata (location above all) from photos without re-encoding them.

Each stripper walks the container and keeps, byte for byte, only the parts a decoder needs
plus a few known-harmless ones; everything else, including any data after the end of the
image, is dropped. Pixels are never touched.

Videos are not handled here: they are stored as they are, location atoms (QuickTime ``©xyz``,
``udta``/``meta``) included. HEIC/HEIF is refused (:data:`HEIC_REFUSAL`): removing its
metadata losslessly needs a full ISO-BMFF rewrite (item offsets move), and re-encoding would
need pillow-heif and lose quality.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable
from typing import Literal

from PIL import Image

from core.storage.sniff import GIF, HEIC, HEIF, JPEG, PNG, WEBP, Sniffed, UnsupportedMedia

__all__ = ["HEIC_REFUSAL", "clean_image", "strip_metadata", "stripper_for", "verify_image"]

HEIC_REFUSAL = "HEIC photos carry location metadata we cannot remove; send JPEG"

Stripper = Callable[[bytes], bytes]


def _malformed(what: str) -> UnsupportedMedia:
    return UnsupportedMedia(f"the {what} file is damaged or truncated")


# --- JPEG --------------------------------------------------------------------------------

_SOS, _EOI = 0xDA, 0xD9
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM, RST0-7: no length field
_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7]")  # a marker inside entropy-coded data


def _keep_jpeg_segment(marker: int, payload: bytes) -> bool:
    if marker == 0xE0:  # APP0: JFIF / JFXX
        return True
    if marker == 0xE2:  # APP2: only the ICC profile (not MPF, FlashPix, …)
        return payload.startswith(b"ICC_PROFILE\0")
    if marker == 0xEE:  # APP14 "Adobe": the colour transform, needed to decode CMYK/YCCK
        return payload.startswith(b"Adobe")
    # Every other APPn (Exif, XMP, IPTC, MPF, maker notes…) and COM go.
    return not (0xE0 <= marker <= 0xEF or marker == 0xFE)


def _exif_orientation(payload: bytes) -> int | None:
    """The Orientation tag of an APP1 Exif payload, if it has a sane one."""
    tiff = payload[6:]
    order: Literal["little", "big"]
    if tiff[:2] == b"II":
        order, tag = "little", b"\x12\x01"
    elif tiff[:2] == b"MM":
        order, tag = "big", b"\x01\x12"
    else:
        return None
    ifd = int.from_bytes(tiff[4:8], order)
    if len(tiff) < 8 or ifd + 2 > len(tiff):
        return None
    for i in range(int.from_bytes(tiff[ifd : ifd + 2], order)):
        entry = tiff[ifd + 2 + 12 * i : ifd + 14 + 12 * i]
        if len(entry) < 12:
            return None
        if entry[:2] == tag:
            value = int.from_bytes(entry[8:10], order)
            return value if 1 <= value <= 8 else None
    return None


def _orientation_app1(orientation: int) -> bytes:
    """A fresh APP1 Exif segment holding the Orientation tag and nothing else."""
    tiff = (
        b"MM\0\x2a" + (8).to_bytes(4, "big") + (1).to_bytes(2, "big")
        + b"\x01\x12" + (3).to_bytes(2, "big") + (1).to_bytes(4, "big")
        + orientation.to_bytes(2, "big") + b"\0\0"
        + (0).to_bytes(4, "big")
    )  # fmt: skip
    payload = b"Exif\0\0" + tiff
    return b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload


def strip_jpeg(data: bytes, *, keep_orientation: bool = True) -> bytes:
    """Drop APP1 (Exif, XMP), APP13 (IPTC), COM and other APPn but JFIF, ICC and Adobe.

    Everything after the first EOI (MPF secondary images, Samsung trailers) goes too. With
    ``keep_orientation`` an Orientation other than 1 is carried over in a new, minimal Exif
    segment, so that portrait photos still display upright.
    """
    if not data.startswith(b"\xff\xd8"):
        raise _malformed("JPEG")
    out = bytearray(b"\xff\xd8")
    orientation: int | None = None
    exif_at: int | None = None
    pos, end = 2, len(data)
    while True:
        if pos >= end or data[pos] != 0xFF:
            raise _malformed("JPEG")
        while pos < end and data[pos] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos >= end:
            raise _malformed("JPEG")
        marker = data[pos]
        pos += 1
        if marker == _EOI:
            out += b"\xff\xd9"
            break
        if marker in _STANDALONE:
            out += bytes((0xFF, marker))
            continue
        if marker in (0x00, 0xD8):
            raise _malformed("JPEG")
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2 or pos + length > end:
            raise _malformed("JPEG")
        payload = data[pos + 2 : pos + length]
        if _keep_jpeg_segment(marker, payload):
            out += bytes((0xFF, marker)) + data[pos : pos + length]
        elif marker == 0xE1 and exif_at is None and payload.startswith(b"Exif\0\0"):
            exif_at, orientation = len(out), _exif_orientation(payload)
        pos += length
        if marker == _SOS:  # entropy-coded data runs to the next real marker
            found = _SCAN_END.search(data, pos)
            if found is None:
                raise _malformed("JPEG")
            out += data[pos : found.start()]
            pos = found.start()
    if keep_orientation and exif_at is not None and orientation is not None and orientation != 1:
        out[exif_at:exif_at] = _orientation_app1(orientation)
    return bytes(out)


# --- PNG ---------------------------------------------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Ancillary chunks kept: transparency, colour, physical size, animation. All others go,
# among them eXIf, tEXt, iTXt, zTXt and tIME. Critical chunks (IHDR, PLTE, IDAT…) all stay.
_PNG_KEEP = frozenset(
    {
        b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"cICP", b"mDCV", b"mDCv", b"cLLI",
        b"cLLi", b"sBIT", b"bKGD", b"hIST", b"pHYs", b"sPLT", b"acTL", b"fcTL", b"fdAT",
    }
)  # fmt: skip


def strip_png(data: bytes) -> bytes:
    """Keep critical chunks and the ancillary ones in ``_PNG_KEEP``, byte for byte, CRCs and all.

    Every chunk's CRC is checked; anything after IEND is dropped.
    """
    if not data.startswith(_PNG_SIGNATURE):
        raise _malformed("PNG")
    out = bytearray(_PNG_SIGNATURE)
    pos, end = len(_PNG_SIGNATURE), len(data)
    while True:
        if pos + 12 > end:
            raise _malformed("PNG")
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        stop = pos + 12 + length
        if stop > end or not kind.isalpha():
            raise _malformed("PNG")
        if zlib.crc32(data[pos + 4 : stop - 4]) != int.from_bytes(data[stop - 4 : stop], "big"):
            raise _malformed("PNG")
        if kind[0:1].isupper() or kind in _PNG_KEEP:
            out += data[pos:stop]
        pos = stop
        if kind == b"IEND":
            return bytes(out)


# --- WebP --------------------------------------------------------------------------------

_WEBP_KEEP = frozenset({b"VP8X", b"VP8 ", b"VP8L", b"ALPH", b"ANIM", b"ANMF", b"ICCP"})
_VP8X_EXIF, _VP8X_XMP = 0x08, 0x04


def strip_webp(data: bytes) -> bytes:
    """Drop EXIF, XMP and unknown chunks, clear their VP8X flags and fix the RIFF size."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise _malformed("WebP")
    end = 8 + int.from_bytes(data[4:8], "little")
    if end > len(data):
        raise _malformed("WebP")
    body = bytearray(b"WEBP")
    pos = 12
    while pos < end:
        if pos + 8 > end:
            raise _malformed("WebP")
        kind = data[pos : pos + 4]
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        stop = pos + 8 + size + (size & 1)
        if pos + 8 + size > end:
            raise _malformed("WebP")
        if kind in _WEBP_KEEP:
            start = len(body)
            body += data[pos : min(stop, end)]
            if size & 1 and stop > end:  # a missing pad byte at the very end
                body += b"\0"
            if kind == b"VP8X":
                if size < 10:
                    raise _malformed("WebP")
                body[start + 8] &= ~(_VP8X_EXIF | _VP8X_XMP) & 0xFF
        pos = stop
    return b"RIFF" + len(body).to_bytes(4, "little") + bytes(body)


# --- GIF ---------------------------------------------------------------------------------


def _gif_sub_blocks(data: bytes, pos: int) -> int:
    """The position just past the sub-blocks (and their terminator) starting at ``pos``."""
    end = len(data)
    while True:
        if pos >= end:
            raise _malformed("GIF")
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos


def _colour_table(packed: int) -> int:
    return 3 << ((packed & 7) + 1) if packed & 0x80 else 0


def strip_gif(data: bytes) -> bytes:
    """Drop comment, unknown and application extensions but NETSCAPE2.0 (looping)."""
    if not data.startswith((b"GIF87a", b"GIF89a")) or len(data) < 13:
        raise _malformed("GIF")
    pos = 13 + _colour_table(data[10])
    out = bytearray(data[:pos])
    while True:
        if pos >= len(data):
            raise _malformed("GIF")
        block = data[pos]
        if block == 0x3B:  # trailer; anything after it goes
            out.append(0x3B)
            return bytes(out)
        if block == 0x2C:  # image descriptor, colour table, LZW code size, data
            if pos + 11 > len(data):
                raise _malformed("GIF")
            stop = _gif_sub_blocks(data, pos + 10 + _colour_table(data[pos + 9]) + 1)
            out += data[pos:stop]
        elif block == 0x21 and pos + 1 < len(data):
            label = data[pos + 1]
            stop = _gif_sub_blocks(data, pos + 2)
            netscape = label == 0xFF and data[pos + 2 : pos + 14] == b"\x0bNETSCAPE2.0"
            if label in (0xF9, 0x01) or netscape:  # graphic control, plain text, looping
                out += data[pos:stop]
        else:
            raise _malformed("GIF")
        pos = stop


# --- dispatch ----------------------------------------------------------------------------

_STRIPPERS: dict[Sniffed, Stripper] = {
    JPEG: strip_jpeg,
    PNG: strip_png,
    WEBP: strip_webp,
    GIF: strip_gif,
}
_PIL_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP", GIF: "GIF"}


def stripper_for(sniffed: Sniffed) -> Stripper:
    """The metadata stripper for an image type; refuses HEIC/HEIF (see :data:`HEIC_REFUSAL`)."""
    if sniffed in (HEIC, HEIF):
        raise UnsupportedMedia(HEIC_REFUSAL, detected=sniffed.mime)
    stripper = _STRIPPERS.get(sniffed)
    if stripper is None:
        raise UnsupportedMedia(f"{sniffed.mime} is not an image we can clean")
    return stripper


def strip_metadata(data: bytes, sniffed: Sniffed) -> bytes:
    """``data`` without its metadata; raises :class:`UnsupportedMedia` if it is damaged."""
    return stripper_for(sniffed)(data)


def verify_image(data: bytes, sniffed: Sniffed) -> None:
    """Check with Pillow that ``data`` is an intact image of the sniffed type (no decoding)."""
    try:
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[sniffed]]) as image:
            image.verify()
    except Image.DecompressionBombError as error:
        raise UnsupportedMedia("the image has too many pixels") from error
    except Exception as error:
        raise UnsupportedMedia(f"the {sniffed.mime} image cannot be decoded") from error


def clean_image(data: bytes, sniffed: Sniffed) -> bytes:
    """Strip the metadata of an image, then verify what is left decodes. Blocking: CPU only."""
    cleaned = strip_metadata(data, sniffed)
    verify_image(cleaned, sniffed)
    return cleaned
