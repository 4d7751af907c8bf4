"""Test helpers: a real SMTP server on loopback, CSRF-aware posting, sign-in, reading responses
(flashes, redirects, CSV and XLSX downloads), and reading what the database and the upload store hold
(row counts, work order events, audit actions, stored files).

Model factories live in tests/catalog_factories.py and tests/workorder_factories.py; sample files
(images, PDFs) in tests/files.py."""

from __future__ import annotations

import csv
import email
import io
import re
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import JSON, ColumnElement, String, Text, func, insert, select

from cube.exports import XLSX_MIMETYPE
from cube.extensions import db
from cube.models import AuditEvent, Company, Role, User, WorkOrder, WorkOrderEvent

DEMO_PASSWORD = "correct-Horse-battery-9"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
LINK = re.compile(r"(https?://\S+/auth/(?:reset|welcome)/\S+)")


@dataclass
class ReceivedMail:
    """One message as the SMTP server received it."""

    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""

    def link(self) -> str:
        """The password link in the message."""
        found = LINK.search(self.text)
        assert found, f"no link in {self.text!r}"
        return found.group(1)


class MailSink:
    """aiosmtpd handler that keeps what it receives."""

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.messages: list[ReceivedMail] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"


def start_smtp_server() -> tuple[Controller, MailSink]:
    """A real SMTP server on a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = MailSink(port)
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, sink


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in a fresh app context.

    Tests hold an app context for their own database work; without this each
    request would reuse it, sharing ``g`` (the signed-in user) and the
    database session between requests in a way a real server never does.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


def csrf_token(client: FlaskClient, page: str = "/auth/forgot") -> str:
    """A valid CSRF token for this client's session."""
    response = client.get(page)
    found = CSRF_META.search(response.get_data(as_text=True))
    assert found, f"no CSRF token on {page}"
    return found.group(1)


def post(client: FlaskClient, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """POST a form with a valid CSRF token, as a browser would."""
    payload = {"csrf_token": csrf_token(client), **(data or {})}
    return client.post(url, data=payload, **kwargs)


def sign_in(client: FlaskClient, email_address: str, password: str = DEMO_PASSWORD, **extra: Any) -> Any:
    """Sign in through the real login form."""
    return post(client, "/auth/login", {"email": email_address, "password": password, **extra})


def statements_for(client: FlaskClient, url: str) -> int:
    """How many SQL statements a second GET of ``url`` sends (the first warms caches that are not per request)."""
    client.get(url)
    with QueryCounter(db.engine) as counter:
        assert client.get(url).status_code == 200, url
    return counter.count


class QueryCounter:
    """Counts the SQL statements sent while it is active (``with QueryCounter(engine) as q``)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.count = 0

    def _count(self, *_args: Any) -> None:
        self.count += 1

    def __enter__(self) -> QueryCounter:
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc: Any) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._count)


# --- reading responses -------------------------------------------------------------------------------------------


def flashes(client: FlaskClient) -> list[tuple[str, str]]:
    """The flash messages waiting in the client's session, as (category, message)."""
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def redirect_path(response: Any) -> str:
    """The path a redirect response points to."""
    return urlsplit(response.headers["Location"]).path


def csv_rows(response: Any) -> list[list[str]]:
    """The rows of a CSV download (which must be a 200 text/csv answer)."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def xlsx_rows(response: Any, *, text_only: bool = False) -> list[list[str]]:
    """The rows of an XLSX download as text; no cell may be a formula (nor, with ``text_only``, a non-text value)."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"] == XLSX_MIMETYPE
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = []
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            assert not text_only or cell.value is None or isinstance(cell.value, str), (cell.coordinate, cell.value)
        rows.append(["" if cell.value is None else str(cell.value) for cell in row])
    return rows


# --- reading the database and the upload store ------------------------------------------------------------------


def count(model: type, *where: ColumnElement[bool], **filters: Any) -> int:
    """How many ``model`` rows match the conditions and ``column=value`` filters (all rows without any)."""
    query = select(func.count()).select_from(model).where(*where).filter_by(**filters)
    return db.session.scalar(query) or 0


def events_of(work_order: WorkOrder, kind: str | None = None) -> list[WorkOrderEvent]:
    """A work order's events (only those of ``kind`` if given), oldest first."""
    query = select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == work_order.id)
    if kind is not None:
        query = query.where(WorkOrderEvent.kind == kind)
    return list(db.session.scalars(query.order_by(WorkOrderEvent.id)))


