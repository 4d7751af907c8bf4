"""A technician uses a part in Chromium by typing part of its name; the place with the stock is chosen for them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from cube.extensions import db
from cube.models import PartUsage, User
from cube.products import inventory
from cube.workorders import part_picker
from tests.browser.conftest import ARTIFACTS
from tests.catalog_factories import make_location, make_product, stock
from tests.workorder_factories import make_work_order, move_to


def stocked_job(make_account) -> dict[str, object]:
    """A technician's work order in progress; a filter held in two places (most in the van), and a pump."""
    technician = make_account("technician", name="Tia Tech")
    tech = db.session.get(User, technician.id)
    work_order = make_work_order(tech, "Replace the AHU filters", assignees=(tech,))
    move_to(work_order, "In progress")
    air_filter = make_product("FLT-G4", "Air panel filter", unit_cost="12.40")
    make_product("PMP-7", "Circulation pump", unit_cost="80")
    stores, van = make_location("Stores"), make_location("Van 3")
    stock(air_filter, stores, "4")
    stock(air_filter, van, "12")
    ids = {"account": technician, "work_order": work_order.id, "filter": air_filter.id, "van": van.id}
    db.session.remove()
    return ids


def open_parts(page: Page, work_order_id: int) -> None:
    """Open the work order and unfold "Use a part from stock"."""
    page.goto(f"/work-orders/{work_order_id}")
    page.get_by_text("Use a part from stock").click()


def pick(page: Page, typed: str, option: str) -> None:
    """Type into the part picker and choose the option offered."""
    page.get_by_role("combobox", name="Part", exact=True).fill(typed)
    page.get_by_role("listbox", name="Part").get_by_role("option", name=option).click()


@pytest.mark.parametrize("width", [1366, 390])
def test_a_technician_uses_a_part_found_by_name(browser, live_server, make_account, submit_login, width):
    job = stocked_job(make_account)
    account = job["account"]
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=live_server, is_mobile=width < 500)
    try:
        page = context.new_page()
        submit_login(page, account.email, account.password)  # type: ignore[attr-defined]
        open_parts(page, job["work_order"])  # type: ignore[arg-type]
        expect(page.get_by_role("button", name="Show stock")).to_be_hidden()  # the picker does it as you choose
        pick(page, "panel", "FLT-G4 — Air panel filter")
        location = page.get_by_label("From location")
        expect(location).to_have_value(str(job["van"]))  # where the stock is
        expect(location.locator("option:checked")).to_have_text("Van 3 (12 each)")
        page.get_by_label("Quantity", exact=True).fill("13")
        page.get_by_role("button", name="Use part").click()
        page.wait_for_load_state()
        expect(page.get_by_text("Only 12 each of FLT-G4 on hand")).to_be_visible()
        expect(page.get_by_label("Quantity", exact=True)).to_have_value("13")  # kept
        expect(page.get_by_label("From location")).to_have_value(str(job["van"]))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.locator("#parts").screenshot(path=str(ARTIFACTS / f"parts-refused-{width}.png"))
        page.get_by_label("Quantity", exact=True).fill("3")
        page.get_by_role("button", name="Use part").click()
        page.wait_for_load_state()
        expect(page.get_by_text("3 × FLT-G4 used from Van 3.")).to_be_visible()
        expect(page.get_by_test_id("part-usages")).to_contain_text("Air panel filter")
        open_parts(page, job["work_order"])  # type: ignore[arg-type]
        page.get_by_role("combobox", name="Part", exact=True).fill("filt")
        offered = page.get_by_role("listbox", name="Part").get_by_role("option")
        expect(offered).to_have_text(["FLT-G4 — Air panel filter"])  # the pump does not match
        page.locator("#parts").screenshot(path=str(ARTIFACTS / f"parts-picker-{width}.png"))
        page.keyboard.press("Escape")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
    assert inventory.on_hand(job["filter"], job["van"]) == Decimal("9")  # type: ignore[arg-type]
    assert db.session.query(PartUsage).count() == 1


def test_a_large_catalog_is_searched_as_you_type(page, make_account, submit_login, monkeypatch):
    job = stocked_job(make_account)
    monkeypatch.setattr(part_picker, "LIST_LIMIT", 1)  # two active products: the picker asks the server
    account = job["account"]
    submit_login(page, account.email, account.password)  # type: ignore[attr-defined]
    open_parts(page, job["work_order"])  # type: ignore[arg-type]
    expect(page.get_by_label("Find a part by name or SKU")).to_be_hidden()
    with page.expect_response(lambda response: "/work-orders/parts/search?q=" in response.url):
        page.get_by_role("combobox", name="Part", exact=True).fill("circ")
    expect(
        page.get_by_role("listbox", name="Part").get_by_role("option", name="PMP-7 — Circulation pump")
    ).to_be_visible()
    expect(
        page.get_by_role("listbox", name="Part").get_by_role("option", name="FLT-G4 — Air panel filter")
    ).to_have_count(0)
    page.get_by_role("combobox", name="Part", exact=True).fill("")
    pick(page, "air", "FLT-G4 — Air panel filter")
    expect(page.get_by_label("From location")).to_have_value(str(job["van"]))
    page.get_by_label("Quantity", exact=True).fill("1")
    page.get_by_role("button", name="Use part").click()
    page.wait_for_load_state()
    expect(page.get_by_text("1 × FLT-G4 used from Van 3.")).to_be_visible()
    assert inventory.on_hand(job["filter"], job["van"]) == Decimal("11")  # type: ignore[arg-type]


def test_without_javascript_the_plain_select_and_show_stock_do_the_same(
    browser, live_server, make_account, submit_login
):
    job = stocked_job(make_account)
    account = job["account"]
    context = browser.new_context(
        viewport={"width": 390, "height": 900}, base_url=live_server, java_script_enabled=False
    )
    try:
        page = context.new_page()
        submit_login(page, account.email, account.password)  # type: ignore[attr-defined]
        open_parts(page, job["work_order"])  # type: ignore[arg-type]
        page.get_by_label("Part", exact=True).select_option(label="FLT-G4 — Air panel filter")
        page.get_by_role("button", name="Show stock").click()
        page.wait_for_load_state()
        expect(page.get_by_label("From location")).to_have_value(str(job["van"]))
        expect(page.get_by_test_id("part-stock")).to_contain_text("Van 3")
        page.locator("#parts").screenshot(path=str(ARTIFACTS / "parts-no-js-390.png"))
        page.get_by_label("Quantity", exact=True).fill("1")
        page.get_by_role("button", name="Use part").click()
        page.wait_for_load_state()
        expect(page.get_by_text("1 × FLT-G4 used from Van 3.")).to_be_visible()
    finally:
        context.close()
    assert inventory.on_hand(job["filter"], job["van"]) == Decimal("11")  # type: ignore[arg-type]
