"""Stock: every change is a ledger row plus an update of the per-location balance.

Taking stock out is one conditional UPDATE (``on_hand >= quantity``), so when
two people issue the last unit at the same moment the database lets one
through and the other gets ``InsufficientStock``; the CHECK constraint on
``stock_levels.on_hand`` backs this up. The product's total (``products.on_hand``)
changes in the same transaction; rows are always locked level first, then product.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal

from blinker import Namespace
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from cube import audit
from cube.actors import Actor, person_id, require
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.i18n import number
from cube.models import Location, MovementKind, Product, StockLevel, StockMovement, utcnow
from cube.products.labels import unit_label
from cube.validation import decimal_value

signals = Namespace()
# Sent with the product after an outgoing movement leaves it below its minimum.
# Other parts of the system (notifications, purchasing) connect to it.
low_stock = signals.signal("low-stock")


class InsufficientStock(ValidationFailed):
    """Not enough on hand at that location."""


MOVE = "stock.move"
ADJUST = "stock.adjust"
MOVE_DENIED = _l("You may not move stock.")
ADJUST_DENIED = _l("You may not adjust stock.")


@dataclass(frozen=True)
class Choice:
    """A movement a person can choose on the product page, and the permission it needs."""

    label: str | LazyString
    permission: str


# What the product page offers, in its order; ``record`` turns a choice into a movement.
CHOICES: dict[str, Choice] = {
    "receipt": Choice(_l("Receive"), MOVE),
    "issue": Choice(_l("Issue"), MOVE),
    "return": Choice(_l("Return"), MOVE),
    "transfer": Choice(_l("Transfer"), MOVE),
    "adjust_up": Choice(_l("Adjust up (count found more)"), ADJUST),
    "adjust_down": Choice(_l("Adjust down (count found less)"), ADJUST),
}


def can_record(actor: Actor, choice: str) -> bool:
    """True when ``actor`` may record the movement ``choice`` (a key of ``CHOICES``)."""
    known = CHOICES.get(choice)
    return known is not None and actor.has_permission(known.permission)


@dataclass(frozen=True)
class Movement:
    """What a person asks for: a quantity of a product at a location."""

    product_id: int
    location_id: int
    quantity: Decimal | str
    reference: str = ""
    reason: str = ""
    unit_cost: Decimal | str | None = None


def _quantity(value: Decimal | str) -> Decimal:
    return decimal_value(value, field="quantity", label=_("Quantity"), places=3, minimum=Decimal("0.001"))


def _load(movement: Movement) -> tuple[Product, Location]:
    product = db.session.get(Product, movement.product_id)
    location = db.session.get(Location, movement.location_id)
    if product is None:
        raise ValidationFailed(_("Choose a product from the list."), field="product_id")
    if location is None:
        raise ValidationFailed(_("Choose a location from the list."), field="location_id")
    return product, location


def _change_total(product: Product, delta: Decimal) -> None:
    """Keep ``products.on_hand`` equal to the sum of the product's stock levels."""
    db.session.execute(
        update(Product)
        .where(Product.id == product.id)
        .values(on_hand=Product.on_hand + delta)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(product, ["on_hand"])


def _add(product_id: int, location_id: int, quantity: Decimal) -> None:
    changed = db.session.execute(
        update(StockLevel)
        .where(StockLevel.product_id == product_id, StockLevel.location_id == location_id)
        .values(on_hand=StockLevel.on_hand + quantity, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        return
    try:
        with db.session.begin_nested():
            db.session.execute(
                insert(StockLevel).values(
                    product_id=product_id, location_id=location_id, on_hand=quantity, updated_at=utcnow()
                )
            )
    except IntegrityError:  # someone created the row at the same moment: add to theirs
        _add(product_id, location_id, quantity)


def _take(product: Product, location: Location, quantity: Decimal) -> None:
    changed = db.session.execute(
        update(StockLevel)
        .where(
            StockLevel.product_id == product.id,
            StockLevel.location_id == location.id,
            StockLevel.on_hand >= quantity,
        )
        .values(on_hand=StockLevel.on_hand - quantity, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        available = on_hand(product.id, location.id)
        raise InsufficientStock(
            _(
                "Only %(available)s %(unit)s of %(sku)s on hand at %(location)s; cannot take %(quantity)s.",
                available=number(available),
                unit=unit_label(product.unit),
                sku=product.sku,
                location=location.path,
                quantity=number(quantity),
            ),
            field="quantity",
        )


def _record(
    actor: Actor,
    kind: MovementKind,
    product: Product,
    location: Location,
    signed: Decimal,
    movement: Movement,
    transfer_id: str | None = None,
) -> StockMovement:
    unit_cost = None
    if movement.unit_cost not in (None, ""):
        unit_cost = decimal_value(movement.unit_cost, field="unit_cost", label=_("Unit cost"), places=2)
    row = StockMovement(
        product_id=product.id,
        location_id=location.id,
        kind=kind.value,
        quantity=signed,
        unit_cost=unit_cost,
        reason=movement.reason.strip(),
        reference=movement.reference.strip()[:64],
        transfer_id=transfer_id,
        created_by_id=person_id(actor),
    )
    db.session.add(row)
    db.session.flush()
    return row


def _after_taking(product: Product) -> None:
    if product.min_stock and product.on_hand < product.min_stock:
        low_stock.send(product)


def _bring_in(actor: Actor, kind: MovementKind, movement: Movement) -> StockMovement:
    """Add stock at the movement's location (a receipt or a return)."""
    require(actor, MOVE, str(MOVE_DENIED))
    product, location = _load(movement)
    quantity = _quantity(movement.quantity)
    _add(product.id, location.id, quantity)
    _change_total(product, quantity)
    return _record(actor, kind, product, location, quantity, movement)


def receive(actor: Actor, movement: Movement) -> StockMovement:
    """Goods arrive: add stock."""
    return _bring_in(actor, MovementKind.RECEIPT, movement)


def issue(actor: Actor, movement: Movement) -> StockMovement:
    """Stock is used (for a work order, say): take it away, never below zero."""
    require(actor, MOVE, str(MOVE_DENIED))
    product, location = _load(movement)
    quantity = _quantity(movement.quantity)
    _take(product, location, quantity)
    _change_total(product, -quantity)
    row = _record(actor, MovementKind.ISSUE, product, location, -quantity, movement)
    _after_taking(product)
    return row


def return_stock(actor: Actor, movement: Movement) -> StockMovement:
    """Unused stock comes back."""
    return _bring_in(actor, MovementKind.RETURN, movement)


def transfer(actor: Actor, movement: Movement, to_location_id: int) -> tuple[StockMovement, StockMovement]:
    """Move stock between locations: two ledger rows joined by a transfer id."""
    require(actor, MOVE, str(MOVE_DENIED))
    product, source = _load(movement)
    target = db.session.get(Location, to_location_id)
    if target is None:
        raise ValidationFailed(_("Choose a destination from the list."), field="to_location_id")
    if target.id == source.id:
        raise ValidationFailed(_("Choose a different destination."), field="to_location_id")
    quantity = _quantity(movement.quantity)
    # Rows are locked in location order so two opposite transfers cannot deadlock;
    # the product's total does not change.
    if source.id < target.id:
        _take(product, source, quantity)
        _add(product.id, target.id, quantity)
    else:
        _add(product.id, target.id, quantity)
        _take(product, source, quantity)
    transfer_id = secrets.token_hex(8)
    out = _record(actor, MovementKind.TRANSFER_OUT, product, source, -quantity, movement, transfer_id)
    into = _record(actor, MovementKind.TRANSFER_IN, product, target, quantity, movement, transfer_id)
    return out, into


def adjust(actor: Actor, movement: Movement, *, direction: int) -> StockMovement:
    """Correct the balance after a count (up with +1, down with -1); a reason is required."""
    require(actor, ADJUST, str(ADJUST_DENIED))
    if not movement.reason.strip():
        raise ValidationFailed(_("Say why the stock is adjusted."), field="reason")
    if direction not in (1, -1):
        raise ValidationFailed(_("Choose whether to add or remove stock."), field="direction")
    product, location = _load(movement)
    quantity = _quantity(movement.quantity)
    if direction > 0:
        _add(product.id, location.id, quantity)
    else:
        _take(product, location, quantity)
    _change_total(product, quantity * direction)
    row = _record(actor, MovementKind.ADJUSTMENT, product, location, quantity * direction, movement)
    audit.record(
        "stock.adjusted",
        actor=actor,
        target=product,
        location=location.path,
        quantity=f"{row.quantity:f}",
        reason=row.reason,
    )
    if direction < 0:
        _after_taking(product)
    return row


def record(actor: Actor, choice: str, movement: Movement, *, to_location_id: int | None = None) -> StockMovement:
    """Record the movement a person chose (a key of ``CHOICES``); returns the ledger row at ``movement``'s location.

    Receipts, issues, returns and transfers need ``stock.move``; adjustments need ``stock.adjust``
    (each function below checks its own).
    """
    if choice not in CHOICES:
        raise ValidationFailed(_("Choose a kind of movement from the list."), field="kind")
    if choice == "receipt":
        return receive(actor, movement)
    if choice == "issue":
        return issue(actor, movement)
    if choice == "return":
        return return_stock(actor, movement)
    if choice == "transfer":
        return transfer(actor, movement, to_location_id or 0)[0]
    return adjust(actor, movement, direction=1 if choice == "adjust_up" else -1)


def recent_movements(product_id: int, *, limit: int = 20) -> list[StockMovement]:
    """A product's ``limit`` newest ledger rows."""
    return list(db.session.scalars(ledger_query(product_id=product_id).limit(limit)))


def on_hand(product_id: int, location_id: int) -> Decimal:
    """Stock of a product at one location."""
    value = db.session.scalar(
        select(StockLevel.on_hand).where(StockLevel.product_id == product_id, StockLevel.location_id == location_id)
    )
    return Decimal(value or 0)


def total_on_hand(product_id: int) -> Decimal:
    """Stock of a product over all locations."""
    value = db.session.scalar(select(Product.on_hand).where(Product.id == product_id))
    return Decimal(value or 0)


def levels_for(product_id: int) -> list[StockLevel]:
    """A product's balance at each location holding or having held it."""
    query = (
        select(StockLevel)
        .where(StockLevel.product_id == product_id)
        .options(joinedload(StockLevel.location))
        .order_by(StockLevel.location_id)
    )
    return list(db.session.scalars(query))


def ledger_query(*, product_id: int | None = None, location_id: int | None = None) -> Select[tuple[StockMovement]]:
    """Ledger rows, newest first."""
    query = (
        select(StockMovement)
        .options(
            joinedload(StockMovement.product), joinedload(StockMovement.location), joinedload(StockMovement.created_by)
        )
        .order_by(StockMovement.id.desc())
    )
    if product_id is not None:
        query = query.where(StockMovement.product_id == product_id)
    if location_id is not None:
        query = query.where(StockMovement.location_id == location_id)
    return query


def ledger_mismatches() -> list[tuple[int, int | None, Decimal, Decimal]]:
    """(product, location, balance, ledger sum) wherever the two disagree; empty when healthy.

    Location None compares a product's total with the sum over its locations.
    """
    sums = (
        select(
            StockMovement.product_id,
            StockMovement.location_id,
            func.sum(StockMovement.quantity).label("total"),
        )
        .group_by(StockMovement.product_id, StockMovement.location_id)
        .subquery()
    )
    rows = db.session.execute(
        select(StockLevel.product_id, StockLevel.location_id, StockLevel.on_hand, sums.c.total).outerjoin(
            sums,
            (sums.c.product_id == StockLevel.product_id) & (sums.c.location_id == StockLevel.location_id),
        )
    ).all()
    found: list[tuple[int, int | None, Decimal, Decimal]] = [
        (product_id, location_id, Decimal(level), Decimal(total or 0))
        for product_id, location_id, level, total in rows
        if Decimal(level) != Decimal(total or 0)
    ]
    per_product = (
        select(StockLevel.product_id, func.sum(StockLevel.on_hand).label("total"))
        .group_by(StockLevel.product_id)
        .subquery()
    )
    totals = db.session.execute(
        select(Product.id, Product.on_hand, per_product.c.total).outerjoin(
            per_product, per_product.c.product_id == Product.id
        )
    ).all()
    found.extend(
        (product_id, None, Decimal(on_hand), Decimal(total or 0))
        for product_id, on_hand, total in totals
        if Decimal(on_hand) != Decimal(total or 0)
    )
    return found
