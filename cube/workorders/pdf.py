"""A work order as a printable PDF (ReportLab platypus): header, QR code, details,
checklist, parts, time, comments and signature lines.

Long texts are laid out in linear time. ReportLab wraps a paragraph as a whole and,
when it does not fit, splits it and wraps the rest again, page after page: one
paragraph of n lines costs O(n^2) (16,000 lines took a minute). Descriptions and
comments are therefore cut into blocks of a bounded size (``text_blocks``) drawn as
plain lines (``TextLines``: no markup to parse, nothing to escape), so each page
wraps only the few blocks it shows. Table cells cannot flow from page to page
sensibly, so a cell shows at most ``CELL_LINES`` lines and says how many more there
are; and a PDF shows a bounded number of lines of text (see ``TEXT_LINES``).
Costs are printed only for viewers who may see them (``workorder.view_costs``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from cube.actors import Actor
from cube.extensions import db
from cube.models import ChecklistItem, Comment, PartUsage, TimeLog, WorkOrder, utcnow
from cube.workorders import costs, custom_values

# Control characters (all but tab and newline) would print as boxes or garbage; they are dropped.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]")
MARGIN = 16 * mm
QR_SIZE = 30 * mm
TIME_FORMAT = "%Y-%m-%d %H:%M"
ANSWERS = {"pass": "Pass", "fail": "Fail", "na": "N/A"}
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
    return f"[text continues: {count:,} more line{'' if count == 1 else 's'}]"


def markup(value: object, max_lines: int | None = None) -> str:
    """User text made safe for ReportLab's paragraph markup: shown literally, line breaks kept.

    With ``max_lines`` the text stops there and a note says how many lines are left out.
    """
    lines = _clean(value).split("\n")
    if max_lines is not None and len(lines) > max_lines:
        lines = [*lines[:max_lines], continues(len(lines) - max_lines)]
    return "<br/>".join(escape(line) for line in lines)


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


def wrap_line(line: str, font: str, size: float, width: float) -> list[str]:
    """One line of text broken into lines no wider than ``width`` (at spaces, or inside an overlong word)."""
    if stringWidth(line, font, size) <= width:
        return [line]
    wrapped: list[str] = []
    for part in simpleSplit(line, font, size, width):
        while len(part) > 1 and (part_width := stringWidth(part, font, size)) > width:
            cut = max(1, min(len(part) - 1, int(len(part) * width / part_width)))
            while cut > 1 and stringWidth(part[:cut], font, size) > width:
                cut -= 1
            wrapped.append(part[:cut])
            part = part[cut:]
        wrapped.append(part)
    return wrapped or [""]


class TextLines(Flowable):
    """Plain text, wrapped to the frame and drawn line by line; it splits between any two lines.

    Unlike a Paragraph there is no markup to parse (the text is drawn literally) and splitting costs
    only the lines of this block, which ``text_blocks`` keeps small: layout is linear in the text.
    """

    def __init__(self, lines: list[str], font: str, size: float, leading: float) -> None:
        """``lines`` as written (wrapped on layout), in ``font`` at ``size`` points, ``leading`` apart."""
        super().__init__()
        self.lines = lines
        self.font, self.size, self.leading = font, size, leading
        self._wrapped: list[str] = []
        self._wrapped_at: float | None = None

    def _wrap_to(self, width: float) -> list[str]:
        if self._wrapped_at != width:
            self._wrapped = [part for line in self.lines for part in wrap_line(line, self.font, self.size, width)]
            self._wrapped_at = width
        return self._wrapped

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """The block's size at ``availWidth``."""
        self.width = availWidth
        self.height = len(self._wrap_to(availWidth)) * self.leading
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """The lines that fit in ``availHeight`` and the rest (nothing when not even one line fits)."""
        wrapped = self._wrap_to(availWidth)
        fit = int(availHeight // self.leading)
        if fit <= 0:
            return []
        if fit >= len(wrapped):
            return [self]
        return [self._part(wrapped[:fit], availWidth), self._part(wrapped[fit:], availWidth)]

    def _part(self, wrapped: list[str], width: float) -> TextLines:
        part = TextLines(wrapped, self.font, self.size, self.leading)
        part._wrapped, part._wrapped_at = wrapped, width
        return part

    def draw(self) -> None:
        """Draw the wrapped lines from the top of the block down."""
        text = self.canv.beginText(0, self.height - self.size)
        text.setFont(self.font, self.size, self.leading)
        for line in self._wrapped:
            text.textLine(line)
        self.canv.drawText(text)


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
    return "Helvetica", "Helvetica-Bold"


def _styles() -> StyleSheet1:
    regular, bold = fonts()
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    body.fontName = regular
    styles.add(ParagraphStyle("Cell", parent=body, fontSize=8.5, leading=10.5, spaceBefore=0))
    styles.add(ParagraphStyle("CellBold", parent=styles["Cell"], fontName=bold))
    styles.add(ParagraphStyle("CellRight", parent=styles["Cell"], alignment=TA_RIGHT))
    styles.add(ParagraphStyle("Small", parent=body, fontSize=7, leading=8.5, textColor=colors.grey))
    styles.add(ParagraphStyle("Number", parent=body, fontName=bold, fontSize=20, leading=24, spaceAfter=2))
    styles.add(ParagraphStyle("WOTitle", parent=body, fontName=bold, fontSize=14, leading=17, spaceAfter=4))
    styles.add(
        ParagraphStyle("Section", parent=body, fontName=bold, fontSize=11, leading=14, spaceBefore=10, spaceAfter=4)
    )
    return styles


class _Builder:
    """Turns a ``WorkOrderSheet`` into platypus flowables."""

    def __init__(self, sheet: WorkOrderSheet, link: str, zone: ZoneInfo, show_costs: bool) -> None:
        self.sheet = sheet
        self.wo = sheet.work_order
        self.link = link
        self.zone = zone
        self.show_costs = show_costs
        self.lines_left = DOCUMENT_LINES
        self.styles = _styles()
        self.width = A4[0] - 2 * MARGIN

    def p(self, value: object, style: str = "Cell") -> Paragraph:
        """A short text (a cell, a label): at most CELL_LINES lines."""
        return Paragraph(markup(value, CELL_LINES), self.styles[style])

    def text(self, value: object) -> list[Flowable]:
        """A long text (description, comment) as blocks of plain lines of bounded size: layout stays linear.

        A text past TEXT_LINES, or past what is left of DOCUMENT_LINES, is cut with a note.
        """
        blocks, omitted = text_blocks(value, min(TEXT_LINES, self.lines_left))
        total = _clean(value).count("\n") + 1
        self.lines_left = max(0, self.lines_left - (total - omitted))
        style = self.styles["BodyText"]
        story: list[Flowable] = [TextLines(block, style.fontName, style.fontSize, style.leading) for block in blocks]
        if omitted:
            note = f"{continues(omitted)} The whole text is in the work order online."
            story.append(Paragraph(escape(note), self.styles["Small"]))
        return story

    def when(self, value: datetime | None) -> str:
        return value.astimezone(self.zone).strftime(TIME_FORMAT) if value else ""

    def table(self, header: list[str], rows: list[list[Any]], widths: list[float]) -> Table:
        data = [[self.p(label, "CellBold") for label in header], *rows]
        table = Table(data, colWidths=[w * self.width for w in widths], repeatRows=1, splitInRow=1)
        table.setStyle(TableStyle(GRID))
        return table

    def section(self, title: str) -> Paragraph:
        return Paragraph(markup(title), self.styles["Section"])

    def build(self) -> list[Flowable]:
        story: list[Flowable] = [*self.header(), *self.details()]
        if self.wo.description:
            story += [self.section("Description"), *self.text(self.wo.description)]
        story += self.checklist() + self.parts() + self.time() + self.comments() + self.signatures()
        return story

    def header(self) -> list[Flowable]:
        wo = self.wo
        code = segno.make_qr(self.link, error="m", boost_error=False)
        png = BytesIO()
        code.save(png, kind="png", scale=6, border=2)
        png.seek(0)
        left = [
            self.p("CUBE-PRO · Work order", "Small"),
            Paragraph(markup(wo.number), self.styles["Number"]),
            Paragraph(markup(wo.title), self.styles["WOTitle"]),
            self.p(f"Status: {wo.status.name} · Priority: {wo.priority.name} · Type: {wo.type.name}"),
            self.p(f"Online: {self.link}", "Small"),
        ]
        right = Image(png, width=QR_SIZE, height=QR_SIZE)
        table = Table([[left, right]], colWidths=[self.width - QR_SIZE - 6 * mm, QR_SIZE + 6 * mm])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        return [table, Spacer(1, 4 * mm)]

    def details(self) -> list[Flowable]:
        wo = self.wo

        def name(obj: Any, attr: str = "name") -> str:
            return str(getattr(obj, attr)) if obj is not None else ""

        def amount(value: Decimal | None) -> str:
            return "" if value is None else f"{Decimal(value):,.2f}"

        pairs = [
            ("Requester", name(wo.requester)),
            ("Assignees", ", ".join(u.name for u in wo.assignees)),
            ("Team", name(wo.team)),
            ("Supervisor", name(wo.supervisor)),
            ("Company", name(wo.company)),
            ("Product", f"{wo.product.sku} {wo.product.name}" if wo.product else ""),
            ("Asset", name(wo.asset, "serial_number")),
            ("Location", wo.location.path if wo.location else ""),
            ("Created", self.when(wo.created_at)),
            ("Planned start", self.when(wo.planned_start)),
            ("Due", self.when(wo.due_at)),
            ("Started", self.when(wo.started_at)),
            ("Completed", self.when(wo.completed_at)),
            ("Closed", self.when(wo.closed_at)),
            ("Estimated hours", amount(wo.estimated_hours)),
            ("Actual hours", amount(wo.actual_hours)),
        ]
        if self.show_costs:
            pairs += [("Estimated cost", amount(wo.estimated_cost)), ("Actual cost", amount(wo.actual_cost))]
        pairs += self.sheet.custom_values
        if len(pairs) % 2:
            pairs.append(("", ""))
        rows = []
        for (k1, v1), (k2, v2) in zip(pairs[::2], pairs[1::2], strict=True):
            rows.append([self.p(k1, "CellBold"), self.p(v1 or "—"), self.p(k2, "CellBold"), self.p(v2 or "—")])
        table = Table(rows, colWidths=[w * self.width for w in (0.18, 0.32, 0.18, 0.32)], splitInRow=1)
        table.setStyle(TableStyle([*GRID[:1], *GRID[2:]]))
        return [self.section("Details"), table]

    def checklist(self) -> list[Flowable]:
        items = self.sheet.checklist
        if not items:
            return [self.section("Checklist"), self.p("No checklist.")]
        rows = [
            [
                self.p(str(number)),
                self.p(item.label + (" *" if item.required else "")),
                self.p(ANSWERS.get(item.answer or "", item.answer) if item.answer is not None else "—"),
                self.p(item.answered_by.name if item.answered_by else ""),
                self.p(self.when(item.answered_at)),
            ]
            for number, item in enumerate(items, start=1)
        ]
        table = self.table(["#", "Check (* required)", "Answer", "By", "When"], rows, [0.05, 0.34, 0.26, 0.15, 0.20])
        return [self.section("Checklist"), table]

    def parts(self) -> list[Flowable]:
        parts = self.sheet.parts
        if not parts:
            return [self.section("Parts"), self.p("No parts used.")]
        total = Decimal("0")
        rows: list[list[Any]] = []
        for part in parts:
            line = Decimal(part.quantity) * Decimal(part.unit_cost)
            total += line
            row: list[Any] = [
                self.p(part.product.sku),
                self.p(part.product.name),
                self.p(part.location.path),
                self.p(format(Decimal(part.quantity).normalize(), "f"), "CellRight"),
            ]
            if self.show_costs:
                row += [self.p(f"{Decimal(part.unit_cost):,.2f}", "CellRight"), self.p(f"{line:,.2f}", "CellRight")]
            rows.append(row)
        if not self.show_costs:
            table = self.table(["SKU", "Part", "From", "Quantity"], rows, [0.18, 0.40, 0.28, 0.14])
            return [self.section("Parts"), table]
        rows.append([self.p("Total", "CellBold"), "", "", "", "", self.p(f"{total:,.2f}", "CellRight")])
        header = ["SKU", "Part", "From", "Quantity", "Unit cost", "Cost"]
        table = self.table(header, rows, [0.15, 0.28, 0.22, 0.11, 0.12, 0.12])
        return [self.section("Parts"), table]

    def time(self) -> list[Flowable]:
        logs = self.sheet.time_logs
        if not logs:
            return [self.section("Time"), self.p("No time logged.")]
        total = sum((Decimal(log.hours) for log in logs), Decimal("0"))
        rows = [
            [
                self.p(log.user.name),
                self.p(self.when(log.started_at)),
                self.p(self.when(log.ended_at) or "running"),
                self.p(f"{Decimal(log.hours):.2f}", "CellRight"),
                self.p(log.note),
            ]
            for log in logs
        ]
        rows.append([self.p("Total", "CellBold"), "", "", self.p(f"{total:.2f}", "CellRight"), ""])
        table = self.table(["Person", "Start", "End", "Hours", "Note"], rows, [0.18, 0.18, 0.18, 0.09, 0.37])
        return [self.section("Time"), table]

    def comments(self) -> list[Flowable]:
        comments = self.sheet.comments
        story: list[Flowable] = [self.section("Comments")]
        if not comments:
            return [*story, self.p("No comments.")]
        for comment in comments:
            author = comment.author.name if comment.author else "Someone"
            story += [
                self.p(f"{author} · {self.when(comment.created_at)}", "CellBold"),
                *self.text(comment.body),
                Spacer(1, 3 * mm),
            ]
        return story

    def signatures(self) -> list[Flowable]:
        line = "_" * 34
        rows = [
            [self.p("Technician", "CellBold"), self.p("Customer / supervisor", "CellBold")],
            *[[self.p(f"{label}: {line}"), self.p(f"{label}: {line}")] for label in ("Name", "Signature", "Date")],
        ]
        table = Table(rows, colWidths=[self.width / 2] * 2)
        table.setStyle(TableStyle([("TOPPADDING", (0, 1), (-1, -1), 12)]))
        return [KeepTogether([self.section("Sign-off"), table])]


def work_order_pdf(work_order: WorkOrder, *, link: str, zone: ZoneInfo, viewer: Actor) -> bytes:
    """The work order as ``viewer`` may read it, as a PDF; ``link`` goes in the QR code, times are in ``zone``.

    Costs (part unit costs, cost totals) are printed only when ``viewer`` may see costs.
    """
    sheet = load_sheet(work_order)
    printed = utcnow().astimezone(zone).strftime(TIME_FORMAT)
    number = CONTROL.sub("", work_order.number)

    def decorate(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(fonts()[0], 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(MARGIN, MARGIN / 2, f"{number} · printed {printed} ({zone.key})")
        canvas.drawRightString(A4[0] - MARGIN, MARGIN / 2, f"Page {doc.page}")
        canvas.restoreState()

    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{number} {CONTROL.sub('', work_order.title)}",
        author="CUBE-PRO",
        subject="Work order",
        creator="CUBE-PRO",
    )
    story = _Builder(sheet, link, zone, show_costs=costs.may_see_costs(viewer)).build()
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
