"""Storage of the photos and videos attached to reported events.

``DiskStorage(root, max_bytes).save(stream, declared_type=..., filename=...)`` sniffs the type
from the content, refuses anything but accepted photos and videos (and HEIC, whose location
metadata cannot be removed losslessly), strips image metadata, and stores the result under a
content-addressed key.
"""

from core.storage.base import (
    AttachmentStorage,
    InvalidKey,
    StoredFile,
    TooLarge,
    make_key,
    sanitize_filename,
    validate_key,
)
from core.storage.disk import DiskStorage
from core.storage.sniff import (
    HEAD_SIZE,
    MediaKind,
    Sniffed,
    UnsupportedMedia,
    check_declared,
    sniff,
)
from core.storage.strip import HEIC_REFUSAL, clean_image, strip_metadata, verify_image

__all__ = [
    "HEAD_SIZE",
    "HEIC_REFUSAL",
    "AttachmentStorage",
    "DiskStorage",
    "InvalidKey",
    "MediaKind",
    "Sniffed",
    "StoredFile",
    "TooLarge",
    "UnsupportedMedia",
    "check_declared",
    "clean_image",
    "make_key",
    "sanitize_filename",
    "sniff",
    "strip_metadata",
    "validate_key",
    "verify_image",
]
