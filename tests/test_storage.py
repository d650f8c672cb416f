"""Attachment storage: sniffing, lossless metadata stripping, and all-or-nothing disk storage."""

from __future__ import annotations

import asyncio
import hashlib
import io
import random
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms

from core.errors import BadInput, NotFound
from core.storage import (
    HEIC_REFUSAL,
    AttachmentStorage,
    DiskStorage,
    InvalidKey,
    TooLarge,
    UnsupportedMedia,
    check_declared,
    sanitize_filename,
    sniff,
    strip_metadata,
)
from core.storage.strip import strip_gif, strip_jpeg, strip_png, strip_webp

SECRET = b"SECRET-LOCATION-39.9N-116.4E"

# The fixtures' fake MPF segment makes Pillow warn when it opens an original.
pytestmark = pytest.mark.filterwarnings("ignore:Image appears to be a malformed MPO file")

# --- building test files -----------------------------------------------------------------


def noisy_image(mode: str = "RGB", size: tuple[int, int] = (64, 48)) -> Image.Image:
    """Random pixels, so that JPEG scans are long and full of stuffed 0xFF bytes."""
    bands = len(mode)
    data = random.Random(7).randbytes(size[0] * size[1] * bands)
    return Image.frombytes(mode, size, data)


def gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (39.0, 54.0, 20.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (116.0, 23.0, 29.0),
    }
    return exif


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload


def insert_after_soi(jpeg: bytes, *segments: bytes) -> bytes:
    return jpeg[:2] + b"".join(segments) + jpeg[2:]


def gps_jpeg(orientation: int | None = None, **options: object) -> bytes:
    """A JPEG with Exif GPS, XMP, a comment, IPTC (APP13) and an MPF-style trailer."""
    data = encode(
        noisy_image(),
        "JPEG",
        exif=gps_exif(orientation),
        xmp=b"<x:xmpmeta>" + SECRET + b"</x:xmpmeta>",
        comment=SECRET,
        **options,
    )
    iptc = jpeg_segment(0xED, b"Photoshop 3.0\x008BIM\x04\x04\x00\x00" + SECRET)
    mpf = jpeg_segment(0xE2, b"MPF\x00" + SECRET)
    return insert_after_soi(data, iptc, mpf) + b"\xff\xd8" + SECRET + b"\xff\xd9"


def png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body).to_bytes(4, "big")
    return len(body).to_bytes(4, "big") + kind + body + crc


def png_chunks(data: bytes) -> list[bytes]:
    """Every chunk of a PNG, whole; asserts every CRC is right."""
    chunks, pos = [], 8
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        chunk = data[pos : pos + 12 + length]
        assert zlib.crc32(chunk[4:-4]) == int.from_bytes(chunk[-4:], "big")
        chunks.append(chunk)
        pos += 12 + length
    return chunks


def gps_png() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", SECRET.decode())
    info.add_text("Location", SECRET.decode(), zip=True)  # zTXt
    info.add_itxt("XML:com.adobe.xmp", SECRET.decode())
    data = encode(noisy_image("RGBA"), "PNG", exif=gps_exif(), pnginfo=info, dpi=(300, 300))
    t_ime = png_chunk(b"tIME", bytes((7, 233, 5, 1, 12, 0, 0)))
    private = png_chunk(b"prVt", SECRET)
    at = data.index(b"IDAT") - 4
    return data[:at] + t_ime + private + data[at:] + SECRET


def riff_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, pos = [], 12
    while pos < len(data):
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        chunks.append((data[pos : pos + 4], data[pos + 8 : pos + 8 + size]))
        pos += 8 + size + (size & 1)
    return chunks


def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x02\x00" + b"".join(compatible)
    return (len(body) + 8).to_bytes(4, "big") + b"ftyp" + body


