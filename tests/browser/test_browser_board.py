"""The board at 1366 and 390 px, left to right and right to left: open columns fit, the rest says it scrolls.

Screenshots go to test-artifacts/board/.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from playwright.sync_api import Browser, Page, expect

from cube.extensions import db
from tests.browser.conftest import ARTIFACTS, Account
from tests.support import DEMO_PASSWORD
from tests.workorder_factories import make_work_order, move_to, status_named

SHOTS = ARTIFACTS / "board"
OPEN = ("New", "Approved", "Assigned", "In progress", "On hold")
FOLDED = ("Completed", "Closed", "Cancelled", "Rejected")


def fill_board(app: Flask, make_user: Any, language: str = "en") -> tuple[Account, dict[str, int]]:
    """A supervisor and a few work orders in every status; returns the account and the status ids by name."""
    with app.app_context():
        supervisor = make_user("supervisor", name="Sam Supervisor", language=language)
        tech = make_user("technician", name="Tina Technician")
        for name in OPEN + FOLDED:
            for n in range(2):
                work_order = make_work_order(supervisor, f"{name} pump check {n}", assignees=(tech,))
                move_to(work_order, name)
        ids = {name: status_named(name).id for name in OPEN + FOLDED}
        account = Account(supervisor.id, supervisor.email, supervisor.name, DEMO_PASSWORD)
        db.session.remove()
    return account, ids


def open_board(browser: Browser, live_server: str, account: Account, width: int, height: int) -> Page:
    """Sign in at ``width`` px and open the board."""
    viewport = {"width": width, "height": height}
    context = browser.new_context(viewport=viewport, base_url=live_server, is_mobile=width < 600)
    page = context.new_page()
    page.goto("/auth/login")
    page.locator("#email").fill(account.email)
    page.locator("#password").fill(account.password)
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    page.goto("/work-orders/board")
    return page


def fully_visible(page: Page, test_id: str) -> bool:
    """True when the element lies wholly inside the viewport horizontally."""
    box = page.get_by_test_id(test_id).bounding_box()
    width = page.viewport_size["width"]  # type: ignore[index]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5


def scroll_left(page: Page) -> float:
    """The board's horizontal scroll position."""
    return float(page.get_by_test_id("board").evaluate("board => board.scrollLeft"))


def wait_for_scroll(page: Page, moved: Callable[[float], bool]) -> None:
    """Wait (up to 5 s) until the board's scroll position satisfies ``moved`` (the page's CSP forbids eval)."""
    deadline = time.monotonic() + 5
    while not moved(scroll_left(page)):
        assert time.monotonic() < deadline, f"the board did not scroll (at {scroll_left(page)})"
        time.sleep(0.05)


def test_open_columns_fit_at_1366_and_an_opened_column_makes_the_board_say_it_scrolls(
    app, browser, live_server, make_user
):
    account, ids = fill_board(app, make_user)
    page = open_board(browser, live_server, account, 1366, 900)
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        hint = page.get_by_test_id("board-hint")
        # Every open column is on screen at once, so the hint stays away; the finished ones are folded strips.
        for name in OPEN:
            assert fully_visible(page, f"column-{ids[name]}"), name
        expect(hint).to_be_hidden()
        for name in FOLDED:
            fold = page.get_by_test_id(f"fold-{ids[name]}")
            expect(fold).not_to_have_attribute("open", "")
            expect(fold.locator(":scope > summary")).to_contain_text(name)
            expect(page.get_by_test_id(f"column-total-{ids[name]}")).to_have_text("2 work orders")
            assert fold.bounding_box()["width"] < 60  # type: ignore[index]
        page.screenshot(path=str(SHOTS / "board-1366.png"), full_page=True)

        # Keyboard: tab to a folded column and open it; now the board is wider than the screen and says so.
        completed = page.get_by_test_id(f"fold-{ids['Completed']}")
        completed.locator(":scope > summary").focus()
        page.keyboard.press("Enter")
        expect(completed).to_have_attribute("open", "")
        expect(completed.get_by_text("Completed pump check 0")).to_be_visible()
        expect(hint).to_be_visible()
        expect(hint).to_contain_text("scroll it sideways to see all 9 columns")
        page.get_by_test_id("board").evaluate("board => { board.scrollLeft = 0; }")  # focus may have scrolled it
        end = page.get_by_test_id("board-scroll-end")
        start = page.get_by_test_id("board-scroll-start")
        expect(end).to_be_enabled()
        expect(start).to_be_disabled()
        expect(page.locator("[data-board-shell]")).to_have_class("board-shell board-more-end")
        page.screenshot(path=str(SHOTS / "board-1366-opened.png"), full_page=True)
        end.click()
        wait_for_scroll(page, lambda left: left > 0)
        expect(start).to_be_enabled()
        expect(page.locator("[data-board-shell]")).to_contain_class("board-more-start")
        # The board region itself takes the focus, so arrow keys scroll it too.
        page.get_by_test_id("board").evaluate("board => { board.scrollLeft = 0; }")
        page.get_by_test_id("board").focus()
        page.keyboard.press("ArrowRight")
        wait_for_scroll(page, lambda left: left > 0)
    finally:
        page.context.close()


def test_phone_board_scrolls_inside_its_box_and_says_so(app, browser, live_server, make_user):
    account, ids = fill_board(app, make_user)
    page = open_board(browser, live_server, account, 390, 844)
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        expect(page.get_by_test_id("board-hint")).to_be_visible()
        expect(page.get_by_test_id("board-scroll-end")).to_be_visible()
        assert fully_visible(page, f"column-{ids['New']}")
        assert not fully_visible(page, f"column-{ids['Approved']}")  # the next column peeks in
        # Only the board scrolls sideways, never the page.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_test_id("board").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "board-390.png"), full_page=False)
        page.get_by_test_id("board-scroll-end").click()
        wait_for_scroll(page, lambda left: left > 0)
        page.screenshot(path=str(SHOTS / "board-390-scrolled.png"), full_page=False)
    finally:
        page.context.close()


def test_board_right_to_left(app, browser, live_server, make_user):
    account, ids = fill_board(app, make_user, language="ar")
    page = open_board(browser, live_server, account, 1366, 900)
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        new_box = page.get_by_test_id(f"column-{ids['New']}").bounding_box()
        approved_box = page.get_by_test_id(f"column-{ids['Approved']}").bounding_box()
        assert new_box
        assert approved_box
        assert approved_box["x"] < new_box["x"]  # columns run from the right
        for name in OPEN:
            assert fully_visible(page, f"column-{ids[name]}"), name
        expect(page.get_by_test_id("board-hint")).to_be_hidden()
        page.get_by_test_id(f"fold-{ids['Cancelled']}").locator(":scope > summary").click()
        page.get_by_test_id(f"fold-{ids['Rejected']}").locator(":scope > summary").click()
        expect(page.get_by_test_id("board-hint")).to_be_visible()
        page.get_by_test_id("board").evaluate("board => { board.scrollLeft = 0; }")  # back to the first columns
        expect(page.get_by_test_id("board-scroll-start")).to_be_disabled()
        page.screenshot(path=str(SHOTS / "board-1366-rtl.png"), full_page=True)
        page.get_by_test_id("board-scroll-end").click()  # towards the last columns: to the left, right to left
        wait_for_scroll(page, lambda left: left < 0)
        expect(page.get_by_test_id("board-scroll-start")).to_be_enabled()
    finally:
        page.context.close()
