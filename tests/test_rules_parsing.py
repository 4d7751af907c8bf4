"""Ids and orders in the user, team and workflow forms are read as ASCII whole numbers: anything else is a
form error with nothing written, never a 500 and never a record picked by a look-alike digit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from cube.errors import ValidationFailed
from cube.extensions import db
from cube.models import Role, Team, User
from cube.workflow import settings
from tests.catalog_factories import database_state
from tests.support import post

# int() reads Arabic-Indic and full-width digits as numbers; the forms must not.
LOOK_ALIKE = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
HOSTILE = ["9" * 400, "²", "-1", "1e3", " "]


def _technician_role_id() -> int:
    return db.session.scalar(select(Role.id).where(Role.name == "technician"))


@pytest.fixture
def admin_client(client_as: Callable[[str], FlaskClient]) -> FlaskClient:
    return client_as("admin")


def _user_form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Nia New",
        "email": "nia@example.com",
        "role_id": str(_technician_role_id()),
        "timezone": "UTC",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("field", ["role_id", "team_ids"])
@pytest.mark.parametrize("value", [*HOSTILE, "look-alike"])
def test_a_hostile_id_in_the_user_form_is_a_form_error(
    admin_client: FlaskClient, make_team: Callable[..., Team], field: str, value: str
) -> None:
    """A refused form (200, the error shown), and not a row written."""
    team = make_team("Facilities")
    if value == "look-alike":
        value = str(_technician_role_id() if field == "role_id" else team.id).translate(LOOK_ALIKE)
    before = database_state()
    response = post(admin_client, "/users/new", _user_form(**{field: value}))
    assert response.status_code in (200, 422), response.status_code
    assert "is-invalid" in response.get_data(as_text=True)  # the field shows its error
    db.session.expire_all()
    assert database_state() == before
    assert db.session.scalar(select(User).where(User.email == "nia@example.com")) is None


@pytest.mark.parametrize("value", [*HOSTILE, "look-alike"])
def test_a_hostile_member_id_in_the_team_form_is_a_form_error(
    admin_client: FlaskClient, make_user: Callable[..., User], value: str
) -> None:
    """The same for a team's members."""
    member = make_user("technician")
    if value == "look-alike":
        value = str(member.id).translate(LOOK_ALIKE)
    before = database_state()
    response = post(admin_client, "/teams/new", {"name": "Night shift", "member_ids": [value]})
    assert response.status_code in (200, 422)
    assert "is-invalid" in response.get_data(as_text=True)
    db.session.expire_all()
    assert database_state() == before


def test_a_plain_id_still_works(admin_client: FlaskClient, make_team: Callable[..., Team]) -> None:
    """The rule refuses look-alikes, not ids: the same form with ASCII digits saves."""
    team = make_team("Facilities")
    response = post(admin_client, "/users/new", _user_form(team_ids=[str(team.id)]))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nia@example.com"))
    assert user.role_id == _technician_role_id()
    assert [t.id for t in user.teams] == [team.id]


@pytest.mark.parametrize("value", ["9" * 400, "²", "١٢", "１", "1.5", "-1", str(settings.MAX_POSITION + 1)])
def test_the_workflow_order_is_an_ascii_whole_number_in_range(app: object, value: str) -> None:
    """The settings services refuse what the form would refuse (the CLI and jobs call them without a form)."""
    with pytest.raises(ValidationFailed) as refused:
        settings._position(value)
    assert refused.value.field == "position"


@pytest.mark.parametrize(("value", "expected"), [("", 0), (None, 0), ("12", 12), (" 7 ", 7), (3, 3)])
def test_the_workflow_order_reads_whole_numbers(app: object, value: object, expected: int) -> None:
    assert settings._position(value) == expected  # type: ignore[arg-type]
