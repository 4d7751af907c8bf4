"""The layout works on a phone: the menu collapses behind a toggle and still navigates."""

from __future__ import annotations

from playwright.sync_api import expect


def test_phone_sized_screen_uses_the_collapsed_menu(browser, live_server, make_account, submit_login):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server, is_mobile=True)
    try:
        page = context.new_page()
        account = make_account("admin", name="Phone Admin")
        submit_login(page, account.email, account.password)
        expect(page.get_by_role("heading", name="Good to see you, Phone Admin")).to_be_visible()
        users_link = page.get_by_role("link", name="Users", exact=True)
        expect(users_link).to_be_hidden()
        page.get_by_role("button", name="Toggle navigation").click()
        expect(users_link).to_be_visible()
        users_link.click()
        page.wait_for_url(f"{live_server}/users")
        expect(page.get_by_role("heading", name="Users")).to_be_visible()
        # The page never scrolls sideways; wide tables scroll inside their own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
