"""Masks for personal data shown to actors who may not see it in full."""

from __future__ import annotations

from core.codes.identity import mask_identity_number

__all__ = ["mask_address", "mask_identity_number", "mask_passport", "mask_phone"]


def mask_phone(phone: str | None) -> str | None:
    """``13812345678`` → ``138****5678``; short numbers keep only their last two digits."""
    if not phone:
        return phone
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(len(phone) - 2, 0) + phone[-2:]


def mask_address(address: str | None) -> str | None:
    """Keep the first part of an address (road / estate) and hide the door number."""
    if not address:
        return address
    keep = max(len(address) // 2, 1)
    return address[:keep] + "*" * (len(address) - keep)


def mask_passport(number: str) -> str:
    """Keep only the last three characters of a passport number."""
    return "*" * (len(number) - 3) + number[-3:]
