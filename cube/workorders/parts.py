"""Parts used on work orders: stock is issued and returned in the same transaction.

A usage keeps the product's unit cost of the day. A return is a negative usage
at the unit cost of the usage it returns, and the quantity still out is counted
per product, location and unit cost, so returns never credit more than was
charged (the schema has no link from a return to its usage).
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from cube.actors import Actor, person_id
from cube.errors import NotFound, ValidationFailed
from cube.extensions import db
from cube.i18n import number
from cube.models import MovementKind, PartUsage, Product, WorkOrder
from cube.models.inventory import WORK_ORDER_REASONS
from cube.products import inventory
from cube.products.labels import unit_label
from cube.validation import decimal_value
from cube.workorders import costs, events
from cube.workorders.rules import ensure_changeable


def usages_for(work_order: WorkOrder) -> list[PartUsage]:
    """The work order's part usages and returns, oldest first, with product, place and person."""
    query = (
        select(PartUsage)
        .where(PartUsage.work_order_id == work_order.id)
        .options(joinedload(PartUsage.product), joinedload(PartUsage.location), joinedload(PartUsage.used_by))
        .order_by(PartUsage.id)
    )
    return list(db.session.scalars(query))


def get_usage(work_order: WorkOrder, usage_id: int) -> PartUsage:
    """The usage ``usage_id`` of this work order; NotFound otherwise."""
    usage = db.session.get(PartUsage, usage_id)
    if usage is None or usage.work_order_id != work_order.id:
        raise NotFound(_("There is no such part usage on this work order."))
    return usage


def outstanding(usage: PartUsage) -> Decimal:
    """How much of the usage's product, location and unit cost is still out (used minus returned)."""
    query = select(func.coalesce(func.sum(PartUsage.quantity), 0)).where(
        PartUsage.work_order_id == usage.work_order_id,
        PartUsage.product_id == usage.product_id,
        PartUsage.location_id == usage.location_id,
        PartUsage.unit_cost == usage.unit_cost,
    )
    return Decimal(str(db.session.scalar(query) or 0)).quantize(Decimal("0.001"))


def outstanding_by_usage(work_order: WorkOrder) -> dict[int, Decimal]:
    """For every positive usage of the work order, the quantity that can still be returned (one query)."""
    groups = (
        select(
            PartUsage.product_id,
            PartUsage.location_id,
            PartUsage.unit_cost,
            func.sum(PartUsage.quantity).label("net"),
        )
        .where(PartUsage.work_order_id == work_order.id)
        .group_by(PartUsage.product_id, PartUsage.location_id, PartUsage.unit_cost)
        .subquery()
    )
    rows = db.session.execute(
        select(PartUsage.id, groups.c.net)
        .join(
            groups,
            (groups.c.product_id == PartUsage.product_id)
            & (groups.c.location_id == PartUsage.location_id)
            & (groups.c.unit_cost == PartUsage.unit_cost),
        )
        .where(PartUsage.work_order_id == work_order.id, PartUsage.quantity > 0)
    ).all()
    return {usage_id: Decimal(str(net or 0)).quantize(Decimal("0.001")) for usage_id, net in rows}


def can_use_parts(actor: Actor, work_order: WorkOrder) -> bool:
    """True when ``actor`` may use and return parts on the work order now (workorder.work, while it is open)."""
    return actor.has_permission("workorder.work") and costs.is_workable(work_order)


def _check(actor: Actor, work_order: WorkOrder) -> None:
    """Refuse unless ``can_use_parts`` (saying why)."""
    costs.require_any(actor, ("workorder.work",), _("You may not log parts."))
    ensure_changeable(work_order)
    costs.ensure_workable(work_order, "parts")


# Units counted piece by piece (half a box is not taken); the others are measured (2.5 m, 0.75 l).
COUNTED_UNITS = frozenset({"each", "box", "pack", "pair", "set"})


def _quantity(value: Decimal | str) -> Decimal:
    """A positive quantity with at most three decimals."""
    return decimal_value(value, field="quantity", label=_("Quantity"), places=3, minimum=Decimal("0.001"))


