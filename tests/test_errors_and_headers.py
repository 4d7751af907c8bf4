"""Error pages in the layout, JSON errors, and the security headers on every response."""

from __future__ import annotations

import pytest
from flask import abort

from cube import create_app
from cube.permissions import public
from tests.support import post, sign_in

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Strict-Transport-Security")


@pytest.fixture(scope="module")
def failing_app(database_url, smtp):
    """An app with endpoints that fail in each way (built separately: routes can't be added later)."""
    app = create_app({"CUBE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url, "MAX_CONTENT_LENGTH": 1024})

    @app.route("/boom")
    @public
    def boom() -> str:
        raise RuntimeError("kaboom")

    @app.route("/abort/<int:code>", methods=["GET", "POST"])
    @public
    def abort_with(code: int) -> str:
        abort(code)

    @app.route("/upload", methods=["POST"])
    @public
    def upload() -> str:
        from flask import request

        return str(len(request.get_data()))

    return app


def assert_security_headers(response):
    for header in SECURITY_HEADERS:
        assert header in response.headers, header
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("code", [400, 403, 404, 405, 429])
def test_http_errors_render_in_the_layout(failing_app, code):
    response = failing_app.test_client().get(f"/abort/{code}")
    assert response.status_code == code
    body = response.get_data(as_text=True)
    assert f">{code}<" in body
    assert 'aria-label="Main"' in body
    assert_security_headers(response)


def test_500_is_rendered_logged_and_headed(failing_app, caplog):
    failing_app.testing = False  # let the error handler run instead of propagating
    try:
        response = failing_app.test_client().get("/boom")
    finally:
        failing_app.testing = True
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    assert "kaboom" not in response.get_data(as_text=True)
    assert "kaboom" in caplog.text
    assert_security_headers(response)


def test_413_for_oversized_body(failing_app):
    response = failing_app.test_client().post("/upload", data=b"x" * 4096)
    assert response.status_code == 413
    assert "Upload too large" in response.get_data(as_text=True)


def test_405_keeps_the_allow_header(client):
    response = client.delete("/healthz")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_json_errors_for_json_clients(client):
    response = client.get("/nowhere", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["error"]["code"] == 404
    assert_security_headers(response)


def test_html_errors_for_browsers(client):
    response = client.get("/nowhere", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.mimetype == "text/html"


def test_security_headers_on_pages(client):
    assert_security_headers(client.get("/auth/login"))
    assert client.get("/auth/login").headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_signed_in_pages_are_not_cached(client, make_user):
    user = make_user("technician")
    sign_in(client, user.email)
    response = client.get("/")
    assert response.headers["Cache-Control"] == "no-store"
    assert_security_headers(response)


def test_no_inline_scripts_in_pages(admin_client):
    for url in ("/", "/users", "/roles", "/teams", "/profile", "/audit", "/users/new"):
        body = admin_client.get(url).get_data(as_text=True)
        assert "<script>" not in body, url
        assert " onclick=" not in body, url
        assert "style=" not in body, url


def test_assets_are_served_locally(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert "cdn" not in page.lower()
    for asset in ("/static/vendor/bootstrap/bootstrap.min.css", "/static/vendor/bootstrap/bootstrap.bundle.min.js"):
        assert client.get(asset).status_code == 200, asset


def test_secure_cookies_in_production(monkeypatch, database_url):
    monkeypatch.setenv("SECRET_KEY", "p" * 48)
    monkeypatch.setenv("BASE_URL", "https://cube.example.com")
    app = create_app({"CUBE_ENV": "production", "SQLALCHEMY_DATABASE_URI": database_url})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_csrf_error_page_in_layout(client):
    response = client.post("/auth/forgot", data={"email": "a@example.com"})
    assert response.status_code == 400
    assert 'aria-label="Main"' in response.get_data(as_text=True)
    assert_security_headers(response)


def test_post_helper_round_trip(client):
    assert post(client, "/auth/forgot", {"email": "a@example.com"}).status_code == 302


def test_query_string_cannot_steer_link_building(admin_client):
    page = admin_client.get("/users?_external=1&_scheme=javascript&endpoint=x&q=a").get_data(as_text=True)
    assert "javascript:" not in page
    assert 'href="/users/export.csv?q=a"' in page
