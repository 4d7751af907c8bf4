"""Test helpers: a real SMTP server on loopback, CSRF-aware posting, sign-in."""

from __future__ import annotations

import email
import re
import socket
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller
from flask.testing import FlaskClient

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
