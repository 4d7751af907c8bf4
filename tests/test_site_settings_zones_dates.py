"""Site settings: the default time zone new people get, the time zone picker, and the date style (ISO by default)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import refresh
from flask_login import login_user
from sqlalchemy import select

from cube import site_settings
from cube.auth import services as auth
from cube.extensions import db
from cube.i18n import localdate, localtime
from cube.models import SiteSettings, User
from cube.users import services as user_service
from tests.support import audit_actions, audit_events, post
from tests.test_i18n_pdf import DUE, download, speak, text_of
from tests.workorder_factories import make_work_order

BERLIN = "Europe/Berlin"


def set_settings(admin: User, **values: str) -> None:
    """Save site settings as ``admin`` would (committed)."""
    site_settings.save_settings(admin, site_settings.SettingsData(**values))
    db.session.commit()


class Picker(HTMLParser):
    """The groups and options of one ``<select>`` (by id), and its attributes."""

    def __init__(self, select_id: str) -> None:
        super().__init__()
        self.select_id = select_id
        self.inside = False
        self.attributes: dict[str, str | None] = {}
        self.groups: list[tuple[str, list[tuple[str, str, bool]]]] = []
        self._option: tuple[str, bool] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note the select, its optgroups and options."""
        values = dict(attrs)
        if tag == "select" and values.get("id") == self.select_id:
            self.inside, self.attributes = True, values
        elif self.inside and tag == "optgroup":
            self.groups.append((values.get("label") or "", []))
        elif self.inside and tag == "option":
            self._option = (values.get("value") or "", "selected" in values)

    def handle_data(self, data: str) -> None:
        """An option's label."""
        if self._option is not None:
            value, selected = self._option
            if not self.groups:  # options outside any group
                self.groups.append(("", []))
            self.groups[-1][1].append((value, data, selected))
            self._option = None

    def handle_endtag(self, tag: str) -> None:
        """The select ends."""
        if tag == "select":
            self.inside = False


def picker(html: str, select_id: str) -> Picker:
    """The parsed picker ``select_id`` of a page."""
    parsed = Picker(select_id)
    parsed.feed(html)
    assert parsed.attributes, f"no select #{select_id}"
    return parsed


# --- the default time zone -------------------------------------------------------------------------------------


def test_a_new_user_gets_the_site_default_zone_unless_another_is_chosen(make_user, admin_client, runner):
    assert make_user("technician").timezone == "UTC"  # nothing saved: UTC
    set_settings(admin_client.user, default_timezone=BERLIN)
    assert make_user("technician").timezone == BERLIN  # created by the service with no zone chosen
    assert make_user("technician", timezone="Asia/Tokyo").timezone == "Asia/Tokyo"  # another chosen

    form_page = admin_client.get("/users/new").get_data(as_text=True)
    preselected = [value for _, options in picker(form_page, "timezone").groups for value, _, on in options if on]
    assert preselected == [BERLIN]  # the admin's form preselects it

    result = runner.invoke(
        args=["cube", "create-user", "cli-zone@example.com", "--role", "technician"],
        env={"CUBE_PASSWORD": "zone-Default-phrase-8"},
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User.timezone).where(User.email == "cli-zone@example.com")) == BERLIN


def test_an_invited_person_gets_the_default_zone_and_their_invitation_uses_it(admin_client, outbox):
    set_settings(admin_client.user, default_timezone=BERLIN)
    role_id = db.session.scalar(select(User.role_id).where(User.id == admin_client.user.id))
    form = {
        "name": "Ina Invited",
        "email": "ina@example.com",
        "role_id": role_id,
        "timezone": BERLIN,
        "language": "",
        "hourly_rate": "0",
        "invite": "y",
    }
    assert post(admin_client, "/users/new", form).status_code == 302
    assert db.session.scalar(select(User.timezone).where(User.email == "ina@example.com")) == BERLIN
    assert len(outbox) == 1


# --- the picker ------------------------------------------------------------------------------------------------


