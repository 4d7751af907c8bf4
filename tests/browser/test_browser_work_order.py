"""A work order's whole life in a real browser, from creation to the closed PDF."""

from __future__ import annotations

import re
from io import BytesIO

from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from cube.extensions import db
from cube.models import PartUsage, TimeLog, WorkOrder
from cube.products import inventory
from tests.catalog_factories import make_location, make_product, stock


def act(page: Page, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def test_supervisor_and_technician_take_a_work_order_from_new_to_closed(
    app, live_server, page, new_context, make_account, submit_login
):
    with app.app_context():
        product = make_product("BRG-6204", "Ball bearing 6204", unit_cost="4.20")
        shelf = make_location("Van stock")
        stock(product, shelf, "10")
        product_id, shelf_id = product.id, shelf.id
        db.session.remove()
    technician = make_account("technician", name="Tia Tech")
    supervisor = make_account("supervisor", name="Sol Supervisor")

    # The supervisor opens the work order and assigns the technician.
    submit_login(page, supervisor.email, supervisor.password)
    page.goto("/work-orders/new")
    page.get_by_label("Title").fill("Pump 3 bearing noise")
    page.get_by_label("Description").fill("Loud grinding from the motor end.")
    page.get_by_role("combobox", name="Assignees").fill("Tia")  # the searchable picker (js/pickers.js)
    page.get_by_role("listbox", name="Assignees").get_by_role("option", name="Tia Tech").click()
    page.get_by_role("button", name="Create work order").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pump 3 bearing noise")
    number = page.get_by_role("heading", level=1).locator("span").inner_text()
    assert re.fullmatch(r"WO-\d{4}-\d{6}", number)
    page.get_by_text("Add a check").click()
    page.get_by_label("Check", exact=True).fill("Bearing play within limits")
    page.get_by_label("Required").check()
    expect(page.get_by_text(f"{number} created, assigned to Tia Tech and moved to Assigned.")).to_be_visible()
    act(page, "Add check")
    expect(page.get_by_test_id("work-order-status")).to_contain_text("Assigned")  # assigning took Approve too

    # The technician works it.
    tech = new_context().new_page()
    submit_login(tech, technician.email, technician.password)
    tech.goto("/work-orders?view=my")
    tech.get_by_test_id("quick-actions").get_by_role("button", name="Start work").click()  # straight from My work
    tech.wait_for_load_state()
    expect(tech.get_by_text(f"{number} is now In progress")).to_be_visible()
    tech.get_by_test_id("work-order-table").get_by_role("link", name=number).click()
    expect(tech.get_by_test_id("work-order-status")).to_contain_text("In progress")
    act(tech, "Complete")  # refused: the required check is unanswered
    expect(tech.get_by_text(re.compile("required checklist item"))).to_be_visible()
    expect(tech.get_by_test_id("work-order-status")).to_contain_text("In progress")
    tech.get_by_text("Log time by hand").click()
    tech.get_by_label("Started").fill("2026-01-05T08:00")
    tech.get_by_label("Hours").fill("1.5")
    act(tech, "Log time")
    expect(tech.locator("#time")).to_contain_text("1.50")  # the entry has landed
    tech.get_by_text("Use a part from stock").click()
    tech.get_by_role("combobox", name="Part", exact=True).fill("bearing")
    with tech.expect_response(lambda response: response.url.endswith("/stock")):  # the picker asks where the part is
        tech.get_by_role("listbox", name="Part").get_by_role("option", name="BRG-6204 — Ball bearing 6204").click()
    expect(tech.get_by_label("From location")).to_have_value(str(shelf_id))  # the place holding it
    tech.get_by_label("Quantity", exact=True).fill("2")
    with tech.expect_navigation():
        tech.get_by_role("button", name="Use part").click()
    expect(tech.get_by_text(re.compile(r"2 × BRG-6204 used from"))).to_be_visible()  # the post has landed
    tech.get_by_role("group", name=re.compile("Bearing play")).get_by_role("button", name="Pass").click()
    tech.wait_for_load_state()
    tech.get_by_label("Add a comment").fill("Replaced both bearings, runs quiet now.")
    act(tech, "Post comment")
    act(tech, "Complete")
    expect(tech.get_by_test_id("work-order-status")).to_contain_text("Completed")

    # The supervisor reviews and closes it, then downloads the PDF.
    page.reload()
    act(page, "Review and close")
    expect(page.get_by_test_id("work-order-status")).to_contain_text("Closed")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"{number}.pdf"
    with open(download.path(), "rb") as pdf:
        text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf.read())).pages)
    for expected in (
        number,
        "Pump 3 bearing noise",
        "Bearing play within limits",
        "BRG-6204",
        "Replaced both bearings",
    ):
        assert expected in text, expected

    with app.app_context():
        work_order = db.session.scalar(select(WorkOrder).where(WorkOrder.number == number))
        assert work_order.status.name == "Closed"
        assert work_order.closed_at is not None
        assert db.session.scalar(select(TimeLog).where(TimeLog.work_order_id == work_order.id)).hours == 1.5
        assert db.session.scalar(select(PartUsage).where(PartUsage.work_order_id == work_order.id)).quantity == 2
        assert inventory.on_hand(product_id, shelf_id) == 8
        assert [a.name for a in work_order.assignees] == ["Tia Tech"]
