"""Hostile-probe findings on sign-in (issue 8): lockout enumeration and denial (5), timing (6),
remember-me cookies aged on the server (9), CSRF token rotated at sign-in (12)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from cube.auth import services as auth
from cube.extensions import db
from cube.models import AuditEvent, User, utcnow
from cube.models.user import SignInThrottle
from cube.users import services as user_service
from tests.support import DEMO_PASSWORD, count, csrf_token, post, sign_in

WRONG = "wrong-password-xyz"
# Same length, so pages that echo the address are the same size.
KNOWN = "known-user@example.com"
UNKNOWN = "noone-user@example.com"
UNLOCK_LINK = re.compile(r"(https?://\S+/auth/unlock/\S+)")


def client_at(app: Flask, address: str) -> FlaskClient:
    """A test client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def comparable(response) -> tuple[int, str, dict[str, str]]:
    """Status, error text and headers of a sign-in answer, minus what differs on every request."""
    page = response.get_data(as_text=True)
    error = re.search(r'data-testid="login-error"[^>]*>(.*?)<', page, re.S)
    varying = {"Set-Cookie", "Date", "Retry-After", "X-RateLimit-Reset"}  # a clock tick apart
    headers = {k: v for k, v in response.headers.items() if k not in varying}
    return response.status_code, (error.group(1).strip() if error else ""), headers


class Clock:
    """The sign-in service's clock, stopped; tests move it on by hand."""

    def __init__(self) -> None:
        self.now = utcnow()

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    stopped = Clock()
    monkeypatch.setattr(auth, "utcnow", lambda: stopped.now)
    return stopped


@pytest.fixture
def brake_after_three(app: Flask, clock: Clock) -> Iterator[Clock]:
    """An account-wide brake that starts after three failures (the default is twenty), on a stopped clock."""
    app.config["LOGIN_BRAKE_AFTER"] = 3
    yield clock
    app.config["LOGIN_BRAKE_AFTER"] = 20


def brake_wait(response) -> int:
    """The seconds the brake asks to wait (Retry-After may say longer: the per-address limit's window)."""
    found = re.search(r"Try again in (\d+) seconds?", response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) >= int(found.group(1))
    return int(found.group(1))


def brake(app: Flask, clock: Clock, email: str, failures: int) -> list[int]:
    """``failures`` wrong passwords for ``email``, each from a new address, waiting out the brake; the waits."""
    waits = []
    for n in range(failures):
        response = sign_in(client_at(app, f"203.0.113.{n + 1}"), email, WRONG)
        if response.status_code == 429:
            waits.append(brake_wait(response))
            clock.advance(waits[-1])
            response = sign_in(client_at(app, f"203.0.113.{n + 1}"), email, WRONG)
        assert response.status_code == 200, n
    return waits


# Finding 5: answers do not reveal accounts; lockout hurts the attacker, not the owner.


def test_known_and_unknown_addresses_answer_alike_after_any_number_of_failures(app, make_user):
    make_user("technician", email=KNOWN)
    known, unknown = client_at(app, "203.0.113.10"), client_at(app, "203.0.113.11")
    for attempt in range(1, 8):
        a, b = sign_in(known, KNOWN, WRONG), sign_in(unknown, UNKNOWN, WRONG)
        assert comparable(a) == comparable(b), f"attempt {attempt}"
        assert ("Retry-After" in a.headers) == ("Retry-After" in b.headers)
        if "Retry-After" in a.headers:
            assert abs(int(a.headers["Retry-After"]) - int(b.headers["Retry-After"])) <= 1
    assert a.status_code == 429  # both are now locked out at this address, alike
    assert "Too many failed sign-in attempts" in comparable(a)[1]


def test_a_locked_out_address_does_not_lock_the_owner_out(app, make_user):
    user = make_user("admin", email=KNOWN)  # the last admin: nobody may lock them out
    attacker, owner = client_at(app, "203.0.113.66"), client_at(app, "198.51.100.7")
    for _ in range(5):
        assert sign_in(attacker, KNOWN, WRONG).status_code == 200
    assert sign_in(attacker, KNOWN, DEMO_PASSWORD).status_code == 429  # the attacker's address waits

    assert sign_in(owner, KNOWN, DEMO_PASSWORD).status_code == 302
    assert owner.get("/").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is not None
    rows = {row.client_address: row for row in db.session.scalars(select(SignInThrottle))}
    assert set(rows) == {"203.0.113.66"}  # the owner's success cleared the brake, not the attacker's lock
    assert rows["203.0.113.66"].blocked_until is not None


def test_throttle_rows_never_hold_the_typed_address(app, make_user):
    sign_in(client_at(app, "203.0.113.10"), UNKNOWN, WRONG)
    keys = list(db.session.scalars(select(SignInThrottle.account_key)))
    assert keys
    assert all(UNKNOWN not in key and len(key) == 64 for key in keys)


