"""Overlong, empty, unicode, emoji, RTL and SQL-metacharacter values in every field:
form errors or stored verbatim and shown escaped, never a 500.

Each case states its outcome up front: the error message the form shows (and then nothing in the database
has changed), or the value that is stored (and then only the record the form edits has changed, with one
audit row)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count as numbers
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import inspect, select

from cube.extensions import db
from cube.models import AuditEvent, Role, Team, User
from cube.users import roles as role_service
from tests.support import DEMO_PASSWORD, count, post

HOSTILE = [
    "",
    " ",
    "x" * 10_000,
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "'; DROP TABLE users; --",
    "%_\\",
    "%",
    "名前テスト",
    "🚀🔧💥",
    "\u202eعربي עברית",
    "\x00nul",
]
FEEDBACK = re.compile(r'class="invalid-feedback[^"]*"[^>]*>([^<]*)')
RAW_MARKUP = ("<script>alert(1)</script>", "<img src=x")

REQUIRED = "This field is required."
NOT_A_CHOICE = "Not a valid choice."
BAD_EMAIL = "Invalid email address."
NO_MATCH = "The passwords do not match."
WRONG_PASSWORD = "The current password is not correct."
ROLE_NAME = "Use 2-64 lower-case letters, digits, '-' or '_', starting with a letter."
NEW_PASSWORD = "a-New-valid-passw0rd"


def too_long(limit: int) -> str:
    return f"Field cannot be longer than {limit} characters."


@dataclass(frozen=True)
class Field:
    """How one form field treats what it is sent: ``kind`` names the rule, ``limit`` its maximum length."""

    name: str
    kind: str
    limit: int = 0
    attribute: str = ""  # the column a saved value lands in


def outcome(field: Field, value: str) -> tuple[str, str]:
    """("error", message shown) or ("saved", value stored) for ``value`` sent in ``field``."""
    sent = value.replace("\x00", "")  # forms drop control characters
    blank = not sent.strip()
    if field.kind == "choice":
        return "error", NOT_A_CHOICE
    if blank and field.kind not in {"optional", "supervisor"}:
        return "error", REQUIRED
    if field.limit and len(sent) > field.limit:
        return "error", too_long(field.limit)
    if field.kind == "email":
        return "error", BAD_EMAIL
    if field.kind == "role-name":
        name = sent.strip().lower()
        return ("saved", name) if re.fullmatch(r"[a-z][a-z0-9_-]{1,63}", name) else ("error", ROLE_NAME)
    if field.kind == "current-password":
        return "error", WRONG_PASSWORD
    if field.kind == "new-password":
        return "error", NO_MATCH
    if field.kind == "supervisor":
        return "saved", ""  # anything but a listed person's id means "no supervisor"
    return "saved", sent.strip()


@dataclass(frozen=True)
class Form:
    """A form under test: a valid submission, its fields, and the record a save creates or changes."""

    url: Callable[[], str]
    valid: Callable[[int], dict[str, str]]  # a valid submission, unique for each call number
    fields: tuple[Field, ...]
    record: Callable[[], Any]  # the record a save created or changed


def newest(model: type) -> Any:
    return db.session.scalars(select(model).order_by(model.id.desc())).first()


def _forms(user_id: int, team_id: int, admin_id: int) -> list[Form]:
    technician = str(role_service.role_by_name("technician").id)
    return [
        Form(
            lambda: "/users/new",
            lambda n: {"email": f"new-{n}@example.com", "name": "H", "role_id": technician, "timezone": "UTC"},
            (
                Field("email", "email", 254),
                Field("name", "text", 120, "name"),
                Field("phone", "optional", 40, "phone"),
                Field("timezone", "choice"),
            ),
            lambda: newest(User),
        ),
        Form(
            lambda: f"/users/{user_id}/edit",
            lambda n: {"email": "edited@example.com", "name": "H", "role_id": technician, "timezone": "UTC"},
            (Field("email", "email", 254), Field("name", "text", 120, "name"), Field("phone", "optional", 40, "phone")),
            lambda: db.session.get(User, user_id),
        ),
        Form(
            lambda: "/teams/new",
            lambda n: {"name": f"New team {n}"},
            (
                Field("description", "optional", 2000, "description"),
                Field("supervisor_id", "supervisor", 0, "supervisor_id"),
                Field("name", "text", 120, "name"),  # last, so the edit below works on the team it named
            ),
            lambda: newest(Team),
        ),
        Form(
            lambda: f"/teams/{newest(Team).id}/edit",
            lambda n: {"name": "Edited team"},
            (Field("name", "text", 120, "name"), Field("description", "optional", 2000, "description")),
            lambda: newest(Team),
        ),
        Form(
            lambda: "/roles/new",
            lambda n: {"role-name": f"hostile-{n}"},
            (Field("role-name", "role-name", 64, "name"), Field("role-description", "optional", 255, "description")),
            lambda: newest(Role),
        ),
        Form(
            lambda: "/profile",
            lambda n: {"profile-name": "Me", "profile-timezone": "UTC"},
            (
                Field("profile-name", "text", 120, "name"),
                Field("profile-phone", "optional", 40, "phone"),
                Field("profile-timezone", "choice"),
            ),
            lambda: db.session.get(User, admin_id),
        ),
        Form(
            lambda: "/profile/password",
            lambda n: {
                "password-current_password": DEMO_PASSWORD,
                "password-password": NEW_PASSWORD,
                "password-confirm": NEW_PASSWORD,
            },
            (
                Field("password-current_password", "current-password", 256),
                Field("password-password", "new-password", 256),
                Field("password-confirm", "new-password"),
            ),
            lambda: db.session.get(User, admin_id),
        ),
        Form(lambda: "/auth/forgot", lambda n: {}, (Field("email", "email", 254),), lambda: None),
    ]


def rows() -> dict[tuple[str, int], dict[str, Any]]:
    """Every user, team and role, by (table, id), with all their columns (and a role's permissions)."""
    found = {}
    for model in (User, Team, Role):
        for record in db.session.scalars(select(model)):
            values = {column.key: getattr(record, column.key) for column in inspect(record).mapper.column_attrs}
            if isinstance(record, Role):
                values["permissions"] = sorted(record.permissions)
            found[(model.__tablename__, record.id)] = values
    return found


def snapshot(outbox: list) -> dict[Any, Any]:
    """Everything a form on these pages could change: the rows, the audit trail and the mail sent."""
    db.session.rollback()  # end the test's transaction to see what the request committed
    return {**rows(), "audit rows": count(AuditEvent), "mail": len(outbox)}


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_every_field_survives_hostile_values(admin_client, make_user, make_team, outbox, value):
    target = make_user("technician")
    team = make_team("Hostile team")
    admin_id = admin_client.user.id
    call = numbers()
    for form in _forms(target.id, team.id, admin_id):
        for field in form.fields:
            url = form.url()
            case = (url, field.name)
            before = snapshot(outbox)
            response = post(admin_client, url, {**form.valid(next(call)), field.name: value})
            after = snapshot(outbox)
            changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
            result, expected = outcome(field, value)
            if result == "error":
                assert response.status_code in (200, 422), case
                page = response.get_data(as_text=True)
                assert str(escape(expected)) in page, case
                assert changed == set(), case
            else:
                assert response.status_code == 302, (case, FEEDBACK.findall(response.get_data(as_text=True)))
                page = admin_client.get(response.location).get_data(as_text=True)
                record = form.record()
                stored = getattr(record, field.attribute)
                assert stored == (expected or None if field.kind == "supervisor" else expected), case
                assert after["audit rows"] == before["audit rows"] + 1, case
                assert changed <= {"audit rows", (record.__tablename__, record.id)}, case
            assert not any(markup in page for markup in RAW_MARKUP), case
    for url in ("/users", "/teams", "/audit", f"/users/{target.id}", "/roles", "/profile"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert not any(markup in page for markup in RAW_MARKUP), url


QUERIES = {
    # parameter: does a value that is not blank (and fits the field) narrow the list?
    "/users?q=": True,
    "/users?role=": False,
    "/users?team=": False,
    "/users?active=": False,
    "/users?page=": False,
}


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_query_strings_survive_hostile_values(admin_client, make_user, value):
    make_user("technician", name="Zed Marker", email="zed.marker@example.com")
    sent = value.replace("\x00", "")
    searched = bool(sent.strip()) and len(sent) <= 100
    for url, narrows in QUERIES.items():
        response = admin_client.get(url + sent)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert not any(markup in page for markup in RAW_MARKUP), url
        listed = "Zed Marker" in page
        assert listed is not (narrows and searched), url  # nobody's name, e-mail or phone holds the value
        if narrows and searched:
            assert f'value="{escape(sent)}"' in page, url  # the search box keeps what was asked, escaped

    response = admin_client.get("/audit?group=" + sent)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert not any(markup in page for markup in RAW_MARKUP)
    assert "<td>User added</td>" in page  # a value that is not a group is no filter
    assert '<option value="" selected>Everything</option>' in page
