"""The one way the application sends e-mail.

``send_email`` renders a message and queues it on the database session; it is
handed to the mail server only after that session commits, and dropped if it
rolls back, so no e-mail ever describes a change that did not happen. A message
is written for one person, in their language and time zone (not the sender's).
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from flask import current_app, render_template
from flask_babel.speaklater import LazyString
from flask_mail import Message

from cube.extensions import db, mail
from cube.i18n import speaking_to
from cube.transactions import on_commit

log = logging.getLogger(__name__)


class Recipient(Protocol):
    """Whom a message is for: an address, and the language and time zone it is written in (a ``User``)."""

    email: str
    language: str
    timezone: str


def send_email(recipient: Recipient, subject: LazyString, template: str, **context: Any) -> Message:
    """Queue ``email/<template>.txt`` (and ``.html`` when present) to ``recipient`` for after the commit.

    ``subject`` is a lazily translated text (``_l``): it, the bodies and the dates in them are rendered
    in the recipient's language and time zone, which the ``Content-Language`` header names.
    """
    with speaking_to(recipient) as language:
        message = Message(subject=str(subject), recipients=[recipient.email])
        message.extra_headers = {"Content-Language": language}
        message.body = render_template(f"email/{template}.txt", **context)
        html_template = f"email/{template}.html"
        if html_template in current_app.jinja_env.list_templates():
            message.html = render_template(html_template, **context)
    on_commit(db.session(), lambda: _deliver(message))
    return message


def _deliver(message: Message) -> None:
    if current_app.config["MAIL_SUPPRESS_SEND"]:  # development without a mail server: show it in the log
        log.info("E-mail (not sent) to %s: %s\n%s", message.recipients, message.subject, message.body)
        return
    try:
        mail.send(message)
    except Exception:  # the change is committed; a mail outage must not undo it
        log.exception("Could not send e-mail %r to %s", message.subject, message.recipients)
    else:
        log.info("Sent e-mail %r to %s", message.subject, message.recipients)
