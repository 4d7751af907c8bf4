"""A work order as a printable PDF (ReportLab platypus): header, QR code, details,
checklist, parts, time, comments and signature lines."""

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
from reportlab.pdfbase import pdfmetrics
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

from cube.extensions import db
from cube.models import ChecklistItem, Comment, PartUsage, TimeLog, WorkOrder, utcnow

# Control characters (all but tab and newline) would print as boxes or garbage; they are dropped.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]")
MARGIN = 16 * mm
QR_SIZE = 30 * mm
TIME_FORMAT = "%Y-%m-%d %H:%M"
ANSWERS = {"pass": "Pass", "fail": "Fail", "na": "N/A"}
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
    )


def markup(value: object) -> str:
    """User text made safe for ReportLab's paragraph markup: shown literally, line breaks kept."""
    text = CONTROL.sub("", "" if value is None else str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return escape(text).replace("\n", "<br/>")


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

    def __init__(self, sheet: WorkOrderSheet, link: str, zone: ZoneInfo) -> None:
        self.sheet = sheet
        self.wo = sheet.work_order
        self.link = link
        self.zone = zone
        self.styles = _styles()
        self.width = A4[0] - 2 * MARGIN

    def p(self, value: object, style: str = "Cell") -> Paragraph:
        return Paragraph(markup(value), self.styles[style])

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
            story += [self.section("Description"), self.p(self.wo.description, "BodyText")]
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
            ("Estimated cost", amount(wo.estimated_cost)),
            ("Actual hours", amount(wo.actual_hours)),
            ("Actual cost", amount(wo.actual_cost)),
        ]
        pairs += [(str(key), str(value)) for key, value in (wo.custom_values or {}).items()]
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
        rows = []
        for part in parts:
            line = Decimal(part.quantity) * Decimal(part.unit_cost)
            total += line
            rows.append(
                [
                    self.p(part.product.sku),
                    self.p(part.product.name),
                    self.p(part.location.path),
                    self.p(format(Decimal(part.quantity).normalize(), "f"), "CellRight"),
                    self.p(f"{Decimal(part.unit_cost):,.2f}", "CellRight"),
                    self.p(f"{line:,.2f}", "CellRight"),
                ]
            )
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
                self.p(comment.body, "BodyText"),
                Spacer(1, 2 * mm),
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


def work_order_pdf(work_order: WorkOrder, *, link: str, zone: ZoneInfo) -> bytes:
    """The work order as a PDF; ``link`` goes in the QR code, times are shown in ``zone``."""
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
    doc.build(_Builder(sheet, link, zone).build(), onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
