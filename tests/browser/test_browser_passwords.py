"""E-mailed password links in a real browser: the invitation of a new user and a forgotten password.

The mails travel through the real SMTP server of the test session, and their
links point at the live server because BASE_URL says so (never the request's host).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from cube.extensions import db
from cube.models import AuditEvent, User

NEW_PASSWORD = "Brand-new-Passphrase-77"


@pytest.fixture(autouse=True)
def base_url_is_the_live_server(app: Flask, live_server: str) -> Iterator[None]:
    """Links in mails are built from BASE_URL: point it at the live server for these tests."""
    saved = app.config["BASE_URL"]
    app.config["BASE_URL"] = live_server
    yield
    app.config["BASE_URL"] = saved


def login_url(live_server: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(live_server)}/auth/login(\?.*)?$")


def choose_password(page, password: str) -> None:
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("Repeat new password", exact=True).fill(password)
    page.get_by_role("button", name="Save password").click()


def test_admin_invites_a_user_who_chooses_a_password_and_signs_in(
    app, live_server, page, new_context, make_account, submit_login, wait_for_mail
):
    admin = make_account("admin", name="Ada Admin")
    submit_login(page, admin.email, admin.password)
    page.wait_for_url(f"{live_server}/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    page.wait_for_url(f"{live_server}/users")
    page.get_by_role("link", name="Add user").click()
    page.wait_for_url(f"{live_server}/users/new")
    page.get_by_label("Name", exact=True).fill("Nina Newcomer")
    page.get_by_label("E-mail", exact=True).fill("nina@example.com")
    page.get_by_label("Role", exact=True).select_option(label="technician")
    invite = page.get_by_label("E-mail an invitation to choose a password")
    expect(invite).to_be_checked()
    page.get_by_role("button", name="Save", exact=True).click()

    page.wait_for_url(re.compile(rf"^{re.escape(live_server)}/users/\d+$"))
    expect(page.get_by_role("alert")).to_contain_text("Nina Newcomer was added. An invitation is on its way.")
    with app.app_context():
        nina = db.session.scalar(select(User).where(User.email == "nina@example.com"))
        assert nina is not None
        assert nina.name == "Nina Newcomer"
        assert nina.role.name == "technician"
        assert nina.password_hash is None
    mail = wait_for_mail("nina@example.com", "Your CUBE-PRO account")
    link = mail.link()
    assert link.startswith(f"{live_server}/auth/welcome/"), link

    # Nina, in her own browser.
    nina_page = new_context().new_page()
    nina_page.goto(link)
    expect(nina_page.get_by_role("heading", name="Welcome! Choose your password")).to_be_visible()
    choose_password(nina_page, NEW_PASSWORD)
    nina_page.wait_for_url(login_url(live_server))
    expect(nina_page.get_by_role("alert")).to_contain_text("Your password is saved. Sign in with it now.")

    response = submit_login(nina_page, "nina@example.com", NEW_PASSWORD)
    assert response.status == 302
    nina_page.wait_for_url(f"{live_server}/")
    expect(nina_page.get_by_role("heading", level=1)).to_have_text("Good to see you, Nina Newcomer")
    expect(nina_page.get_by_role("navigation", name="Main").get_by_role("button", name="Nina Newcomer")).to_be_visible()
    with app.app_context():
        nina = db.session.scalar(select(User).where(User.email == "nina@example.com"))
        assert nina.password_hash is not None
        assert nina.last_login_at is not None


def test_forgotten_password_round_trip(app, live_server, page, make_account, submit_login, wait_for_mail):
    account = make_account("technician", name="Tess Tech")

    page.goto("/auth/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url(f"{live_server}/auth/forgot")
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    page.get_by_label("E-mail", exact=True).fill(account.email)
    page.get_by_role("button", name="Send reset link").click()
    page.wait_for_url(login_url(live_server))
    expect(page.get_by_role("alert")).to_contain_text("If an account uses that address, a reset link is on its way.")

    mail = wait_for_mail(account.email, "Reset your CUBE-PRO password")
    link = mail.link()
    assert link.startswith(f"{live_server}/auth/reset/"), link
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    choose_password(page, NEW_PASSWORD)
    page.wait_for_url(login_url(live_server))
    expect(page.get_by_role("alert")).to_contain_text("Your password is saved. Sign in with it now.")

    response = submit_login(page, account.email, NEW_PASSWORD)
    assert response.status == 302
    page.wait_for_url(f"{live_server}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Tess Tech")
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Tess Tech").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(login_url(live_server))

    old = submit_login(page, account.email, account.password)
    assert old.status == 200
    expect(page.get_by_test_id("login-error")).to_have_text("Invalid e-mail or password.")
    expect(page).to_have_url(login_url(live_server))

    page.goto(link)  # the link works once
    page.wait_for_url(f"{live_server}/auth/forgot")
    expect(page.get_by_role("alert")).to_contain_text("This link is invalid, expired or already used.")
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == account.id)).all()
        assert "auth.reset_requested" in actions
        assert "auth.password_changed" in actions
