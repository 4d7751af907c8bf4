"""A work order as a printable PDF (ReportLab platypus): header, QR code, details,
checklist, parts, time, comments and signature lines, in the reader's language.

Long texts are laid out in linear time. ReportLab wraps a paragraph as a whole and,
when it does not fit, splits it and wraps the rest again, page after page: one
paragraph of n lines costs O(n^2) (16,000 lines took a minute). Descriptions and
comments are therefore cut into blocks of a bounded size (``text_blocks``) drawn as
plain lines (``TextLines``: no markup to parse, nothing to escape), so each page
wraps only the few blocks it shows. Table cells cannot flow from page to page
sensibly, so a cell shows at most ``CELL_LINES`` lines and says how many more there
are; and a PDF shows a bounded number of lines of text (see ``TEXT_LINES``).
Costs are printed only for viewers who may see them (``workorder.view_costs``).

The PDF speaks the language in force (the downloader's): words through gettext, dates
and numbers through ``cube.i18n``. Arabic runs right to left: text is right-aligned,
table columns are mirrored (labels on the right), and every line holding Arabic (a
translation or text a person typed, in any language's PDF) is shaped into its joined
letter forms (``arabic_reshaper``) and reordered for display (``bidi``). Text is
shaped and wrapped in logical order and each wrapped line is then reordered, so lines
keep their order down the page; Hebrew is reordered the same way.

Every script prints: text is drawn in DejaVu Sans, and each run of characters it lacks
(Chinese, Japanese, Korean) in the fallback fonts of Debian's fonts-droid-fallback
(``runs``); widths for wrapping and alignment are measured run by run (``text_width``).
The sign-off block starts a page only with the last lines of what precedes it (``_tail``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import arabic_reshaper
import segno
from bidi.algorithm import get_display
from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from cube.actors import Actor
from cube.extensions import db
from cube.i18n import is_rtl, localtime, money, number
from cube.models import ChecklistItem, Comment, PartUsage, TimeLog, WorkOrder, utcnow
from cube.workorders import costs, custom_values

# Control characters (all but tab and newline) would print as boxes or garbage; they are dropped.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]")
# Letters written right to left (Hebrew, Arabic, Syriac, Thaana, N'Ko... and their presentation forms): a line
# holding none is drawn as it is; a line holding some is reordered for display.
RIGHT_TO_LEFT_LETTERS = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# Arabic letters that join: shaped into their initial, medial, final or isolated forms before drawing.
ARABIC_LETTERS = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
# Invisible marks that steer the display order (babel's Arabic dates hold some); never drawn.
DIRECTION_MARKS = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")  # left-to-right / right-to-left embedding and override
POP = "\u202c"  # ends an embedding
MARGIN = 16 * mm
QR_SIZE = 30 * mm
ANSWERS = {"pass": _l("Pass"), "fail": _l("Fail"), "na": _l("N/A")}
BLOCK_LINES = 40  # lines per paragraph of a long text
BLOCK_CHARS = 3_000  # characters per paragraph of a long text (one enormous line is cut too)
CELL_LINES = 60  # lines a table cell shows
# Even in linear time a PDF of 80,000 lines takes seconds and 1,300 pages nobody prints, and comments are
# unbounded in number: a description or comment shows at most TEXT_LINES lines (about 35 pages) and
# TEXT_CHARS characters, and all of them together DOCUMENT_LINES lines; the rest is cut with a note (the
# page online shows everything). The form allows 16,000 characters per text: only freak texts are cut.
TEXT_LINES = 2_000
TEXT_CHARS = 100_000
DOCUMENT_LINES = 10_000
# A Unicode font when the system has one (Debian: fonts-dejavu-core); the built-in Helvetica only covers Latin-1.
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF")
# Fonts for the characters DejaVu Sans lacks, tried in this order (Debian: fonts-droid-fallback, TrueType outlines,
# which ReportLab embeds; Noto CJK's CFF outlines it cannot): Chinese, Japanese and the rarer CJK ideographs from the
# first, Korean Hangul (which the first lacks) from the second. Each is read only when a text needs it.
FALLBACK_FONTS = (
    ("CubeFallback", ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",)),
    (
        "CubeFallbackHangul",
        (
            "/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf",
            "/usr/share/fonts/truetype/droid/DroidSansFallback.ttf",
        ),
    ),
)
TAIL_LINES = 2  # lines of what precedes the sign-off that go with it to a new page
GRID = [
    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("TOPPADDING", (0, 0), (-1, -1), 2),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
]


@dataclass(frozen=True)
class WorkOrderSheet:
    """Everything printed about one work order, read with one query per kind of record."""

    work_order: WorkOrder
    checklist: list[ChecklistItem]
    parts: list[PartUsage]
    time_logs: list[TimeLog]
    comments: list[Comment]
    custom_values: list[tuple[str, str]]


def load_sheet(work_order: WorkOrder) -> WorkOrderSheet:
    """The work order's checklist, parts, time and comments (one query each, their people joined)."""
    wid = work_order.id
    checklist = select(ChecklistItem).where(ChecklistItem.work_order_id == wid)
    parts = select(PartUsage).where(PartUsage.work_order_id == wid)
    times = select(TimeLog).where(TimeLog.work_order_id == wid)
    comments = select(Comment).where(Comment.work_order_id == wid)
    return WorkOrderSheet(
        work_order=work_order,
        checklist=list(
            db.session.scalars(
                checklist.options(joinedload(ChecklistItem.answered_by)).order_by(
                    ChecklistItem.position, ChecklistItem.id
                )
            )
        ),
        parts=list(
            db.session.scalars(
                parts.options(joinedload(PartUsage.product), joinedload(PartUsage.location)).order_by(PartUsage.id)
            )
        ),
        time_logs=list(
            db.session.scalars(times.options(joinedload(TimeLog.user)).order_by(TimeLog.started_at, TimeLog.id))
        ),
        comments=list(db.session.scalars(comments.options(joinedload(Comment.author)).order_by(Comment.id))),
        custom_values=custom_values.labelled(work_order.custom_values),
    )


