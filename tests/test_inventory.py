"""The stock ledger: receipts, issues, returns, transfers, adjustments, never below zero."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from cube.actors import SYSTEM
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.models import StockLevel, StockMovement
from cube.products import inventory
from cube.products.inventory import InsufficientStock, Movement
from tests.catalog_factories import make_location, make_product, stock
from tests.support import count, post


def test_on_hand_is_the_ledger_sum(app):
    product, shelf = make_product(), make_location()
    other = make_location("Van 3")
    stock(product, shelf, "10")
    inventory.issue(SYSTEM, Movement(product.id, shelf.id, "3", reference="WO-2026-000001"))
    inventory.return_stock(SYSTEM, Movement(product.id, shelf.id, "1"))
    inventory.transfer(SYSTEM, Movement(product.id, shelf.id, "2.5"), other.id)
    inventory.adjust(SYSTEM, Movement(product.id, other.id, "0.5", reason="Count"), direction=-1)
    db.session.commit()
    assert inventory.on_hand(product.id, shelf.id) == Decimal("5.5")
    assert inventory.on_hand(product.id, other.id) == Decimal("2")
    assert inventory.total_on_hand(product.id) == Decimal("7.5")
    ledger = db.session.scalar(select(func.sum(StockMovement.quantity)).where(StockMovement.product_id == product.id))
    assert Decimal(ledger) == Decimal("7.5")
    assert inventory.ledger_mismatches() == []
    kinds = [m.kind for m in db.session.scalars(select(StockMovement).order_by(StockMovement.id))]
    assert kinds == ["receipt", "issue", "return", "transfer_out", "transfer_in", "adjustment"]


def test_stock_cannot_go_below_zero(app):
    product, shelf = make_product(), make_location()
    stock(product, shelf, "2")
    before = count(StockMovement)
    with pytest.raises(InsufficientStock, match="Only 2 each"):
        inventory.issue(SYSTEM, Movement(product.id, shelf.id, "3"))
    db.session.rollback()
    assert count(StockMovement) == before
    assert inventory.on_hand(product.id, shelf.id) == Decimal("2")


def test_nothing_to_issue_where_nothing_was_received(app):
    product, shelf = make_product(), make_location()
    with pytest.raises(InsufficientStock):
        inventory.issue(SYSTEM, Movement(product.id, shelf.id, "1"))


@pytest.mark.parametrize("quantity", ["0", "-1", "abc", "1e400", "NaN", "0.0001", "99999999999"])
def test_bad_quantities_are_refused(app, quantity):
    product, shelf = make_product(), make_location()
    with pytest.raises(ValidationFailed):
        inventory.receive(SYSTEM, Movement(product.id, shelf.id, quantity))
    db.session.rollback()
    assert count(StockMovement) == 0


def test_adjustment_needs_a_reason(app):
    product, shelf = make_product(), make_location()
    with pytest.raises(ValidationFailed, match="why"):
        inventory.adjust(SYSTEM, Movement(product.id, shelf.id, "1", reason="  "), direction=1)


def test_transfer_needs_another_place(app):
    product, shelf = make_product(), make_location()
    stock(product, shelf, "5")
    with pytest.raises(ValidationFailed, match="different destination"):
        inventory.transfer(SYSTEM, Movement(product.id, shelf.id, "1"), shelf.id)


def test_two_people_issuing_the_last_unit_at_once(app):
    """Two connections take the last unit together: one succeeds, the other is refused."""
    product, shelf = make_product(), make_location()
    stock(product, shelf, "1")
    product_id, shelf_id = product.id, shelf.id
    first_has_taken = threading.Event()
    results: dict[str, str] = {}

    def first() -> None:
        with app.app_context():
            try:
                inventory.issue(SYSTEM, Movement(product_id, shelf_id, "1"))
                first_has_taken.set()
                threading.Event().wait(0.3)  # hold the row while the second tries
                db.session.commit()
                results["first"] = "issued"
            except Exception as exc:
                first_has_taken.set()
                db.session.rollback()
                results["first"] = type(exc).__name__

    def second() -> None:
        first_has_taken.wait(5)
        with app.app_context():
            try:
                inventory.issue(SYSTEM, Movement(product_id, shelf_id, "1"))
                db.session.commit()
                results["second"] = "issued"
            except InsufficientStock:
                db.session.rollback()
                results["second"] = "refused"

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == {"first": "issued", "second": "refused"}
    db.session.expire_all()
    assert inventory.on_hand(product_id, shelf_id) == 0
    assert count(StockMovement, kind="issue") == 1


def test_check_constraint_backs_up_the_rule(app):
    product, shelf = make_product(), make_location()
    stock(product, shelf, "1")
    level = db.session.get(StockLevel, (product.id, shelf.id))
    level.on_hand = Decimal("-1")
    with pytest.raises(Exception, match=r"(?i)check|constraint|on_hand"):
        db.session.commit()
    db.session.rollback()


def test_low_stock_hook_fires_below_minimum(app):
    product, shelf = make_product(min_stock="5"), make_location()
    stock(product, shelf, "6")
    seen: list[str] = []

    def receiver(sender, **_):
        seen.append(sender.sku)

    inventory.low_stock.connect(receiver)
    try:
        inventory.issue(SYSTEM, Movement(product.id, shelf.id, "1"))  # 5 left: not below
        assert seen == []
        inventory.issue(SYSTEM, Movement(product.id, shelf.id, "1"))  # 4 left: below
        assert seen == [product.sku]
    finally:
        inventory.low_stock.disconnect(receiver)


def test_low_stock_list(client_as):
    low = make_product("LOW-1", "Scarce", min_stock="10")
    make_product("OK-1", "Plenty", min_stock="1")
    make_product("NOMIN-1", "No minimum")
    shelf = make_location()
    stock(low, shelf, "3")
    stock(db.session.scalar(select(type(low)).where(type(low).sku == "OK-1")), shelf, "5")
    page = client_as("technician").get("/stock/low").get_data(as_text=True)
    assert "LOW-1" in page
    assert "OK-1" not in page
    assert "NOMIN-1" not in page


def movement_form(location_id: int, **fields: str) -> dict[str, str]:
    data = {"stock-kind": "receipt", "stock-location_id": str(location_id), "stock-quantity": "5"}
    data.update({f"stock-{key}": value for key, value in fields.items()})
    return data


def test_technician_records_movements_but_cannot_adjust(client_as):
    product, shelf = make_product(), make_location()
    tech = client_as("technician")
    assert post(tech, f"/products/{product.id}/stock", movement_form(shelf.id)).status_code == 302
    assert (
        post(tech, f"/products/{product.id}/stock", movement_form(shelf.id, kind="issue", quantity="2")).status_code
        == 302
    )
    refused = post(tech, f"/products/{product.id}/stock", movement_form(shelf.id, kind="adjust_up", reason="found"))
    assert refused.status_code == 403
    assert inventory.on_hand(product.id, shelf.id) == Decimal("3")


def test_manager_adjusts_with_a_reason(client_as):
    product, shelf = make_product(), make_location()
    manager = client_as("manager")
    no_reason = post(
        manager, f"/products/{product.id}/stock", movement_form(shelf.id, kind="adjust_up"), follow_redirects=True
    )
    assert "Say why" in no_reason.get_data(as_text=True)
    assert count(StockMovement) == 0
    ok = post(manager, f"/products/{product.id}/stock", movement_form(shelf.id, kind="adjust_up", reason="Stock take"))
    assert ok.status_code == 302
    assert inventory.on_hand(product.id, shelf.id) == Decimal("5")


@pytest.mark.parametrize("quantity", ["-3", "abc", "0", "", "1e999"])
def test_bad_quantity_in_the_form(client_as, quantity):
    product, shelf = make_product(), make_location()
    response = post(client_as("manager"), f"/products/{product.id}/stock", movement_form(shelf.id, quantity=quantity))
    assert response.status_code == 422  # the page again, with the error on the field
    assert count(StockMovement) == 0


def test_issue_more_than_on_hand_through_the_form(client_as):
    product, shelf = make_product(), make_location()
    stock(product, shelf, "1")
    response = post(
        client_as("technician"),
        f"/products/{product.id}/stock",
        movement_form(shelf.id, kind="issue", quantity="2"),
        follow_redirects=True,
    )
    assert "Only 1 each" in response.get_data(as_text=True)
    assert inventory.on_hand(product.id, shelf.id) == Decimal("1")


def test_requester_cannot_move_stock(client_as):
    product, shelf = make_product(), make_location()
    assert post(client_as("requester"), f"/products/{product.id}/stock", movement_form(shelf.id)).status_code == 403
    assert count(StockMovement) == 0


def test_ledger_page(client_as):
    product, shelf = make_product("LEDG-1"), make_location()
    stock(product, shelf, "4")
    page = client_as("supervisor").get(f"/stock/movements?product={product.id}").get_data(as_text=True)
    assert "LEDG-1" in page
    assert "<td>Received</td>" in page
    for bad in ("?product=abc", "?product=99999999999999999999", "?location=-1"):
        assert client_as("technician").get("/stock/movements" + bad).status_code == 200