def test_account_wide_brake_slows_everyone_alike_and_mails_the_owner_an_unlock_link(
    app, make_user, outbox, brake_after_three
):
    clock = brake_after_three
    make_user("technician", email=KNOWN)
    # Six failures, each from a new address: no address is locked out, but each try after the third waits longer.
    assert brake(app, clock, KNOWN, 6) == [1, 2, 4]
    braked = sign_in(client_at(app, "198.51.100.50"), KNOWN, DEMO_PASSWORD)  # even the owner's right password
    assert brake(app, clock, UNKNOWN, 6) == [1, 2, 4]
    braked_unknown = sign_in(client_at(app, "198.51.100.51"), UNKNOWN, DEMO_PASSWORD)

    assert braked.status_code == braked_unknown.status_code == 429
    assert comparable(braked) == comparable(braked_unknown)
    assert brake_wait(braked) == brake_wait(braked_unknown) == 8
    assert comparable(braked)[1] == "Too many failed sign-in attempts for this account. Try again in 8 seconds."
    mails = [m for m in outbox if m.subject == "Sign-in attempts on your CUBE-PRO account"]
    assert [m.recipients for m in mails] == [[KNOWN]]  # once, to the owner; nothing for the unknown address
    assert count(AuditEvent, action="auth.unlock_sent") == 1


def test_the_brake_never_waits_longer_than_its_maximum(app, make_user, brake_after_three):
    app.config["LOGIN_BRAKE_MAX_SECONDS"] = 5
    try:
        assert brake(app, brake_after_three, UNKNOWN, 8) == [1, 2, 4, 5, 5]
    finally:
        app.config["LOGIN_BRAKE_MAX_SECONDS"] = 60


def test_the_unlock_link_lets_the_owners_browser_past_the_brake_once(app, make_user, outbox, brake_after_three):
    user = make_user("technician", email=KNOWN)
    brake(app, brake_after_three, KNOWN, 5)
    link = UNLOCK_LINK.search(outbox[-1].text).group(1)
    assert link.startswith("http://localhost/auth/unlock/")
    path = link.removeprefix("http://localhost")
    owner = client_at(app, "198.51.100.7")

    assert owner.get(path).status_code == 200  # a page with a button: mail scanners do not use it up
    assert sign_in(owner, KNOWN, DEMO_PASSWORD).status_code == 429
    opened = post(owner, path)
    assert opened.status_code == 302
    assert sign_in(owner, KNOWN, DEMO_PASSWORD).status_code == 302
    assert owner.get("/").status_code == 200

    again = client_at(app, "198.51.100.8")
    assert again.get(path).status_code == 302  # used once: dead
    assert post(again, path).status_code == 302
    db.session.expire_all()
    assert count(AuditEvent, action="auth.unlocked") == 1
    assert db.session.get(User, user.id).last_login_at is not None


def test_the_brake_lets_through_a_browser_that_used_the_unlock_link_even_while_braked(
    app, make_user, outbox, brake_after_three
):
    make_user("technician", email=KNOWN)
    brake(app, brake_after_three, KNOWN, 5)
    path = UNLOCK_LINK.search(outbox[-1].text).group(1).removeprefix("http://localhost")
    owner = client_at(app, "198.51.100.7")
    post(owner, path)
    brake(app, brake_after_three, KNOWN, 5)  # the attack goes on: the account is braked again
    assert sign_in(client_at(app, "198.51.100.9"), KNOWN, DEMO_PASSWORD).status_code == 429
    assert sign_in(owner, KNOWN, DEMO_PASSWORD).status_code == 302


def test_a_browser_that_signed_in_before_is_not_braked(app, make_user, brake_after_three):
    make_user("technician", email=KNOWN)
    owner = client_at(app, "198.51.100.7")
    assert sign_in(owner, KNOWN, DEMO_PASSWORD).status_code == 302
    post(owner, "/auth/logout")
    brake(app, brake_after_three, KNOWN, 5)
    assert sign_in(client_at(app, "198.51.100.9"), KNOWN, DEMO_PASSWORD).status_code == 429
    assert sign_in(owner, KNOWN, DEMO_PASSWORD).status_code == 302


def test_a_device_pass_is_for_one_account_only(app, make_user, brake_after_three):
    make_user("technician", email=KNOWN)
    other = make_user("technician")
    browser = client_at(app, "198.51.100.7")
    assert sign_in(browser, other.email, DEMO_PASSWORD).status_code == 302
    post(browser, "/auth/logout")
    brake(app, brake_after_three, KNOWN, 5)
    assert sign_in(browser, KNOWN, DEMO_PASSWORD).status_code == 429