def _clean(value: object) -> str:
    """User text without control characters, with Unix line breaks."""
    return CONTROL.sub("", "" if value is None else str(value).replace("\r\n", "\n").replace("\r", "\n"))


def continues(count: int) -> str:
    """The note shown where a text is cut."""
    return ngettext(
        "[text continues: %(count)s more line]", "[text continues: %(count)s more lines]", count, count=number(count)
    )


def cell_lines(value: object, max_lines: int = CELL_LINES) -> list[str]:
    """A short text's lines (tabs as spaces); past ``max_lines`` it stops with a note of how many are left out."""
    lines = [line.expandtabs(4) for line in _clean(value).split("\n")]
    if len(lines) > max_lines:
        lines = [*lines[:max_lines], continues(len(lines) - max_lines)]
    return lines


def _pieces(line: str) -> list[str]:
    """One line, cut at a space near BLOCK_CHARS when it is longer than that."""
    pieces = []
    while len(line) > BLOCK_CHARS:
        cut = line.rfind(" ", BLOCK_CHARS // 2, BLOCK_CHARS)
        cut = cut if cut > 0 else BLOCK_CHARS
        pieces.append(line[:cut])
        line = line[cut:].lstrip(" ")
    pieces.append(line)
    return pieces


def text_blocks(value: object, max_lines: int = TEXT_LINES, max_chars: int = TEXT_CHARS) -> tuple[list[list[str]], int]:
    """A long text as blocks of at most BLOCK_LINES lines and about BLOCK_CHARS characters each.

    At most ``max_lines`` lines and about ``max_chars`` characters are kept; the second value is how many
    lines were left out.
    """
    lines = _clean(value).split("\n")
    blocks: list[list[str]] = []
    current: list[str] = []
    size = shown = chars = 0
    for line in lines:
        if shown >= max_lines or chars >= max_chars:
            break
        shown += 1
        chars += len(line) + 1
        for piece in _pieces(line.expandtabs(4)):  # a tab is no glyph when drawn as plain text
            if current and (len(current) >= BLOCK_LINES or size + len(piece) > BLOCK_CHARS):
                blocks.append(current)
                current, size = [], 0
            current.append(piece)
            size += len(piece) + 1
    if current:
        blocks.append(current)
    return blocks, len(lines) - shown


def words_split(line: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """``line`` broken at spaces into lines no wider than ``width`` where the words allow (as ReportLab's
    ``simpleSplit``, with ``measure`` giving a text's width)."""
    space = measure(" ")
    lines: list[str] = []
    current: list[str] = []
    used = -space
    for word in line.split():
        word_width = measure(word)
        if not current or used + space + word_width <= width:
            current.append(word)
            used += space + word_width
        else:
            lines.append(" ".join(current))
            current, used = [word], word_width
    if current:
        lines.append(" ".join(current))
    return lines


def wrap_line(line: str, font: str, size: float, width: float) -> list[str]:
    """One line of text broken into lines no wider than ``width`` (at spaces, or inside an overlong word such as
    a sentence of Chinese); widths are measured run by run in the fonts that draw them."""

    def measure(text: str) -> float:
        return text_width(text, font, size)

    if measure(line) <= width:
        return [line]
    wrapped: list[str] = []
    for part in words_split(line, width, measure):
        while len(part) > 1 and (part_width := measure(part)) > width:
            cut = max(1, min(len(part) - 1, int(len(part) * width / part_width)))
            while cut > 1 and measure(part[:cut]) > width:
                cut -= 1
            wrapped.append(part[:cut])
            part = part[cut:]
        wrapped.append(part)
    return wrapped or [""]


# --- Fonts --------------------------------------------------------------------------------------------------------


@cache
def fonts() -> tuple[str, str]:
    """(regular, bold) font names: DejaVu Sans when installed (most scripts), else Helvetica (Latin-1)."""
    for folder in FONT_DIRS:
        regular, bold = Path(folder, "DejaVuSans.ttf"), Path(folder, "DejaVuSans-Bold.ttf")
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont("CubeSans", str(regular)))
            pdfmetrics.registerFont(TTFont("CubeSans-Bold", str(bold)))
            pdfmetrics.registerFontFamily(
                "CubeSans", normal="CubeSans", bold="CubeSans-Bold", italic="CubeSans", boldItalic="CubeSans-Bold"
            )
            return "CubeSans", "CubeSans-Bold"
    return "Helvetica", "Helvetica-Bold"  # i18n: not shown (font names)


@cache
def fallback_fonts() -> tuple[str, ...]:
    """The names of the installed fallback fonts (``FALLBACK_FONTS``), registered on first use, in order."""
    names = []
    for name, paths in FALLBACK_FONTS:
        path = next((Path(path) for path in paths if Path(path).is_file()), None)
        if path is not None:
            font = TTFont(name, str(path))
            # Both files call themselves DroidSansFallback, and ReportLab would take the second for the first.
            font.face.name = path.stem.encode("ascii")
            pdfmetrics.registerFont(font)
            names.append(name)
    return tuple(names)


@cache
def coverage(font: str) -> Container[int]:
    """The code points ``font`` has glyphs for: a TrueType font's cmap, Latin-1 for the built-in fonts."""
    face = getattr(pdfmetrics.getFont(font), "face", None)
    return face.charToGlyph if face is not None else range(256)


def runs(text: str, font: str) -> list[tuple[str, str]]:
    """``text`` cut into runs drawn with one font each: ``font`` where it has the glyph, else a fallback font
    that has it (the one drawing the run so far, else the first; else ``font`` still, which draws its
    missing-glyph box). Spaces between two runs of one fallback font are drawn in it (one run, one word to
    extract), other spaces in ``font``."""
    if text.isascii():  # every font here covers ASCII: the common case costs nothing
        return [(text, font)] if text else []
    own = coverage(font)
    chosen: list[str | None] = []  # None: a space, decided by its neighbours
    current = font
    for character in text:
        code = ord(character)
        if code in own and character.isspace():
            chosen.append(None)
            continue
        if code in own:
            current = font
        elif current == font or code not in coverage(current):
            current = next((name for name in fallback_fonts() if code in coverage(name)), font)
        chosen.append(current)
    index, size = 0, len(text)
    while index < size:
        if chosen[index] is not None:
            index += 1
            continue
        end = index
        while end < size and chosen[end] is None:
            end += 1
        before = chosen[index - 1] if index else None
        after = chosen[end] if end < size else None
        chosen[index:end] = [before if before is not None and before == after else font] * (end - index)
        index = end
    pieces: list[tuple[str, str]] = []
    start = 0
    for index in range(1, size + 1):
        if index == size or chosen[index] != chosen[start]:
            pieces.append((text[start:index], chosen[start] or font))
            start = index
    return pieces


def text_width(text: str, font: str, size: float) -> float:
    """The width of ``text`` drawn run by run (``runs``) at ``size``."""
    return sum(stringWidth(piece, name, size) for piece, name in runs(text, font))


def draw_text(canvas: Canvas, x: float, y: float, text: str, font: str, size: float, *, end: bool = False) -> None:
    """Draw ``text`` (display order) run by run in the fonts that have its glyphs, from ``x`` rightwards, or
    ending at ``x`` when ``end``."""
    pieces = runs(text, font)
    widths = [stringWidth(piece, name, size) for piece, name in pieces]
    if end:
        x -= sum(widths)
    for (piece, name), width in zip(pieces, widths, strict=True):
        canvas.setFont(name, size)
        canvas.drawString(x, y, piece)
        x += width


# --- Right to left ------------------------------------------------------------------------------------------------


def shaped(line: str) -> str:
    """``line`` (logical order) with its Arabic letters in their joined forms; other text is left alone."""
    return arabic_reshaper.reshape(line) if ARABIC_LETTERS.search(line) else line


def direction(text: str, rtl: bool) -> str:
    """The direction a paragraph runs in: its first strong letter's outside embedded values, else the document's."""
    if RIGHT_TO_LEFT_LETTERS.search(text):
        depth = 0
        for character in text:
            if character in EMBEDDINGS:
                depth += 1
            elif character == POP:
                depth = max(0, depth - 1)
            elif not depth and (kind := unicodedata.bidirectional(character)) in {"R", "AL", "L"}:
                return "L" if kind == "L" else "R"
    return "R" if rtl else "L"


def embedded(value: object) -> str:
    """``value`` kept in its own direction inside a sentence (a date or a name in an Arabic sentence), so its
    digits and words are not reordered with the words around it."""
    text = str(value)
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind in {"R", "AL"}:
            return f"\u202b{text}{POP}"
        if kind == "L":
            return f"\u202a{text}{POP}"
    return text


def for_display(line: str, base: str) -> str:
    """One wrapped line (shaped, logical order) in the order it is drawn, left to right, in a paragraph
    running ``base`` ("L" or "R"); a line without right-to-left letters is drawn as it is. Direction marks,
    which have done their work then, are dropped."""
    if RIGHT_TO_LEFT_LETTERS.search(line):
        line = get_display(line, base_dir=base)
    return DIRECTION_MARKS.sub("", line)


# --- Layout -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Look:
    """How a text is drawn: font, size, line distance, colour, space around it, and whether it sits at the
    end of the line (numbers: right in a left-to-right document, left in a right-to-left one)."""

    font: str
    size: float
    leading: float
    color: Any = colors.black
    space_before: float = 0
    space_after: float = 0
    at_end: bool = False


class TextLines(Flowable):
    """Plain text, wrapped to the frame and drawn line by line; it splits between any two lines.

    Unlike a Paragraph there is no markup to parse (the text is drawn literally) and splitting costs
    only the lines of this block, which ``text_blocks`` keeps small: layout is linear in the text.
    Lines are shaped and wrapped in logical order, and each wrapped line is reordered for display,
    so right-to-left text keeps its lines in order. A paragraph runs in the direction of its first letter
    (else the document's). Text is right-aligned in a right-to-left document, and so is an Arabic paragraph
    in a left-to-right one; ``Look.at_end`` (numbers) aligns to the other side.
    """

    def __init__(self, lines: list[str], look: Look, rtl: bool = False) -> None:
        """``lines`` as written (wrapped on layout), drawn as ``look`` says, right to left when ``rtl``."""
        super().__init__()
        self.lines = [shaped(line) for line in lines]
        self.look, self.rtl = look, rtl
        self._wrapped: list[tuple[str, str]] = []
        self._wrapped_at: float | None = None

    def _wrap_to(self, width: float) -> list[tuple[str, str]]:
        if self._wrapped_at != width:
            look = self.look
            self._wrapped = [
                (part, base)
                for line in self.lines
                for base in (direction(line, self.rtl),)
                for part in wrap_line(line, look.font, look.size, width)
            ]
            self._wrapped_at = width
        return self._wrapped

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """The block's size at ``availWidth``."""
        self.width = availWidth
        self.height = len(self._wrap_to(availWidth)) * self.look.leading
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """The lines that fit in ``availHeight`` and the rest (nothing when not even one line fits)."""
        wrapped = self._wrap_to(availWidth)
        fit = int(availHeight // self.look.leading)
        if fit <= 0:
            return []
        if fit >= len(wrapped):
            return [self]
        return [self._part(wrapped[:fit], availWidth), self._part(wrapped[fit:], availWidth)]

    def logical(self, lines: list[str]) -> TextLines:
        """A block drawn as this one holding ``lines`` (already shaped, in logical order)."""
        part = TextLines([], self.look, self.rtl)
        part.lines = lines
        return part

    def _part(self, wrapped: list[tuple[str, str]], width: float) -> TextLines:
        part = TextLines([], self.look, self.rtl)
        part.lines = [line for line, _base in wrapped]
        part._wrapped, part._wrapped_at = wrapped, width
        return part

    def getSpaceBefore(self) -> float:
        """Space above the text (a section heading's)."""
        return self.look.space_before

    def getSpaceAfter(self) -> float:
        """Space below the text."""
        return self.look.space_after

    def draw(self) -> None:
        """Draw the wrapped lines from the top of the block down, each at the start (or end) of the line."""
        look, canvas = self.look, self.canv
        canvas.setFillColor(look.color)
        y = self.height - look.size
        for line, base in self._wrapped:
            end = (self.rtl or base == "R") != look.at_end
            draw_text(canvas, self.width if end else 0, y, for_display(line, base), look.font, look.size, end=end)
            y -= look.leading


def _looks() -> dict[str, Look]:
    regular, bold = fonts()
    cell = Look(regular, 8.5, 10.5)
    return {
        "body": Look(regular, 10, 12),
        "cell": cell,
        "cell_bold": replace(cell, font=bold),
        "cell_end": replace(cell, at_end=True),
        "small": Look(regular, 7, 8.5, color=colors.grey),
        "number": Look(bold, 20, 24, space_after=2),
        "title": Look(bold, 14, 17, space_after=4),
        "section": Look(bold, 11, 14, space_before=10, space_after=4),
    }


@contextmanager
def dates_in(zone: ZoneInfo) -> Iterator[None]:
    """Within the block ``cube.i18n.localtime`` shows times in ``zone`` (the PDF's), in the locale in force."""
    previous = g.get("_reader_zone")
    g._reader_zone = zone
    try:
        yield
    finally:
        g._reader_zone = previous


class _Builder:
    """Turns a ``WorkOrderSheet`` into platypus flowables."""

    def __init__(self, sheet: WorkOrderSheet, link: str, show_costs: bool, rtl: bool) -> None:
        self.sheet = sheet
        self.wo = sheet.work_order
        self.link = link
        self.show_costs = show_costs
        self.rtl = rtl
        self.lines_left = DOCUMENT_LINES
        self.looks = _looks()
        self.width = A4[0] - 2 * MARGIN

    def p(self, value: object, look: str = "cell") -> TextLines:
        """A short text (a cell, a label): at most CELL_LINES lines."""
        return TextLines(cell_lines(value), self.looks[look], self.rtl)

    def mirrored(self, cells: list[Any]) -> list[Any]:
        """A row of cells (or column widths) in reading order: reversed in a right-to-left document."""
        return cells[::-1] if self.rtl else cells

    def text(self, value: object) -> list[Flowable]:
        """A long text (description, comment) as blocks of plain lines of bounded size: layout stays linear.

        A text past TEXT_LINES, or past what is left of DOCUMENT_LINES, is cut with a note.
        """
        blocks, omitted = text_blocks(value, min(TEXT_LINES, self.lines_left))
        total = _clean(value).count("\n") + 1
        self.lines_left = max(0, self.lines_left - (total - omitted))
        story: list[Flowable] = [TextLines(block, self.looks["body"], self.rtl) for block in blocks]
        if omitted:
            note = _("%(note)s The whole text is in the work order online.", note=continues(omitted))
            story.append(self.p(note, "small"))
        return story

    def when(self, value: datetime | None) -> str:
        return localtime(value)

    def table(self, header: list[str], rows: list[list[Any]], widths: list[float]) -> Table:
        data = [self.mirrored([self.p(label, "cell_bold") for label in header]), *map(self.mirrored, rows)]
        widths = self.mirrored([w * self.width for w in widths])
        table = Table(data, colWidths=widths, repeatRows=1, splitInRow=1)
        table.setStyle(TableStyle(GRID))
        return table

    def section(self, title: str) -> TextLines:
        return heading(self.p(title, "section"))

    def build(self) -> list[Flowable]:
        story: list[Flowable] = [*self.header(), *self.details()]
        if self.wo.description:
            story += [self.section(_("Description")), *self.text(self.wo.description)]
        story += self.checklist() + self.parts() + self.time() + self.comments()
        sign_off = self.signatures(_tail(story))  # takes the end of the story along
        return story + sign_off

    def header(self) -> list[Flowable]:
        wo = self.wo
        code = segno.make_qr(self.link, error="m", boost_error=False)
        png = BytesIO()
        code.save(png, kind="png", scale=6, border=2)
        png.seek(0)
        facts = [
            self.p(_("CUBE-PRO · Work order"), "small"),
            self.p(wo.number, "number"),
            self.p(wo.title, "title"),
            self.p(
                _(
                    "Status: %(status)s · Priority: %(priority)s · Type: %(type)s",
                    status=embedded(wo.status.name),
                    priority=embedded(wo.priority.name),
                    type=embedded(wo.type.name),
                )
            ),
            self.p(_("Online: %(link)s", link=embedded(self.link)), "small"),
        ]
        qr = Image(png, width=QR_SIZE, height=QR_SIZE)
        widths = self.mirrored([self.width - QR_SIZE - 6 * mm, QR_SIZE + 6 * mm])
        table = Table([self.mirrored([facts, qr])], colWidths=widths)
        padding = "RIGHTPADDING" if self.rtl else "LEFTPADDING"
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), (padding, (0, 0), (-1, -1), 0)]))
        return [table, Spacer(1, 4 * mm)]

    def details(self) -> list[Flowable]:
        wo = self.wo

        def name(obj: Any, attr: str = "name") -> str:
            return str(getattr(obj, attr)) if obj is not None else ""

        def hours(value: Decimal | None) -> str:
            return number(value, 2)

        pairs: list[tuple[str, str]] = [
            (_("Requester"), name(wo.requester)),
            (_("Assignees"), ", ".join(u.name for u in wo.assignees)),
            (_("Team"), name(wo.team)),
            (_("Supervisor"), name(wo.supervisor)),
            (_("Company"), name(wo.company)),
            (_("Product"), f"{wo.product.sku} {wo.product.name}" if wo.product else ""),
            (_("Asset"), name(wo.asset, "serial_number")),
            (_("Location"), wo.location.path if wo.location else ""),
            (_("Created"), self.when(wo.created_at)),
            (_("Planned start"), self.when(wo.planned_start)),
            (_("Due"), self.when(wo.due_at)),
            (_("Started"), self.when(wo.started_at)),
            (_("Completed"), self.when(wo.completed_at)),
            (_("Closed"), self.when(wo.closed_at)),
            (_("Estimated hours"), hours(wo.estimated_hours)),
            (_("Actual hours"), hours(wo.actual_hours)),
        ]
        if self.show_costs:
            pairs += [(_("Estimated cost"), money(wo.estimated_cost)), (_("Actual cost"), money(wo.actual_cost))]
        pairs += self.sheet.custom_values
        if len(pairs) % 2:
            pairs.append(("", ""))
        rows = []
        for (k1, v1), (k2, v2) in zip(pairs[::2], pairs[1::2], strict=True):
            cells = [self.p(k1, "cell_bold"), self.p(v1 or "—"), self.p(k2, "cell_bold"), self.p(v2 or "—")]
            rows.append(self.mirrored(cells))
        widths = self.mirrored([w * self.width for w in (0.18, 0.32, 0.18, 0.32)])
        table = Table(rows, colWidths=widths, splitInRow=1)
        table.setStyle(TableStyle([*GRID[:1], *GRID[2:]]))
        return [self.section(_("Details")), table]

    def checklist(self) -> list[Flowable]:
        items = self.sheet.checklist
        if not items:
            return [self.section(_("Checklist")), self.p(_("No checklist."))]
        rows = [
            [
                self.p(number(position)),
                self.p(item.label + (" *" if item.required else "")),
                self.p(ANSWERS.get(item.answer or "", item.answer) if item.answer is not None else "—"),
                self.p(item.answered_by.name if item.answered_by else ""),
                self.p(self.when(item.answered_at)),
            ]
            for position, item in enumerate(items, start=1)
        ]
        header = ["#", _("Check (* required)"), _("Answer"), _("By"), _("When")]
        table = self.table(header, rows, [0.05, 0.34, 0.26, 0.15, 0.20])
        return [self.section(_("Checklist")), table]

    def parts(self) -> list[Flowable]:
        parts = self.sheet.parts
        if not parts:
            return [self.section(_("Parts")), self.p(_("No parts used."))]
        total = Decimal("0")
        rows: list[list[Any]] = []
        for part in parts:
            line = Decimal(part.quantity) * Decimal(part.unit_cost)
            total += line
            row: list[Any] = [
                self.p(part.product.sku),
                self.p(part.product.name),
                self.p(part.location.path),
                self.p(number(Decimal(part.quantity).normalize()), "cell_end"),
            ]
            if self.show_costs:
                row += [self.p(money(part.unit_cost), "cell_end"), self.p(money(line), "cell_end")]
            rows.append(row)
        if not self.show_costs:
            table = self.table(["SKU", _("Part"), _("From"), _("Quantity")], rows, [0.18, 0.40, 0.28, 0.14])
            return [self.section(_("Parts")), table]
        rows.append([self.p(_("Total"), "cell_bold"), "", "", "", "", self.p(money(total), "cell_end")])
        header = ["SKU", _("Part"), _("From"), _("Quantity"), _("Unit cost"), _("Cost")]
        table = self.table(header, rows, [0.15, 0.28, 0.22, 0.11, 0.12, 0.12])
        return [self.section(_("Parts")), table]

    def time(self) -> list[Flowable]:
        logs = self.sheet.time_logs
        if not logs:
            return [self.section(_("Time")), self.p(_("No time logged."))]
        total = sum((Decimal(log.hours) for log in logs), Decimal("0"))
        rows = [
            [
                self.p(log.user.name),
                self.p(self.when(log.started_at)),
                self.p(self.when(log.ended_at) or _("running")),
                self.p(number(log.hours, 2), "cell_end"),
                self.p(log.note),
            ]
            for log in logs
        ]
        rows.append([self.p(_("Total"), "cell_bold"), "", "", self.p(number(total, 2), "cell_end"), ""])
        header = [_("Person"), _("Start"), _("End"), _("Hours"), _("Note")]
        table = self.table(header, rows, [0.18, 0.18, 0.18, 0.09, 0.37])
        return [self.section(_("Time")), table]

    def comments(self) -> list[Flowable]:
        comments = self.sheet.comments
        story: list[Flowable] = [self.section(_("Comments"))]
        if not comments:
            return [*story, self.p(_("No comments."))]
        for comment in comments:
            author = comment.author.name if comment.author else _("Someone")
            story += [
                heading(self.p(f"{embedded(author)} · {embedded(self.when(comment.created_at))}", "cell_bold")),
                *self.text(comment.body),
                Spacer(1, 3 * mm),
            ]
        return story

    def signatures(self, tail: list[Flowable]) -> list[Flowable]:
        """The sign-off block, kept on one page with ``tail`` (the end of what precedes it)."""
        line = "_" * 34
        labels = (_("Name: %(line)s", line=line), _("Signature: %(line)s", line=line), _("Date: %(line)s", line=line))
        rows = [
            self.mirrored([self.p(_("Technician"), "cell_bold"), self.p(_("Customer / supervisor"), "cell_bold")]),
            *[[self.p(label), self.p(label)] for label in labels],
        ]
        table = Table(rows, colWidths=[self.width / 2] * 2)
        table.setStyle(TableStyle([("TOPPADDING", (0, 1), (-1, -1), 12)]))
        return [KeepTogether([*tail, self.section(_("Sign-off")), table])]


