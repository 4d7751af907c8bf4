"""Decimal inputs: NaN, signalling NaN and infinities are "not a number" on every form, never a 500."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pytest
from flask_wtf import FlaskForm
from wtforms import DecimalField
from wtforms.fields.core import UnboundField

import cube.products.forms
import cube.users.forms
import cube.workorders.forms
from cube.forms import LocalizedDecimalField
from cube.models import Product, User, WorkOrder
from tests.support import count, post
from tests.workorder_factories import default_ids

NOT_FINITE = ["sNaN", "NaN", "-sNaN", "Infinity", "-inf", "snan123"]


def test_every_decimal_input_refuses_what_is_not_a_finite_number() -> None:
    """Each decimal field of every form class is a LocalizedDecimalField (the rule cannot be forgotten)."""
    seen = 0
    for module in (cube.products.forms, cube.users.forms, cube.workorders.forms):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, FlaskForm):
                continue
            for name, unbound in vars(cls).items():
                if isinstance(unbound, UnboundField) and issubclass(unbound.field_class, DecimalField):
                    assert issubclass(unbound.field_class, LocalizedDecimalField), (cls.__name__, name)
                    seen += 1
    assert seen >= 10


@pytest.mark.parametrize("value", NOT_FINITE)
def test_a_work_order_with_a_non_number_cost_is_refused(client_as: Callable, value: str) -> None:
    client = client_as("manager")
    type_id, priority_id = default_ids()
    before = count(WorkOrder)
    data = {"title": "Pump", "type_id": type_id, "priority_id": priority_id, "estimated_cost": value}
    response = post(client, "/work-orders/new", data)
    assert response.status_code == 200
    assert "Not a valid decimal value" in response.get_data(as_text=True)
    assert count(WorkOrder) == before


@pytest.mark.parametrize("value", NOT_FINITE)
def test_a_product_with_a_non_number_price_is_refused(client_as: Callable, value: str) -> None:
    client = client_as("manager")
    before = count(Product)
    data = {"sku": "NAN-1", "name": "Odd", "unit": "each", "unit_cost": value, "unit_price": "1", "min_stock": "0"}
    response = post(client, "/products/new", data)
    assert response.status_code in (200, 422)
    assert "Not a valid decimal value" in response.get_data(as_text=True)
    assert count(Product) == before


def test_a_user_with_a_non_number_rate_is_refused(client_as: Callable, make_user: Callable) -> None:
    client = client_as("admin")
    person = make_user("technician")
    rate = person.hourly_rate
    response = post(
        client,
        f"/users/{person.id}/edit",
        {"email": person.email, "name": person.name, "role_id": person.role_id, "hourly_rate": "sNaN"},
    )
    assert response.status_code in (200, 422)
    assert "Not a valid decimal value" in response.get_data(as_text=True)
    refreshed = count(User, id=person.id, hourly_rate=rate)
    assert refreshed == 1


def test_a_form_without_its_optional_decimal_fields_keeps_their_defaults(client_as: Callable) -> None:
    """A product posted without cost, price or minimum stock is saved with the zero defaults (not a 500)."""
    client = client_as("manager")
    response = post(client, "/products/new", {"sku": "DEF-1", "name": "Defaults", "unit": "each"})
    assert response.status_code == 302
    assert count(Product, sku="DEF-1", unit_cost=0, unit_price=0, min_stock=0) == 1
