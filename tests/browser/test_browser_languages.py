"""A technician's day in German and a requester's in Arabic (right to left), in Chromium.

Each page is photographed at 1366 and 390 px under test-artifacts/languages/. Words the test
looks for come from the shipped catalogues, so the test follows the translations; statuses and
transitions are names an admin typed and stay as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from io import BytesIO

import pytest
from babel.support import Translations
from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from cube.catalogues import TRANSLATIONS
from cube.extensions import db
from cube.models import TimeLog, User, WorkOrder
from tests.browser.conftest import ARTIFACTS, shoot_widths
from tests.support import DEMO_PASSWORD, stored_text, untranslated_texts
from tests.workorder_factories import make_work_order, move_to

SHOTS = ARTIFACTS / "languages"


def t(language: str, message: str, **values: object) -> str:
    """``message`` as the shipped catalogue of ``language`` says it."""
    text = Translations.load(str(TRANSLATIONS), [language]).gettext(message)
    return text % values if values else text


@pytest.fixture
def browser_in(new_context: Callable[..., BrowserContext]) -> Callable[[str], Page]:
    """Factory: a page in a browser context whose Accept-Language asks for ``locale``."""

    def factory(locale: str) -> Page:
        return new_context(viewport={"width": 1366, "height": 900}, locale=locale).new_page()

    return factory


def shoot(page: Page, name: str) -> None:
    """Screenshots of the page at 1366 and 390 px (to look at; git-ignored)."""
    shoot_widths(page, SHOTS, name)


def sign_in(page: Page, language: str, email: str) -> None:
    """Sign in through the form, as it reads in ``language``."""
    page.goto("/auth/login")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.get_by_label(t(language, "E-mail"), exact=True).fill(email)
    page.get_by_label(t(language, "Password"), exact=True).fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name=t(language, "Sign in")).click()


def assert_speaks(page: Page, language: str, exempt: set[str]) -> None:
    """The page is in ``language``: its lang attribute, and no English message of the catalogue shows
    (``exempt``: the words stored in the database, such as status names, shown as typed)."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    leftovers = untranslated_texts(page.content(), language, exempt)
    assert not leftovers, f"English on {page.url}: {leftovers}"


def test_a_technicians_day_in_german(app: Flask, browser_in, make_user, make_team, locale_dates):
    """Lena signs in, finds her work, starts it, logs 1,5 hours the German way and reads the PDF."""
    with app.app_context():
        supervisor = make_user("supervisor", name="Sam Supervisor")
        lena = make_user("technician", name="Lena Krause", language="de", timezone="Europe/Berlin")
        make_team("Facilities", supervisor=supervisor, members=[supervisor, lena])
        work_order = make_work_order(supervisor, "Förderband 2: Lager schmieren", assignees=(lena,))
        move_to(work_order, "Assigned")
        number, work_order_id, lena_email = work_order.number, work_order.id, lena.email
        exempt = stored_text()
        db.session.remove()

    page = browser_in("de-DE")
    sign_in(page, "de", lena_email)
    assert_speaks(page, "de", exempt)
    shoot(page, "de-dashboard")

    page.goto("/work-orders?view=my")
    assert_speaks(page, "de", exempt)
    expect(page.get_by_test_id("quick-actions")).to_contain_text(number)
    shoot(page, "de-my-work")
    page.get_by_test_id("quick-actions").get_by_role("button", name="Start work").click()
    page.wait_for_load_state()

    page.goto(f"/work-orders/{work_order_id}")
    expect(page.get_by_test_id("work-order-status")).to_contain_text("In progress")
    assert_speaks(page, "de", exempt)
    page.get_by_text(t("de", "Log time by hand")).click()
    page.get_by_label(t("de", "Started"), exact=True).fill("2026-01-05T08:00")
    page.get_by_label(t("de", "Hours"), exact=True).fill("1,5")  # a comma decimal, as German writes it
    page.get_by_role("button", name=t("de", "Log time")).click()
    page.wait_for_load_state()
    assert_speaks(page, "de", exempt)
    expect(page.locator("#time")).to_contain_text("1,50")
    expect(page.locator("#time")).to_contain_text("05.01.2026, 08:00")  # German date, Lena's zone
    shoot(page, "de-work-order")

    # "1.5" could be 15 or 1,5 in German: refused, nothing logged.
    page.get_by_text(t("de", "Log time by hand")).click()
    page.get_by_label(t("de", "Started"), exact=True).fill("2026-01-06T08:00")
    page.get_by_label(t("de", "Hours"), exact=True).fill("1.5")
    page.get_by_role("button", name=t("de", "Log time")).click()
    page.wait_for_load_state()
    refusal = t(
        "de",
        "“%(text)s” could mean %(first)s or %(second)s; write the one you mean.",
        text="1.5",
        first="15",
        second="1,5",
    )
    expect(page.get_by_text(refusal)).to_be_visible()

    pdf = page.request.get(f"/work-orders/{work_order_id}.pdf")
    assert pdf.status == 200
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf.body())).pages)
    assert t("de", "Time") in text
    assert "1,50" in text
    assert "05.01.2026" in text

    with app.app_context():
        logs = db.session.scalars(select(TimeLog).where(TimeLog.work_order_id == work_order_id)).all()
        assert [log.hours for log in logs] == [Decimal("1.50")]


def test_a_requesters_day_in_arabic(app: Flask, browser_in, make_user):
    """Layla asks for work in Arabic: every page runs right to left, in words from the Arabic catalogue."""
    with app.app_context():
        layla = make_user("requester", name="Layla Haddad", language="ar", timezone="Asia/Dubai")
        layla_email = layla.email
        exempt = stored_text()
        db.session.remove()

    page = browser_in("ar")
    sign_in(page, "ar", layla_email)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # Right to left: the brand sits at the right edge of the bar.
    brand = page.locator(".navbar-brand").bounding_box()
    assert brand is not None
    assert brand["x"] > 1366 / 2
    assert_speaks(page, "ar", exempt)
    shoot(page, "ar-dashboard")

    page.goto("/work-orders/new")
    assert_speaks(page, "ar", exempt)
    shoot(page, "ar-new-request")
    title = "تسرب مياه تحت حوض المطبخ"
    page.get_by_label(t("ar", "Title"), exact=True).fill(title)
    page.get_by_label(t("ar", "Description"), exact=True).fill("الماء يتسرب منذ الصباح.")
    page.get_by_role("button", name=t("ar", "Create work order")).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    assert_speaks(page, "ar", exempt)
    shoot(page, "ar-request")

    page.goto("/work-orders")
    expect(page.get_by_test_id("work-order-table").get_by_text(title)).to_be_visible()
    assert_speaks(page, "ar", exempt)
    shoot(page, "ar-my-requests")

    with app.app_context():
        work_order = db.session.scalar(select(WorkOrder).where(WorkOrder.title == title))
        assert work_order is not None
        assert work_order.requester_id == db.session.scalar(select(User.id).where(User.email == layla_email))
        work_order_id = work_order.id
    pdf = page.request.get(f"/work-orders/{work_order_id}.pdf")
    assert pdf.status == 200
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.body())).pages)
    assert any("\ufe70" <= ch <= "\ufeff" for ch in text), "the Arabic in the PDF is shaped for display"
