"""Signing in and out in a real browser: dashboard, wrong password, lockout, unlock link, session rotation."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from cube.auth import services as auth
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.models import AuditEvent, User, utcnow
from cube.models.user import SignInThrottle

WRONG_PASSWORD = "not-the-right-password-1"


def login_url(live_server: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(live_server)}/auth/login(\?.*)?$")


def test_sign_in_with_the_right_password_lands_on_the_dashboard(app, live_server, page, make_account, submit_login):
    account = make_account("technician", name="Tess Tech")

    response = submit_login(page, account.email, account.password)

    assert response.status == 302
    page.wait_for_url(f"{live_server}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Tess Tech")
    expect(page.get_by_role("navigation", name="Main").get_by_role("button", name="Tess Tech")).to_be_visible()
    with app.app_context():
        user = db.session.get(User, account.id)
        assert user.last_login_at is not None
        assert db.session.scalars(select(SignInThrottle)).all() == []


def test_wrong_password_is_refused_and_stays_on_the_login_page(app, live_server, page, make_account, submit_login):
    account = make_account("technician", name="Tess Tech")

    response = submit_login(page, account.email, WRONG_PASSWORD)

    assert response.status == 200
    expect(page).to_have_url(login_url(live_server))
    expect(page.get_by_test_id("login-error")).to_have_text("Invalid e-mail or password.")
    expect(page.get_by_role("heading", name="Sign in to CUBE-PRO")).to_be_visible()
    expect(page.get_by_text("Tess Tech")).to_have_count(0)
    page.goto("/")
    expect(page).to_have_url(login_url(live_server))  # still signed out
    with app.app_context():
        counts = {row.client_address: row.failures for row in db.session.scalars(select(SignInThrottle))}
        assert counts == {"127.0.0.1": 1, SignInThrottle.ACCOUNT_WIDE: 1}


def test_five_wrong_passwords_lock_this_address_out(app, live_server, page, make_account, submit_login):
    account = make_account("technician")

    for attempt in range(1, 6):
        response = submit_login(page, account.email, WRONG_PASSWORD)
        assert response.status == 200, f"attempt {attempt}"
        expect(page.get_by_test_id("login-error")).to_have_text("Invalid e-mail or password.")

    locked = submit_login(page, account.email, account.password)  # even the right password is refused now

    assert locked.status == 429
    retry_after = int(locked.headers["retry-after"])
    assert 14 * 60 < retry_after <= 15 * 60
    expect(page).to_have_url(login_url(live_server))
    expect(page.get_by_test_id("login-error")).to_contain_text("Too many failed sign-in attempts")
    page.goto("/")
    expect(page).to_have_url(login_url(live_server))
    with app.app_context():
        locks = db.session.scalars(select(SignInThrottle).where(SignInThrottle.client_address == "127.0.0.1")).all()
        assert len(locks) == 1
        assert locks[0].blocked_until is not None
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == account.id)).all()
        assert "auth.lockout" in actions
        assert "auth.login" not in actions


def test_sign_out_rotates_the_session_token(app, live_server, page, new_context, make_account, submit_login):
    account = make_account("technician", name="Tess Tech")
    submit_login(page, account.email, account.password)
    page.wait_for_url(f"{live_server}/")
    old_cookies = [c for c in page.context.cookies() if c["name"] == "session"]
    assert old_cookies, page.context.cookies()
    with app.app_context():
        token_before = db.session.get(User, account.id).session_token

    # Control: the copied cookie works in another browser while the session is alive.
    copy = new_context()
    copy.add_cookies(old_cookies)
    copy_page = copy.new_page()
    copy_page.goto("/")
    expect(copy_page.get_by_role("heading", level=1)).to_have_text("Good to see you, Tess Tech")
    copy.close()

    page.get_by_role("navigation", name="Main").get_by_role("button", name="Tess Tech").click()
    page.get_by_role("button", name="Sign out").click()

    page.wait_for_url(login_url(live_server))
    expect(page.get_by_role("alert")).to_contain_text("You have been signed out.")
    expect(page.get_by_role("heading", name="Sign in to CUBE-PRO")).to_be_visible()
    with app.app_context():
        assert db.session.get(User, account.id).session_token != token_before

    replay = new_context()
    replay.add_cookies(old_cookies)
    replay_page = replay.new_page()
    replay_page.goto("/")
    expect(replay_page).to_have_url(login_url(live_server))
    expect(replay_page.get_by_role("heading", name="Sign in to CUBE-PRO")).to_be_visible()
    expect(replay_page.get_by_text("Tess Tech")).to_have_count(0)


def test_the_owner_unlocks_a_braked_account_from_the_mailed_link(
    app, live_server, page, make_account, submit_login, wait_for_mail
):
    account = make_account("technician", name="Tess Tech")
    saved = app.config["BASE_URL"], app.config["LOGIN_BRAKE_AFTER"]
    app.config["BASE_URL"], app.config["LOGIN_BRAKE_AFTER"] = live_server, 3
    try:
        with app.test_request_context():  # an attack from three addresses starts the account-wide brake
            for n in range(3):
                try:
                    auth.authenticate(account.email, WRONG_PASSWORD, address=f"203.0.113.{n + 1}")
                except ValidationFailed:
                    db.session.commit()
            brake = db.session.scalar(
                select(SignInThrottle).where(SignInThrottle.client_address == SignInThrottle.ACCOUNT_WIDE)
            )
            brake.blocked_until = utcnow() + timedelta(minutes=1)  # as after a few more tries
            db.session.commit()
        mail = wait_for_mail(account.email, "Sign-in attempts on your CUBE-PRO account")

        braked = submit_login(page, account.email, account.password)
        assert braked.status == 429
        expect(page.get_by_test_id("login-error")).to_contain_text("Too many failed sign-in attempts for this account")

        link = re.search(r"(https?://\S+/auth/unlock/\S+)", mail.text).group(1)
        assert link.startswith(f"{live_server}/auth/unlock/")
        page.goto(link)
        expect(page.get_by_role("heading", name="Open sign-in for this browser")).to_be_visible()
        page.get_by_role("button", name="Open sign-in for this browser").click()
        page.wait_for_url(login_url(live_server))
        expect(page.get_by_role("alert")).to_contain_text("Sign-in is open again for this browser.")

        response = submit_login(page, account.email, account.password)
        assert response.status == 302
        page.wait_for_url(f"{live_server}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Tess Tech")
        with app.app_context():
            actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == account.id)).all()
            assert actions.count("auth.unlock_sent") == 1
            assert "auth.unlocked" in actions
    finally:
        app.config["BASE_URL"], app.config["LOGIN_BRAKE_AFTER"] = saved
