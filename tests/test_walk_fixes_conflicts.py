"""Edit conflicts: only a field the editor changed that someone else changed too since the form opened is a 409."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from cube.editing import Opened, seal, unseal
from cube.errors import EditConflict
from cube.extensions import db
from cube.models import Asset, Priority, Product, User, WorkOrder
from cube.products import assets, catalog
from cube.workflow import engine
from cube.workorders import services
from tests.catalog_factories import make_asset, make_product
from tests.support import events_of, sign_in
from tests.test_walk_fixes import form_values
from tests.workorder_factories import make_work_order, transition_named


def signed_in(app: Any, user: User) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


def data_of(work_order: WorkOrder, **changes: Any) -> services.WorkOrderData:
    """The work order's editable fields as the service takes them, with ``changes``."""
    values = {name: getattr(work_order, name) for name in services.FIELDS}
    return services.WorkOrderData(**{**values, **changes})


def other_priority(work_order: WorkOrder) -> Priority:
    return db.session.scalar(select(Priority).where(Priority.id != work_order.priority_id).order_by(Priority.id))


def reread(record: Any) -> Any:
    db.session.expire_all()
    return db.session.get(type(record), record.id)


# --- the service ----------------------------------------------------------------------------------------------------


def test_a_status_change_since_opening_is_no_conflict(make_user):
    supervisor = make_user("supervisor")
    work_order = make_work_order(supervisor, "Original")
    version, opened = work_order.version, Opened.of(services.edit_snapshot(work_order))
    engine.apply_transition(supervisor, work_order, transition_named("New", "Approve").id, "")
    db.session.commit()
    assert work_order.version != version  # the repro: the version moved for a reason outside the form
    services.update_work_order(
        supervisor, work_order, data_of(work_order, title="Mine"), expected_version=version, opened=opened
    )
    db.session.commit()
    saved = reread(work_order)
    assert (saved.title, saved.status.name) == ("Mine", "Approved")
    assert events_of(saved, "edited")[-1].data["changes"] == {"title": ["Original", "Mine"]}


def test_the_same_field_changed_by_someone_else_is_a_conflict_with_both_values(make_user):
    supervisor, manager = make_user("supervisor"), make_user("manager")
    work_order = make_work_order(supervisor, "Original")
    version, opened = work_order.version, Opened.of(services.edit_snapshot(work_order))
    services.update_work_order(manager, work_order, data_of(work_order, title="Theirs"), expected_version=version)
    db.session.commit()
    edits = len(events_of(work_order, "edited"))
    with pytest.raises(EditConflict) as caught:
        services.update_work_order(
            supervisor, work_order, data_of(work_order, title="Mine"), expected_version=version, opened=opened
        )
    db.session.rollback()
    assert caught.value.differences == [("Title", "Theirs", "Mine")]
    saved = reread(work_order)
    assert saved.title == "Theirs"
    assert len(events_of(saved, "edited")) == edits


def test_another_field_changed_by_someone_else_is_kept(make_user):
    supervisor, manager = make_user("supervisor"), make_user("manager")
    work_order = make_work_order(supervisor, "Original")
    mine = data_of(work_order, title="Mine")  # the form as opened, with my title
    version, opened = work_order.version, Opened.of(services.edit_snapshot(work_order))
    theirs = other_priority(work_order)
    services.update_work_order(
        manager, work_order, data_of(work_order, priority_id=theirs.id), expected_version=version
    )
    db.session.commit()
    services.update_work_order(supervisor, work_order, mine, expected_version=version, opened=opened)
    db.session.commit()
    saved = reread(work_order)
    assert (saved.title, saved.priority_id) == ("Mine", theirs.id)
    assert events_of(saved, "edited")[-1].data["changes"] == {"title": ["Original", "Mine"]}


def test_without_what_the_form_opened_with_a_stale_version_still_conflicts(make_user):
    supervisor = make_user("supervisor")
    work_order = make_work_order(supervisor, "Original")
    version = work_order.version
    engine.apply_transition(supervisor, work_order, transition_named("New", "Approve").id, "")
    db.session.commit()
    with pytest.raises(EditConflict):
        services.update_work_order(supervisor, work_order, data_of(work_order, title="Mine"), expected_version=version)
    db.session.rollback()
    assert reread(work_order).title == "Original"


