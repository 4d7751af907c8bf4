"""The work order pages on a 390 px phone: the list first (filters behind a button), cards, key facts first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page, expect

from cube.extensions import db
from tests.browser.conftest import ARTIFACTS, DEFAULT_TIMEOUT_MS
from tests.catalog_factories import make_location
from tests.support import DEMO_PASSWORD
from tests.workorder_factories import make_work_order

SHOTS = ARTIFACTS / "phones"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Iterator[Page]:
    """A page in a phone-sized, touch, mobile context."""
    context = browser.new_context(viewport=PHONE, base_url=live_server, is_mobile=True, has_touch=True)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context.new_page()
    context.close()


def sign_in(page: Page, email: str) -> None:
    """Sign in through the form."""
    page.goto("/auth/login")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def shoot(page: Page, name: str) -> None:
    """Screenshots at phone and desktop width (the page is left at phone width)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, label in ((DESKTOP, "1366"), (PHONE, "390")):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)


def no_sideways_scroll(page: Page) -> None:
    """The page itself never scrolls sideways at 390 px."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def inside_the_screen(page: Page, locator) -> None:  # type: ignore[no-untyped-def]
    """The element is shown and lies wholly within the phone's width."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0, box
    assert box["x"] + box["width"] <= PHONE["width"], box


def test_the_work_order_pages_on_a_phone(app, phone: Page, make_user):
    with app.app_context():
        supervisor = make_user("supervisor", name="Sam Supervisor")
        tech = make_user("technician", name="Tia Tech")
        plant = make_location("Plant 2")
        for number in range(5):
            make_work_order(supervisor, f"Inspect conveyor {number}", assignees=(tech,))
        pump = make_work_order(
            supervisor,
            "Pump 3 bearing noise with a long title that has to wrap on a phone screen",
            description="Loud grinding from the motor end.\n" * 12,
            assignees=(tech, supervisor),
            due_at=datetime(2026, 12, 3, 15, tzinfo=UTC),
            location_id=plant.id,
        )
        email, pump_id, pump_number = supervisor.email, pump.id, pump.number
        db.session.remove()

    sign_in(phone, email)
    phone.goto("/work-orders")
    # The first screen shows the list: the filters wait behind their button.
    expect(phone.get_by_label("Search", exact=True)).to_be_hidden()
    toggle = phone.get_by_test_id("filter-toggle")
    inside_the_screen(phone, toggle)
    expect(phone.get_by_test_id("work-order-table")).to_be_hidden()
    cards = phone.get_by_test_id("work-order-cards").locator("li")
    expect(cards).to_have_count(6)
    first = cards.first
    expect(first).to_be_in_viewport()
    assert first.bounding_box()["y"] + first.bounding_box()["height"] <= PHONE["height"]
    for index in range(6):  # every card shows its status, wholly on screen
        inside_the_screen(phone, cards.nth(index).get_by_test_id("card-status"))
    no_sideways_scroll(phone)
    # The board and calendar links stay on screen and work.
    inside_the_screen(phone, phone.get_by_test_id("board-link"))
    inside_the_screen(phone, phone.get_by_test_id("calendar-link"))
    shoot(phone, "list")

    # Filter from the phone: open the panel, search, and remove the filter by its chip.
    toggle.click()
    search = phone.get_by_label("Search", exact=True)
    expect(search).to_be_visible()
    no_sideways_scroll(phone)
    search.fill("pump")
    phone.get_by_role("button", name="Filter", exact=True).click()
    phone.wait_for_load_state()
    expect(phone.get_by_test_id("filter-count")).to_contain_text("1")
    expect(cards).to_have_count(1)
    chip = phone.get_by_role("link", name="Remove the filter Search: pump")
    inside_the_screen(phone, chip)
    no_sideways_scroll(phone)
    shoot(phone, "list-filtered")
    chip.click()
    phone.wait_for_load_state()
    expect(cards).to_have_count(6)
    expect(phone.get_by_test_id("filter-count")).to_have_count(0)

    # The detail page: status, next steps, assignees, due and location come before the description.
    phone.get_by_role("link", name=pump_number, exact=True).click()
    phone.wait_for_url(f"**/work-orders/{pump_id}")
    description = phone.get_by_role("heading", name="Description").bounding_box()
    facts = phone.locator("dl").first
    for element in (
        phone.get_by_test_id("work-order-status"),
        phone.get_by_role("heading", name="Next steps"),
        phone.get_by_test_id("assignees"),
        facts.locator("dt", has_text="Due"),
        facts.locator("dt", has_text="Location"),
    ):
        box = element.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= description["y"], element
    expect(phone.get_by_test_id("assignees")).to_be_in_viewport()
    no_sideways_scroll(phone)
    shoot(phone, "detail")

    # On a wide screen the facts sit to the right of the main column again.
    phone.set_viewport_size(DESKTOP)
    side = phone.get_by_test_id("assignees").bounding_box()
    main = phone.get_by_role("heading", name="Description").bounding_box()
    assert side["x"] > main["x"] + main["width"]
    phone.set_viewport_size(PHONE)

    # The board and calendar: filters collapsed too, nothing sideways on the page.
    for path, name in (("/work-orders/board?q=pump", "board"), ("/work-orders/calendar?q=pump", "calendar")):
        phone.goto(path)
        expect(phone.get_by_role("link", name="Remove the filter Search: pump")).to_be_visible()
        expect(phone.get_by_label("Search", exact=True)).to_be_hidden()
        shoot(phone, name)
        no_sideways_scroll(phone)


def test_the_list_on_a_phone_right_to_left(app, phone: Page, make_user):
    with app.app_context():
        supervisor = make_user("supervisor", name="Sam Supervisor", language="ar")
        make_work_order(supervisor, "Pump 3 bearing noise", assignees=(supervisor,))
        email = supervisor.email
        db.session.remove()
    sign_in(phone, email)
    phone.goto("/work-orders?q=pump")
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    card = phone.get_by_test_id("work-order-cards").locator("li").first
    inside_the_screen(phone, card.get_by_test_id("card-status"))
    chips = phone.get_by_test_id("filter-chips")
    inside_the_screen(phone, chips)
    # Right to left, the Filters button starts at the right edge.
    toggle = phone.get_by_test_id("filter-toggle").bounding_box()
    assert toggle["x"] + toggle["width"] > PHONE["width"] / 2
    no_sideways_scroll(phone)
    shoot(phone, "list-rtl")
