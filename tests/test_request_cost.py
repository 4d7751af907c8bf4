"""What a request costs besides its page: public answers touch neither the database nor the user, and the
site settings are read once per worker for a while rather than once per request."""

from __future__ import annotations

import gzip

from flask_babel import force_locale, gettext

from cube import create_app
from cube.config import load_config
from cube.extensions import db
from cube.site_settings import current_settings, forget_settings, settings_now
from tests.support import QueryCounter, post, sign_in, statements_for


def test_healthz_runs_no_sql_even_for_a_signed_in_session(client, make_user):
    assert sign_in(client, make_user("technician").email).status_code == 302
    assert statements_for(client, "/healthz") == 0
    response = client.get("/healthz")
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"  # a signed-in session's answer is still never stored


def test_the_sign_in_page_runs_no_sql(client):
    assert statements_for(client, "/auth/login") == 0
    response = client.get("/auth/login")
    assert "Cache-Control" not in response.headers  # a public page, nobody signed in
    assert 'name="email"' in response.get_data(as_text=True)


def test_signed_in_pages_are_still_not_stored(client, make_user):
    sign_in(client, make_user("technician").email)
    for url in ("/", "/work-orders", "/profile"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
        assert "Cookie" in response.headers["Vary"], url


def test_a_saved_setting_shows_at_once_in_the_same_worker(admin_client, client):
    client.get("/auth/login")  # the process now holds a snapshot of the settings
    form = {"default_language": "de", "default_timezone": "UTC", "date_style": "iso"}
    assert post(admin_client, "/settings", form).status_code == 302
    assert 'lang="de"' in client.get("/auth/login").get_data(as_text=True)


def test_a_setting_changed_elsewhere_shows_once_the_snapshot_is_old(app, client, monkeypatch):
    client.get("/auth/login")
    row = current_settings()
    row.default_language = "fr"
    db.session.add(row)
    db.session.commit()  # as another worker would save it
    assert 'lang="en"' in client.get("/auth/login").get_data(as_text=True)  # this worker's snapshot is fresh
    monkeypatch.setitem(app.config, "SITE_SETTINGS_MAX_AGE", -1)  # every snapshot is old
    with QueryCounter(db.engine) as counter:
        page = client.get("/auth/login").get_data(as_text=True)
    assert 'lang="fr"' in page
    assert counter.count == 1


def test_a_save_that_rolls_back_leaves_no_snapshot_behind(app):
    with app.app_context():  # a request of its own (the test's app context holds a snapshot of its own)
        assert settings_now().default_language == "en"
        row = current_settings()
        row.default_language = "es"
        db.session.add(row)
        forget_settings()
        assert settings_now().default_language == "es"  # this unit of work sees its own change
        db.session.rollback()
    with app.app_context():
        assert settings_now().default_language == "en"


SITE = "https://cube.example.com"


def _production(monkeypatch, database_url, **overrides):
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("BASE_URL", SITE)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.delenv("COMPRESS_RESPONSES", raising=False)
    return create_app({"CUBE_ENV": "production", "SQLALCHEMY_DATABASE_URI": database_url, **overrides})


def test_templates_compile_once_in_production_and_reload_in_development(monkeypatch, database_url):
    assert _production(monkeypatch, database_url).jinja_env.auto_reload is False
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    development = create_app({"CUBE_ENV": "development", "SQLALCHEMY_DATABASE_URI": database_url})
    assert development.jinja_env.auto_reload is True


def test_answers_are_gzipped_in_development_and_left_to_nginx_in_production(monkeypatch, database_url):
    monkeypatch.delenv("COMPRESS_RESPONSES", raising=False)
    assert load_config("development")["COMPRESS_RESPONSES"] is True
    production = _production(monkeypatch, database_url)
    assert production.config["COMPRESS_RESPONSES"] is False
    plain = production.test_client().get("/auth/login", SITE, headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers

    compressing = _production(monkeypatch, database_url, COMPRESS_RESPONSES=True)
    response = compressing.test_client().get("/auth/login", SITE, headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    html = gzip.decompress(response.get_data()).decode()
    assert 'name="email"' in html
    assert abs(len(html) - len(plain.get_data())) < 100  # the same page (its CSRF token differs)
    assert len(response.get_data()) < len(html) / 2
    assert "Content-Security-Policy" in response.headers  # compressed after every other header was set
    tiny = compressing.test_client().get("/healthz", SITE, headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in tiny.headers  # too small to be worth it


def test_templates_speak_a_forced_language_and_come_back(app):
    template = app.jinja_env.from_string("{{ _('Work orders') }}")
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "de"}):
        german = template.render()
        with force_locale("fr"):
            french = template.render()
            assert french == gettext("Work orders")
        assert template.render() == german == gettext("Work orders")
    assert german != french
    assert "Work orders" not in (german, french)