def test_the_zone_picker_offers_likely_zones_first_then_every_zone_by_region(client_as, make_user):
    set_settings(make_user("admin"), default_timezone=BERLIN)
    for _ in range(2):
        make_user("technician", timezone="America/New_York")
    make_user("technician", timezone="Asia/Tokyo")
    gone = make_user("technician", timezone="Pacific/Fiji")
    gone.active = False
    db.session.commit()
    client = client_as("requester")  # in Berlin, the default

    html = client.get("/profile").get_data(as_text=True)
    zones = picker(html, "profile-timezone")
    labels = [label for label, _ in zones.groups]
    suggested_label, suggested = zones.groups[0]
    assert suggested_label == "Suggested"
    # The site default, then the zones people use, the most used first (Berlin: the requester and the admin).
    assert [value for value, _, _ in suggested] == [BERLIN, "America/New_York", "Asia/Tokyo", "UTC"]
    assert suggested[0][1] == "Europe/Berlin (site default)"
    assert suggested[1][1] == "America/New York"  # read as words: searching "new york" finds it
    assert "Pacific/Fiji" not in [value for value, _, _ in suggested]  # only active people count
    regions = labels[1:-1]
    assert regions == sorted(regions)
    assert {"Africa", "America", "Asia", "Europe", "Pacific"} <= set(regions)
    assert labels[-1] == "Other"
    every = [value for _, options in zones.groups for value, _, _ in options]
    assert sorted(every) == sorted(user_service.timezone_names())  # each zone exactly once
    for region, options in zones.groups[1:-1]:
        assert all(value.startswith(region + "/") for value, _, _ in options), region
    europe = dict(zones.groups)["Europe"]
    assert BERLIN not in [value for value, _, _ in europe]  # already suggested
    assert "Europe/Paris" in [value for value, _, _ in europe]
    assert [value for value, _, on in suggested if on] == [BERLIN]  # the person's own zone stays selected
    # Enhanced with JavaScript: searchable, the device's zone marked; the scripts come from this site.
    assert "data-picker" in zones.attributes
    assert zones.attributes["data-device-zone"] == "%(zone)s (this device)"
    for script in ("vendor/tom-select/tom-select.complete.min.js", "js/device_zone.js", "js/pickers.js"):
        assert f'src="/static/{script}"' in html
    assert html.index("js/device_zone.js") < html.index("js/pickers.js")  # marked before it is enhanced


def test_the_user_form_and_the_settings_use_the_same_picker(admin_client):
    for url, select_id in (("/users/new", "timezone"), ("/settings", "default_timezone")):
        zones = picker(admin_client.get(url).get_data(as_text=True), select_id)
        assert zones.groups[0][0] == "Suggested", url
        assert "data-picker" in zones.attributes, url


# --- saving the settings ---------------------------------------------------------------------------------------


def settings_row() -> tuple[str, str, str]:
    db.session.expire_all()
    row = site_settings.current_settings()
    return row.default_language, row.default_timezone, row.date_style


def test_an_admin_saves_the_default_zone_and_the_date_style_in_one_audit_row(admin_client):
    assert settings_row() == ("en", "UTC", "iso")
    form = {"default_language": "en", "default_timezone": BERLIN, "date_style": "locale"}
    response = post(admin_client, "/settings", form)
    assert response.status_code == 302
    assert settings_row() == ("en", BERLIN, "locale")
    [event] = audit_events("settings.")
    assert event.action == "settings.updated"
    assert event.actor_id == admin_client.user.id
    assert event.details["changes"] == {"default_timezone": ["UTC", BERLIN], "date_style": ["iso", "locale"]}
    page = admin_client.get("/settings").get_data(as_text=True)
    assert [value for value, _, on in picker(page, "date_style").groups[0][1] if on] == ["locale"]
    assert post(admin_client, "/settings", form).status_code == 302  # saved as it is: nothing recorded
    assert audit_actions("settings.") == ["settings.updated"]


def test_a_zone_or_style_not_offered_is_refused_and_nothing_changes(admin_client):
    for bad in ({"default_timezone": "Mars/Olympus"}, {"date_style": "roman"}):
        form = {"default_language": "en", "default_timezone": "UTC", "date_style": "iso", **bad}
        response = post(admin_client, "/settings", form)
        assert response.status_code == 422, bad
        assert "Not a valid choice" in response.get_data(as_text=True)
    assert settings_row() == ("en", "UTC", "iso")
    assert audit_actions("settings.") == []


