"""Walk-through fixes: edit forms in the person's time zone, custom field labels, refused stock movements."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from cube.extensions import db
from cube.models import StockMovement, User, WorkOrder
from cube.workflow import settings
from tests.catalog_factories import database_state, make_location, make_product
from tests.support import QueryCounter, count, events_of, post, sign_in
from tests.workorder_factories import make_work_order


class FormValues(HTMLParser):
    """What a browser would post back from the page's first form with ``action`` (its controls as filled in)."""

    def __init__(self, action: str, page: str = "") -> None:
        super().__init__()
        self.action = action
        self.page = page
        self.inside = False
        self.done = False
        self.values: dict[str, Any] = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form" and not self.done and (found.get("action") or self.page).split("?")[0] == self.action:
            self.inside = True
        if not self.inside:
            return
        name = found.get("name")
        if tag == "input" and name:
            kind = found.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in found:
                    self.values[name] = found.get("value", "y")
            elif kind not in ("submit", "button", "file"):
                self.values[name] = found.get("value", "")
        elif tag == "select" and name:
            self.select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self.select and "selected" in found:
            self.values[self.select] = found.get("value", "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside, self.done = False, True
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.inside and self.textarea:
            self.values[self.textarea] += data.removeprefix("\n") if not self.values[self.textarea] else data


def form_values(client: FlaskClient, page: str, action: str) -> dict[str, Any]:
    """The values of the form posting to ``action`` on ``page``, as the page shows them."""
    response = client.get(page)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    parser = FormValues(action, page)
    parser.feed(response.get_data(as_text=True))
    assert parser.done, f"no form posting to {action} on {page}"
    return parser.values


def signed_in(app: Any, user: User) -> FlaskClient:
    """A client signed in as ``user``."""
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


def edit_url(work_order: WorkOrder) -> str:
    return f"/work-orders/{work_order.id}/edit"


# --- 1. the edit form shows stored times in the person's zone ------------------------------------------------------

SUMMER_DUE = datetime(2026, 7, 1, 12, 30, tzinfo=UTC)
WINTER_START = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "due_local", "start_local"),
    [
        ("Europe/Berlin", "2026-07-01T14:30", "2026-01-15T09:00"),
        ("America/New_York", "2026-07-01T08:30", "2026-01-15T03:00"),
        ("UTC", "2026-07-01T12:30", "2026-01-15T08:00"),
    ],
)
def test_the_edit_form_shows_due_and_planned_start_in_the_persons_zone(app, make_user, zone, due_local, start_local):
    supervisor = make_user("supervisor", timezone=zone)
    work_order = make_work_order(supervisor, due_at=SUMMER_DUE, planned_start=WINTER_START)
    values = form_values(signed_in(app, supervisor), edit_url(work_order), edit_url(work_order))
    assert (values["due_at"], values["planned_start"]) == (due_local, start_local)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
def test_saving_the_edit_form_unchanged_twice_changes_nothing(app, make_user, zone):
    supervisor = make_user("supervisor", timezone=zone)
    work_order = make_work_order(supervisor, due_at=SUMMER_DUE, planned_start=WINTER_START)
    client = signed_in(app, supervisor)
    version, events = work_order.version, [e.id for e in events_of(work_order)]
    for _ in range(2):
        values = form_values(client, edit_url(work_order), edit_url(work_order))
        assert client.post(edit_url(work_order), data=values).status_code == 302
        db.session.expire_all()
        saved = db.session.get(WorkOrder, work_order.id)
        assert (saved.due_at, saved.planned_start, saved.version) == (SUMMER_DUE, WINTER_START, version)
        assert [e.id for e in events_of(saved)] == events  # no "edited" event


def test_a_time_typed_in_the_form_is_read_in_the_persons_zone(app, make_user):
    supervisor = make_user("supervisor", timezone="Europe/Berlin")
    work_order = make_work_order(supervisor, due_at=SUMMER_DUE)
    client = signed_in(app, supervisor)
    values = form_values(client, edit_url(work_order), edit_url(work_order))
    assert client.post(edit_url(work_order), data={**values, "due_at": "2026-07-01T16:00"}).status_code == 302
    db.session.expire_all()
    saved = db.session.get(WorkOrder, work_order.id)
    assert saved.due_at == datetime(2026, 7, 1, 14, 0, tzinfo=UTC)
    assert saved.planned_start is None
    (edited,) = events_of(saved, "edited")
    assert edited.data["changes"] == {"due_at": ["2026-07-01T12:30:00+00:00", "2026-07-01T14:00:00+00:00"]}


