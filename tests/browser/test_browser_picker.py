"""The searchable pickers in Chromium: typing finds a worker, choosing assigns them, in English and Arabic; the
list's assignee filter and the work order form's asset are found on demand, at 1366 and 390 px.

Screenshots at 1366 and 390 px go to test-artifacts/picker/.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from sqlalchemy import insert

from cube.extensions import db
from tests.browser.conftest import ARTIFACTS, pick, shoot_widths
from tests.catalog_factories import make_asset, make_location, make_product
from tests.support import add_crowd
from tests.workorder_factories import make_work_order

SHOTS = ARTIFACTS / "picker"
PROMPT = "Type a serial number, name, product, location or owner"  # the asset picker's placeholder


def shoot(page: Page, name: str) -> None:
    """Screenshots of the page at 1366 and 390 px (to look at; git-ignored)."""
    shoot_widths(page, SHOTS, name)


def watch_console(page: Page) -> list[str]:
    """Errors the page logs (a script error or a CSP violation), collected as they happen."""
    errors: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        """Keep the message when it is an error."""
        if message.type == "error":
            errors.append(message.text)

    page.on("console", keep)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_supervisor_types_in_the_picker_and_assigns_a_technician(
    app: Any, page: Page, make_account: Callable[..., Any], make_team: Callable[..., Any], submit_login: Any
) -> None:
    supervisor = make_account("supervisor", name="Sol Supervisor")
    tia = make_account("technician", name="Tia Tech")
    make_account("technician", name="Theo Other")
    make_account("requester", name="Tina Requester")  # may not do work: never offered
    with app.app_context():
        from cube.models import User

        make_team("Pumps", members=(db.session.get(User, tia.id),))
        work_order = make_work_order(db.session.get(User, supervisor.id), "Pump 4 seal leak")
        work_order_id = work_order.id
        db.session.remove()
    errors = watch_console(page)

    submit_login(page, supervisor.email, supervisor.password)
    page.goto(f"/work-orders/{work_order_id}")
    assignment = page.get_by_role("region", name="Assignment")
    expect(assignment.locator(".ts-wrapper.picker")).to_be_visible()  # enhanced by pickers.js
    expect(assignment.get_by_text("Hold Ctrl")).to_be_hidden()  # the no-JavaScript hint goes
    search = assignment.get_by_role("combobox", name="Assignees")
    search.click()
    search.fill("Ti")
    dropdown = assignment.locator(".ts-dropdown")
    expect(dropdown.locator(".option")).to_have_text(["Tia Tech"])  # the requester matches "Ti" but is not offered
    expect(dropdown.locator(".optgroup-header")).to_have_text(["Pumps"])
    search.fill("nobody at all")
    expect(dropdown.locator(".no-results")).to_have_text("Nobody or nothing matches.")
    search.fill("tia")
    dropdown.get_by_role("option", name="Tia Tech").click()
    expect(assignment.locator(".ts-control .item")).to_have_count(1)
    page.keyboard.press("Escape")
    shoot(page, "detail-assign")
    assignment.get_by_role("button", name="Save assignment").click()
    expect(page.get_by_text(re.compile(r"assigned to Tia Tech and moved to Assigned"))).to_be_visible()
    expect(page.get_by_test_id("assignees")).to_have_text("Tia Tech")
    # The saved assignee shows in the picker again, once, though the form may list people under several teams.
    expect(page.get_by_role("region", name="Assignment").locator(".ts-control .item")).to_have_text(["Tia Tech×"])

    page.goto("/work-orders/new")
    expect(page.locator("#assignee_ids + .ts-wrapper")).to_be_visible()
    shoot(page, "new-work-order")
    page.goto("/work-orders")
    page.get_by_test_id("filter-toggle").click()  # the filters fold away behind a button
    expect(page.locator("#assignee + .ts-wrapper")).to_be_visible()  # the list's "Assignee" filter
    shoot(page, "list")
    assert errors == []


def test_the_picker_works_right_to_left_on_a_phone(
    app: Any, page: Page, make_account: Callable[..., Any], submit_login: Any
) -> None:
    supervisor = make_account("supervisor", name="Samir Supervisor", language="ar")
    make_account("technician", name="Tia Tech")
    with app.app_context():
        from cube.models import User

        work_order_id = make_work_order(db.session.get(User, supervisor.id), "Pump 5").id
        db.session.remove()
    errors = watch_console(page)
    page.set_viewport_size({"width": 390, "height": 844})

    submit_login(page, supervisor.email, supervisor.password)
    page.goto(f"/work-orders/{work_order_id}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    wrapper = page.locator("#assign-assignee_ids + .ts-wrapper")
    expect(wrapper).to_have_class(re.compile(r"\brtl\b"))
    box = wrapper.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390  # fits the phone's width
    wrapper.locator("input").fill("Tia")
    wrapper.get_by_role("option", name="Tia Tech").click()
    page.keyboard.press("Escape")
    page.locator("#assign-assignee_ids").evaluate("select => select.form.requestSubmit()")
    page.wait_for_load_state()
    expect(page.get_by_test_id("assignees")).to_have_text("Tia Tech")
    shoot(page, "detail-assign-ar")
    assert errors == []


@pytest.mark.parametrize("width", [1366, 390])
def test_remote_pickers_find_a_person_to_filter_by_and_an_asset_among_hundreds(
    app: Any, page: Page, make_account: Callable[..., Any], submit_login: Any, width: int
) -> None:
    """The list's assignee filter and the form's asset picker search as the person types (no list of everyone)."""
    supervisor = make_account("supervisor", name="Sol Supervisor")
    tia = make_account("technician", name="Tia Tech")
    with app.app_context():
        from cube.models import Asset, User

        add_crowd(300, 300)
        pump = make_product("PMP-4", "Booster pump")
        hall = make_location("Boiler hall")
        db.session.execute(insert(Asset), [{"product_id": pump.id, "serial_number": f"AA-{n:04d}"} for n in range(600)])
        make_asset(pump, "ZZ-0001", location_id=hall.id)  # sorts after the 500 assets the form used to list
        boss = db.session.get(User, supervisor.id)
        make_work_order(boss, "Pump 4 seal leak", assignees=(db.session.get(User, tia.id),))
        make_work_order(boss, "Door closer")
        db.session.remove()
    errors = watch_console(page)
    page.set_viewport_size({"width": width, "height": 900})

    submit_login(page, supervisor.email, supervisor.password)
    page.goto("/work-orders")
    page.get_by_test_id("filter-toggle").click()
    pick(page, "Assignee", "tia", "Tia Tech")
    page.get_by_role("button", name="Filter", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("chip-assignee")).to_contain_text("Tia Tech")
    expect(page.get_by_text("Pump 4 seal leak").locator("visible=true")).to_have_count(1)
    expect(page.get_by_text("Door closer")).to_have_count(0)
    page.get_by_test_id("filter-toggle").click()
    expect(page.locator("#assignee + .ts-wrapper .item")).to_have_text("Tia Tech")  # the chosen one stays chosen
    shoot(page, f"list-filtered-typed-at-{width}")

    page.goto("/work-orders/new")
    page.get_by_label("Title").fill("Boiler pump vibrates")
    pick(page, "Asset", "boiler", "ZZ-0001 — Booster pump (Boiler hall)")
    shoot(page, f"new-asset-typed-at-{width}")
    page.get_by_role("button", name="Create work order").click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="ZZ-0001")).to_be_visible()
    assert errors == []


# --- what the walk-through found (lost clicks, hidden hints, right to left, signed out, without JavaScript) --------


def control_height(page: Page, wrapper: str) -> float:
    """The height of the picker control in ``wrapper`` (a CSS selector)."""
    box = page.locator(f"{wrapper} .ts-control").bounding_box()
    assert box is not None
    return box["height"]


@pytest.mark.parametrize("width", [1366, 390])
def test_choosing_two_people_in_the_bulk_panel_then_one_click_on_apply_assigns_them(
    app: Any, page: Page, make_account: Callable[..., Any], submit_login: Any, width: int
) -> None:
    """The picker keeps its height when focus leaves it, so the first click on "Apply" lands (it used to shrink
    under the pointer and the click was lost)."""
    manager = make_account("manager", name="Mona Manager")
    make_account("technician", name="Tia Tech")
    make_account("technician", name="Theo Fixer")
    with app.app_context():
        from cube.models import User

        boss = db.session.get(User, manager.id)
        ids = [make_work_order(boss, title).id for title in ("Leaking tap", "Broken window")]
        db.session.remove()
    errors = watch_console(page)
    page.set_viewport_size({"width": width, "height": 900})

    submit_login(page, manager.email, manager.password)
    page.goto("/work-orders")
    for work_order_id in ids:
        page.locator(f"input[data-bulk-item][value='{work_order_id}']").locator("visible=true").check()
    wrapper = "#bulk-assignees + .ts-wrapper"
    pick(page, "Assign to", "tia", "Tia Tech")
    pick(page, "Assign to", "theo", "Theo Fixer")
    page.keyboard.press("Escape")
    focused = control_height(page, wrapper)
    page.get_by_text("Change the selected work orders").click()  # focus leaves: nothing below moves
    assert control_height(page, wrapper) == focused
    shoot(page, f"bulk-two-people-at-{width}")
    page.locator(f"{wrapper} .ts-control").click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Apply to selected").click()  # straight from the picker, as a person does
    page.wait_for_load_state()

    expect(page.get_by_text("2 done, 0 refused.")).to_be_visible()
    with app.app_context():
        from cube.models import WorkOrder

        for work_order_id in ids:
            work_order = db.session.get(WorkOrder, work_order_id)
            assert work_order is not None
            assert sorted(u.name for u in work_order.assignees) == ["Theo Fixer", "Tia Tech"]
        db.session.remove()
    assert errors == []


def test_a_single_picker_says_what_to_do_keeps_its_blank_choice_and_hides_its_value_while_typing(
    app: Any, page: Page, make_account: Callable[..., Any], submit_login: Any
) -> None:
    supervisor = make_account("supervisor", name="Sol Supervisor")
    with app.app_context():
        pump = make_product("PMP-7", "Booster pump")
        make_asset(pump, "CH200-0002", name="Roof chiller")
        db.session.remove()
    errors = watch_console(page)

    submit_login(page, supervisor.email, supervisor.password)
    page.goto("/work-orders/new")
    asset = page.locator("#asset_id + .ts-wrapper")
    expect(asset.locator(".ts-control .item")).to_have_text("No asset")
    asset.locator(".ts-control").click()
    dropdown = asset.locator(".ts-dropdown")
    expect(dropdown.locator(".no-results")).to_have_text(PROMPT)  # what to do, before any typing
    expect(dropdown.get_by_role("option", name="No asset")).to_be_visible()  # the blank stays choosable
    page.keyboard.type("0002")
    expect(asset.locator(".ts-control .item")).to_be_hidden()  # the typed words alone, not "No asset 0002"
    expect(dropdown.locator(".no-results")).to_have_count(0)
    dropdown.get_by_role("option", name="CH200-0002 · Roof chiller — Booster pump").click()
    expect(asset.locator(".ts-control .item")).to_have_text("CH200-0002 · Roof chiller — Booster pump")
    asset.locator(".ts-control").click()
    dropdown.get_by_role("option", name="No asset").click()  # back to none
    expect(asset.locator(".ts-control .item")).to_have_text("No asset")
    assert errors == []


def test_a_picker_says_when_the_person_was_signed_out(
    app: Any, page: Page, make_account: Callable[..., Any], submit_login: Any
) -> None:
    lena = make_account("supervisor", name="Lena Leiterin", language="de")
    make_account("technician", name="Tia Tech")

    submit_login(page, lena.email, lena.password)
    page.goto("/work-orders/new")
    page.context.clear_cookies()  # the session ends while the form is open
    with page.expect_response(lambda response: "/lookup/workers" in response.url) as answered:
        page.get_by_role("combobox", name="Zuständige", exact=True).fill("tia")
    assert answered.value.status == 401
    dropdown = page.locator("#assignee_ids + .ts-wrapper .ts-dropdown")
    expect(dropdown.locator(".no-results")).to_have_text("Sie sind abgemeldet. Bitte melden Sie sich erneut an.")


def test_right_to_left_a_chosen_value_stays_clear_of_the_arrow(
    app: Any, page: Page, make_account: Callable[..., Any], submit_login: Any
) -> None:
    samir = make_account("supervisor", name="Samir Supervisor", language="ar")
    make_account("technician", name="Taylor Technician")

    submit_login(page, samir.email, samir.password)
    page.goto("/work-orders")
    page.get_by_test_id("filter-toggle").click()
    wrapper = page.locator("#assignee + .ts-wrapper")
    wrapper.locator("input").fill("Taylor")
    wrapper.get_by_role("option", name="Taylor Technician").click()
    page.keyboard.press("Escape")
    control, item = wrapper.locator(".ts-control").bounding_box(), wrapper.locator(".item").bounding_box()
    assert control is not None
    assert item is not None
    item_width = wrapper.locator(".item").evaluate("item => [item.scrollWidth, item.clientWidth]")
    assert item_width[0] <= item_width[1]  # the whole name shows, nothing cut at its start
    assert item["x"] + item["width"] <= control["x"] + control["width"] - 8  # the text starts clear of the edge
    assert item["x"] >= control["x"] + 30  # and ends clear of the arrow, on the left
    shoot(page, "list-filter-rtl")


def test_without_javascript_the_form_says_once_that_searching_needs_it(
    app: Any, new_context: Callable[..., Any], make_account: Callable[..., Any], submit_login: Any
) -> None:
    supervisor = make_account("supervisor", name="Sol Supervisor")
    page = new_context(java_script_enabled=False).new_page()

    submit_login(page, supervisor.email, supervisor.password)
    page.goto("/work-orders/new")

    expect(page.get_by_text("Searching needs JavaScript")).to_have_count(1)
    for name in ("assignee_ids", "supervisor_id", "requester_id", "company_id", "asset_id"):
        expect(page.locator(f"#{name}")).to_have_attribute("aria-describedby", re.compile(r"\blookup-note\b"))
    box = page.locator("#assignee_ids").bounding_box()
    assert box is not None
    assert box["height"] < 80  # two rows, not a tall empty box
    shoot(page, "new-work-order-without-javascript")
