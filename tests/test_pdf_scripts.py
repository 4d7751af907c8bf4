"""Issue 10: a work order PDF prints every script (Chinese, Japanese, Korean in the fallback fonts, Arabic shaped,
Hebrew right to left) and never leaves the sign-off block alone on a page."""

from __future__ import annotations

import io
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from cube.extensions import db
from cube.models import Comment
from cube.workorders import pdf
from tests.workorder_factories import make_work_order

TITLE = "泵站维修 — إصلاح المضخة"  # "Pump station repair" in Chinese, "Repair the pump" in Arabic
CHINESE = "泵站维修"
JAPANESE = "ポンプの修理が必要です"  # "The pump needs repair"
KOREAN = "펌프 수리가 필요합니다"  # "The pump needs repair"
HEBREW = "תיקון המשאבה"  # "Repairing the pump"
DESCRIPTION = f"{JAPANESE}\n{KOREAN}\n{HEBREW} 7"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
UTC = ZoneInfo("UTC")
PRESENTATION_FORMS = re.compile(r"[\ufe70-\ufefc]")


def build(work_order, viewer) -> bytes:
    """The work order's PDF as ``viewer`` downloads it, times in UTC."""
    return pdf.work_order_pdf(work_order, link="https://cube.example/work-orders/1", zone=UTC, viewer=viewer)


def pages_text(data: bytes) -> list[str]:
    """Each page's extracted text."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def base_fonts(data: bytes) -> set[str]:
    """The names of the fonts embedded in the PDF (their /BaseFont, without the subset prefix)."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


@pytest.fixture
def scripts_pdf(app, make_user) -> bytes:
    """The PDF of a work order titled in Chinese and Arabic, described in Japanese, Korean and Hebrew."""
    author = make_user("admin")
    work_order = make_work_order(author, TITLE, description=DESCRIPTION)
    with app.test_request_context():
        data = build(work_order, author)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "pdf_scripts.pdf").write_bytes(data)
    return data


