"""Views: the site settings an admin changes (default language and time zone, date style)."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from cube import site_settings
from cube.edge import REFUSED, save_form
from cube.i18n import refresh_language
from cube.languages import LANGUAGES
from cube.permissions import requires
from cube.users.blueprint import bp
from cube.users.forms import SiteSettingsForm
from cube.users.zone_picker import offer_zones


@bp.route("/settings", methods=["GET", "POST"])
@requires("settings.manage")
def site_settings_page() -> Response | tuple[str, int] | str:
    """The site's default language and time zone, and how dates are written."""
    form = SiteSettingsForm(obj=site_settings.current_settings())
    form.default_language.choices = list(LANGUAGES.items())
    offer_zones(form.default_timezone)
    form.date_style.choices = [(code, str(label)) for code, label in site_settings.DATE_STYLES.items()]
    if form.validate_on_submit():
        data = site_settings.SettingsData(
            default_language=form.default_language.data or "",
            default_timezone=form.default_timezone.data or "",
            date_style=form.date_style.data or "",
        )

        def save() -> bool:
            """Save the settings; the confirmation follows the default when the admin chose no language of their own."""
            changed = site_settings.save_settings(current_user, data)
            refresh_language()
            return changed

        done = save_form(
            form,
            save,
            success=lambda changed: _l("Settings saved.") if changed else _l("Nothing changed."),
            redirect_to=url_for("users.site_settings_page"),
        )
        if done is not None:
            return done
    if form.is_submitted():  # refused by the form (a choice not in the list) or by the service
        return render_template("users/settings.html", form=form), REFUSED
    return render_template("users/settings.html", form=form)