def mp4(major: bytes = b"isom", *compatible: bytes, size: int = 50_000) -> bytes:
    payload = random.Random(3).randbytes(size)
    return (
        ftyp(major, *compatible or (b"isom", b"iso2", b"mp41"))
        + (8 + len(payload)).to_bytes(4, "big")
        + b"mdat"
        + payload
    )


def ebml(doctype: bytes, size: int = 20_000) -> bytes:
    children = (
        b"\x42\x86\x81\x01"  # EBMLVersion 1
        + b"\x42\xf7\x81\x01"  # EBMLReadVersion 1
        + b"\x42\x82"
        + bytes((0x80 | len(doctype),))
        + doctype
        + b"\x42\x87\x81\x04"  # DocTypeVersion 4
        + b"\x42\x85\x81\x02"  # DocTypeReadVersion 2
    )
    header = b"\x1a\x45\xdf\xa3" + bytes((0x80 | len(children),)) + children
    return header + b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff" + bytes(size)


def decoded(data: bytes) -> list[bytes]:
    """The pixels of every frame, as Pillow decodes them."""
    with Image.open(io.BytesIO(data)) as image:
        frames = []
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frames.append(image.tobytes())
        return frames


def assert_no_metadata(data: bytes, *, orientation: int | None = None) -> None:
    """No GPS, no other Exif (but an expected Orientation), no XMP, no comments, no secret."""
    assert SECRET not in data
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        assert ExifTags.IFD.GPSInfo not in exif
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        if orientation is None:
            assert not exif
            assert "exif" not in image.info
        else:
            assert dict(exif) == {ExifTags.Base.Orientation: orientation}
        for key in ("xmp", "XML:com.adobe.xmp", "comment", "Comment", "Location"):
            assert key not in image.info, key


# --- sniffing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "mime", "kind", "extension"),
    [
        (encode(noisy_image(), "JPEG"), "image/jpeg", "image", "jpg"),
        (encode(noisy_image(), "PNG"), "image/png", "image", "png"),
        (encode(noisy_image(), "WEBP"), "image/webp", "image", "webp"),
        (encode(noisy_image(), "GIF"), "image/gif", "image", "gif"),
        (ftyp(b"heic", b"mif1", b"heic"), "image/heic", "image", "heic"),
        (ftyp(b"mif1", b"heic"), "image/heif", "image", "heif"),
        (mp4(), "video/mp4", "video", "mp4"),
        (mp4(b"mp42"), "video/mp4", "video", "mp4"),
        (mp4(b"XYZW", b"XYZW", b"mp42"), "video/mp4", "video", "mp4"),  # via compatible brand
        (mp4(b"qt  ", b"qt  "), "video/quicktime", "video", "mov"),
        (mp4(b"3gp4", b"isom", b"3gp4"), "video/3gpp", "video", "3gp"),
        (mp4(b"3g2a", b"3g2a"), "video/3gpp2", "video", "3g2"),
        (ebml(b"webm"), "video/webm", "video", "webm"),
        (ebml(b"matroska"), "video/x-matroska", "video", "mkv"),
    ],
)
def test_sniff_accepts(data: bytes, mime: str, kind: str, extension: str) -> None:
    sniffed = sniff(data[:64])
    assert (sniffed.mime, sniffed.kind, sniffed.extension) == (mime, kind, extension)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "unsupported"),
        (b"%PDF-1.7\n", "unsupported"),
        (b"<!doctype html><script>alert(1)</script>", "unsupported"),
        (b"PK\x03\x04" + bytes(40), "unsupported"),
        (b"BM" + bytes(60), "unsupported"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "unsupported"),
        (b"\xff\xd8", "unsupported"),  # too short to be a JPEG
        (ftyp(b"avif", b"mif1", b"avif"), "AVIF"),
        (ftyp(b"M4A ", b"M4A ", b"mp42"), "audio"),
        (ftyp(b"crx ", b"crx "), "RAW"),
        (ftyp(b"XYZW", b"ABCD"), "unsupported"),
        (ebml(b"mka-ish"), "unsupported"),
        (b"\x1a\x45\xdf\xa3\x00", "malformed"),
    ],
)
def test_sniff_refuses(data: bytes, reason: str) -> None:
    with pytest.raises(UnsupportedMedia, match=reason) as caught:
        sniff(data)
    assert isinstance(caught.value, BadInput)
    assert caught.value.code == "BAD_USER_INPUT"