def event_kinds(work_order: WorkOrder) -> list[str]:
    """The kinds of a work order's events, oldest first."""
    return [event.kind for event in events_of(work_order)]


def audit_events(prefix: str = "") -> list[AuditEvent]:
    """The audit rows (those whose action starts with ``prefix`` if given), oldest first."""
    query = select(AuditEvent).where(AuditEvent.action.startswith(prefix, autoescape=True)).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def audit_actions(prefix: str = "") -> list[str]:
    """The actions of the audit rows (those starting with ``prefix`` if given), oldest first."""
    return [event.action for event in audit_events(prefix)]


def fresh(record: Any) -> Any:
    """``record`` read again from the database (after a request or another session changed it)."""
    db.session.expire_all()
    found = db.session.get(type(record), record.id)
    assert found is not None, record
    return found


def stored_files(app: Flask) -> set[Path]:
    """Every file under the upload root."""
    root = Path(app.config["UPLOAD_ROOT"])
    return {path for path in root.rglob("*") if path.is_file()}


# --- Languages: what a page shows, and English messages left untranslated on it ---

_TEXT_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
# Not prose: scripts, styles, and literal words of a file format or command shown as code.
_NOT_PROSE = {"script", "style", "code", "kbd"}


class PageText(HTMLParser):
    """Visible text, text attributes, same-site links and the lang/dir of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self.lang = self.dir = ""
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang, self.dir = values.get("lang") or "", values.get("dir") or ""
        if tag in _NOT_PROSE:
            self._hidden += 1
        if tag == "a" and (href := values.get("href")) and href.startswith("/"):
            self.links.append(href)
        self.texts.extend(" ".join(v.split()) for k, v in attrs if k in _TEXT_ATTRIBUTES and v)

    def handle_endtag(self, tag: str) -> None:
        if tag in _NOT_PROSE and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.texts.append(" ".join(data.split()))


def page_text(html: str) -> PageText:
    """The parsed text of an HTML page."""
    parsed = PageText()
    parsed.feed(html)
    parsed.close()
    return parsed


@cache
def translated_english(language: str) -> frozenset[str]:
    """English messages (without placeholders) whose ``language`` translation differs, and which are not
    themselves a translation of another message ("Filter" is German for "Filters"): must not show as is."""
    from babel.messages.pofile import read_po

    from cube.catalogues import po_path

    with po_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language)
    said = {
        " ".join(text.split())
        for m in catalog
        for text in ([m.string] if isinstance(m.string, str) else m.string or [])
    }
    return frozenset(
        english
        for message in catalog
        if isinstance(message.id, str)
        and message.string
        and message.string != message.id
        and re.search(r"[A-Za-z]{3,}", message.id)
        and "%(" not in message.id
        and (english := " ".join(message.id.split())) not in said
    )


def stored_text() -> set[str]:
    """Every text value in the database: names and words people typed are shown as typed."""
    values: set[str] = set()

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                collect(key)
                collect(item)
        elif isinstance(value, list | tuple):
            for item in value:
                collect(item)
        elif isinstance(value, str) and value:
            values.add(" ".join(value.split()))

    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text | JSON):
                for value in db.session.scalars(
                    select(column).distinct() if not isinstance(column.type, JSON) else select(column)
                ):
                    collect(value)
    return values


def untranslated_texts(html: str, language: str, exempt: set[str] | frozenset[str] = frozenset()) -> set[str]:
    """Texts on the page that are English messages of the catalogue, shown untranslated."""
    english = translated_english(language)
    return {text for text in page_text(html).texts if text in english and text not in exempt}


def add_crowd(people: int, companies: int, *, role: str = "technician") -> None:
    """``people`` active users of ``role`` and ``companies`` active manufacturers, in two set-based inserts."""
    role_id = db.session.scalar(select(Role.id).where(Role.name == role))
    now = datetime.now(UTC)
    stamps = {"created_at": now, "updated_at": now}
    db.session.execute(
        insert(User),
        [
            {"email": f"crowd{k}@example.com", "name": f"Crowd Person {k}", "role_id": role_id, **stamps}
            for k in range(people)
        ],
    )
    db.session.execute(
        insert(Company), [{"name": f"Crowd Company {k}", "is_manufacturer": True, **stamps} for k in range(companies)]
    )
    db.session.commit()
