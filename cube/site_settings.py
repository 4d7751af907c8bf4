"""Site-wide settings: read the one row, and let an admin change it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from zoneinfo import available_timezones

from flask import current_app, g, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from cube import audit
from cube.actors import Actor, require
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.languages import FALLBACK_LANGUAGE, is_shipped
from cube.models import SiteSettings
from cube.models.settings import SITE_SETTINGS_ID
from cube.transactions import on_commit, on_rollback

MANAGE = "settings.manage"
DENIED = _l("You may not change the site settings.")

ISO = "iso"
LOCALE = "locale"
DATE_STYLES = {
    ISO: _l("ISO: 2026-11-29 14:05, the same in every language"),
    LOCALE: _l("As each reader's language writes dates"),
}
DEFAULT_TIMEZONE = "UTC"


@dataclass(frozen=True)
class SettingsData:
    """The settings an admin saves together; None leaves one as it is."""

    default_language: str | None = None
    default_timezone: str | None = None
    date_style: str | None = None


def current_settings() -> SiteSettings:
    """The site settings; an unsaved row of defaults when none was ever saved."""
    return db.session.get(SiteSettings, SITE_SETTINGS_ID) or SiteSettings(
        id=SITE_SETTINGS_ID, default_language=FALLBACK_LANGUAGE, default_timezone=DEFAULT_TIMEZONE, date_style=ISO
    )


@dataclass(frozen=True)
class SettingsNow:
    """The site settings as this request, command or job reads them."""

    default_language: str
    default_timezone: str
    date_style: str


CACHE_KEY = "_site_settings"
SHARED_KEY = "cube.site_settings"  # app.extensions: the snapshot this process read last, and when


def _read() -> SettingsNow:
    """The settings from the database."""
    row = current_settings()
    return SettingsNow(row.default_language, row.default_timezone or DEFAULT_TIMEZONE, row.date_style or ISO)


def _shared() -> dict[str, tuple[float, SettingsNow]]:
    """This process's snapshot of the settings (one per app)."""
    return current_app.extensions.setdefault(SHARED_KEY, {})


def settings_now() -> SettingsNow:
    """The site settings, one snapshot per app context (a request, a command, a job).

    The snapshot is shared by the process for SITE_SETTINGS_MAX_AGE seconds, so most requests (the
    public ones included) read no settings row; saving them forgets it at once in this process, and
    the other workers see the change within that time.
    """
    if not has_app_context():
        return _read()
    cached = g.get(CACHE_KEY)
    if cached is not None:
        return cached
    shared = _shared()
    read_at, now = shared.get("now", (float("-inf"), None))
    if now is None or time.monotonic() - read_at > current_app.config["SITE_SETTINGS_MAX_AGE"]:
        now = _read()
        shared["now"] = (time.monotonic(), now)
    g.setdefault(CACHE_KEY, now)
    return now


def forget_settings() -> None:
    """Read the settings afresh next time (they were changed in this app context).

    The process's snapshot is forgotten again when the change commits or rolls back: a request
    reading the settings in between must not keep the old or the uncommitted ones.
    """
    if has_app_context():
        g.pop(CACHE_KEY, None)
        shared = _shared()
        shared.pop("now", None)
        on_commit(db.session, lambda: shared.pop("now", None))
        on_rollback(db.session, lambda: shared.pop("now", None))


def default_timezone() -> str:
    """The zone new people get unless another is chosen for them."""
    return settings_now().default_timezone


def _check(data: SettingsData) -> None:
    """Refuse a language, zone or date style not offered."""
    if data.default_language is not None and not is_shipped(data.default_language):
        raise ValidationFailed(_("Choose a language from the list."), field="default_language")
    if data.default_timezone is not None and data.default_timezone not in available_timezones():
        raise ValidationFailed(_("Choose a time zone from the list."), field="default_timezone")
    if data.date_style is not None and data.date_style not in DATE_STYLES:
        raise ValidationFailed(_("Choose a date style from the list."), field="date_style")


def save_settings(actor: Actor, data: SettingsData) -> bool:
    """Save the site settings an admin changed, in one audit row; True when something changed."""
    require(actor, MANAGE, DENIED)
    _check(data)
    settings = current_settings()
    changes: dict[str, list[str]] = {}
    for name in ("default_language", "default_timezone", "date_style"):
        wanted = getattr(data, name)
        before = getattr(settings, name)
        if wanted is not None and wanted != before:
            changes[name] = [before, wanted]
            setattr(settings, name, wanted)
    if not changes:  # saving the settings as they are records nothing
        return False
    db.session.add(settings)
    db.session.flush()
    forget_settings()  # what this request, command or job read before the change is stale now
    audit.record("settings.updated", actor=actor, target=settings, changes=changes)
    return True


def set_default_language(actor: Actor, code: str) -> bool:
    """Make ``code`` the site's default language; True when it changed."""
    return save_settings(actor, SettingsData(default_language=code))