def drawn(data: bytes, page: int = 0) -> list[tuple[str, str, float]]:
    """Each piece of text drawn on ``page``: (text, the name of its font, the x where it starts)."""
    found: list[tuple[str, str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: dict | None, size: float) -> None:
        if text.strip() and font is not None:
            name = str(font["/BaseFont"]).split("+")[-1]
            found.append((text.strip(), name, tm[4] * cm[0] + tm[5] * cm[2] + cm[4]))

    PdfReader(io.BytesIO(data)).pages[page].extract_text(visitor_text=visit)
    return found


def cjk(text: str) -> list[str]:
    """The Chinese, Japanese and Korean characters of ``text``."""
    return [character for character in text if re.match(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7a3]", character)]


# --- Every script prints ------------------------------------------------------------------------------------------


def test_chinese_japanese_and_korean_are_drawn_in_the_fallback_fonts_and_extracted(scripts_pdf):
    fonts = base_fonts(scripts_pdf)
    assert {"DejaVuSans", "DroidSansFallbackFull", "DroidSansFallback"} <= fonts  # TrueType, embedded (subsets)
    text = pages_text(scripts_pdf)[0]
    for character in cjk(TITLE + JAPANESE + KOREAN):
        assert character in text  # a glyph with its character, not a box
    assert JAPANESE in text
    assert KOREAN in text  # one run in one font: the words and their spaces come back together
    # Each CJK character is drawn in a font that has its glyph: none is left to DejaVu Sans (a box).
    pieces = drawn(scripts_pdf)
    drawn_cjk = [(character, font) for piece, font, _x in pieces for character in cjk(piece)]
    assert sorted(character for character, _font in drawn_cjk) == sorted(cjk(TITLE + JAPANESE + KOREAN))
    assert {font for _character, font in drawn_cjk} == {"DroidSansFallbackFull", "DroidSansFallback"}
    for character, font in drawn_cjk:
        name = {"DroidSansFallbackFull": "CubeFallback", "DroidSansFallback": "CubeFallbackHangul"}[font]
        assert ord(character) in pdf.coverage(name)


def test_arabic_is_shaped_and_hebrew_comes_back_in_reading_order(scripts_pdf):
    text = pages_text(scripts_pdf)[0]
    assert pdf.shaped("إصلاح المضخة") in text  # joined letter forms, in reading order
    assert PRESENTATION_FORMS.search(text)
    assert "إصلاح" not in text  # no unshaped (isolated) letters drawn
    assert HEBREW in text  # drawn right to left, handed back in reading order


def test_a_hebrew_line_runs_right_to_left_against_the_right_edge(scripts_pdf):
    pieces = drawn(scripts_pdf)
    x = next(x for piece, _font, x in pieces if piece == HEBREW)
    japanese = next(x for piece, _font, x in pieces if piece == JAPANESE)
    # One line drawn left to right from x: "7", then the Hebrew words in display order (pypdf hands them back
    # in reading order), its end at the frame's right edge (the frame's padding is 6).
    assert [piece for piece, _font, at in pieces if at == x] == ["7", HEBREW]
    shown = pdf.for_display(f"{HEBREW} 7", "R")
    assert shown.startswith("7 ")
    assert shown.endswith(HEBREW.split()[0][::-1])  # the first word at the right end
    assert x > pdf.A4[0] / 2 > japanese  # the Hebrew paragraph is right-aligned, the Japanese one left-aligned
    assert x + pdf.text_width(shown, pdf.fonts()[0], 10) == pytest.approx(pdf.A4[0] - pdf.MARGIN - 6, abs=0.5)


def test_a_mixed_line_is_measured_run_by_run(app):
    """A right-aligned line of Hebrew and Chinese: each run measured in its own font, so the runs sit side by
    side and end at the right edge (measured in DejaVu Sans the Chinese would overlap the Hebrew)."""
    font, _bold = pdf.fonts()
    line = f"{HEBREW} {CHINESE}"
    runs = pdf.runs(pdf.for_display(line, "R"), font)
    assert [name for _piece, name in runs] == ["CubeFallback", "CubeSans"]  # Chinese drawn left of the Hebrew
    width = pdf.text_width(line, font, 10)
    assert width == pytest.approx(sum(pdf.stringWidth(piece, name, 10) for piece, name in runs))
    assert pdf.text_width(CHINESE, font, 10) == pytest.approx(pdf.stringWidth(CHINESE, "CubeFallback", 10))
    assert pdf.text_width(CHINESE, font, 10) != pytest.approx(pdf.stringWidth(CHINESE, font, 10))
    canvas = pdf.Canvas(io.BytesIO())
    canvas.setPageSize(pdf.A4)
    pdf.draw_text(canvas, 300, 500, pdf.for_display(line, "R"), font, 10, end=True)
    canvas.showPage()
    xs = drawn(canvas.getpdfdata())
    (chinese, _, chinese_x), (hebrew, _, hebrew_x) = xs
    assert (chinese, hebrew) == (CHINESE, HEBREW)
    assert chinese_x == pytest.approx(300 - width)
    assert chinese_x + pdf.stringWidth(CHINESE, "CubeFallback", 10) == pytest.approx(hebrew_x)  # side by side
    assert hebrew_x + pdf.stringWidth(runs[1][0], font, 10) == pytest.approx(300)  # ends where it should


def test_a_long_chinese_sentence_wraps_inside_the_width():
    font, _bold = pdf.fonts()
    sentence = "泵站维修需要更换密封件和检查压力" * 12  # no spaces: cut between characters
    parts = pdf.wrap_line(sentence, font, 10, 200)
    assert len(parts) > 1
    assert "".join(parts) == sentence
    assert all(pdf.text_width(part, font, 10) <= 200 for part in parts)
    assert pdf.text_width(parts[0], font, 10) > 180  # lines are filled, not cut early
    assert pdf.wrap_line("Pump 7 leaks", font, 10, 200) == ["Pump 7 leaks"]
    assert pdf.runs("Pump 7", font) == [("Pump 7", font)]


def test_a_pdf_in_arabic_prints_chinese_too(app, make_user):
    from types import SimpleNamespace

    from cube.i18n import speaking_to

    author = make_user("admin")
    work_order = make_work_order(author, TITLE)
    with app.test_request_context(), speaking_to(SimpleNamespace(language="ar", timezone="UTC")):
        data = build(work_order, author)
    assert "DroidSansFallbackFull" in base_fonts(data)
    assert CHINESE in pages_text(data)[0]


# --- The sign-off block -------------------------------------------------------------------------------------------


def test_the_sign_off_block_never_starts_a_page_alone(app, make_user):
    """The comment grows line by line until the PDF takes a second page: the line that tips it over moves the
    sign-off, and the last lines before it go along."""
    author = make_user("admin")
    work_order = make_work_order(author, "Replace pump seal")
    comment = Comment(work_order_id=work_order.id, author_id=author.id, body="")
    db.session.add(comment)

    def pages_with(lines: int) -> list[str]:
        comment.body = "\n".join(f"Closing note {number}." for number in range(1, lines + 1))
        db.session.commit()
        with app.test_request_context():
            return pages_text(build(work_order, author))

    low, high = 1, 120
    assert len(pages_with(low)) == 1
    assert len(pages_with(high)) > 1
    while high - low > 1:  # the fewest lines that need a second page
        middle = (low + high) // 2
        low, high = (middle, high) if len(pages_with(middle)) == 1 else (low, middle)
    pages = pages_with(high)
    with app.test_request_context():
        (ARTIFACTS / "pdf_sign_off.pdf").write_bytes(build(work_order, author))
    assert len(pages) == 2
    assert "Sign-off" in pages[-1]
    assert "Sign-off" not in pages[0]
    assert f"Closing note {high}." in pages[-1]  # the comment's last line goes with the sign-off
    assert f"Closing note {high - 1}." in pages[-1]
    everything = "\n".join(pages)
    for number in range(1, high + 1):  # every line once: nothing lost or printed twice
        assert len(re.findall(rf"Closing note {number}\.", everything)) == 1