# --- 2. custom fields show their labels -----------------------------------------------------------------------------

FIELDS = [
    ("pump_side", "Pump side", 2, True),
    ("meter", "Meter reading", 1, True),
    ("old_code", "Legacy code", 0, False),
]
VALUES = {"pump_side": "Non-drive end", "meter": "12.5", "old_code": "X-7", "shift_note": "Night shift"}
SHOWN = [
    ("Legacy code", "X-7"),
    ("Meter reading", "12.5"),
    ("Pump side", "Non-drive end"),
    ("Shift note", "Night shift"),
]


def with_custom_values(admin: User, values: dict[str, str]) -> WorkOrder:
    """A work order holding ``values``: fields defined (one deactivated), ``shift_note``'s field deleted."""
    for key, label, position, active in FIELDS:
        settings.save_custom_field(admin, None, key, label, "text", position=position, active=active)
    db.session.commit()
    work_order = make_work_order(admin)
    work_order.custom_values = values
    db.session.commit()
    return work_order


def detail_pairs(page: str) -> list[tuple[str, str]]:
    """The (term, description) pairs of the details list after Actual."""
    pairs = re.findall(r'<dt class="col-5">(.*?)</dt><dd class="col-7"[^>]*>(.*?)</dd>', page, re.S)
    terms = [term for term, _ in pairs]
    return [(term, value.strip()) for term, value in pairs[terms.index("Actual") + 1 :]]


def test_the_details_show_custom_field_labels_in_the_defined_order(app, make_user):
    admin = make_user("admin")
    work_order = with_custom_values(admin, VALUES)
    page = signed_in(app, admin).get(f"/work-orders/{work_order.id}").get_data(as_text=True)
    assert detail_pairs(page) == SHOWN
    for key in VALUES:
        assert f">{key}<" not in page
    assert db.session.get(WorkOrder, work_order.id).custom_values == VALUES  # only shown differently


def test_the_pdf_shows_custom_field_labels(app, make_user):
    admin = make_user("admin")
    work_order = with_custom_values(admin, VALUES)
    response = signed_in(app, admin).get(f"/work-orders/{work_order.id}.pdf")
    assert response.status_code == 200
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.get_data())).pages).split())
    for label, value in SHOWN:
        assert f"{label} {value}" in text
    for key in VALUES:
        assert key not in text


def test_the_labels_come_in_one_query(app, make_user):
    admin = make_user("admin")
    work_order = with_custom_values(admin, {"pump_side": "Left"})
    client = signed_in(app, admin)
    client.get(f"/work-orders/{work_order.id}")
    with QueryCounter(db.engine) as one:
        client.get(f"/work-orders/{work_order.id}")
    work_order = db.session.get(WorkOrder, work_order.id)
    work_order.custom_values = VALUES
    db.session.commit()
    client.get(f"/work-orders/{work_order.id}")
    with QueryCounter(db.engine) as four:
        client.get(f"/work-orders/{work_order.id}")
    assert four.count == one.count


# --- 3. a refused stock movement keeps the form ---------------------------------------------------------------------


def stock_page_values(page: str) -> dict[str, Any]:
    parser = FormValues(re.search(r'action="(/products/\d+/stock)"', page).group(1))
    parser.feed(page)
    return parser.values


def test_a_refused_adjustment_shows_the_page_again_with_the_values_and_writes_nothing(client_as):
    product, shelf = make_product(), make_location()
    manager = client_as("manager")
    before = database_state()
    sent = {
        "stock-kind": "adjust_up",
        "stock-location_id": str(shelf.id),
        "stock-quantity": "5",
        "stock-reference": "COUNT-7",
        "stock-reason": "",
    }
    response = post(manager, f"/products/{product.id}/stock", sent)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    kept = stock_page_values(page)
    assert {name: kept.get(name, "").strip() for name in sent} == sent
    reason = re.search(r'name="stock-reason"[^>]*>\s*</textarea>\s*<div class="invalid-feedback">(.*?)</div>', page)
    assert reason is not None
    assert reason.group(1) == "Say why the stock is adjusted."
    assert re.search(r'<textarea class="form-control is-invalid"[^>]*name="stock-reason"', page)
    assert database_state() == before


