"""Stock: an append-only ledger of movements and the running balance per place."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cube.models.assets import Location
from cube.models.base import TABLE_OPTIONS, Base, UTCDateTime, utcnow
from cube.models.catalog import MONEY, QUANTITY, Product
from cube.models.user import User


class MovementKind(enum.StrEnum):
    RECEIPT = "receipt"
    ISSUE = "issue"
    RETURN = "return"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    ADJUSTMENT = "adjustment"

    @property
    def label(self) -> str:
        """The kind in words, as the ledger shows it."""
        return str(KIND_LABELS[self])


KIND_LABELS = {
    MovementKind.RECEIPT: _l("Received"),
    MovementKind.ISSUE: _l("Issued"),
    MovementKind.RETURN: _l("Returned"),
    MovementKind.TRANSFER_OUT: _l("Transferred out"),
    MovementKind.TRANSFER_IN: _l("Transferred in"),
    MovementKind.ADJUSTMENT: _l("Adjusted"),
}
# What parts used on (or returned from) a work order write as the reason, after the number in the reference.
# Stored text that ``for_work_order`` recognises (and the ledger then does not show): kept as written.
WORK_ORDER_REASONS = {
    MovementKind.ISSUE: "Used on",  # i18n: not shown (stored reason, recognised when read)
    MovementKind.RETURN: "Returned from",  # i18n: not shown (stored reason, recognised when read)
}


class StockMovement(Base):
    """One entry in the stock ledger: signed quantity of a product at a location.

    Positive quantities add stock, negative ones take it away. The ledger is
    never edited; a mistake is corrected by another movement.
    """

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        CheckConstraint(
            "kind IN ('receipt', 'issue', 'return', 'transfer_out', 'transfer_in', 'adjustment')", name="kind_known"
        ),
        Index("ix_stock_movements_product_location", "product_id", "location_id"),
        TABLE_OPTIONS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_cost: Mapped[Decimal | None] = mapped_column(MONEY)
    reason: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(64), default="")  # e.g. a delivery note or work order number
    transfer_id: Mapped[str | None] = mapped_column(String(32), index=True)  # joins the two legs of a transfer
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    product: Mapped[Product] = relationship()
    location: Mapped[Location] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def for_work_order(self) -> bool:
        """True for parts issued to or returned from a work order (the reason names its number, the reference)."""
        prefix = WORK_ORDER_REASONS.get(MovementKind(self.kind))
        return bool(prefix and self.reference) and self.reason == f"{prefix} {self.reference}"

    @property
    def kind_label(self) -> str:
        """The movement in words: "Issued to a work order", "Adjusted down", "Transferred in"."""
        kind = MovementKind(self.kind)
        if kind is MovementKind.ADJUSTMENT:
            return _("Adjusted up") if self.quantity > 0 else _("Adjusted down")
        if self.for_work_order:
            return _("Issued to a work order") if kind is MovementKind.ISSUE else _("Returned from a work order")
        return kind.label

    @property
    def note(self) -> str:
        """Reference and reason, each said once ("WO-2026-000001", not "WO-2026-000001 · Used on WO-2026-000001")."""
        if self.for_work_order or not self.reason:
            return self.reference
        if not self.reference or self.reference in self.reason:
            return self.reason
        return f"{self.reference} · {self.reason}"


class StockLevel(Base):
    """The ledger's sum for one product at one location, kept in the same transaction.

    The check constraint and a conditional update make "never below zero" hold
    even when two people take the last unit at the same moment.
    """

    __tablename__ = "stock_levels"
    __table_args__ = (CheckConstraint("on_hand >= 0", name="on_hand_not_negative"), TABLE_OPTIONS)

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"), primary_key=True)
    location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    on_hand: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal("0"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    product: Mapped[Product] = relationship()
    location: Mapped[Location] = relationship()
