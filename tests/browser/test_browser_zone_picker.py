"""The time zone picker in Chromium: the device's zone is suggested first, and typing finds a zone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from cube.extensions import db
from cube.models import User
from tests.browser.conftest import ARTIFACTS, shoot_widths

SHOTS = ARTIFACTS / "screenshots"


@pytest.fixture
def in_zone(new_context: Callable[..., BrowserContext]) -> Callable[..., Page]:
    """Factory: a page whose device reports ``zone`` (and, if given, with JavaScript off)."""

    def factory(zone: str, *, javascript: bool = True) -> Page:
        options = {"viewport": {"width": 1366, "height": 900}, "timezone_id": zone, "java_script_enabled": javascript}
        return new_context(**options).new_page()

    return factory


def shoot(page: Page, name: str) -> Path:
    """Screenshots of the page at 1366 and 390 px (to look at; git-ignored)."""
    return shoot_widths(page, SHOTS, name)


def test_the_device_zone_is_suggested_and_a_typed_search_picks_a_zone(in_zone, make_account, submit_login):
    person = make_account("technician")
    page = in_zone("Asia/Tokyo")
    submit_login(page, person.email, person.password)
    page.goto("/profile")

    select = page.locator("#profile-timezone")
    first_group = select.locator("optgroup").first
    expect(first_group.locator("option").first).to_have_attribute("value", "Asia/Tokyo")  # moved to the top
    expect(first_group.locator("option").first).to_have_text("Asia/Tokyo (this device)")
    expect(select).to_have_value("UTC")  # marked, not chosen for the person

    page.locator(".ts-control").first.click()
    page.locator(".ts-control input").first.fill("new york")  # the whole text at once: typing races the filter
    # Wait until the list has been filtered for the whole text, so no late refresh reopens it after the choice.
    expect(page.locator(".ts-dropdown .option")).to_have_text(["America/New York"])
    shoot(page, "zone-picker-search")
    page.keyboard.press("Enter")  # takes the one zone left in the list
    page.get_by_role("heading", level=1).click()  # a click elsewhere, as a person would, leaves the picker
    expect(page.locator(".ts-dropdown").first).to_be_hidden()
    expect(page.locator("#profile-timezone")).to_have_value("America/New_York")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Profile saved.")).to_be_visible()
    assert db.session.scalar(select_zone(person.email)) == "America/New_York"
    db.session.remove()


def test_the_picker_works_without_javascript(in_zone, make_account, submit_login):
    person = make_account("technician")
    page = in_zone("Asia/Tokyo", javascript=False)
    submit_login(page, person.email, person.password)
    page.goto("/profile")
    page.locator("#profile-timezone").select_option("Europe/Lisbon")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_load_state()
    assert db.session.scalar(select_zone(person.email)) == "Europe/Lisbon"
    db.session.remove()


def test_screenshots_of_the_settings_and_the_user_form(in_zone, make_account, submit_login):
    admin = make_account("admin")
    page = in_zone("Europe/Berlin")
    submit_login(page, admin.email, admin.password)
    page.goto("/settings")
    expect(page.get_by_label("Date style")).to_have_value("iso")
    shoot(page, "site-settings")
    page.goto("/users/new")
    expect(page.locator("#timezone")).to_have_value("UTC")  # the site default, preselected
    shoot(page, "user-form")


def select_zone(email: str):
    """The query for the stored zone of the person with ``email``."""
    return select(User.timezone).where(User.email == email)


def test_the_picker_right_to_left(in_zone, make_account, submit_login):
    person = make_account("technician", language="ar")
    page = in_zone("Asia/Dubai")
    submit_login(page, person.email, person.password)
    page.goto("/profile")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator(".ts-control").first.click()
    expect(page.locator(".ts-dropdown .option").first).to_contain_text("Asia/Dubai")
    shoot(page, "zone-picker-ar")
