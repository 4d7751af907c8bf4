"""What a request costs besides its page: public answers touch neither the database nor the user, and the
site settings are read once per worker for a while rather than once per request."""

from __future__ import annotations

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
