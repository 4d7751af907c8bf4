"""The audit log and the stock ledger in words, as an admin sees them in Chromium on a desktop and on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cube.actors import SYSTEM
from cube.extensions import db
from cube.products import inventory
from cube.users import roles as role_service
from cube.users import services as user_service
from cube.users import teams as team_service
from cube.workflow import settings as workflow
from tests.browser.conftest import ARTIFACTS
from tests.catalog_factories import make_location, make_product, stock

SHOTS = ARTIFACTS  # screenshots to look at (git-ignored)


@pytest.mark.parametrize("width", [1366, 390])
def test_the_audit_log_and_ledger_read_in_words(browser, live_server, make_account, submit_login, width):
    admin = make_account("admin", name="Ada Admin")
    technician = role_service.role_by_name("technician")
    person = user_service.create_user(
        SYSTEM, user_service.UserData(email="cy@example.com", name="Cy Doe", role_id=technician.id)
    )
    team_service.save_team(SYSTEM, None, team_service.TeamData(name="North", member_ids=(person.id,)))
    product, shelf = make_product("P-100", "Pump"), make_location("Stores")
    stock(product, shelf, "5")
    number = "WO-2026-000001"
    used = inventory.Movement(product.id, shelf.id, "2", reference=number, reason=f"Used on {number}")
    inventory.issue(SYSTEM, used)
    inventory.adjust(SYSTEM, inventory.Movement(product.id, shelf.id, "1", reason="count"), direction=-1)
    workflow.save_custom_field(SYSTEM, None, "pump_side", "Pump side", "text")
    db.session.commit()

    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=live_server, is_mobile=width < 500)
    try:
        page = context.new_page()
        submit_login(page, admin.email, admin.password)
        page.goto("/audit")
        expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
        table = page.locator("table")
        expect(table).to_contain_text("Custom field added")
        expect(table).to_contain_text("Members: Cy Doe")
        expect(table).to_contain_text("Signed in")
        assert "pump_side'" not in table.inner_text()
        assert "{" not in table.inner_text()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"audit-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.get_by_label("Show").select_option("stock")
        page.get_by_role("button", name="Filter").click()
        expect(page.locator("table")).to_contain_text("Stock adjusted")
        expect(page.locator("table")).not_to_contain_text("Signed in")
        page.goto(f"/stock/movements?product={product.id}")
        ledger = page.locator("table")
        expect(ledger).to_contain_text("Issued to a work order")
        expect(ledger).to_contain_text("Adjusted down")
        expect(ledger).to_contain_text("System")
        page.screenshot(path=str(SHOTS / f"ledger-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
