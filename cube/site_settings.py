"""Site-wide settings: read the one row, and let an admin change it."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from cube import audit
from cube.actors import Actor, require
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.languages import FALLBACK_LANGUAGE, is_shipped
from cube.models import SiteSettings
from cube.models.settings import SITE_SETTINGS_ID

MANAGE = "settings.manage"
DENIED = _l("You may not change the site settings.")


def current_settings() -> SiteSettings:
    """The site settings; an unsaved row of defaults when none was ever saved."""
    return db.session.get(SiteSettings, SITE_SETTINGS_ID) or SiteSettings(
        id=SITE_SETTINGS_ID, default_language=FALLBACK_LANGUAGE
    )


def set_default_language(actor: Actor, code: str) -> bool:
    """Make ``code`` the site's default language; True when it changed."""
    require(actor, MANAGE, DENIED)
    if not is_shipped(code):
        raise ValidationFailed(_("Choose a language from the list."), field="default_language")
    settings = current_settings()
    if settings.default_language == code:  # saving the default as it is records nothing
        return False
    before = settings.default_language
    settings.default_language = code
    db.session.add(settings)
    db.session.flush()
    audit.record("settings.updated", actor=actor, target=settings, changes={"default_language": [before, code]})
    return True
