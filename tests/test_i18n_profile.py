"""Languages for people: the profile's choice, the browser's, the site default an admin sets,
right-to-left pages, the admin's language field for a user, and decimals typed in the reader's locale."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cube import site_settings
from cube.extensions import db
from cube.models import User
from cube.users import roles as role_service
from tests.support import audit_actions, count, fresh, post, sign_in

LTR_CSS = "vendor/bootstrap/bootstrap.min.css"
RTL_CSS = "vendor/bootstrap/bootstrap.rtl.min.css"


def profile_form(user: User, **overrides: str) -> dict[str, str]:
    """The profile form as the page sends it (prefixed ``profile-``), with ``overrides`` by field name."""
    data = {"name": user.name, "phone": user.phone, "timezone": user.timezone, "language": user.language}
    data.update(overrides)
    return {f"profile-{name}": value for name, value in data.items()}


def signed_in_as(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    response = sign_in(client, user.email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def html_tag(client: FlaskClient, url: str, **kwargs) -> str:
    """The page's opening ``<html ...>`` tag."""
    response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    body = response.get_data(as_text=True)
    start = body.index("<html")
    return body[start : body.index(">", start) + 1]


# -- the profile's language -------------------------------------------------------------------------------------


def test_choosing_deutsch_on_the_profile_stores_it_and_the_pages_speak_german(technician_client: FlaskClient):
    me = technician_client.user
    response = post(technician_client, "/profile", profile_form(me, language="de"), follow_redirects=True)
    assert response.status_code == 200
    assert '<html lang="de"' in response.get_data(as_text=True)
    assert fresh(me).language == "de"
    assert '<html lang="de" dir="ltr"' in html_tag(technician_client, "/profile")


def test_the_profile_offers_each_language_named_in_itself(technician_client: FlaskClient):
    page = technician_client.get("/profile").get_data(as_text=True)
    for code, name in (("de", "Deutsch"), ("es", "Español"), ("fr", "Français"), ("ar", "العربية")):
        assert f'<option value="{code}">{name}</option>' in page
    assert '<option selected value="">' in page  # no choice yet: the browser's, then the site's


def test_the_blank_choice_follows_the_browser_then_the_site_default(app: Flask, make_user: Callable[..., User]):
    me = make_user("technician", language="de")
    client = signed_in_as(app, me)
    response = post(client, "/profile", profile_form(me, language=""))
    assert response.status_code == 302
    assert fresh(me).language == ""
    assert html_tag(client, "/profile", headers={"Accept-Language": "fr"}).startswith('<html lang="fr"')
    assert html_tag(client, "/profile", headers={"Accept-Language": "pt-BR, fr;q=0.5"}).startswith('<html lang="fr"')
    assert html_tag(client, "/profile").startswith('<html lang="en"')
    assert html_tag(client, "/profile", headers={"Accept-Language": "pt"}).startswith('<html lang="en"')
    site_settings.set_default_language(make_user("admin"), "es")
    db.session.commit()
    assert html_tag(client, "/profile").startswith('<html lang="es"')
    assert html_tag(client, "/profile", headers={"Accept-Language": "fr"}).startswith('<html lang="fr"')


def test_a_chosen_language_wins_over_the_browser(app: Flask, make_user: Callable[..., User]):
    client = signed_in_as(app, make_user("technician", language="de"))
    assert html_tag(client, "/", headers={"Accept-Language": "fr"}).startswith('<html lang="de"')


def test_an_unknown_language_is_refused_and_nothing_changes(app: Flask, make_user: Callable[..., User]):
    me = make_user("technician", name="Kept Name", language="fr")
    client = signed_in_as(app, me)
    response = post(client, "/profile", profile_form(me, name="New Name", language="xx"))
    assert response.status_code in (200, 422)
    body = response.get_data(as_text=True)
    assert '<select aria-describedby="profile-language-help" class="form-select is-invalid"' in body
    assert 'class="invalid-feedback"' in body  # WTForms' own message, in French here
    stored = fresh(me)
    assert (stored.language, stored.name) == ("fr", "Kept Name")
    assert "user.profile_updated" not in audit_actions("user.")


# -- right to left ----------------------------------------------------------------------------------------------


def test_arabic_pages_run_right_to_left_with_the_rtl_stylesheet(app: Flask, make_user: Callable[..., User]):
    client = signed_in_as(app, make_user("technician", language="ar"))
    body = client.get("/profile").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in body
    assert RTL_CSS in body
    assert LTR_CSS not in body


@pytest.mark.parametrize("language", ["en", "de", "es", "fr"])
def test_other_languages_run_left_to_right(app: Flask, make_user: Callable[..., User], language: str):
    client = signed_in_as(app, make_user("technician", language=language))
    body = client.get("/profile").get_data(as_text=True)
    assert f'<html lang="{language}" dir="ltr"' in body
    assert LTR_CSS in body
    assert RTL_CSS not in body


def test_a_visitor_whose_browser_asks_for_arabic_gets_a_right_to_left_sign_in_page(client: FlaskClient):
    tag = html_tag(client, "/auth/login", headers={"Accept-Language": "ar"})
    assert tag.startswith('<html lang="ar" dir="rtl"')


# -- the site's default language --------------------------------------------------------------------------------


