"""Where things are and the serialised units installed there."""

from __future__ import annotations

import enum
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cube.models.base import LONG_TEXT, TABLE_OPTIONS, Base, TimestampMixin, TreeNodeMixin
from cube.models.catalog import Company, Product


class LocationKind(enum.StrEnum):
    SITE = "site"
    BUILDING = "building"
    AREA = "area"


class AssetStatus(enum.StrEnum):
    IN_SERVICE = "in_service"
    DOWN = "down"
    RETIRED = "retired"

    @property
    def label(self) -> str:
        """The status in words, in the reader's language."""
        return str(ASSET_STATUS_LABELS[self])


ASSET_STATUS_LABELS = {
    AssetStatus.IN_SERVICE: _l("in service"),
    AssetStatus.DOWN: _l("down"),
    AssetStatus.RETIRED: _l("retired"),
}


class Location(TreeNodeMixin, TimestampMixin, Base):
    """A node in the site > building > area tree; stock and assets live at locations."""

    __tablename__ = "locations"
    __table_args__ = (
        UniqueConstraint("parent_id", "name"),
        CheckConstraint("kind IN ('site', 'building', 'area')", name="kind_known"),
        # The asset picker's search by a word's start on PostgreSQL.
        Index("ix_locations_name_trgm", text("lower(name) gin_trgm_ops"), postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
        TABLE_OPTIONS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16), default=LocationKind.SITE.value)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id", ondelete="RESTRICT"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped[Location | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Location]] = relationship(back_populates="parent", order_by="Location.name")

    def __repr__(self) -> str:
        return f"<Location {self.name}>"


class Asset(TimestampMixin, Base):
    """A serialised unit of a product, at a location, owned by a company."""

    __tablename__ = "assets"
    __table_args__ = (
        UniqueConstraint("product_id", "serial_number"),
        CheckConstraint("status IN ('in_service', 'down', 'retired')", name="status_known"),
        # The asset picker's search on PostgreSQL: anywhere in the serial number, a word's start in the name.
        Index("ix_assets_serial_number_trgm", text("lower(serial_number) gin_trgm_ops"), postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
        Index("ix_assets_name_trgm", text("lower(name) gin_trgm_ops"), postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
        TABLE_OPTIONS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"), index=True)
    serial_number: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200), default="")
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id", ondelete="SET NULL"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"), index=True)
    install_date: Mapped[date | None] = mapped_column(Date)
    warranty_end: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=AssetStatus.IN_SERVICE.value, index=True)
    notes: Mapped[str] = mapped_column(LONG_TEXT, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    product: Mapped[Product] = relationship()
    location: Mapped[Location | None] = relationship()
    company: Mapped[Company | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return AssetStatus(self.status).label

    def __repr__(self) -> str:
        return f"<Asset {self.serial_number}>"
