"""The daily paths of the people who use CUBE-PRO most, in Chromium: a supervisor assigns and watches
the board, a technician works the order (parts by name, a timer, a mention), and both on a phone.

Screenshots go to test-artifacts/daily/; `make screenshots` runs this walk with
CUBE_SCREENSHOTS=docs/screenshots, so the README shows these very pages.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import select

from cube.extensions import db
from cube.models import TimeLog, User, WorkOrder
from tests.browser.conftest import ARTIFACTS
from tests.catalog_factories import make_location, make_product, stock

SHOTS = Path(os.environ.get("CUBE_SCREENSHOTS") or ARTIFACTS / "daily")


def shoot(page: Page, name: str, *, width: int = 1366, full_page: bool = False) -> None:
    """A screenshot at ``width`` px, kept for the README when CUBE_SCREENSHOTS says where."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 860 if width > 500 else 844})
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def no_sideways_scroll(page: Page) -> None:
    """The page fits the phone: nothing sticks out to the side."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_supervisor_and_a_technician_on_their_daily_paths(
    app: Any, page: Page, new_context: Any, make_account: Any, make_team: Any, submit_login: Any
) -> None:
    supervisor = make_account("supervisor", name="Sam Supervisor")
    lena = make_account("technician", name="Lena Krause")
    make_account("requester", name="Riley Requester")  # may not do work: never offered
    with app.app_context():
        make_team(
            "Facilities",
            supervisor=db.session.get(User, supervisor.id),
            members=(db.session.get(User, supervisor.id), db.session.get(User, lena.id)),
        )
        filters = make_product("FLT-G4", "Air panel filter", unit_cost="6.50")
        stock(filters, make_location("Stores"), "4")
        stock(filters, make_location("Van 3"), "12")
        db.session.remove()

    # The supervisor creates the work and assigns Lena in one go: it lands in Assigned.
    submit_login(page, supervisor.email, supervisor.password)
    page.goto("/work-orders/new")
    page.get_by_label("Title").fill("AHU 3: replace the panel filters")
    page.get_by_label("Description").fill("Pressure drop over the filters is twice the limit.")
    picker = page.get_by_role("combobox", name="Assignees")
    picker.fill("len")
    offered = page.locator(".ts-dropdown").get_by_role("option")
    expect(offered).to_have_text(["Lena Krause"])  # the requester may not do work: never offered
    offered.first.click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Create work order").click()
    page.wait_for_load_state()
    expect(page.get_by_text(re.compile(r"moved to Assigned"))).to_be_visible()
    expect(page.get_by_test_id("work-order-status")).to_contain_text("Assigned")
    work_order_url = page.url
    shoot(page, "daily_supervisor_assigned", full_page=True)

    # The board: every open column on the screen, finished work folded with its count.
    page.goto("/work-orders/board")
    for column in page.locator("section.board-col:not(.board-col-folded)").all():
        box = column.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 1366
    shoot(page, "daily_board")

    # Checklist templates are in the supervisor's menu.
    page.goto("/")
    page.locator("header .dropdown-toggle").last.click()
    page.get_by_test_id("nav-checklists").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Checklist templates")

    # Lena starts the work, takes filters found by name from where the stock is, and mentions Sam.
    tech = new_context().new_page()
    submit_login(tech, lena.email, lena.password)
    tech.goto(work_order_url)
    tech.get_by_role("button", name="Start work").click()
    tech.wait_for_load_state()
    expect(tech.get_by_test_id("work-order-status")).to_contain_text("In progress")
    tech.get_by_text("Use a part from stock").click()
    tech.get_by_role("combobox", name="Part", exact=True).fill("panel")
    with tech.expect_response(lambda response: response.url.endswith("/stock")):  # the picker asks where the part is
        tech.get_by_role("listbox", name="Part").get_by_role("option", name="FLT-G4 — Air panel filter").click()
    expect(tech.get_by_label("From location").locator("option:checked")).to_contain_text("Van 3")
    tech.get_by_label("Quantity", exact=True).fill("2")
    tech.get_by_role("button", name="Use part").click()
    expect(tech.get_by_text("2 × FLT-G4 used from Van 3.")).to_be_visible()

    # A timer stopped at once logs nothing, and says so.
    tech.get_by_role("button", name="Start timer").click()
    tech.get_by_role("button", name="Stop timer").click()
    expect(tech.get_by_text("Timer stopped after less than a minute; nothing was logged.")).to_be_visible()

    tech.get_by_label("Add a comment").fill(f"@{supervisor.email} filters are in, the old ones are bagged.")
    tech.get_by_role("button", name="Post comment").click()
    tech.wait_for_load_state()
    shoot(tech, "daily_technician", full_page=True)

    # Lena may not open people's pages: the mention is Sam's name in bold; the supervisor gets a link.
    expect(tech.get_by_role("link", name="Sam Supervisor")).to_have_count(0)
    expect(tech.locator("strong", has_text="Sam Supervisor").first).to_be_visible()
    page.goto(work_order_url)
    expect(page.get_by_role("link", name="Sam Supervisor").first).to_be_visible()

    # On a phone: the list shows cards with folded filters, the detail page its key facts first.
    phone = new_context().new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    submit_login(phone, supervisor.email, supervisor.password)
    phone.goto("/work-orders")
    expect(phone.get_by_test_id("filter-toggle")).to_be_visible()
    expect(phone.get_by_test_id("filter-panel").locator("form")).to_be_hidden()
    no_sideways_scroll(phone)
    shoot(phone, "daily_phone_list", width=390)
    phone.goto(work_order_url)
    status = phone.get_by_test_id("work-order-status").bounding_box()
    description = phone.get_by_role("heading", name="Description").bounding_box()
    assert status is not None
    assert description is not None
    assert status["y"] < description["y"]
    no_sideways_scroll(phone)
    shoot(phone, "daily_phone_work_order", width=390)

    with app.app_context():
        work_order = db.session.scalar(select(WorkOrder).where(WorkOrder.title.like("AHU 3%")))
        assert work_order.status.name == "In progress"
        assert [person.name for person in work_order.assignees] == ["Lena Krause"]
        assert db.session.scalar(select(TimeLog).where(TimeLog.work_order_id == work_order.id)) is None
