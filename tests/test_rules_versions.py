"""Workflow settings carry a version: a save made on an old copy that would undo someone's change is a 409
showing what changed, and nothing is written; a fresh save still works."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from cube.actors import SYSTEM
from cube.errors import EditConflict
from cube.extensions import db
from cube.models import CustomField, Priority, Status, Transition, WorkOrderType
from cube.workflow import settings
from tests.catalog_factories import database_state
from tests.support import post


def _status() -> Status:
    return db.session.scalar(select(Status).where(Status.name == "In progress"))


def _priority() -> Priority:
    return db.session.scalar(select(Priority).where(Priority.is_default.is_(False)).order_by(Priority.id))


def _type() -> WorkOrderType:
    return db.session.scalar(select(WorkOrderType).order_by(WorkOrderType.id))


def _transition() -> Transition:
    return db.session.scalar(select(Transition).order_by(Transition.id))


def _custom_field() -> CustomField:
    field = settings.save_custom_field(SYSTEM, None, "serial", "Serial", "text")
    db.session.commit()
    return field


# (what, load, save with a name or label, the field the page shows)
SETTINGS: dict[str, tuple[Callable[[], Any], Callable[..., Any], str]] = {
    "status": (
        _status,
        lambda record, text, **v: settings.save_status(
            SYSTEM, record, text, record.category, record.color, record.position, record.is_initial, True, **v
        ),
        "Name",
    ),
    "priority": (
        _priority,
        lambda record, text, **v: settings.save_priority(
            SYSTEM, record, text, record.color, record.position, record.is_default, True, **v
        ),
        "Name",
    ),
    "type": (_type, lambda record, text, **v: settings.save_type(SYSTEM, record, text, True, **v), "Name"),
    "transition": (
        _transition,
        lambda record, text, **v: settings.save_transition(
            SYSTEM,
            record,
            record.from_status_id,
            record.to_status_id,
            text,
            record.permission,
            list(record.guards or []),
            record.position,
            **v,
        ),
        "Name",
    ),
    "custom field": (
        _custom_field,
        lambda record, text, **v: settings.save_custom_field(SYSTEM, record, record.key, text, record.kind, **v),
        "Label",
    ),
}


@pytest.mark.parametrize("what", list(SETTINGS))
def test_a_stale_save_of_a_setting_is_refused_with_what_changed(app: object, what: str) -> None:
    load, save, label = SETTINGS[what]
    record = load()
    opened_at = record.version
    save(record, "Theirs", expected_version=opened_at)  # the other admin saves first
    db.session.commit()
    assert record.version == opened_at + 1
    before = database_state()
    with pytest.raises(EditConflict) as conflict:
        save(record, "Mine", expected_version=opened_at)
    db.session.rollback()
    db.session.expire_all()
    assert database_state() == before
    assert (label, "Theirs", "Mine") in conflict.value.differences
    # The same save on the current version goes through.
    save(record, "Mine", expected_version=record.version)
    db.session.commit()
    assert record.version == opened_at + 2


@pytest.mark.parametrize("what", list(SETTINGS))
def test_a_save_without_a_version_or_with_nothing_to_undo_goes_through(app: object, what: str) -> None:
    """The CLI and jobs save without a version; an old copy that equals what is saved overwrites nothing."""
    load, save, _label = SETTINGS[what]
    record = load()
    opened_at = record.version
    save(record, "Theirs", expected_version=None)
    save(record, "Theirs", expected_version=opened_at)
    db.session.commit()


@pytest.fixture
def admins(client_as: Callable[[str], FlaskClient]) -> tuple[FlaskClient, FlaskClient]:
    return client_as("admin"), client_as("admin")


def test_two_admins_editing_one_status_over_http(admins: tuple[FlaskClient, FlaskClient]) -> None:
    """The edit page carries the version; the second save gets the 409 page and the status keeps the first."""
    first, second = admins
    status = _status()
    url = f"/admin/workflow/statuses/{status.id}/edit"
    assert f'name="version" type="hidden" value="{status.version}"' in first.get(url).get_data(as_text=True)
    form = {
        "name": status.name,
        "category": status.category,
        "color": status.color,
        "position": str(status.position),
        "active": "y",
        "version": str(status.version),
    }
    assert post(first, url, {**form, "name": "Working"}).status_code == 302
    before = database_state()
    stale = post(second, url, {**form, "color": "danger"})
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "Working" in page
    assert "Colour" in page
    db.session.expire_all()
    assert database_state() == before
    assert _status_named("Working").color == form["color"]


def _status_named(name: str) -> Status:
    return db.session.scalar(select(Status).where(Status.name == name))
