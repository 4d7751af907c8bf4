"""Sign-in, lockout, rate limits, safe redirects, sign-out and session tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cube.extensions import db
from cube.models import User, utcnow
from cube.models.user import SignInThrottle
from tests.support import DEMO_PASSWORD, audit_actions, csrf_token, post, sign_in


def test_sign_in_lands_on_dashboard_and_records_it(client, make_user):
    user = make_user("technician", name="Tess Tech")
    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert response.location == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "Good to see you, Tess Tech" in page.get_data(as_text=True)
    assert "auth.login" in audit_actions()


def test_email_is_matched_without_case_or_spaces(client, make_user):
    user = make_user("technician", email="mixed@example.com")
    assert sign_in(client, "  MIXED@Example.com ").status_code == 302
    assert user.email == "mixed@example.com"


def test_unknown_email_and_wrong_password_get_the_same_message(client, make_user):
    user = make_user("technician")
    wrong = sign_in(client, user.email, "not-the-password-123")
    unknown = sign_in(client, "nobody@example.com", "not-the-password-123")
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "Invalid e-mail or password." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_deactivated_user_cannot_sign_in(client, make_user):
    user = make_user("technician")
    user.active = False
    db.session.commit()
    response = sign_in(client, user.email)
    assert "Invalid e-mail or password." in response.get_data(as_text=True)


def test_user_without_password_cannot_sign_in(client, make_user):
    user = make_user("technician", password=None)
    assert "This field is required." in sign_in(client, user.email, "").get_data(as_text=True)
    assert "Invalid e-mail or password." in sign_in(client, user.email, "anything-at-all").get_data(as_text=True)


def throttle_rows() -> list[SignInThrottle]:
    return list(db.session.scalars(select(SignInThrottle).order_by(SignInThrottle.id)))


def test_five_failures_lock_this_address_out_for_fifteen_minutes(client, make_user):
    user = make_user("technician")
    for _ in range(5):
        assert sign_in(client, user.email, "wrong-password-xyz").status_code == 200
    locked = sign_in(client, user.email)  # even the right password is refused now, from this address
    assert locked.status_code == 429
    retry_after = int(locked.headers["Retry-After"])
    assert 14 * 60 < retry_after <= 15 * 60
    assert "Too many failed sign-in attempts" in locked.get_data(as_text=True)
    db.session.expire_all()
    pair = [row for row in throttle_rows() if row.client_address == "127.0.0.1"]
    assert len(pair) == 1
    assert pair[0].blocked_until is not None
    assert "auth.lockout" in audit_actions()
    assert client.get("/").status_code == 302


def test_lock_expires_and_success_resets_the_counter(client, make_user):
    user = make_user("technician")
    for _ in range(5):
        sign_in(client, user.email, "wrong-password-xyz")
    for row in throttle_rows():
        row.blocked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert sign_in(client, user.email).status_code == 302
    db.session.expire_all()
    assert throttle_rows() == []


def test_lockout_threshold_is_configurable(app, client, make_user):
    user = make_user("technician")
    app.config["LOGIN_MAX_FAILURES"] = 2
    try:
        sign_in(client, user.email, "wrong-password-xyz")
        sign_in(client, user.email, "wrong-password-xyz")
        assert sign_in(client, user.email).status_code == 429
    finally:
        app.config["LOGIN_MAX_FAILURES"] = 5


def test_client_address_is_rate_limited(app, client, make_user):
    user = make_user("technician")
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        statuses = [sign_in(client, f"other{n}@example.com", "wrong-password-xyz").status_code for n in range(3)]
        limited = sign_in(client, user.email)
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "20 per minute"
    assert statuses == [200, 200, 200]
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert "Too many requests" in limited.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is None  # the limited request did nothing


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/users?page=2", "/users?page=2"),
        ("/profile", "/profile"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
        ("http://evil.example/path", "/"),
        ("javascript:alert(1)", "/"),
        (" //evil.example", "/"),
        ("/%0d%0a//evil.example", "/%0d%0a//evil.example"),
        ("\t/evil", "/"),
        ("", "/"),
    ],
)
def test_next_only_leads_to_this_site(client, make_user, next_url, expected):
    user = make_user("technician")
    response = sign_in(client, user.email, next=next_url)
    assert response.status_code == 302
    assert response.location == expected


def test_sign_out_is_post_only(client, make_user):
    user = make_user("technician")
    sign_in(client, user.email)
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_sign_out_makes_a_copied_cookie_useless(app, client, make_user):
    user = make_user("technician")
    sign_in(client, user.email)
    stolen = client.get_cookie("session").value
    response = post(client, "/auth/logout")
    assert response.status_code == 302
    assert "auth.logout" in audit_actions()
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/").status_code == 302
    assert replay.get("/profile").location.startswith("/auth/login")


def test_remember_me_cookie_dies_on_sign_out(app, client, make_user):
    user = make_user("technician")
    sign_in(client, user.email, remember="y")
    remember = client.get_cookie("remember_token")
    assert remember is not None
    assert remember.http_only
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember.value)
    assert fresh.get("/").status_code == 200  # the cookie alone signs in
    post(client, "/auth/logout")
    later = app.test_client()
    later.set_cookie("remember_token", remember.value)
    assert later.get("/").status_code == 302


def test_tampered_session_cookie_is_treated_as_signed_out(client, make_user):
    user = make_user("technician")
    sign_in(client, user.email)
    value = client.get_cookie("session").value
    client.set_cookie("session", value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB"))
    response = client.get("/")
    assert response.status_code == 302
    assert response.location.startswith("/auth/login")


def test_deactivated_users_open_session_ends_on_next_request(client, make_user):
    user = make_user("technician")
    sign_in(client, user.email)
    assert client.get("/").status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_session_cookie_flags(client, make_user):
    user = make_user("technician")
    sign_in(client, user.email)
    cookie = client.get_cookie("session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_csrf_missing_or_wrong_gets_400_and_changes_nothing(client, make_user):
    user = make_user("technician")
    missing = client.post("/auth/login", data={"email": user.email, "password": DEMO_PASSWORD})
    wrong = client.post("/auth/login", data={"email": user.email, "password": DEMO_PASSWORD, "csrf_token": "forged"})
    for response in (missing, wrong):
        assert response.status_code == 400
        assert "security token" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    db.session.refresh(user)
    assert user.last_login_at is None


def test_signed_in_post_without_csrf_changes_nothing(client, make_user):
    user = make_user("technician", name="Before")
    sign_in(client, user.email)
    response = client.post("/profile", data={"profile-name": "After", "profile-timezone": "UTC"})
    assert response.status_code == 400
    db.session.refresh(user)
    assert user.name == "Before"


def test_login_page_redirects_a_signed_in_user(client, make_user):
    user = make_user("technician")
    sign_in(client, user.email)
    assert client.get("/auth/login?next=/profile").location == "/profile"


def test_login_form_tolerates_hostile_values(client):
    refused = "Invalid e-mail or password."
    cases = [
        ("", "This field is required.", False),
        ("x" * 5000, "Field cannot be longer than 254 characters.", False),
        ("' OR 1=1 --", refused, True),
        ("名前@例え.jp", refused, True),
        ("😀@example.com", refused, True),
        ("\u202eadmin@example.com", refused, True),
    ]
    for value, message, checked in cases:
        before = audit_actions("auth.")
        response = post(client, "/auth/login", {"email": value, "password": value or "p"})
        assert response.status_code == 200, value
        assert message in response.get_data(as_text=True), value
        assert audit_actions("auth.") == before + (["auth.login_failed"] if checked else []), value
    assert client.get("/").status_code == 302


def test_csrf_token_is_in_every_page(client):
    assert csrf_token(client, "/auth/login")
