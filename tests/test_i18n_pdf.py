"""The work order PDF speaks the downloader's language: its words from their catalogue, right to left
with shaped Arabic, dates and numbers in the locale."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from babel.support import Translations
from pypdf import PdfReader

from cube.catalogues import TRANSLATIONS
from cube.extensions import db
from cube.i18n import speaking_to
from cube.workorders import pdf
from tests.workorder_factories import make_work_order

ARABIC_TITLE = "إصلاح المضخة الرئيسية"  # "Repair the main pump", as a person would type it
PRESENTATION_FORMS = range(0xFE70, 0xFF00)
DUE = datetime(2026, 11, 29, 14, 5, tzinfo=UTC)


def speak(client, language: str):
    """``client``'s person chooses ``language`` on their profile."""
    client.user.language = language
    db.session.commit()
    return client


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def shaped(text: str) -> bool:
    return any(ord(character) in PRESENTATION_FORMS for character in text)


def x_positions(data: bytes) -> list[tuple[str, float]]:
    """Each piece of text on the first page with the x position it starts at."""
    found: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            found.append((text.strip(), tm[4] * cm[0] + tm[5] * cm[2] + cm[4]))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return found


def arabic(message: str) -> str:
    """``message`` from the Arabic catalogue with its letters shaped as the PDF draws them (pypdf hands
    right-to-left text back in reading order)."""
    translated = Translations.load(str(TRANSLATIONS), ["ar"]).gettext(message)
    assert translated != message, f"{message!r} has an Arabic translation"
    return pdf.shaped(translated)


def x_of(positions: list[tuple[str, float]], wanted: str) -> float:
    return next(x for text, x in positions if text.startswith(wanted))


def download(client, work_order) -> bytes:
    response = client.get(f"/work-orders/{work_order.id}.pdf")
    assert response.status_code == 200
    return response.get_data()


def test_an_arabic_pdf_runs_right_to_left_with_shaped_letters(client_as):
    client = speak(client_as("manager"), "ar")
    work_order = make_work_order(client.user, ARABIC_TITLE, description="Pump 7 leaks")

    data = download(client, work_order)
    text = text_of(data)

    assert shaped(text)  # the title's letters in their joined forms
    assert "Pump 7 leaks" in text  # Latin text stays readable
    assert "Requester" not in text  # the labels are Arabic
    positions = x_positions(data)
    label, value = x_of(positions, arabic("Requester")), x_of(positions, client.user.name)
    assert label > value  # the label column is on the right
    assert label > pdf.A4[0] / 2


def test_an_english_pdf_runs_left_to_right_without_shaping(client_as):
    client = client_as("manager")
    work_order = make_work_order(client.user, "Replace pump seal")

    data = download(client, work_order)

    assert not shaped(text_of(data))
    positions = x_positions(data)
    label, value = x_of(positions, "Requester"), x_of(positions, client.user.name)
    assert label < value < pdf.A4[0] / 2


def test_arabic_typed_into_a_work_order_is_shaped_in_any_language(client_as):
    client = client_as("manager")
    work_order = make_work_order(client.user, ARABIC_TITLE)

    assert shaped(text_of(download(client, work_order)))


def test_a_pdf_made_for_an_arabic_reader_outside_their_request(app, make_user):
    author = make_user("admin")
    work_order = make_work_order(author, ARABIC_TITLE)
    reader = SimpleNamespace(language="ar", timezone="Asia/Riyadh")
    with app.test_request_context(), speaking_to(reader):
        zone = ZoneInfo("Asia/Riyadh")
        data = pdf.work_order_pdf(work_order, link="https://cube.example/1", zone=zone, viewer=author)
    positions = x_positions(data)
    assert shaped(text_of(data))
    assert x_of(positions, arabic("Requester")) > x_of(positions, author.name)


def test_arabic_lines_are_wrapped_in_reading_order_then_reordered():
    """Wrapping a reordered paragraph would put its last line first: the first words stay on the top line."""
    font, _bold = pdf.fonts()
    words = ["الأولى", "الثانية", "الثالثة", "الرابعة", "الخامسة", "السادسة"]
    lines = pdf.TextLines([" ".join(words)], pdf.Look(font, 10, 12), rtl=True)
    lines.wrap(pdf.stringWidth(pdf.shaped(" ".join(words[:3])), font, 10) + 1, 1000)
    wrapped = [line for line, _base in lines._wrapped]
    top = wrapped[0]
    assert len(wrapped) > 1
    assert top == pdf.shaped(" ".join(words[:3]))
    assert " ".join(wrapped) == pdf.shaped(" ".join(words))  # the lines in reading order, top to bottom
    # Drawn right to left: the first word is at the right end of the top line.
    assert pdf.for_display(top, "R").endswith(pdf.for_display(pdf.shaped(words[0]), "R"))
    assert pdf.for_display("Pump 7", "R") == "Pump 7"  # nothing to reorder in Latin text


def test_dates_and_numbers_follow_the_locale(client_as, locale_dates):
    german = speak(client_as("manager"), "de")
    work_order = make_work_order(german.user, "Pumpe", due_at=DUE)
    work_order.estimated_hours = 1234.5
    db.session.commit()

    german_text = " ".join(text_of(download(german, work_order)).split())
    english_text = " ".join(text_of(download(speak(german, ""), work_order)).split())

    assert "29.11.2026" in german_text
    assert "1.234,50" in german_text
    assert "Nov 29, 2026" in english_text
    assert "1,234.50" in english_text


def test_values_inside_a_sentence_keep_their_own_direction_and_marks_are_not_drawn():
    date = "29\u200f/11\u200f/2026"  # as babel writes an Arabic date, with right-to-left marks
    sentence = f"{pdf.embedded('WO-2026-000001')} · {pdf.shaped('طبع')} {pdf.embedded(date)}"
    assert pdf.direction(sentence, rtl=False) == "R"  # the sentence's own words decide, not the values in it
    shown = pdf.for_display(sentence, "R")
    assert "WO-2026-000001" in shown
    assert not pdf.DIRECTION_MARKS.search(shown)
    assert pdf.direction("Pump 7", rtl=True) == "R"  # no right-to-left letters: the document's direction
    assert pdf.for_display(pdf.embedded("Pump 7"), "L") == "Pump 7"