def heading(flowable: TextLines) -> TextLines:
    """``flowable`` kept on one page with what follows it (a section title, a comment's author line)."""
    flowable.keepWithNext = True
    return flowable


def _tail(story: list[Flowable]) -> list[Flowable]:
    """Takes from the end of ``story`` what goes with the sign-off to its page: the last TAIL_LINES lines of
    text (a longer block is split), with the headings above them when they hold all of their section."""
    while story and isinstance(story[-1], Spacer):
        story.pop()  # space at the end of a comment: the sign-off's title has its own
    tail: list[Flowable] = []
    need = TAIL_LINES
    while need > 0 and story and isinstance(story[-1], TextLines):
        last = story.pop()
        if len(last.lines) > need:
            story.append(last.logical(last.lines[:-need]))
            tail.insert(0, last.logical(last.lines[-need:]))
            break
        tail.insert(0, last)
        need -= len(last.lines)
    while story and story[-1].getKeepWithNext():
        tail.insert(0, story.pop())
    return tail


def footer_line(text: str, rtl: bool) -> str:
    """A line of the page footer, shaped and in display order."""
    line = shaped(_clean(text).replace("\n", " "))
    return for_display(line, direction(line, rtl))


def work_order_pdf(work_order: WorkOrder, *, link: str, zone: ZoneInfo, viewer: Actor) -> bytes:
    """The work order as ``viewer`` may read it, as a PDF; ``link`` goes in the QR code, times are in ``zone``.

    Words, dates and numbers follow the language in force (``cube.i18n``), right to left for Arabic.
    Costs (part unit costs, cost totals) are printed only when ``viewer`` may see costs.
    """
    with dates_in(zone):
        return _work_order_pdf(work_order, link=link, zone=zone, viewer=viewer)


def _work_order_pdf(work_order: WorkOrder, *, link: str, zone: ZoneInfo, viewer: Actor) -> bytes:
    sheet = load_sheet(work_order)
    rtl = is_rtl()
    wo_number = CONTROL.sub("", work_order.number)
    printed = footer_line(
        _(
            "%(number)s · printed %(time)s (%(zone)s)",
            number=embedded(wo_number),
            time=embedded(localtime(utcnow())),
            zone=embedded(zone.key),
        ),
        rtl,
    )

    def decorate(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        page = footer_line(_("Page %(page)s", page=number(doc.page)), rtl)
        start, end = (page, printed) if rtl else (printed, page)
        canvas.saveState()
        canvas.setFillColor(colors.grey)
        draw_text(canvas, MARGIN, MARGIN / 2, start, fonts()[0], 7)
        draw_text(canvas, A4[0] - MARGIN, MARGIN / 2, end, fonts()[0], 7, end=True)
        canvas.restoreState()

    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{wo_number} {CONTROL.sub('', work_order.title)}",
        author="CUBE-PRO",
        subject=_("Work order"),
        creator="CUBE-PRO",
    )
    story = _Builder(sheet, link, show_costs=costs.may_see_costs(viewer), rtl=rtl).build()
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