def test_the_service_refuses_what_the_form_would_not_offer(make_user):
    import pytest

    from cube.errors import ValidationFailed

    admin = make_user("admin")
    for data, field in (
        (site_settings.SettingsData(default_timezone="Mars/Olympus"), "default_timezone"),
        (site_settings.SettingsData(date_style="roman"), "date_style"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            site_settings.save_settings(admin, data)
        assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(SiteSettings)) is None
    assert audit_actions("settings.") == []


def test_no_one_else_changes_the_settings(client_as):
    for role in ("manager", "supervisor", "technician", "requester"):
        client = client_as(role)
        assert client.get("/settings").status_code == 403, role
        form = {"default_language": "en", "default_timezone": BERLIN, "date_style": "locale"}
        assert post(client, "/settings", form).status_code == 403, role
    assert settings_row() == ("en", "UTC", "iso")
    assert audit_actions("settings.") == []


# --- the date style --------------------------------------------------------------------------------------------


def test_iso_is_the_default_in_every_language_and_locale_when_set(app: Flask, make_user):
    reader = make_user("technician", timezone="America/New_York", language="de")
    noon = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    with app.test_request_context():
        login_user(reader)
        refresh()  # the language of the request before is remembered in the test's app context
        assert localtime(noon) == "2026-01-15 07:00"
        assert localtime(noon, "date") == "2026-01-15"
        assert localtime(noon, "time") == "07:00"
        assert localdate(noon.date()) == "2026-01-15"
    reader.language = "ar"
    db.session.commit()
    with app.test_request_context():
        login_user(reader)
        refresh()  # the language of the request before is remembered in the test's app context
        assert localtime(noon) == "\u200e2026-01-15 07:00"  # kept in its order inside Arabic
    set_settings(make_user("admin"), date_style="locale")
    reader.language = "de"
    db.session.commit()
    with app.test_request_context():
        login_user(reader)
        refresh()  # the language of the request before is remembered in the test's app context
        assert localtime(noon) == "15.01.2026, 07:00"
        assert localdate(noon.date()) == "15.01.2026"


def test_a_page_shows_iso_dates_by_default_and_the_locales_once_set(client_as, make_user):
    german = speak(client_as("manager"), "de")
    work_order = make_work_order(german.user, "Pumpe", due_at=DUE)
    db.session.commit()
    page = german.get(f"/work-orders/{work_order.id}").get_data(as_text=True)
    assert "2026-11-29 14:05" in page
    assert "29.11.2026" not in page
    set_settings(make_user("admin"), date_style="locale")
    page = german.get(f"/work-orders/{work_order.id}").get_data(as_text=True)
    assert "29.11.2026, 14:05" in page
    assert "2026-11-29 14:05" not in page


def test_a_pdf_shows_iso_dates_by_default(client_as):
    german = speak(client_as("manager"), "de")
    work_order = make_work_order(german.user, "Pumpe", due_at=DUE)
    db.session.commit()
    text = " ".join(text_of(download(german, work_order)).split())
    assert "2026-11-29 14:05" in text
    assert "29.11.2026" not in text


def test_mail_shows_iso_dates_by_default(app: Flask, make_user, outbox, monkeypatch):
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(auth, "utcnow", lambda: now)
    admin = make_user("admin")
    data = user_service.UserData(
        email="neu@example.com", name="Nina Neu", role_id=admin.role_id, language="de", timezone="America/Chicago"
    )
    with app.test_request_context("/users/new"):
        user_service.create_user(admin, data, invite=True)
        db.session.commit()
    until = (now + timedelta(seconds=app.config["INVITE_MAX_AGE"])).astimezone(ZoneInfo("America/Chicago"))
    [mail] = outbox
    assert until.strftime("%Y-%m-%d %H:%M") in mail.text
    assert until.strftime("%Y-%m-%d %H:%M") in mail.html
    assert not re.search(r"\d{2}\.\d{2}\.\d{4}", mail.text)  # no German-style date
