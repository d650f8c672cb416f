"""A table of the sample plugin, on the shared metadata like any plugin's."""

from __future__ import annotations

from sqlalchemy import BigInteger, Identity, String
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base


class SampleNote(Base):
    __tablename__ = "sample_note"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    text: Mapped[str] = mapped_column(String(200), nullable=False)