def test_sniff_ignores_everything_but_the_content() -> None:
    assert sniff(b"\x89PNG\r\n\x1a\n" + bytes(30)).mime == "image/png"
    assert sniff(encode(noisy_image(), "JPEG")).mime == "image/jpeg"


@pytest.mark.parametrize(
    "declared",
    [None, "", "application/octet-stream", "image/jpeg", "IMAGE/JPG", "image/jpeg; q=1"],
)
def test_declared_type_that_agrees_or_says_nothing(declared: str | None) -> None:
    check_declared(declared, sniff(encode(noisy_image(), "JPEG")))


def test_declared_video_types_of_one_container_family_agree() -> None:
    check_declared("video/mp4", sniff(mp4(b"qt  ")))
    check_declared("video/quicktime", sniff(mp4()))
    check_declared("video/webm", sniff(ebml(b"matroska")))


@pytest.mark.parametrize(
    ("declared", "content", "detected"),
    [
        ("image/png", encode(noisy_image(), "JPEG"), "image/jpeg"),
        ("image/jpeg", mp4(), "video/mp4"),
        ("video/mp4", encode(noisy_image(), "GIF"), "image/gif"),
        ("text/html", encode(noisy_image(), "PNG"), "image/png"),
    ],
)
def test_declared_type_that_disagrees_is_refused(
    declared: str, content: bytes, detected: str
) -> None:
    with pytest.raises(UnsupportedMedia) as caught:
        check_declared(declared, sniff(content))
    assert caught.value.message == f"declared {declared} but the content is {detected}"
    assert caught.value.details == {"declared": declared, "detected": detected}


# --- stripping ---------------------------------------------------------------------------


def test_jpeg_loses_gps_exif_xmp_iptc_comment_and_trailer_but_no_pixel() -> None:
    original = gps_jpeg()
    with Image.open(io.BytesIO(original)) as image:  # the fixture does carry GPS
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    stripped = strip_jpeg(original)
    assert_no_metadata(stripped)
    assert b"Exif" not in stripped and b"Photoshop" not in stripped and b"MPF" not in stripped
    assert decoded(stripped) == decoded(original)
    # The entropy-coded data and the tables are there byte for byte.
    scan = original[original.index(b"\xff\xda") : original.index(b"\xff\xd9") + 2]
    assert stripped.endswith(scan)
    assert stripped.startswith(b"\xff\xd8\xff\xe0") and b"JFIF\0" in stripped[:20]


def test_jpeg_keeps_icc_profile_and_orientation_only() -> None:
    icc = srgb_icc()
    original = gps_jpeg(orientation=6, icc_profile=icc)
    stripped = strip_jpeg(original)
    assert_no_metadata(stripped, orientation=6)  # portrait photos stay upright
    assert decoded(stripped) == decoded(original)
    with Image.open(io.BytesIO(stripped)) as image:
        assert image.info["icc_profile"] == icc
    assert_no_metadata(strip_jpeg(original, keep_orientation=False))
    assert_no_metadata(strip_jpeg(gps_jpeg(orientation=1)))  # 1 is the default: not kept


@pytest.mark.parametrize(
    ("mode", "options"),
    [("RGB", {"progressive": True}), ("CMYK", {}), ("L", {"restart_marker_blocks": 1})],
)
def test_jpeg_variants_decode_identically(mode: str, options: dict[str, object]) -> None:
    original = insert_after_soi(
        encode(noisy_image(mode), "JPEG", exif=gps_exif(), **options),
        jpeg_segment(0xFE, SECRET),
    )
    stripped = strip_jpeg(original)
    assert_no_metadata(stripped)
    assert decoded(stripped) == decoded(original)
    if mode == "CMYK":  # the Adobe segment, which says how to read the colours, stays
        at = stripped.index(b"\xff\xee")
        assert stripped[at + 4 : at + 9] == b"Adobe"


