"""Browser fixtures: the test app served on loopback and driven by Chromium through Playwright.

Every test in this folder is marked ``browser`` (run them alone with ``-m browser``,
or skip them with ``-m "not browser"``). They need Debian's Chromium at
/usr/bin/chromium; Playwright's own browser download is not used.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, Response, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import make_server

from cube.extensions import db
from tests.support import DEMO_PASSWORD, ReceivedMail

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 800}
DEFAULT_TIMEOUT_MS = 10_000
HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parent.parent / "test-artifacts"
# axe-core from the npm registry (package.json devDependencies), run in every page a test opens.
AXE_SCRIPT = HERE.parent.parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_ON_LOAD = """
window.addEventListener("load", () => {
  if (window.top !== window || !window.axe || !document.contentType.includes("html")) return;
  window.__cubeAxe = axe
    .run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    .then((result) => window.cubeAxeReport(location.pathname + location.search, result.violations.map(
      (v) => ({rule: v.id, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(" "))}))));
});
"""


@pytest.hookimpl(tryfirst=True)  # before -m selects on the marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests of this folder (and only those) as browser tests."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the item so ``page`` can tell whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The session's app served by a threaded Werkzeug server on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass(frozen=True)
class Violation:
    """An axe-core finding on a page a test opened."""

    page: str
    rule: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.page}: {self.rule} ({self.help}) at {', '.join(self.targets)}"


def _settle(context: BrowserContext) -> None:
    """Wait for the accessibility checks of the pages still open (a test may leave a page at once)."""
    for open_page in context.pages:
        with suppress(PlaywrightError):  # a page gone or navigating took its check with it
            open_page.evaluate("window.__cubeAxe || null")


@pytest.fixture(autouse=True)
def accessibility(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Violation]]:
    """Every page a browser test opens is checked with axe-core (WCAG 2.0 and 2.1, A and AA).

    Each browser context gets axe and a hook that runs it when a page has loaded and reports
    what it finds; any violation fails the test at the end.
    """
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `npm ci` (axe-core is a devDependency)", pytrace=False)
    found: list[Violation] = []
    open_new_context = Browser.new_context

    def report(_source: Any, page_url: str, violations: list[dict[str, Any]]) -> None:
        found.extend(Violation(page_url, v["rule"], v["help"], tuple(v["targets"])) for v in violations)

    def watched(self: Browser, *args: Any, **kwargs: Any) -> BrowserContext:
        context = open_new_context(self, *args, **kwargs)
        context.add_init_script(path=str(AXE_SCRIPT))
        context.add_init_script(script=AXE_ON_LOAD)
        context.expose_binding("cubeAxeReport", report)
        close = context.close

        def settle_then_close(*close_args: Any, **close_kwargs: Any) -> None:
            _settle(context)
            close(*close_args, **close_kwargs)

        context.close = settle_then_close  # type: ignore[method-assign]
        return context

    monkeypatch.setattr(Browser, "new_context", watched)
    yield found
    assert not found, "accessibility violations (axe-core):\n" + "\n".join(str(v) for v in dict.fromkeys(found))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing; the browser tests need Debian's Chromium: "
            "run `apt-get install chromium` (Playwright's own browser download is not used).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser: Browser, live_server: str) -> Iterator[Callable[..., BrowserContext]]:
    """Factory: a fresh browser context (its own cookies), closed after the test; ``options`` (locale,
    timezone_id, viewport, java_script_enabled...) go to Playwright."""
    contexts: list[BrowserContext] = []

    def factory(**options: Any) -> BrowserContext:
        context = browser.new_context(**{"viewport": VIEWPORT, "base_url": live_server, **options})
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, new_context: Callable[[], BrowserContext]) -> Iterator[Page]:
    """A page in a fresh context; on failure a screenshot is saved under test-artifacts/."""
    page = new_context().new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed and not page.is_closed():
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception as exc:  # a screenshot must never hide the real failure
            print(f"could not save a screenshot: {exc}")


def shoot_widths(page: Page, folder: Path, name: str, widths: tuple[int, ...] = (1366, 390)) -> Path:
    """Full-page screenshots of the current page at each width (to look at), then back to the first width."""
    folder.mkdir(parents=True, exist_ok=True)
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": widths[0], "height": 900})
    return folder


@dataclass(frozen=True)
class Account:
    """Plain values of a user created for a test (no ORM object to go stale)."""

    id: int
    email: str
    name: str
    password: str


@pytest.fixture
def make_account(make_user: Callable[..., Any]) -> Callable[..., Account]:
    """Factory: a committed user, returned as plain values.

    The test's own database session is closed afterwards so that it holds no
    connection or lock while the live server writes.
    """

    def factory(role: str = "technician", *, password: str = DEMO_PASSWORD, **fields: Any) -> Account:
        user = make_user(role, password=password, **fields)
        account = Account(id=user.id, email=user.email, name=user.name, password=password)
        db.session.remove()
        return account

    return factory


@pytest.fixture
def submit_login(live_server: str) -> Callable[[Page, str, str], Response]:
    """Fill in and submit the sign-in form; returns the response to the POST."""

    def submit(page: Page, email: str, password: str) -> Response:
        if not page.url.startswith(f"{live_server}/auth/login"):
            page.goto("/auth/login")
        page.get_by_label("E-mail", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill(password)

        def is_login_post(response: Response) -> bool:
            return response.url.startswith(f"{live_server}/auth/login") and response.request.method == "POST"

        # Wait for the next page to be loaded too, so later steps never act on the old one.
        with page.expect_navigation(), page.expect_response(is_login_post) as posted:
            page.get_by_role("button", name="Sign in").click()
        return posted.value

    return submit


@pytest.fixture
def wait_for_mail(outbox: list[ReceivedMail]) -> Callable[..., ReceivedMail]:
    """Wait (up to 5 s) for the message to ``address`` with ``subject`` to reach the SMTP server."""

    def wait(address: str, subject: str, timeout: float = 5.0) -> ReceivedMail:
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in outbox if address in m.recipients and m.subject == subject]
            if found:
                assert len(found) == 1, f"{len(found)} messages {subject!r} to {address}"
                return found[0]
            if time.monotonic() > deadline:
                seen = [(m.recipients, m.subject) for m in outbox]
                pytest.fail(f"no mail {subject!r} to {address} within {timeout} s; received {seen}")
            time.sleep(0.05)

    return wait


def pick(page: Page, label: str, typed: str, option: str) -> None:
    """Choose ``option`` in the searchable picker labelled ``label`` by typing ``typed`` first, as a person does."""
    page.get_by_role("combobox", name=label, exact=True).fill(typed)
    page.get_by_role("listbox", name=label, exact=True).get_by_role("option", name=option, exact=True).click()