def test_reactivating_a_user_forgets_their_failures(app, make_user):
    admin = make_user("admin")
    user = make_user("technician", email=KNOWN)
    for _ in range(5):
        sign_in(client_at(app, "203.0.113.66"), KNOWN, WRONG)
    user_service.deactivate_user(admin, user)
    user_service.reactivate_user(admin, user)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SignInThrottle)) == 0
    assert sign_in(client_at(app, "203.0.113.66"), KNOWN, DEMO_PASSWORD).status_code == 302


# Finding 6: every failed sign-in costs exactly one password hash check.


@pytest.fixture
def hash_checks(monkeypatch) -> list[str]:
    """Each call to the hash check made by the sign-in service."""
    calls: list[str] = []
    real = auth.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        calls.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(auth, "check_password_hash", counting)
    return calls


@pytest.mark.parametrize("case", ["unknown", "inactive", "no password", "wrong password", "locked out", "right"])
def test_every_sign_in_costs_exactly_one_hash_check(app, make_user, hash_checks, case):
    user = make_user("technician", email=KNOWN, password=None if case == "no password" else DEMO_PASSWORD)
    client = client_at(app, "203.0.113.10")
    if case == "inactive":
        user.active = False
        db.session.commit()
    if case == "locked out":
        for _ in range(5):
            sign_in(client, KNOWN, WRONG)
    hash_checks.clear()
    email = UNKNOWN if case == "unknown" else KNOWN
    password = WRONG if case == "wrong password" else DEMO_PASSWORD
    response = sign_in(client, email, password)
    assert response.status_code == {"right": 302, "locked out": 429}.get(case, 200)
    assert len(hash_checks) == 1, case


def test_the_dummy_hash_uses_the_configured_method(app, make_user, hash_checks):
    user = make_user("technician", email=KNOWN)
    sign_in(client_at(app, "203.0.113.10"), UNKNOWN, WRONG)
    sign_in(client_at(app, "203.0.113.10"), KNOWN, WRONG)
    method = app.config["PASSWORD_HASH_METHOD"].split(":")[:2]
    assert [checked.split("$")[0].split(":")[:2] for checked in hash_checks] == [method, method]
    assert hash_checks[1] == user.password_hash


# Finding 9: a remember-me cookie older than REMEMBER_COOKIE_DURATION is refused by the server.


@pytest.fixture
def remember_cookie(app, make_user) -> str:
    """The remember-me cookie of a fresh sign-in."""
    user = make_user("technician")
    client = app.test_client()
    assert sign_in(client, user.email, remember="y").status_code == 302
    return client.get_cookie("remember_token").value


def move_clock(monkeypatch, seconds: float) -> None:
    """Move the process clock (time.time) forward."""
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + seconds)


def test_remember_cookie_within_its_days_signs_in(app, remember_cookie, monkeypatch):
    move_clock(monkeypatch, 13 * 86400)
    browser = app.test_client()
    browser.set_cookie("remember_token", remember_cookie)
    assert browser.get("/").status_code == 200


def test_remember_cookie_past_its_days_is_refused(app, remember_cookie, monkeypatch):
    assert app.config["REMEMBER_COOKIE_DURATION"].days == 14
    move_clock(monkeypatch, 14 * 86400 + 5)
    browser = app.test_client()
    browser.set_cookie("remember_token", remember_cookie)
    response = browser.get("/")
    assert response.status_code == 302
    assert response.location.startswith("/auth/login")


def test_a_session_id_without_its_sign_in_time_is_refused(app, make_user):
    user = make_user("technician")
    from cube.sessions import user_from_session_id

    assert user_from_session_id(user.sign_in_id()) is not None
    assert user_from_session_id(user.get_id()) is None  # the old form, which never expired
    assert user_from_session_id(f"{user.get_id()}:{int(time.time()) + 3600}") is None  # from the future


# Finding 12: the CSRF token is rotated at sign-in.


def test_csrf_token_is_rotated_at_sign_in(client, make_user):
    user = make_user("technician")
    before = csrf_token(client, "/auth/login")
    with client.session_transaction() as session:
        raw_before = session["csrf_token"]
    response = client.post("/auth/login", data={"csrf_token": before, "email": user.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert session.get("csrf_token") != raw_before
    after = csrf_token(client, "/profile")
    with client.session_transaction() as session:
        assert session["csrf_token"] != raw_before

    stale = client.post("/auth/logout", data={"csrf_token": before})
    assert stale.status_code == 400  # the token from before sign-in no longer validates
    assert client.get("/").status_code == 200  # still signed in
    assert client.post("/auth/logout", data={"csrf_token": after}).status_code == 302
    assert client.get("/").status_code == 302
