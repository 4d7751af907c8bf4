"""User administration: list, create, edit, deactivate, reset, export, profile."""

from __future__ import annotations

import csv
import io

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from cube.extensions import db
from cube.models import AuditEvent, User
from cube.users import roles as role_service
from tests.support import count, post, sign_in


def role_id(name: str) -> int:
    role = role_service.role_by_name(name)
    assert role is not None
    return role.id


def user_form(**overrides):
    data = {
        "name": "Nia New",
        "email": "nia@example.com",
        "role_id": str(role_id("technician")),
        "phone": "+44 20 7946 0000",
        "timezone": "Europe/Paris",
        "invite": "y",
    }
    data.update(overrides)
    return data


def test_list_searches_filters_and_pages(app, admin_client, make_user, make_team):
    alice = make_user("technician", name="Alice Zephyr", email="alice@example.com")
    make_user("requester", name="Bob Quill", email="bob@example.com")
    make_team("Night shift", members=(alice,))
    page = admin_client.get("/users?q=zephyr").get_data(as_text=True)
    assert "Alice Zephyr" in page
    assert "Bob Quill" not in page
    by_role = admin_client.get(f"/users?role={role_id('requester')}").get_data(as_text=True)
    assert "Bob Quill" in by_role
    assert "Alice Zephyr" not in by_role
    team_id = db.session.scalar(select(func.max(User.id)))  # any int works as a filter value
    assert admin_client.get(f"/users?team={team_id}").status_code == 200
    app.config["USERS_PER_PAGE"] = 2
    try:
        first = admin_client.get("/users").get_data(as_text=True)
        assert "3 in all" in first
        assert 'aria-label="Pages"' in first
    finally:
        app.config["USERS_PER_PAGE"] = 25


def test_list_ignores_garbage_filters(admin_client, make_user):
    make_user("technician", name="Zed Marker")
    listed = {"role=abc": True, "team=1e9": True, "active=maybe": True, "page=-4": True, "page=zzz": True}
    listed["q=" + "%" * 500] = True  # too long to be a search: the filter is dropped
    listed["q=%25_%5C"] = False  # searched for literally: nobody's name holds "%_\\"
    for query, shown in listed.items():
        response = admin_client.get(f"/users?{query}")
        assert response.status_code == 200, query
        assert ("Zed Marker" in response.get_data(as_text=True)) is shown, query


def test_search_treats_wildcards_literally(admin_client, make_user):
    make_user("technician", name="Plain Name")
    page = admin_client.get("/users?q=%25").get_data(as_text=True)
    assert "Plain Name" not in page


def test_filter_by_active(admin_client, make_user):
    gone = make_user("technician", name="Gone Person")
    gone.active = False
    db.session.commit()
    assert "Gone Person" in admin_client.get("/users?active=no").get_data(as_text=True)
    assert "Gone Person" not in admin_client.get("/users?active=yes").get_data(as_text=True)


def test_create_user_sends_an_invitation_and_never_shows_a_password(app, admin_client, outbox):
    response = post(admin_client, "/users/new", user_form())
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nia@example.com"))
    assert user is not None
    assert user.password_hash is None
    assert user.timezone == "Europe/Paris"
    assert len(outbox) == 1
    assert "/auth/welcome/" in outbox[0].link()
    detail = admin_client.get(response.location).get_data(as_text=True)
    assert "invitation pending" in detail
    invitee = app.test_client()
    link = outbox[0].link().replace("http://localhost", "")
    password = "my-own-Secret-phrase-5"
    assert post(invitee, link, {"password": password, "confirm": password}).status_code == 302
    assert sign_in(invitee, "nia@example.com", password).status_code == 302


def test_create_user_rejects_duplicate_email(admin_client, make_user):
    make_user("technician", email="taken@example.com")
    before = count(User)
    response = post(admin_client, "/users/new", user_form(email="TAKEN@example.com"))
    assert response.status_code == 200
    assert "already has this e-mail" in response.get_data(as_text=True)
    assert count(User) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "", "This field is required"),
        ("email", "not-an-email", "Invalid email address"),
        ("name", "", "This field is required"),
        ("name", "n" * 121, "between"),
        ("role_id", "999999", "Not a valid choice"),
        ("role_id", "admin", "This field is required"),
        ("timezone", "Mars/Olympus", "Not a valid choice"),
        ("team_ids", "424242", "not a valid choice"),
        ("phone", "9" * 41, "between"),
    ],
)
def test_create_user_bad_input_changes_nothing(admin_client, field, value, message):
    before = count(User)
    response = post(admin_client, "/users/new", user_form(**{field: value}))
    assert response.status_code == 200
    assert message.lower() in response.get_data(as_text=True).lower()
    assert count(User) == before


@pytest.mark.parametrize(
    "name",
    [
        "<script>alert('x')</script>",
        "Robert'); DROP TABLE users;--",
        "名前テスト",
        "Emoji 🚀🔧",
        "\u202eRTL override עברית",
    ],
)
def test_hostile_names_are_stored_verbatim_and_shown_escaped(admin_client, name):
    response = post(admin_client, "/users/new", user_form(name=name, invite=""))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nia@example.com"))
    assert user.name == name
    page = admin_client.get("/users").get_data(as_text=True)
    assert "<script>alert(" not in page
    assert str(escape(name)) in page


