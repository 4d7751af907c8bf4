"""Site-wide settings an admin changes in the app (one row)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from cube.models.base import Base, TimestampMixin

SITE_SETTINGS_ID = 1


class SiteSettings(TimestampMixin, Base):
    """The one row of site settings (id 1); missing means every default applies."""

    __tablename__ = "site_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The language for visitors whose browser asks for none we ship, and for people who chose none.
    default_language: Mapped[str] = mapped_column(String(8), default="en")
    # The zone new people get unless another is chosen for them.
    default_timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # How dates are written: "iso" (2026-11-29 14:05 in every language) or "locale" (the reader's locale's way).
    date_style: Mapped[str] = mapped_column(String(8), default="iso", server_default="iso")
