"""Catalog, stock, image and import services check the actor's permission themselves.

For each service: an actor without the permission gets NotAllowed and the
database (every table, audit rows included) and the stored files are exactly as
before; the system actor may do it and its audit rows say ``by_system``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from cube.actors import SYSTEM
from cube.errors import NotAllowed, ValidationFailed
from cube.extensions import db
from cube.models import (
    Asset,
    AuditEvent,
    Company,
    CompanyContact,
    Location,
    Product,
    ProductImage,
    StockMovement,
)
from cube.products import assets, catalog, companies, images, imports, inventory
from cube.products.inventory import Movement
from tests.catalog_factories import (
    database_state,
    make_asset,
    make_company,
    make_location,
    make_product,
    person_with,
    stock,
)
from tests.files import png
from tests.support import stored_files


@dataclass
class World:
    company: Company
    contact: CompanyContact
    product: Product
    second: Product
    shelf: Location
    van: Location
    asset: Asset
    image: ProductImage
    later_image: ProductImage


@pytest.fixture
def world(app) -> World:
    company = make_company("Acme Ltd", is_manufacturer=True)
    contact = companies.add_contact(SYSTEM, company, companies.ContactData(name="Pat"))
    product = make_product("P-100", "Pump", manufacturer_id=company.id)
    second = make_product("P-200", "Valve")
    shelf, van = make_location("Stores"), make_location("Van 3")
    stock(product, shelf, "10")
    asset = make_asset(product, "SN-1")
    image = images.add_image(SYSTEM, product, "front.png", png(4, 3))
    later_image = images.add_image(SYSTEM, product, "back.png", png(4, 3))
    db.session.commit()
    return World(company, contact, product, second, shelf, van, asset, image, later_image)


COMPANY = companies.CompanyData(name="Globex", is_vendor=True)
PRODUCT = catalog.ProductData(sku="N-1", name="Nozzle")
COMPANIES_CSV = b"name,vendor\nInitech,yes\n"

# (name, permission the actor lacks, the call)
CALLS: list[tuple[str, str, Callable[[Any, World], object]]] = [
    ("save_category", "catalog.manage", lambda actor, w: catalog.save_category(actor, None, "Pumps", None)),
    ("create_product", "catalog.manage", lambda actor, w: catalog.create_product(actor, PRODUCT)),
    (
        "update_product",
        "catalog.manage",
        lambda actor, w: catalog.update_product(
            actor, w.product, catalog.ProductData(sku="P-100", name="Big pump"), expected_version=w.product.version
        ),
    ),
    ("save_company (new)", "catalog.manage", lambda actor, w: companies.save_company(actor, None, COMPANY)),
    (
        "save_company (edit)",
        "catalog.manage",
        lambda actor, w: companies.save_company(actor, w.company, companies.CompanyData(name="Acme Group")),
    ),
    (
        "add_contact",
        "catalog.manage",
        lambda actor, w: companies.add_contact(actor, w.company, companies.ContactData(name="Sam")),
    ),
    ("remove_contact", "catalog.manage", lambda actor, w: companies.remove_contact(actor, w.contact)),
    (
        "save_location",
        "catalog.manage",
        lambda actor, w: assets.save_location(actor, None, assets.LocationData(name="Depot")),
    ),
    (
        "create_asset",
        "catalog.manage",
        lambda actor, w: assets.create_asset(actor, assets.AssetData(product_id=w.product.id, serial_number="SN-2")),
    ),
    (
        "update_asset",
        "catalog.manage",
        lambda actor, w: assets.update_asset(
            actor,
            w.asset,
            assets.AssetData(product_id=w.product.id, serial_number="SN-1", name="Pump 1"),
            expected_version=w.asset.version,
        ),
    ),
    ("add_image", "catalog.manage", lambda actor, w: images.add_image(actor, w.second, "new.png", png(4, 3))),
    ("delete_image", "catalog.manage", lambda actor, w: images.delete_image(actor, w.image)),
    ("move_image", "catalog.manage", lambda actor, w: images.move_image(actor, w.later_image, "up")),
    ("receive", "stock.move", lambda actor, w: inventory.receive(actor, Movement(w.product.id, w.shelf.id, "1"))),
    ("issue", "stock.move", lambda actor, w: inventory.issue(actor, Movement(w.product.id, w.shelf.id, "1"))),
    (
        "return_stock",
        "stock.move",
        lambda actor, w: inventory.return_stock(actor, Movement(w.product.id, w.shelf.id, "1")),
    ),
    (
        "transfer",
        "stock.move",
        lambda actor, w: inventory.transfer(actor, Movement(w.product.id, w.shelf.id, "1"), w.van.id),
    ),
    (
        "adjust",
        "stock.adjust",
        lambda actor, w: inventory.adjust(actor, Movement(w.product.id, w.shelf.id, "1", reason="Count"), direction=-1),
    ),
    (
        "record (receipt)",
        "stock.move",
        lambda actor, w: inventory.record(actor, "receipt", Movement(w.product.id, w.shelf.id, "1")),
    ),
    (
        "record (adjust_up)",
        "stock.adjust",
        lambda actor, w: inventory.record(actor, "adjust_up", Movement(w.product.id, w.shelf.id, "1", reason="Count")),
    ),
    (
        "import_file",
        "catalog.import",
        lambda actor, w: imports.import_file(actor, "companies", COMPANIES_CSV, max_rows=100),
    ),
]
IDS = [name for name, _, _ in CALLS]

# What each denied actor holds: everything around the one permission it lacks, so the refusal is that one's.
HOLDS = {
    "catalog.manage": ("catalog.view", "catalog.import", "catalog.export", "stock.move", "stock.adjust"),
    "stock.move": ("catalog.view", "catalog.manage", "stock.adjust"),
    "stock.adjust": ("catalog.view", "catalog.manage", "stock.move"),
    "catalog.import": ("catalog.view", "catalog.manage", "stock.move", "stock.adjust"),
}


@pytest.mark.parametrize(("name", "permission", "call"), CALLS, ids=IDS)
def test_an_actor_without_the_permission_is_refused_and_nothing_is_written(
    app, world, make_user, name, permission, call
):
    actor = person_with(make_user, *HOLDS[permission])
    assert not actor.has_permission(permission)
    before, files = database_state(), stored_files(app)
    with pytest.raises(NotAllowed):
        call(actor, world)
    db.session.rollback()
    assert database_state() == before
    assert stored_files(app) == files


@pytest.mark.parametrize(("name", "permission", "call"), CALLS, ids=IDS)
def test_the_same_call_by_a_person_holding_the_permission_goes_through(app, world, make_user, name, permission, call):
    actor = person_with(make_user, *HOLDS[permission], permission)
    before = database_state()
    call(actor, world)
    db.session.commit()
    assert database_state() != before


def test_an_import_also_needs_the_right_to_change_the_catalog(app, make_user):
    importer = person_with(make_user, "catalog.view", "catalog.import")
    before = database_state()
    with pytest.raises(NotAllowed):
        imports.import_file(importer, "companies", COMPANIES_CSV, max_rows=100)
    db.session.rollback()
    assert database_state() == before


def new_audit_rows(since: int) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.id > since).order_by(AuditEvent.id)))


def last_audit_id() -> int:
    return db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0


AUDITED = [
    (name, call)
    for name, _, call in CALLS
    if name not in {"receive", "issue", "return_stock", "transfer", "record (receipt)"}  # the ledger is their record
]


@pytest.mark.parametrize(("name", "call"), AUDITED, ids=[name for name, _ in AUDITED])
def test_the_system_actor_may_and_its_audit_rows_say_so(app, world, name, call):
    since = last_audit_id()
    call(SYSTEM, world)
    db.session.commit()
    rows = new_audit_rows(since)
    assert rows, f"{name} wrote no audit row"
    assert all(row.by_system and row.actor_id is None for row in rows)


def test_a_person_s_audit_rows_are_not_the_system_s(app, make_user):
    manager = make_user("manager")
    since = last_audit_id()
    catalog.create_product(manager, PRODUCT)
    db.session.commit()
    [row] = new_audit_rows(since)
    assert (row.action, row.actor_id, row.by_system) == ("product.created", manager.id, False)


def test_stock_moved_by_the_system_has_no_person_on_the_ledger(app, world):
    row = inventory.receive(SYSTEM, Movement(world.product.id, world.shelf.id, "2"))
    db.session.commit()
    assert row.created_by_id is None
    assert inventory.on_hand(world.product.id, world.shelf.id) == Decimal("12")


def test_record_chooses_the_movement_from_the_kind(app, world):
    shelf, van, product = world.shelf, world.van, world.product
    kinds = {
        "receipt": "receipt",
        "issue": "issue",
        "return": "return",
        "transfer": "transfer_out",
        "adjust_up": "adjustment",
        "adjust_down": "adjustment",
    }
    for choice, kind in kinds.items():
        movement = Movement(product.id, shelf.id, "1", reason="Count")
        row = inventory.record(SYSTEM, choice, movement, to_location_id=van.id)
        assert (row.kind, row.location_id) == (kind, shelf.id)
    db.session.commit()
    # +1 -1 +1 (-1 here, +1 at the van) +1 -1
    assert inventory.on_hand(product.id, shelf.id) == Decimal("10")
    assert inventory.on_hand(product.id, van.id) == Decimal("1")
    assert inventory.ledger_mismatches() == []


def test_record_refuses_an_unknown_kind_and_writes_nothing(app, world):
    count = len(db.session.scalars(select(StockMovement.id)).all())
    with pytest.raises(ValidationFailed):
        inventory.record(SYSTEM, "shrinkage", Movement(world.product.id, world.shelf.id, "1"))
    db.session.rollback()
    assert len(db.session.scalars(select(StockMovement.id)).all()) == count


def test_can_record_follows_the_permissions(app, make_user):
    supervisor, manager = make_user("supervisor"), make_user("manager")
    assert inventory.can_record(supervisor, "receipt")
    assert not inventory.can_record(supervisor, "adjust_down")
    assert inventory.can_record(manager, "adjust_down")
    assert not inventory.can_record(manager, "shrinkage")
    assert all(inventory.can_record(SYSTEM, choice) for choice in inventory.CHOICES)