def test_edit_user_changes_details_and_teams(admin_client, make_user, make_team):
    user = make_user("technician")
    team = make_team("HVAC")
    form = user_form(email=user.email, name="Renamed", team_ids=str(team.id), role_id=str(role_id("supervisor")))
    response = post(admin_client, f"/users/{user.id}/edit", form)
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.name == "Renamed"
    assert user.role.name == "supervisor"
    assert [t.name for t in user.teams] == ["HVAC"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.updated"))
    assert event.details["changes"]["name"][1] == "Renamed"


def test_nobody_changes_their_own_role(admin_client, make_user):
    make_user("admin")  # not the last admin
    me = admin_client.user
    form = user_form(email=me.email, name=me.name, role_id=str(role_id("technician")))
    response = post(admin_client, f"/users/{me.id}/edit", form)
    assert response.status_code == 200
    assert "cannot change your own role" in response.get_data(as_text=True)
    db.session.refresh(me)
    assert me.role.name == "admin"


def test_last_active_admin_cannot_be_demoted_or_deactivated(app, admin_client, make_user):
    me = admin_client.user
    other_admin = make_user("admin")
    assert post(admin_client, f"/users/{other_admin.id}/deactivate").status_code == 302  # one admin stays
    # A manager who may manage users tries to remove the last admin.
    manager_role = role_service.role_by_name("manager")
    wanted = {role.id: set(role.permissions) for role in role_service.all_roles()}
    wanted[manager_role.id] = {"user.view", "user.manage"}
    role_service.set_permissions(me, wanted)
    db.session.commit()
    manager = make_user("manager")
    manager_client = app.test_client()
    sign_in(manager_client, manager.email)
    demote = post(
        manager_client, f"/users/{me.id}/edit", user_form(email=me.email, name=me.name, role_id=str(role_id("manager")))
    )
    assert demote.status_code == 200
    assert "last active admin" in demote.get_data(as_text=True)
    deactivate = post(manager_client, f"/users/{me.id}/deactivate", follow_redirects=True)
    assert "last active admin" in deactivate.get_data(as_text=True)
    db.session.refresh(me)
    assert me.active
    assert me.role.name == "admin"


def test_admin_cannot_deactivate_themselves(admin_client):
    me = admin_client.user
    response = post(admin_client, f"/users/{me.id}/deactivate", follow_redirects=True)
    assert "cannot deactivate your own account" in response.get_data(as_text=True)
    db.session.refresh(me)
    assert me.active


def test_deactivate_signs_the_user_out_and_reactivate_lets_them_back(app, admin_client, make_user):
    user = make_user("technician")
    their = app.test_client()
    sign_in(their, user.email)
    assert their.get("/").status_code == 200
    assert post(admin_client, f"/users/{user.id}/deactivate").status_code == 302
    assert their.get("/").status_code == 302
    assert sign_in(their, user.email).status_code == 200  # refused
    assert post(admin_client, f"/users/{user.id}/reactivate").status_code == 302
    assert sign_in(their, user.email).status_code == 302


def test_admin_sends_a_password_reset(admin_client, make_user, outbox):
    user = make_user("technician")
    response = post(admin_client, f"/users/{user.id}/send-reset", follow_redirects=True)
    assert "password-reset link was e-mailed" in response.get_data(as_text=True)
    assert outbox[0].recipients == [user.email]
    assert "/auth/reset/" in outbox[0].link()


def test_unknown_user_is_404(admin_client):
    assert admin_client.get("/users/987654").status_code == 404
    assert post(admin_client, "/users/987654/deactivate").status_code == 404


def test_csv_export_neutralises_formulas(admin_client, make_user):
    make_user("technician", name='=HYPERLINK("http://evil")', phone="+1 555 0100")
    make_user("technician", name="@SUM(A1)", email="sum@example.com")
    response = admin_client.get("/users/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="users.csv"'
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Name", "E-mail", "Role"]
    names = {row[0] for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil")' in names
    assert "'@SUM(A1)" in names
    phones = {row[4] for row in rows[1:]}
    assert "'+1 555 0100" in phones


def test_csv_export_follows_filters(admin_client, make_user):
    make_user("requester", name="Only Requester")
    make_user("technician", name="Only Technician")
    body = admin_client.get(f"/users/export.csv?role={role_id('requester')}").get_data(as_text=True)
    assert "Only Requester" in body
    assert "Only Technician" not in body


def test_profile_update_and_time_zone_display(client_as):
    client = client_as("technician")
    response = post(
        client, "/profile", {"profile-name": "Tz Person", "profile-phone": "123", "profile-timezone": "Asia/Tokyo"}
    )
    assert response.status_code == 302
    me = db.session.get(User, client.user.id)
    db.session.refresh(me)
    assert me.timezone == "Asia/Tokyo"
    assert "Times shown in Asia/Tokyo" in client.get("/").get_data(as_text=True)


def test_profile_rejects_unknown_time_zone(client_as):
    client = client_as("technician")
    response = post(client, "/profile", {"profile-name": "X", "profile-timezone": "Not/AZone"})
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_times_are_shown_in_the_viewers_zone(app, make_user, locale_dates):
    from datetime import UTC, datetime

    from flask_babel import refresh
    from flask_login import login_user

    from cube.i18n import localtime

    viewer = make_user("technician", timezone="America/New_York")
    noon = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    with app.test_request_context():
        login_user(viewer)
        assert localtime(noon) == "Jan 15, 2026, 7:00\u202fAM"
        assert localtime(noon, "date") == "Jan 15, 2026"
        viewer.language = "de"  # the same moment, written the German way
        refresh()
        assert localtime(noon) == "15.01.2026, 07:00"


def test_a_new_users_role_is_chosen_not_preselected(admin_client):
    """The add-user form picks no role (the first one is admin); saving without one is refused, nothing made."""
    html = admin_client.get("/users/new").get_data(as_text=True)
    assert '<option selected value="">Choose a role</option>' in html or 'value="" selected' in html
    before = count(User)
    form = {"email": "new.person@example.com", "name": "New Person", "timezone": "UTC"}
    response = post(admin_client, "/users/new", form)
    assert response.status_code in (200, 422)
    assert count(User) == before