def use_part(
    actor: Actor, work_order: WorkOrder, product_id: int, location_id: int, quantity: Decimal | str
) -> PartUsage:
    """Issue stock for the work order and record the part at today's unit cost."""
    _check(actor, work_order)
    amount = _quantity(quantity)
    product = db.session.get(Product, product_id)
    if product is None:
        raise ValidationFailed(_("Choose a product from the catalog."), field="product_id")
    if not product.active:
        raise ValidationFailed(_("%(sku)s is archived and cannot be used.", sku=product.sku), field="product_id")
    if product.unit in COUNTED_UNITS and amount != amount.to_integral_value():
        raise ValidationFailed(
            _(
                "%(sku)s is counted in whole %(unit)s: enter a whole number.",
                sku=product.sku,
                unit=unit_label(product.unit),
            ),
            field="quantity",
        )
    costs.lock(work_order)
    unit_cost = Decimal(product.unit_cost or 0)
    movement = inventory.issue(
        actor,
        inventory.Movement(
            product_id=product.id,
            location_id=location_id,
            quantity=amount,
            reference=work_order.number,
            reason=f"{WORK_ORDER_REASONS[MovementKind.ISSUE]} {work_order.number}",  # data: the ledger recognises it
            unit_cost=unit_cost,
        ),
    )
    usage = PartUsage(
        work_order_id=work_order.id,
        product_id=product.id,
        location_id=movement.location_id,
        quantity=amount,
        unit_cost=unit_cost,
        stock_movement_id=movement.id,
        used_by_id=person_id(actor),
    )
    db.session.add(usage)
    db.session.flush()
    events.record(
        work_order,
        actor,
        "part_used",
        part_usage_id=usage.id,
        product_id=product.id,
        sku=product.sku,
        quantity=f"{amount.normalize():f}",
        location_id=movement.location_id,
        unit_cost=f"{unit_cost:.2f}",
    )
    costs.recalculate(work_order)
    return usage


def return_part(actor: Actor, work_order: WorkOrder, usage: PartUsage, quantity: Decimal | str) -> PartUsage:
    """Put unused parts back into stock at the place they came from; never more than is still out."""
    costs.require_any(actor, ("workorder.work",), _("You may not log parts."))
    if usage.work_order_id != work_order.id:
        raise NotFound(_("There is no such part usage on this work order."))
    if usage.quantity <= 0:
        raise ValidationFailed(_("Choose the usage to return parts from, not a return."), field="quantity")
    ensure_changeable(work_order)
    costs.ensure_workable(work_order, "parts")
    amount = _quantity(quantity)
    costs.lock(work_order)  # returns of the same usage queue up, so "still out" stays true
    left = outstanding(usage)
    if amount > left:
        raise ValidationFailed(
            _(
                "Only %(quantity)s %(unit)s of %(sku)s can be returned.",
                quantity=number(left.normalize()),
                unit=usage.product.unit,
                sku=usage.product.sku,
            ),
            field="quantity",
        )
    movement = inventory.return_stock(
        actor,
        inventory.Movement(
            product_id=usage.product_id,
            location_id=usage.location_id,
            quantity=amount,
            reference=work_order.number,
            reason=f"{WORK_ORDER_REASONS[MovementKind.RETURN]} {work_order.number}",  # data: recognised as above
            unit_cost=usage.unit_cost,
        ),
    )
    returned = PartUsage(
        work_order_id=work_order.id,
        product_id=usage.product_id,
        location_id=usage.location_id,
        quantity=-amount,
        unit_cost=usage.unit_cost,
        stock_movement_id=movement.id,
        used_by_id=person_id(actor),
    )
    db.session.add(returned)
    db.session.flush()
    events.record(
        work_order,
        actor,
        "part_returned",
        part_usage_id=returned.id,
        returned_from_id=usage.id,
        product_id=usage.product_id,
        sku=usage.product.sku,
        quantity=f"{amount.normalize():f}",
        location_id=usage.location_id,
        unit_cost=f"{usage.unit_cost:.2f}",
    )
    costs.recalculate(work_order)
    return returned
