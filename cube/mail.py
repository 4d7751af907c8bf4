"""The one way the application sends e-mail.

``send_email`` renders a message and queues it on the database session; it is
handed to the mail server only after that session commits, and dropped if it
rolls back, so no e-mail ever describes a change that did not happen.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, render_template
from flask_mail import Message

from cube.extensions import db, mail
from cube.transactions import on_commit

log = logging.getLogger(__name__)


def send_email(to: str | list[str], subject: str, template: str, **context: Any) -> Message:
    """Queue ``email/<template>.txt`` (and ``.html`` when present) for after the commit."""
    recipients = [to] if isinstance(to, str) else list(to)
    message = Message(subject=subject, recipients=recipients)
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
