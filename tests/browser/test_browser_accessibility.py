"""The accessibility check that every browser test runs (see ``accessibility`` in conftest.py) sees violations."""

from __future__ import annotations

from playwright.sync_api import Page, Route

from tests.browser.conftest import Violation

PROBE = "<!doctype html><html lang='en'><head><title>Probe</title></head><body><img src='/x.png'></body></html>"


def test_the_accessibility_check_reports_a_violation(page: Page, accessibility: list[Violation]):
    """A page with an image without alternative text is reported (and the report is then cleared)."""

    def serve(route: Route) -> None:
        route.fulfill(content_type="text/html", body=PROBE)

    page.route("**/accessibility-probe", serve)
    page.goto("/accessibility-probe")
    page.evaluate("window.__cubeAxe")
    assert "image-alt" in {violation.rule for violation in accessibility}
    accessibility.clear()  # the probe's violation is the point of this test


def test_the_pages_of_the_app_pass_the_check(page: Page, accessibility: list[Violation]):
    """The sign-in page has no violation (every other browser test checks the pages it opens)."""
    page.goto("/auth/login")
    page.evaluate("window.__cubeAxe")
    assert accessibility == []
