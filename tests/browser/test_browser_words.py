"""Words and next steps in Chromium: a user's page with the hourly rate and history; empty lists say what to do."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cube.actors import SYSTEM
from cube.extensions import db
from cube.users import services as user_service
from tests.browser.conftest import ARTIFACTS


@pytest.mark.parametrize("width", [1366, 390])
def test_user_page_and_empty_lists(browser, live_server, make_account, make_user, submit_login, width):
    admin = make_account("admin", name="Ada Admin")
    tech = make_user("technician", name="Cy Doe", hourly_rate=Decimal("38.00"))
    data = user_service.UserData(
        email=tech.email, name=tech.name, role_id=tech.role_id, timezone=tech.timezone, hourly_rate=Decimal("41.50")
    )
    user_service.update_user(SYSTEM, tech, data)
    tech_id = tech.id
    db.session.commit()
    db.session.remove()

    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=live_server, is_mobile=width < 500)
    try:
        page = context.new_page()
        submit_login(page, admin.email, admin.password)
        page.goto(f"/users/{tech_id}")
        expect(page.get_by_test_id("hourly-rate")).to_have_text("41.50")
        expect(page.locator("table")).to_contain_text("Hourly rate: 38.00 → 41.50")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"words-user-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.goto("/work-orders?q=nothing")
        state = page.get_by_test_id("empty-state")
        expect(state).to_contain_text("No work orders match these filters")
        page.screenshot(path=str(ARTIFACTS / f"words-empty-work-orders-{width}.png"), full_page=True)
        state.get_by_role("link", name="Clear the filters").click()
        expect(page.get_by_test_id("empty-state")).to_contain_text("No work orders yet: create the first one.")
        page.get_by_test_id("empty-state").get_by_role("link", name="Create a work order").click()
        expect(page).to_have_url(f"{live_server}/work-orders/new")
        page.goto("/products")
        expect(page.get_by_test_id("empty-state")).to_contain_text("No products yet")
        page.screenshot(path=str(ARTIFACTS / f"words-empty-products-{width}.png"), full_page=True)
    finally:
        context.close()
