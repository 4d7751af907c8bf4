"""Custom fields on work orders: typed and required values, by service and through the work order form."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from markupsafe import escape
from sqlalchemy import select

from cube.actors import SYSTEM
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.forms import strip_control_characters
from cube.models import CustomField, User, WorkOrder
from cube.workflow import settings
from cube.workorders import services
from tests.support import count, post
from tests.workorder_factories import default_ids, make_work_order


@pytest.fixture
def fields() -> None:
    """Serial (text, required), hours (number), inspected on (date), shift (choice), and a retired field."""
    settings.save_custom_field(SYSTEM, None, "serial", "Serial number", "text", required=True, position=1)
    settings.save_custom_field(SYSTEM, None, "meter", "Meter reading", "number", position=2)
    settings.save_custom_field(SYSTEM, None, "inspected_on", "Inspected on", "date", position=3)
    settings.save_custom_field(SYSTEM, None, "shift", "Shift", "choice", ["Early", "Late"], position=4)
    settings.save_custom_field(SYSTEM, None, "old_code", "Old code", "text", required=True, active=False)
    db.session.commit()


def create(actor: User, **values: str) -> WorkOrder:
    type_id, priority_id = default_ids()
    data = services.WorkOrderData(title="Check pump", type_id=type_id, priority_id=priority_id, custom_values=values)
    return services.create_work_order(actor, data)


BAD_VALUES = [
    ({"meter": "12"}, "custom_serial", "Fill in Serial number."),
    ({"serial": "   ", "meter": "12"}, "custom_serial", "Fill in Serial number."),
    ({"serial": "SN-1", "meter": "twelve"}, "custom_meter", "Meter reading must be a number."),
    ({"serial": "SN-1", "meter": "1.23456"}, "custom_meter", "Meter reading can have at most 4 decimals."),
    ({"serial": "SN-1", "meter": "NaN"}, "custom_meter", "Meter reading must be a number."),
    ({"serial": "SN-1", "inspected_on": "31/12/2024"}, "custom_inspected_on", "Inspected on must be a date"),
    ({"serial": "SN-1", "inspected_on": "2023-02-29"}, "custom_inspected_on", "Inspected on must be a date"),
    ({"serial": "SN-1", "shift": "Night"}, "custom_shift", "Choose Shift from the list."),
    ({"serial": "SN-1", "shift": "early"}, "custom_shift", "Choose Shift from the list."),
    ({"serial": "x" * 2001}, "custom_serial", "Serial number can be at most 2000 characters."),
]


@pytest.mark.parametrize(("values", "field", "message"), BAD_VALUES)
def test_the_service_refuses_bad_custom_values(make_user, fields, values, field, message):
    actor = make_user("technician")
    with pytest.raises(ValidationFailed) as caught:
        create(actor, **values)
    db.session.rollback()
    assert caught.value.field == field
    assert message in caught.value.message
    assert count(WorkOrder) == 0


def test_the_service_keeps_clean_typed_values_of_active_fields(make_user, fields):
    actor = make_user("technician")
    work_order = create(
        actor,
        serial="  SN-1 ",
        meter="-12.5",
        inspected_on="2024-02-29",
        shift="Late",
        old_code="ignored",
        unknown="dropped",
    )
    db.session.commit()
    assert work_order.custom_values == {
        "serial": "SN-1",
        "meter": "-12.5000",
        "inspected_on": "2024-02-29",
        "shift": "Late",
    }


def test_a_deactivated_required_field_is_no_longer_asked_for(make_user, fields):
    actor = make_user("technician")
    serial = db.session.scalar(select(CustomField).where(CustomField.key == "serial"))
    settings.save_custom_field(SYSTEM, serial, "serial", "Serial number", "text", required=True, active=False)
    db.session.commit()
    work_order = create(actor)
    db.session.commit()
    assert work_order.custom_values == {}


def test_edits_are_validated_too(make_user, fields):
    actor = make_user("admin")
    work_order = make_work_order(actor, custom_values={"serial": "SN-1"})
    type_id, priority_id = default_ids()
    data = services.WorkOrderData(
        title="Check pump", type_id=type_id, priority_id=priority_id, custom_values={"serial": "SN-1", "meter": "x"}
    )
    with pytest.raises(ValidationFailed) as caught:
        services.update_work_order(actor, work_order, data, expected_version=None)
    db.session.rollback()
    assert caught.value.field == "custom_meter"
    db.session.expire_all()
    assert db.session.get(WorkOrder, work_order.id).custom_values == {"serial": "SN-1"}


# The form ----------------------------------------------------------------------------------------


def form_data(**custom: str) -> dict[str, str]:
    type_id, priority_id = default_ids()
    data = {"title": "Check pump", "type_id": str(type_id), "priority_id": str(priority_id)}
    data.update({f"custom_{key}": value for key, value in custom.items()})
    return data


def inputs(html: str) -> dict[str, str]:
    """name -> the opening tag of each custom input or select."""
    return {
        match.group(2): match.group(0)
        for match in re.finditer(r'<(input|select)[^>]*name="(custom_\w+)"[^>]*>', html, flags=re.S)
    }


def test_the_form_shows_one_labelled_input_per_active_field(client_as: Callable, fields):
    html = client_as("technician").get("/work-orders/new").get_data(as_text=True)
    found = inputs(html)
    assert list(found) == ["custom_serial", "custom_meter", "custom_inspected_on", "custom_shift"]
    assert 'type="text"' in found["custom_serial"]
    assert "required" in found["custom_serial"]
    assert 'type="number"' in found["custom_meter"]
    assert "required" not in found["custom_meter"]
    assert 'type="date"' in found["custom_inspected_on"]
    assert found["custom_shift"].startswith("<select")
    for name in found:
        assert f'<label class="form-label" for="{name}">' in html
    serial_label = html.split('for="custom_serial">', 1)[1].split("</div>", 1)[0]
    assert "(required)" in serial_label
    assert "(required)" not in html.split('for="custom_meter">', 1)[1].split("</div>", 1)[0]
    assert '<option value="Early">Early</option>' in html
    assert "Old code" not in html


def test_the_form_has_no_custom_section_without_fields(client_as: Callable):
    html = client_as("technician").get("/work-orders/new").get_data(as_text=True)
    assert 'data-testid="custom-fields"' not in html
    assert inputs(html) == {}


@pytest.mark.parametrize(("values", "field", "message"), BAD_VALUES)
def test_bad_values_on_the_form_give_errors_and_create_nothing(client_as: Callable, fields, values, field, message):
    client = client_as("technician")
    response = post(client, "/work-orders/new", form_data(**values))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    custom_section = html.split('data-testid="custom-fields"', 1)[1]
    assert re.search(rf'class="form-(control|select) is-invalid"[^>]*id="{field}"', custom_section)  # on its field
    assert count(WorkOrder) == 0


def test_a_refused_form_shows_the_submitted_values_again(client_as: Callable, fields):
    client = client_as("technician")
    html = post(client, "/work-orders/new", form_data(serial="SN-<b>", meter="abc", shift="Late")).get_data(
        as_text=True
    )
    found = inputs(html)
    assert 'value="SN-&lt;b&gt;"' in found["custom_serial"]
    assert "<b>" not in html.split('data-testid="custom-fields"', 1)[1]
    assert '<option value="Late" selected>Late</option>' in html


def test_good_values_on_the_form_are_saved_and_shown_when_editing(client_as: Callable, fields):
    client = client_as("admin")
    values = {"serial": "SN-7", "meter": "3.25", "inspected_on": "2024-05-01", "shift": "Early"}
    response = post(client, "/work-orders/new", form_data(**values))
    assert response.status_code == 302
    work_order = db.session.scalar(select(WorkOrder))
    assert work_order.custom_values == {**values, "meter": "3.2500"}

    html = client.get(f"/work-orders/{work_order.id}/edit").get_data(as_text=True)
    found = inputs(html)
    assert 'value="SN-7"' in found["custom_serial"]
    assert 'value="3.2500"' in found["custom_meter"]
    assert 'value="2024-05-01"' in found["custom_inspected_on"]
    assert '<option value="Early" selected>Early</option>' in html


@pytest.mark.parametrize(
    "value",
    [
        "<script>alert(1)</script>",
        "\"'><img src=x onerror=alert(1)>",
        "名前テスト 🚀",
        "\u202eعربي",
        "\x00nul",
        "x" * 5000,
    ],
)
def test_hostile_custom_values_are_refused_or_stored_and_shown_escaped(client_as: Callable, fields, value):
    client = client_as("admin")
    sent = strip_control_characters(value).strip()  # forms drop control characters
    too_long = len(sent) > 2000
    data = form_data(serial=value, meter=value, inspected_on=value, shift=value)
    response = post(client, "/work-orders/new", data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    refusal = "Serial number can be at most 2000 characters." if too_long else "Meter reading must be a number."
    assert refusal in page
    assert count(WorkOrder) == 0

    response = post(client, "/work-orders/new", form_data(serial=value))
    if too_long:
        assert response.status_code == 200
        assert "Serial number can be at most 2000 characters." in response.get_data(as_text=True)
        assert count(WorkOrder) == 0
    else:
        assert response.status_code == 302
        work_order = db.session.scalar(select(WorkOrder))
        assert work_order.custom_values == {"serial": sent}
        html = client.get(f"/work-orders/{work_order.id}/edit").get_data(as_text=True)
        assert f'value="{escape(sent)}"' in inputs(html)["custom_serial"]
        assert "<script>alert" not in html
        assert "<img src=x" not in html


def test_editing_keeps_values_of_deactivated_fields(make_user):
    """A value stored under a field an admin later deactivated survives an edit of the work order."""
    from cube.models import CustomField
    from cube.workorders import services
    from tests.workorder_factories import default_ids, make_work_order

    supervisor = make_user("supervisor")
    field = CustomField(key="meter", label="Meter", kind="text", active=True)
    db.session.add(field)
    db.session.commit()
    work_order = make_work_order(supervisor, custom_values={"meter": "M-77"})
    field.active = False
    db.session.commit()
    type_id, priority_id = default_ids()
    data = services.WorkOrderData(title="Renamed", type_id=type_id, priority_id=priority_id)
    services.update_work_order(supervisor, work_order, data, expected_version=work_order.version)
    db.session.commit()
    db.session.refresh(work_order)
    assert work_order.custom_values == {"meter": "M-77"}
    assert work_order.title == "Renamed"
