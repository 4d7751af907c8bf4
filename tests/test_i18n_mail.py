"""Mail speaks the recipient's language and time zone, not the sender's.

An English-speaking admin invites someone or sends them a reset link: the message (subject,
bodies, the time its link stops working) is rendered inside ``speaking_to(recipient)``: its words
come from the recipient's catalogue, its ``Content-Language`` header names their language, and its
dates are in their zone; the admin's own page stays English.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel import dates
from babel.support import Translations
from flask import Flask

from cube.auth import services as auth
from cube.catalogues import TRANSLATIONS
from cube.extensions import db
from cube.i18n import current_language, datetime_pattern
from cube.models import User
from cube.users import services as user_service
from tests.support import post

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def said_in(language: str, message: str) -> str:
    """``message`` as the shipped catalogue of ``language`` says it."""
    translated = Translations.load(str(TRANSLATIONS), [language]).gettext(message)
    assert translated != message
    return translated


def expected_time(moment: datetime, zone: str, language: str, part: str = "datetime") -> str:
    """``moment`` as the mail should write it for a reader in ``zone`` speaking ``language``."""
    local = moment.astimezone(ZoneInfo(zone))
    if part == "time":
        return dates.format_time(local.time(), "short", locale=language)
    return dates.format_datetime(local, datetime_pattern(language), locale=language)


def test_a_reset_link_sent_by_an_english_admin_is_written_for_a_french_reader(
    app: Flask, admin_client, make_user, outbox, monkeypatch
):
    monkeypatch.setattr(auth, "utcnow", lambda: NOW)
    reader = make_user("technician", language="fr", timezone="Asia/Tokyo")
    response = post(admin_client, f"/users/{reader.id}/send-reset", {})
    assert response.status_code == 302
    page = admin_client.get(response.location)
    assert 'lang="en"' in page.get_data(as_text=True)  # the admin's page stays English
    assert len(outbox) == 1
    mail = outbox[0]
    assert mail.recipients == [reader.email]
    assert mail.message["Content-Language"] == "fr"
    assert mail.subject == said_in("fr", "Reset your CUBE-PRO password")
    until = NOW + timedelta(seconds=app.config["PASSWORD_RESET_MAX_AGE"])
    in_tokyo = expected_time(until, "Asia/Tokyo", "fr", "time")
    assert in_tokyo in mail.text
    assert in_tokyo in mail.html
    assert expected_time(until, "UTC", "en", "time") not in mail.text  # not the admin's zone nor language


def test_an_invitation_is_written_in_the_invited_persons_language_and_zone(
    app: Flask, make_user, outbox, monkeypatch, locale_dates
):
    monkeypatch.setattr(auth, "utcnow", lambda: NOW)
    admin = make_user("admin", timezone="UTC")
    role_id = db.session.scalar(db.select(User.role_id).where(User.id == admin.id))
    data = user_service.UserData(
        email="neu@example.com", name="Nina Neu", role_id=role_id, language="de", timezone="America/Chicago"
    )
    with app.test_request_context("/users/new", headers={"Accept-Language": "en"}):
        assert current_language() == "en"
        user_service.create_user(admin, data, invite=True)
        assert current_language() == "en"  # the sender's request is English again after the mail
        db.session.commit()
    assert len(outbox) == 1
    mail = outbox[0]
    assert mail.recipients == ["neu@example.com"]
    assert mail.message["Content-Language"] == "de"
    assert mail.subject == said_in("de", "Your CUBE-PRO account")
    assert said_in("de", "Choose your password here to get started:") in mail.text
    until = NOW + timedelta(seconds=app.config["INVITE_MAX_AGE"])
    assert expected_time(until, "America/Chicago", "de") in mail.text
    assert expected_time(until, "America/Chicago", "de") in mail.html


def test_a_person_who_chose_no_language_gets_mail_in_the_site_language(make_user, outbox):
    reader = make_user("technician", language="")
    auth.send_reset_email(reader, actor=None)
    db.session.commit()
    assert outbox[0].message["Content-Language"] == "en"
