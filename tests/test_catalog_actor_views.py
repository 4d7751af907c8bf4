"""Catalog and user-administration pages: rules asked of services, not re-derived; lists paged in query modules;
(import circles: tests/test_layout.py)."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import event, func, select

from cube.actors import SYSTEM
from cube.audit import record
from cube.extensions import db
from cube.models import AuditEvent, StockMovement
from cube.products import inventory
from cube.users import roles
from tests.catalog_factories import database_state, make_location, make_product, person_with, stock
from tests.support import post, sign_in

ROOT = Path(__file__).resolve().parent.parent


def movement_form(location_id: int, kind: str, **fields: str) -> dict[str, str]:
    return {"stock-kind": kind, "stock-location_id": str(location_id), "stock-quantity": "2", **fields}


def test_adjusting_without_stock_adjust_is_refused_by_the_service_and_writes_nothing(client_as):
    product, shelf = make_product(), make_location()
    stock(product, shelf, "10")
    supervisor = client_as("supervisor")  # may move stock, may not adjust it
    before = database_state()
    response = post(
        supervisor, f"/products/{product.id}/stock", movement_form(shelf.id, "adjust_down", **{"stock-reason": "Count"})
    )
    assert response.status_code == 403
    assert database_state() == before


def test_the_service_picks_the_movement_the_person_chose(client_as):
    product, shelf = make_product(), make_location()
    stock(product, shelf, "10")
    manager = client_as("manager")
    response = post(
        manager, f"/products/{product.id}/stock", movement_form(shelf.id, "adjust_down", **{"stock-reason": "Count"})
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/products/{product.id}#stock")
    newest = db.session.scalar(select(StockMovement).order_by(StockMovement.id.desc()).limit(1))
    assert (newest.kind, newest.quantity, newest.created_by_id) == ("adjustment", -2, manager.user.id)
    assert inventory.on_hand(product.id, shelf.id) == 8
    issued = post(manager, f"/products/{product.id}/stock", movement_form(shelf.id, "issue"))
    assert issued.status_code == 302
    assert inventory.on_hand(product.id, shelf.id) == 6


def test_a_refused_movement_is_shown_and_rolled_back(client_as):
    product, shelf = make_product(), make_location()
    stock(product, shelf, "1")
    supervisor = client_as("supervisor")
    before = database_state()
    response = post(supervisor, f"/products/{product.id}/stock", movement_form(shelf.id, "issue"))
    assert response.status_code == 422  # the product page again, the error on the quantity
    assert "cannot take 2" in response.get_data(as_text=True)
    assert database_state() == before


def adjust_options(page: str) -> set[str]:
    return set(re.findall(r'name="stock-kind"[^>]*value="(adjust_\w+)"', page))


def test_the_product_page_offers_adjustments_only_to_who_may_adjust(client_as):
    product = make_product()
    supervisor_page = client_as("supervisor").get(f"/products/{product.id}").get_data(as_text=True)
    manager_page = client_as("manager").get(f"/products/{product.id}").get_data(as_text=True)
    assert 'value="receipt"' in supervisor_page
    assert adjust_options(supervisor_page) == set()
    assert adjust_options(manager_page) == {"adjust_up", "adjust_down"}


def test_the_user_form_says_you_cannot_change_your_own_role_only_on_your_own(admin_client, make_user):
    other = make_user("technician")
    own = admin_client.get(f"/users/{admin_client.user.id}/edit").get_data(as_text=True)
    theirs = admin_client.get(f"/users/{other.id}/edit").get_data(as_text=True)
    assert "You cannot change your own role." in own
    assert "You cannot change your own role." not in theirs


def test_the_deactivate_button_shows_only_where_the_service_allows_it(admin_client, make_user):
    other = make_user("technician")
    own = admin_client.get(f"/users/{admin_client.user.id}").get_data(as_text=True)
    theirs = admin_client.get(f"/users/{other.id}").get_data(as_text=True)
    assert f"/users/{admin_client.user.id}/deactivate" not in own
    assert f"/users/{other.id}/deactivate" in theirs


def disabled_role_ids(page: str) -> set[int]:
    return {int(role_id) for role_id in re.findall(r'id="perm-(\d+)-[^"]*"[^>]*\bdisabled\b', page)}


def test_the_matrix_locks_the_roles_the_service_refuses(app, make_user):
    manager = person_with(make_user, "role.manage", "user.view")
    client = app.test_client()
    assert sign_in(client, manager.email).status_code == 302
    page = client.get("/roles").get_data(as_text=True)
    admin_role = roles.role_by_name("admin")
    expected = {role.id for role in roles.all_roles() if roles.is_locked_role(manager, role)}
    assert expected == {admin_role.id, manager.role_id}
    assert disabled_role_ids(page) == expected


def test_the_audit_log_pages_without_counting_the_table(app, admin_client):
    for number in range(60):
        record("stock.adjusted", actor=SYSTEM, location="Stores", quantity=str(number + 1), reason="count")
    db.session.commit()
    statements: list[str] = []

    def remember(_conn, _cursor, statement, *_args):
        statements.append(statement.lower())

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        first = admin_client.get("/audit?group=stock")
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    assert first.status_code == 200
    assert not [s for s in statements if "audit_events" in s and "count(" in s]
    page = first.get_data(as_text=True)
    assert page.count("<td>Stock adjusted</td>") == 50
    assert "page=2" in page
    assert "System" in page
    second = admin_client.get("/audit?group=stock&page=2").get_data(as_text=True)
    assert second.count("<td>Stock adjusted</td>") == 10
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.by_system)) >= 60
