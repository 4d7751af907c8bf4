"""Views: the site settings an admin changes (the default language)."""

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


@bp.route("/settings", methods=["GET", "POST"])
@requires("settings.manage")
def site_settings_page() -> Response | tuple[str, int] | str:
    """The site's default language, for visitors and people who chose none."""
    form = SiteSettingsForm(obj=site_settings.current_settings())
    form.default_language.choices = list(LANGUAGES.items())
    if form.validate_on_submit():

        def save() -> bool:
            """Save the default; the confirmation follows it when the admin chose no language of their own."""
            changed = site_settings.set_default_language(current_user, form.default_language.data or "")
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
    if form.is_submitted():  # refused by the form (a language not in the list) or by the service
        return render_template("users/settings.html", form=form), REFUSED
    return render_template("users/settings.html", form=form)