def test_a_form_error_shows_the_page_again_with_the_values(client_as):
    product, shelf = make_product(), make_location()
    manager = client_as("manager")
    before = database_state()
    sent = {"stock-kind": "issue", "stock-location_id": str(shelf.id), "stock-quantity": "abc", "stock-reference": "R1"}
    response = post(manager, f"/products/{product.id}/stock", sent)
    assert response.status_code == 422
    kept = stock_page_values(response.get_data(as_text=True))
    assert (kept["stock-kind"], kept["stock-location_id"], kept["stock-reference"]) == ("issue", str(shelf.id), "R1")
    assert database_state() == before
    assert count(StockMovement) == 0


# --- 4. unit cost and price only for people who see costs -----------------------------------------------------------


def priced_product() -> Any:
    return make_product("FLT-9", "Filter", unit_cost="12.40", unit_price="16.12")


def test_technicians_see_no_unit_cost_or_price_in_the_catalog(client_as):
    product = priced_product()
    tech = client_as("technician")
    listing = tech.get("/products").get_data(as_text=True)
    page = tech.get(f"/products/{product.id}").get_data(as_text=True)
    assert "FLT-9" in listing
    assert "FLT-9" in page
    for html in (listing, page):
        for figure in ("12.40", "16.12", ">Unit cost</th>", ">Price</th>", ">Unit cost</dt>", ">Price</dt>"):
            assert figure not in html, figure
    assert 'name="stock-unit_cost"' not in page


def test_managers_see_unit_cost_and_price_in_the_catalog(client_as):
    product = priced_product()
    manager = client_as("manager")
    listing = manager.get("/products").get_data(as_text=True)
    page = manager.get(f"/products/{product.id}").get_data(as_text=True)
    for html in (listing, page):
        for figure in ("12.40", "16.12"):
            assert figure in html, figure
    assert ">Unit cost</th>" in listing
    assert ">Unit cost</dt>" in page
    assert 'name="stock-unit_cost"' in page


def test_the_product_export_has_prices_only_for_people_who_see_costs(app, make_user):
    from tests.catalog_factories import person_with
    from tests.support import csv_rows

    priced_product()
    exporter = person_with(make_user, "catalog.view", "catalog.export")
    costs = person_with(make_user, "catalog.view", "catalog.export", "workorder.view_costs")
    without = csv_rows(signed_in(app, exporter).get("/products/export"))
    with_costs = csv_rows(signed_in(app, costs).get("/products/export"))
    assert [name for name in with_costs[0] if name not in without[0]] == ["unit_cost", "unit_price"]
    assert with_costs[1][with_costs[0].index("unit_cost")] == "12.40"
    assert with_costs[1][with_costs[0].index("unit_price")] == "16.12"
    assert [[v for n, v in zip(with_costs[0], row, strict=True) if n in without[0]] for row in with_costs] == without
    assert not any("12.40" in cell or "16.12" in cell for row in without for cell in row)


def test_a_technicians_receipt_ignores_a_posted_unit_cost(client_as):
    product, shelf = priced_product(), make_location()
    tech = client_as("technician")
    sent = {"stock-kind": "receipt", "stock-location_id": str(shelf.id), "stock-quantity": "3"}
    assert post(tech, f"/products/{product.id}/stock", {**sent, "stock-unit_cost": "99.00"}).status_code == 302
    blank = post(client_as("manager"), f"/products/{product.id}/stock", {**sent, "stock-unit_cost": ""})
    assert blank.status_code == 302
    moves = list(db.session.scalars(select(StockMovement).order_by(StockMovement.id)))
    assert [(m.kind, m.quantity, m.unit_cost) for m in moves] == [("receipt", 3, None), ("receipt", 3, None)]
    db.session.expire_all()
    assert db.session.get(type(product), product.id).unit_cost == Decimal("12.40")


def test_a_managers_receipt_keeps_its_unit_cost(client_as):
    product, shelf = priced_product(), make_location()
    sent = {"stock-kind": "receipt", "stock-location_id": str(shelf.id), "stock-quantity": "3", "stock-unit_cost": "11"}
    assert post(client_as("manager"), f"/products/{product.id}/stock", sent).status_code == 302
    assert db.session.scalar(select(StockMovement.unit_cost)) == Decimal("11.00")
