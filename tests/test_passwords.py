"""Password policy, change, forgotten-password e-mails and their tokens."""

from __future__ import annotations

import time

import pytest
from itsdangerous import URLSafeTimedSerializer

from cube.auth import services as auth
from cube.extensions import db
from cube.models import User
from tests.support import DEMO_PASSWORD, post, sign_in


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-pass1", "at least 12"),
        ("someone@example.com", "e-mail"),
        ("SOMEONE@example.com", "e-mail"),
        ("password1234", "too common"),
        ("Qwertyuiop123", "too common"),
        ("x" * 300, "at most"),
    ],
)
def test_password_rules(app, password, problem):
    with app.test_request_context():
        problems = auth.password_problems(password, "someone@example.com")
    assert any(problem in p for p in problems), problems


def test_good_password_passes(app):
    with app.test_request_context():
        assert auth.password_problems("purple-Lantern-ride-42", "someone@example.com") == []


def test_password_is_stored_hashed(make_user):
    user = make_user("technician")
    assert user.password_hash
    assert DEMO_PASSWORD not in user.password_hash


def test_forgot_password_sends_a_link_that_works_once(client, make_user, outbox):
    user = make_user("technician")
    response = post(client, "/auth/forgot", {"email": user.email.upper()})
    assert response.status_code == 302
    assert len(outbox) == 1
    mail = outbox[0]
    assert mail.recipients == [user.email]
    assert "Reset your CUBE-PRO password" in mail.subject
    link = mail.link().replace("http://localhost", "")
    form = client.get(link)
    assert form.status_code == 200
    new = "a-brand-new-Passphrase-7"
    done = post(client, link, {"password": new, "confirm": new})
    assert done.status_code == 302
    assert sign_in(client, user.email, DEMO_PASSWORD).status_code == 200  # old password refused
    assert sign_in(client, user.email, new).status_code == 302
    again = client.get(link)
    assert again.status_code == 302
    assert again.location.endswith("/auth/forgot")


def test_forgot_password_says_the_same_for_unknown_addresses(client, outbox):
    response = post(client, "/auth/forgot", {"email": "nobody@example.com"}, follow_redirects=True)
    assert "If an account uses that address" in response.get_data(as_text=True)
    assert outbox == []


def test_forgot_password_rejects_garbage_email(client, outbox):
    response = post(client, "/auth/forgot", {"email": "not an address"})
    assert response.status_code == 200
    assert "Invalid email address" in response.get_data(as_text=True)
    assert outbox == []


def test_reset_token_dies_when_the_password_changes(app, make_user):
    user = make_user("technician")
    with app.test_request_context():
        token = auth.make_token(user)
        assert auth.user_for_token(token) is not None
        auth.set_password(user, "another-Long-passphrase-1", actor=user, reason="test")
        db.session.commit()
        assert auth.user_for_token(token) is None


def test_reset_token_expires_after_an_hour(app, make_user, monkeypatch):
    user = make_user("technician")
    with app.test_request_context():
        token = auth.make_token(user)
        real = time.time
        monkeypatch.setattr("itsdangerous.timed.time.time", lambda: real() + 3601)
        assert auth.user_for_token(token) is None


def test_tampered_or_foreign_tokens_are_refused(app, make_user):
    user = make_user("technician")
    with app.test_request_context():
        token = auth.make_token(user)
        assert auth.user_for_token(token[:-2] + "xx") is None
        assert auth.user_for_token(auth.make_token(user, auth.INVITE), auth.RESET) is None
        forged = URLSafeTimedSerializer("another-secret", salt="cube.password-reset").dumps({"uid": user.id})
        assert auth.user_for_token(forged) is None


def test_reset_rejects_weak_password_and_keeps_the_old_one(client, make_user, outbox):
    user = make_user("technician")
    post(client, "/auth/forgot", {"email": user.email})
    link = outbox[0].link().replace("http://localhost", "")
    response = post(client, link, {"password": "password1234", "confirm": "password1234"})
    assert response.status_code == 200
    assert "too common" in response.get_data(as_text=True)
    assert sign_in(client, user.email).status_code == 302


def test_change_password_needs_the_current_one(client, make_user):
    user = make_user("technician")
    sign_in(client, user.email)
    new = "fresh-Passphrase-for-me-2"
    wrong = post(
        client,
        "/profile/password",
        {"password-current_password": "not-it-at-all", "password-password": new, "password-confirm": new},
    )
    assert wrong.status_code == 422
    assert "current password is not correct" in wrong.get_data(as_text=True)
    ok = post(
        client,
        "/profile/password",
        {"password-current_password": DEMO_PASSWORD, "password-password": new, "password-confirm": new},
    )
    assert ok.status_code == 302
    db.session.refresh(user)
    assert auth.check_password_hash(user.password_hash, new)


def test_change_password_ends_other_sessions_but_keeps_this_one(app, client, make_user):
    user = make_user("technician")
    other = app.test_client()
    sign_in(other, user.email)
    sign_in(client, user.email)
    new = "fresh-Passphrase-for-me-2"
    post(
        client,
        "/profile/password",
        {"password-current_password": DEMO_PASSWORD, "password-password": new, "password-confirm": new},
    )
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302


def test_change_password_rejects_mismatch_and_rules(client, make_user):
    user = make_user("technician")
    sign_in(client, user.email)
    mismatch = post(
        client,
        "/profile/password",
        {"password-current_password": DEMO_PASSWORD, "password-password": "aaa-Long-phrase-1", "password-confirm": "x"},
    )
    assert "do not match" in mismatch.get_data(as_text=True)
    rule = post(
        client,
        "/profile/password",
        {"password-current_password": DEMO_PASSWORD, "password-password": user.email, "password-confirm": user.email},
    )
    assert "must not be your e-mail" in rule.get_data(as_text=True)
    db.session.expire_all()
    assert auth.check_password_hash(db.session.get(User, user.id).password_hash, DEMO_PASSWORD)


def test_mail_is_not_sent_when_the_transaction_rolls_back(app, make_user, outbox):
    user = make_user("technician")
    with app.test_request_context():
        auth.send_reset_email(user, actor=None)
        db.session.rollback()
        db.session.commit()
    assert outbox == []


def test_forgot_password_is_rate_limited(app, client, make_user):
    app.config["PASSWORD_RESET_RATE_LIMIT"] = "2 per minute"
    try:
        codes = [post(client, "/auth/forgot", {"email": "x@example.com"}).status_code for _ in range(3)]
    finally:
        app.config["PASSWORD_RESET_RATE_LIMIT"] = "5 per 15 minutes"
    assert codes == [302, 302, 429]


def test_mail_waits_for_the_outer_commit_not_a_savepoint(app, make_user, outbox):
    user = make_user("technician")
    with app.test_request_context():
        auth.send_reset_email(user, actor=None)
        with db.session.begin_nested():  # e.g. numbering or stock use a savepoint
            pass
        assert outbox == []
        db.session.rollback()
    assert outbox == []