def test_png_loses_exif_and_text_chunks_keeps_the_rest_byte_for_byte() -> None:
    original = gps_png()
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    stripped = strip_png(original)
    assert_no_metadata(stripped)
    kinds = [chunk[4:8] for chunk in png_chunks(stripped)]
    for gone in (b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME", b"prVt"):
        assert gone not in kinds
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"pHYs" in kinds
    kept = png_chunks(original[: original.rindex(b"IEND") + 8])
    assert png_chunks(stripped) == [chunk for chunk in kept if chunk[4:8] in kinds]
    assert decoded(stripped) == decoded(original)
    with Image.open(io.BytesIO(stripped)) as image:
        assert image.info["dpi"] == pytest.approx((300, 300), rel=1e-3)


def test_webp_loses_exif_and_xmp_chunks_and_flags() -> None:
    icc = srgb_icc()
    original = encode(
        noisy_image(),
        "WEBP",
        lossless=True,
        exif=gps_exif(),
        xmp=b"<x:xmpmeta>" + SECRET + b"</x:xmpmeta>",
        icc_profile=icc,
    )
    kinds = [kind for kind, _ in riff_chunks(original)]
    assert b"EXIF" in kinds and b"XMP " in kinds and original[20] & 0x0C == 0x0C
    stripped = strip_webp(original + SECRET)
    assert_no_metadata(stripped)
    chunks = dict(riff_chunks(stripped))
    assert set(chunks) == {b"VP8X", b"ICCP", b"VP8L"}
    assert chunks[b"VP8X"][0] == original[20] & ~0x0C  # ICC flag kept, EXIF and XMP cleared
    assert chunks[b"VP8X"][1:] == dict(riff_chunks(original))[b"VP8X"][1:]
    assert int.from_bytes(stripped[4:8], "little") == len(stripped) - 8
    assert decoded(stripped) == decoded(original)
    with Image.open(io.BytesIO(stripped)) as image:
        assert image.info["icc_profile"] == icc


def test_animated_webp_keeps_its_frames() -> None:
    frames = [noisy_image(), Image.new("RGB", (64, 48), (10, 200, 30))]
    original = encode(
        frames[0], "WEBP", save_all=True, append_images=frames[1:], exif=gps_exif(), lossless=True
    )
    stripped = strip_webp(original)
    assert_no_metadata(stripped)
    assert decoded(stripped) == decoded(original)
    assert len(decoded(stripped)) == 2


def test_gif_loses_comments_and_foreign_application_extensions_keeps_looping() -> None:
    frames = [noisy_image("P"), Image.new("P", (64, 48), 3)]
    original = encode(
        frames[0], "GIF", save_all=True, append_images=frames[1:], loop=0, comment=SECRET
    )
    xmp = b"!\xff\x0bXMP DataXMP" + bytes((len(SECRET),)) + SECRET + b"\x00"
    at = original.index(b"!\xff\x0bNETSCAPE2.0")
    original = original[:at] + xmp + original[at:] + SECRET
    stripped = strip_gif(original)
    assert_no_metadata(stripped)
    assert b"NETSCAPE2.0" in stripped and b"XMP Data" not in stripped
    assert stripped.endswith(b";")
    assert decoded(stripped) == decoded(original)
    with Image.open(io.BytesIO(stripped)) as image:
        assert image.info["loop"] == 0
    assert len(decoded(stripped)) == 2


def test_heic_is_refused_with_a_reason() -> None:
    with pytest.raises(UnsupportedMedia, match="HEIC photos carry location metadata"):
        strip_metadata(ftyp(b"heic", b"mif1"), sniff(ftyp(b"heic", b"mif1")))


@pytest.mark.parametrize(
    "damaged",
    [
        encode(noisy_image(), "JPEG")[:-300],  # no end of image
        encode(noisy_image(), "PNG")[:-20],
        encode(noisy_image(), "PNG").replace(b"IDAT", b"IDAX", 1),  # CRC mismatch
        encode(noisy_image(), "GIF")[:-10],
        encode(noisy_image(), "WEBP")[:-10],
        b"\xff\xd8\xff\xe0\x00\x02\xff\xd9",  # no frame at all: Pillow cannot open it
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",  # parses, but has no image
    ],
)
def test_damaged_images_are_refused(damaged: bytes) -> None:
    from core.storage import clean_image

    with pytest.raises(UnsupportedMedia):
        clean_image(damaged, sniff(damaged))


# --- disk storage ------------------------------------------------------------------------


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


async def chunked(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        await asyncio.sleep(0)
        yield data[start : start + size]


@pytest.fixture
def storage(tmp_path: Path) -> DiskStorage:
    return DiskStorage(tmp_path / "attachments", max_bytes=1_000_000)


async def read_all(storage: DiskStorage, key: str) -> bytes:
    return b"".join([chunk async for chunk in await storage.open(key)])


async def test_disk_storage_is_an_attachment_storage(storage: DiskStorage) -> None:
    assert isinstance(storage, AttachmentStorage)


async def test_save_strips_and_stores_a_photo(storage: DiskStorage) -> None:
    original = gps_jpeg()
    stored = await storage.save(
        chunked(original), declared_type="image/jpeg", filename="../../IMG_0001.JPG"
    )
    content = await read_all(storage, stored.key)
    assert content == strip_jpeg(original)
    assert_no_metadata(content)
    assert stored.mime == "image/jpeg" and stored.kind == "image"
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.key == f"{stored.sha256[:2]}/{stored.sha256[2:4]}/{stored.sha256}.jpg"
    assert stored.original_filename == "IMG_0001.JPG"
    assert files_under(storage.root) == [storage.root / stored.key]
    assert await storage.exists(stored.key)


async def test_save_stores_a_video_as_it_is(storage: DiskStorage) -> None:
    video = mp4(b"qt  ", b"qt  ")
    stored = await storage.save(video, declared_type="video/quicktime", filename="clip.mov")
    assert (stored.mime, stored.kind, stored.size) == ("video/quicktime", "video", len(video))
    assert stored.key.endswith(".mov")
    assert await read_all(storage, stored.key) == video


async def test_same_content_twice_is_one_file(storage: DiskStorage) -> None:
    first = await storage.save(ebml(b"webm"), declared_type=None, filename="a.webm")
    second = await storage.save(chunked(ebml(b"webm")), declared_type=None, filename="b.webm")
    assert first.key == second.key
    assert second.original_filename == "b.webm"
    plain = encode(noisy_image(), "JPEG")
    with_gps = encode(noisy_image(), "JPEG", exif=gps_exif(), comment=SECRET)
    photos = [
        await storage.save(data, declared_type=None, filename=None) for data in (plain, with_gps)
    ]
    assert photos[0].key == photos[1].key  # the same photo once its metadata is gone
    assert len(files_under(storage.root)) == 2


async def test_open_delete_exists(storage: DiskStorage) -> None:
    stored = await storage.save(gps_png(), declared_type="image/png", filename=None)
    assert await storage.exists(stored.key)
    await storage.delete(stored.key)
    assert not await storage.exists(stored.key)
    await storage.delete(stored.key)  # already gone: fine
    with pytest.raises(NotFound):
        await storage.open(stored.key)
    assert files_under(storage.root) == []


@pytest.mark.parametrize(
    "key",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "ab/cd/../../../x.jpg",
        "ab/cd/" + "ab" * 32 + ".jpg",  # shards do not match the hash
        "ab/cd/abcd" + "0" * 60 + ".exe",
        "AB/CD/ABCD" + "0" * 60 + ".jpg",
        "ab/cd/abcd" + "0" * 60 + ".jpg\n",
        "ab\\cd\\abcd" + "0" * 60 + ".jpg",
        "",
    ],
)
async def test_keys_are_validated(storage: DiskStorage, key: str) -> None:
    for call in (storage.open, storage.delete, storage.exists):
        with pytest.raises(InvalidKey) as caught:
            await call(key)
        assert caught.value.code == "BAD_USER_INPUT"


async def test_too_large_stops_reading_at_the_cap_and_leaves_nothing(tmp_path: Path) -> None:
    storage = DiskStorage(tmp_path, max_bytes=10_000)
    pulled = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal pulled
        data = mp4(size=100_000)
        for start in range(0, len(data), 4096):
            pulled += 1
            yield data[start : start + 4096]

    with pytest.raises(TooLarge, match=r"9\.77 KiB \(10000 bytes\)") as caught:
        await storage.save(endless(), declared_type="video/mp4", filename=None)
    assert caught.value.code == "BAD_USER_INPUT" and caught.value.details["max_bytes"] == 10_000
    assert pulled == 3  # 12,288 bytes: the first chunk past the cap
    with pytest.raises(TooLarge):
        await storage.save(gps_jpeg() * 10, declared_type=None, filename=None)
    with pytest.raises(TooLarge):
        await storage.save(chunked(gps_jpeg() * 10), declared_type=None, filename=None)
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("content", [mp4(size=20_000), gps_jpeg()])
async def test_a_stream_failing_midway_leaves_nothing(storage: DiskStorage, content: bytes) -> None:
    async def broken() -> AsyncIterator[bytes]:
        async for chunk in chunked(content[:6000]):
            yield chunk
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await storage.save(broken(), declared_type=None, filename=None)
    assert files_under(storage.root) == []


async def test_a_cancelled_upload_leaves_nothing(storage: DiskStorage) -> None:
    async def stalls() -> AsyncIterator[bytes]:
        async for chunk in chunked(mp4(size=20_000)):
            yield chunk
        await asyncio.Event().wait()
        yield b""

    with pytest.raises(TimeoutError):
        await asyncio.wait_for(storage.save(stalls(), declared_type=None, filename=None), 0.5)
    assert files_under(storage.root) == []


@pytest.mark.parametrize(
    ("content", "declared", "message"),
    [
        (gps_jpeg(), "image/png", "declared image/png but the content is image/jpeg"),
        (mp4(), "image/jpeg", "declared image/jpeg but the content is video/mp4"),
        (ftyp(b"heic", b"mif1") + bytes(100), "image/heic", HEIC_REFUSAL),
        (ftyp(b"heic", b"mif1") + bytes(100), "image/jpeg", HEIC_REFUSAL),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/png", "unsupported file type"),
        (encode(noisy_image(), "JPEG")[:-300], "image/jpeg", "damaged"),
        (b"\xff\xd8\xff\xe0\x00\x02\xff\xd9", "image/jpeg", "cannot be decoded"),
        (b"", "image/jpeg", "empty"),
    ],
)
async def test_refused_uploads_leave_nothing(
    storage: DiskStorage, content: bytes, declared: str, message: str
) -> None:
    with pytest.raises(BadInput, match=message):
        await storage.save(chunked(content), declared_type=declared, filename="x.png")
    assert files_under(storage.root) == []


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        (None, None),
        ("", None),
        ("...", None),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\li\\Pictures\\IMG_0001.JPG", "IMG_0001.JPG"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("line\nbreak\t.jpg", "line break .jpg"),
        ("  .hidden.jpg  ", "hidden.jpg"),
        ("现场照片 2024.jpg", "现场照片 2024.jpg"),
        ("a" * 300 + ".jpeg", "a" * 250 + ".jpeg"),
    ],
)
def test_filenames_are_sanitised_for_display(name: str | None, shown: str | None) -> None:
    assert sanitize_filename(name) == shown
