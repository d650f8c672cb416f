"""Thumbnails of stored images for lists: at most ``THUMB_SIZE`` pixels on the long edge,
JPEG, made on first request and kept beside the files (``thumbs/``), written atomically."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

from core.errors import NotFound

THUMB_SIZE = 320
#: the image types a thumbnail is made of (HEIC/HEIF: Pillow cannot read them)
THUMBNAIL_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})


def thumbnail_path(root: Path, key: str) -> Path:
    stem = key.rsplit(".", 1)[0]
    return root / "thumbs" / f"{stem}-{THUMB_SIZE}.jpg"


def _make(source: Path, dest: Path) -> None:
    with Image.open(source) as image:
        image.seek(0)
        picture = ImageOps.exif_transpose(image)
        picture.thumbnail((THUMB_SIZE, THUMB_SIZE))
        if picture.mode not in ("RGB", "L"):
            background = Image.new("RGB", picture.size, (255, 255, 255))
            rgba = picture.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            picture = background
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".thumb-", suffix=".part", dir=dest.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                picture.save(out, "JPEG", quality=80, optimize=True)
            os.replace(temp, dest)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def _ensure(source: Path, dest: Path) -> Path:
    if dest.is_file():
        return dest
    if not source.is_file():
        raise NotFound("no such file")
    _make(source, dest)
    return dest


async def thumbnail(root: Path, key: str, source: Path) -> Path:
    """The thumbnail file of the stored image ``key`` (made now if it is not yet)."""
    return await asyncio.to_thread(_ensure, source, thumbnail_path(root, key))