def test_an_admin_sets_the_site_default_and_visitors_get_it(admin_client: FlaskClient, client: FlaskClient):
    assert html_tag(client, "/auth/login").startswith('<html lang="en"')
    page = admin_client.get("/settings")
    assert page.status_code == 200
    assert 'name="default_language"' in page.get_data(as_text=True)
    response = post(admin_client, "/settings", {"default_language": "es"})
    assert response.status_code == 302
    assert site_settings.current_settings().default_language == "es"
    assert html_tag(client, "/auth/login").startswith('<html lang="es" dir="ltr"')
    assert html_tag(client, "/auth/login", headers={"Accept-Language": "de"}).startswith('<html lang="de"')
    assert audit_actions("settings.") == ["settings.updated"]
    again = post(admin_client, "/settings", {"default_language": "es"})
    assert again.status_code == 302
    assert audit_actions("settings.") == ["settings.updated"]  # nothing changed: no second row


def test_a_non_admin_may_not_change_the_site_settings(client_as: Callable[[str], FlaskClient], client: FlaskClient):
    technician = client_as("technician")
    assert technician.get("/settings").status_code == 403
    assert post(technician, "/settings", {"default_language": "es"}).status_code == 403
    assert site_settings.current_settings().default_language == "en"
    assert html_tag(client, "/auth/login").startswith('<html lang="en"')
    assert audit_actions("settings.") == []


def test_only_the_admin_role_holds_settings_manage():
    holders = {role.name for role in role_service.all_roles() if "settings.manage" in role.permissions}
    assert holders == {"admin"}


def test_a_bad_site_default_is_refused_and_nothing_changes(admin_client: FlaskClient, client: FlaskClient):
    assert post(admin_client, "/settings", {"default_language": "es"}).status_code == 302
    response = post(admin_client, "/settings", {"default_language": "xx"})
    assert response.status_code == 422
    assert 'class="invalid-feedback"' in response.get_data(as_text=True)  # WTForms' own message, in Spanish here
    assert site_settings.current_settings().default_language == "es"
    assert html_tag(client, "/auth/login").startswith('<html lang="es"')
    assert audit_actions("settings.") == ["settings.updated"]


# -- the admin's user form --------------------------------------------------------------------------------------


def new_user_form(**overrides: str) -> dict[str, str]:
    role = role_service.role_by_name("technician")
    assert role is not None
    data = {
        "name": "Fleur Nouvelle",
        "email": "fleur@example.com",
        "role_id": str(role.id),
        "timezone": "Europe/Paris",
        "language": "",
    }
    data.update(overrides)
    return data


def test_the_user_form_has_a_language_field_and_a_new_user_keeps_fr(admin_client: FlaskClient):
    page = admin_client.get("/users/new").get_data(as_text=True)
    assert 'name="language"' in page
    assert '<option value="fr">Français</option>' in page
    response = post(admin_client, "/users/new", new_user_form(language="fr"))
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "fleur@example.com"))
    assert user is not None
    assert user.language == "fr"


def test_the_user_form_refuses_an_unknown_language(admin_client: FlaskClient):
    response = post(admin_client, "/users/new", new_user_form(language="xx"))
    assert response.status_code in (200, 422)
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert count(User, email="fleur@example.com") == 0


# -- decimals typed in the reader's locale ----------------------------------------------------------------------


def edit_form(user: User, rate: str) -> dict[str, str]:
    return {
        "name": user.name,
        "email": user.email,
        "role_id": str(user.role_id),
        "timezone": user.timezone,
        "language": user.language,
        "hourly_rate": rate,
    }


def test_a_german_admin_types_an_hourly_rate_with_a_decimal_comma(app: Flask, make_user: Callable[..., User]):
    client = signed_in_as(app, make_user("admin", language="de"))
    person = make_user("technician")
    response = post(client, f"/users/{person.id}/edit", edit_form(person, "12,50"))
    assert response.status_code == 302
    assert fresh(person).hourly_rate == Decimal("12.50")
    form = client.get(f"/users/{person.id}/edit").get_data(as_text=True)
    assert 'value="12,50"' in form  # shown for editing the way it was typed


def test_a_german_admin_typing_a_decimal_point_is_asked_which_was_meant(app: Flask, make_user: Callable[..., User]):
    client = signed_in_as(app, make_user("admin", language="de"))
    person = make_user("technician", hourly_rate=Decimal("30"))
    response = post(client, f"/users/{person.id}/edit", edit_form(person, "12.5"))
    assert response.status_code in (200, 422)
    body = response.get_data(as_text=True)
    assert 'id="hourly_rate"' in body
    assert "is-invalid" in body
    assert "invalid-feedback" in body
    assert "12.5" in body  # the message quotes what was typed
    assert fresh(person).hourly_rate == Decimal("30")
    assert "user.updated" not in audit_actions("user.")


def test_an_english_admin_types_a_decimal_point(admin_client: FlaskClient, make_user: Callable[..., User]):
    person = make_user("technician")
    response = post(admin_client, f"/users/{person.id}/edit", edit_form(person, "12.50"))
    assert response.status_code == 302
    assert fresh(person).hourly_rate == Decimal("12.50")
    assert 'value="12.50"' in admin_client.get(f"/users/{person.id}/edit").get_data(as_text=True)
