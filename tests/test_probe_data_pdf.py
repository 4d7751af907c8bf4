"""Issue 8, finding 2: a work order PDF is laid out in linear time, whatever its texts' line counts.

ReportLab wraps a paragraph as a whole and re-wraps what is left after each page break, so one paragraph
of n lines cost O(n^2): 16,000 lines took a minute. Texts are now cut into paragraphs of bounded size and
a PDF shows a bounded number of lines per text, with a note where it stops.
"""

from __future__ import annotations

import signal
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from cube.extensions import db
from cube.models import Comment, WorkOrder
from cube.workorders import pdf
from tests.workorder_factories import make_work_order

LINES = 20_000
# The 20,000-line PDF may take at most this many times a plain one built in the same run. Linear layout
# needs about 5-15x; the quadratic layout needed minutes (thousands of times).
MAX_RATIO = 60
UTC = ZoneInfo("UTC")


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in this (main) thread once ``seconds`` have passed, so a slow layout fails fast."""

    def expired(*_: object) -> None:
        raise TimeoutError(f"the PDF took longer than {seconds:.1f} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _build(work_order: WorkOrder, viewer) -> bytes:
    return pdf.work_order_pdf(work_order, link="https://cube.example/work-orders/1", zone=UTC, viewer=viewer)


def _numbered(prefix: str) -> str:
    return "\n".join(f"{prefix} {number}" for number in range(1, LINES + 1))


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


@pytest.fixture
def long_work_order(make_user) -> tuple[WorkOrder, object]:
    """A work order whose description and three comments are 20,000 lines each (stored directly: the form
    limits a text to 16,000 characters, other routes such as mail or the API may not)."""
    author = make_user("admin")
    work_order = make_work_order(author, "Long texts")
    work_order.description = _numbered("Description line")
    for number in range(1, 4):
        db.session.add(Comment(work_order_id=work_order.id, author_id=author.id, body=_numbered(f"Comment {number}")))
    db.session.commit()
    return work_order, author


def test_a_pdf_of_20000_line_texts_takes_a_bounded_multiple_of_a_plain_one(long_work_order, make_user):
    work_order, author = long_work_order
    plain = make_work_order(author, "Plain")
    _build(plain, author)  # fonts and caches warmed up
    base = statistics.median(_timed(lambda: _build(plain, author)) for _ in range(3))

    started = time.perf_counter()
    with deadline(base * MAX_RATIO):
        data = _build(work_order, author)
    took = time.perf_counter() - started

    assert took < base * MAX_RATIO
    text = _text(data)
    for prefix in ("Description line", "Comment 1", "Comment 2", "Comment 3"):
        assert f"{prefix} 1\n" in text
        assert f"{prefix} {pdf.TEXT_LINES}\n" in text
        assert f"{prefix} {pdf.TEXT_LINES + 1}\n" not in text
    note = f"[text continues: {LINES - pdf.TEXT_LINES:,} more lines]"
    assert text.count(note) == 4
    assert len(PdfReader(BytesIO(data)).pages) < 200


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def test_long_texts_are_cut_into_bounded_blocks():
    body = "\n".join(["first", "", "x" * 10_000, *["short"] * 100])
    blocks, omitted = pdf.text_blocks(body)
    assert omitted == 0
    assert all(len(block) <= pdf.BLOCK_LINES for block in blocks)
    assert all(sum(len(line) for line in block) <= pdf.BLOCK_CHARS for block in blocks)
    lines = [line for block in blocks for line in block]
    assert [line for line in lines if not line.startswith("x")] == ["first", "", *["short"] * 100]
    assert "".join(line for line in lines if line.startswith("x")) == "x" * 10_000
    # one line wider than the page is broken inside its word, never drawn past the margin
    font, _ = pdf.fonts()
    parts = pdf.wrap_line("y" * 500, font, 10, 200)
    assert "".join(parts) == "y" * 500
    assert all(pdf.stringWidth(part, font, 10) <= 200 for part in parts)
    # the document budget: once it is spent, a text is only the note
    assert pdf.text_blocks("a\nb\nc", max_lines=0) == ([], 3)
    assert pdf.text_blocks("a\nb\nc", max_lines=2)[1] == 1


def test_a_many_line_table_cell_is_cut_with_a_note(make_user):
    author = make_user("admin")
    work_order = make_work_order(author, "Cell")
    work_order.custom_values = {"notes": "\n".join(f"Cell line {n}" for n in range(1, 2_001))}
    db.session.commit()
    text = _text(_build(work_order, author))
    assert f"Cell line {pdf.CELL_LINES}" in text
    assert f"Cell line {pdf.CELL_LINES + 1}\n" not in text
    assert f"[text continues: {2_000 - pdf.CELL_LINES:,} more lines]" in text


def test_a_short_text_is_printed_whole_and_literally(make_user):
    author = make_user("admin")
    description = "First paragraph\n\nSecond <b>paragraph</b> & <font size=40>more</font>"
    work_order = make_work_order(author, "Short", description=description)
    comment = "A comment with <br/> & <a href='x'>markup</a>"
    db.session.add(Comment(work_order_id=work_order.id, author_id=author.id, body=comment))
    db.session.commit()
    text = _text(_build(work_order, author))
    assert "First paragraph" in text
    assert "Second <b>paragraph</b> & <font size=40>more</font>" in text
    assert comment in text
    assert "text continues" not in text


def test_tabs_and_windows_line_breaks_are_laid_out_as_spaces_and_lines():
    blocks, omitted = pdf.text_blocks("a\tb\r\nc\rd\x00e")
    assert (blocks, omitted) == ([["a   b", "c", "de"]], 0)