def test_the_opened_field_is_signed_and_holds_no_values(app):
    with app.test_request_context():
        token = seal({"Estimated cost": "1234.50", "Title": "Pump"})
        assert "1234" not in token
        assert "Pump" not in token
        opened = unseal(token)
        assert opened is not None
        assert opened.same("Estimated cost", "1234.50")
        assert not opened.same("Estimated cost", "1234.51")
        assert unseal(token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
        assert unseal("") is None


# --- the work order form --------------------------------------------------------------------------------------------


def edit(work_order: WorkOrder) -> str:
    return f"/work-orders/{work_order.id}/edit"


def test_the_form_saves_after_a_status_change_elsewhere(app, make_user):
    supervisor = make_user("supervisor")
    work_order = make_work_order(supervisor, "Original")
    client = signed_in(app, supervisor)
    values = form_values(client, edit(work_order), edit(work_order))
    engine.apply_transition(supervisor, work_order, transition_named("New", "Approve").id, "")
    db.session.commit()
    response = client.post(edit(work_order), data={**values, "title": "Mine"})
    assert response.status_code == 302
    saved = reread(work_order)
    assert (saved.title, saved.status.name) == ("Mine", "Approved")


def test_the_form_shows_a_409_with_their_and_my_title(app, make_user):
    supervisor, manager = make_user("supervisor"), make_user("manager")
    work_order = make_work_order(supervisor, "Original")
    client = signed_in(app, supervisor)
    values = form_values(client, edit(work_order), edit(work_order))
    services.update_work_order(
        manager, work_order, data_of(work_order, title="Theirs"), expected_version=work_order.version
    )
    db.session.commit()
    version, edits = reread(work_order).version, len(events_of(work_order, "edited"))
    response = client.post(edit(work_order), data={**values, "title": "Mine"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Title" in page
    assert "Theirs" in page
    assert "Mine" in page
    saved = reread(work_order)
    assert (saved.title, saved.version) == ("Theirs", version)
    assert len(events_of(saved, "edited")) == edits


def test_the_form_keeps_their_priority_and_saves_my_title(app, make_user):
    supervisor, manager = make_user("supervisor"), make_user("manager")
    work_order = make_work_order(supervisor, "Original")
    client = signed_in(app, supervisor)
    values = form_values(client, edit(work_order), edit(work_order))
    theirs = other_priority(work_order)
    services.update_work_order(
        manager, work_order, data_of(work_order, priority_id=theirs.id), expected_version=work_order.version
    )
    db.session.commit()
    response = client.post(edit(work_order), data={**values, "title": "Mine"})
    assert response.status_code == 302
    saved = reread(work_order)
    assert (saved.title, saved.priority_id) == ("Mine", theirs.id)


# --- products and assets --------------------------------------------------------------------------------------------


def product_data(product: Product, **changes: Any) -> catalog.ProductData:
    fields = catalog.ProductData.__dataclass_fields__
    return replace(catalog.ProductData(**{name: getattr(product, name) for name in fields}), **changes)


def test_product_their_price_is_kept_my_name_saved_and_a_clash_is_a_409(app, make_user):
    manager, other = make_user("manager"), make_user("manager")
    product = make_product(unit_price="10")
    client = signed_in(app, manager)
    page = f"/products/{product.id}/edit"
    values = form_values(client, page, page)
    catalog.update_product(other, product, product_data(product, unit_price="12"), expected_version=product.version)
    db.session.commit()
    assert client.post(page, data={**values, "name": "Mine"}).status_code == 302
    saved = reread(product)
    assert (saved.name, saved.unit_price) == ("Mine", Decimal("12.00"))
    catalog.update_product(other, saved, product_data(saved, name="Theirs"), expected_version=saved.version)
    db.session.commit()
    clash = client.post(page, data={**values, "name": "Mine again"})
    assert clash.status_code == 409
    assert "Theirs" in clash.get_data(as_text=True)
    assert reread(product).name == "Theirs"


def test_asset_their_status_is_kept_my_name_saved(app, make_user):
    manager, other = make_user("manager"), make_user("manager")
    asset = make_asset(make_product("CH-1", "Chiller"), "SN-9")
    client = signed_in(app, manager)
    page = f"/assets/{asset.id}/edit"
    values = form_values(client, page, page)
    fields = assets.AssetData.__dataclass_fields__
    data = assets.AssetData(**{name: getattr(asset, name) for name in fields})
    assets.update_asset(other, asset, replace(data, status="down"), expected_version=asset.version)
    db.session.commit()
    assert client.post(page, data={**values, "name": "Mine"}).status_code == 302
    saved: Asset = reread(asset)
    assert (saved.name, saved.status) == ("Mine", "down")
    assets.update_asset(other, saved, replace(data, status="down", name="Theirs"), expected_version=saved.version)
    db.session.commit()
    assert client.post(page, data={**values, "name": "Mine again"}).status_code == 409
    assert reread(asset).name == "Theirs"
