"""Hostile-probe findings on links and proxies (issue 8): reset-link poisoning and trusted hosts (1),
proxy trust, the bind address and per-worker limits (8)."""

from __future__ import annotations

import logging
import runpy
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
import segno
from flask import Flask
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from cube import _warn_about_per_worker_limits, create_app
from cube.auth import services as auth
from cube.config import ConfigError, load_config
from cube.extensions import db
from cube.models import Asset, AuditEvent, Product
from cube.urls import external_url
from tests.support import post, sign_in

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = "https://cube.example.test"


def audit_rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


@pytest.fixture
def public_base_url(app: Flask) -> Iterator[str]:
    """BASE_URL set to a public address unlike the test client's host."""
    app.config["BASE_URL"] = PUBLIC
    yield PUBLIC
    app.config["BASE_URL"] = "http://localhost"


# Finding 1: links that leave the page come from BASE_URL; unknown hosts are refused.


EVIL = "http://evil.example"


def session_for_evil_host(app: Flask, client, data: dict | None = None) -> str:
    """Give ``client`` a valid session cookie for evil.example; returns a CSRF token valid in it.

    Built by hand because the app refuses to serve evil.example a page with a token.
    """
    raw = "f" * 40
    session = {**(data or {}), "csrf_token": raw}
    cookie = app.session_interface.get_signing_serializer(app).dumps(session)
    client.set_cookie("session", cookie, domain="evil.example")
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


def test_forgot_password_for_an_unknown_host_is_refused_and_mails_nothing(app, client, make_user, outbox):
    user = make_user("technician")
    token = session_for_evil_host(app, client)
    response = client.post("/auth/forgot", data={"csrf_token": token, "email": user.email}, base_url=EVIL)
    assert response.status_code == 400
    assert "evil.example" not in response.get_data(as_text=True)
    assert outbox == []
    assert audit_rows("auth.reset_requested") == []
    assert client.get("/auth/login", base_url=f"{EVIL}:8080").status_code == 400
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400


def test_the_mailed_reset_link_starts_with_the_base_url_whatever_the_host(app, make_user, outbox, public_base_url):
    user = make_user("technician")
    browser = app.test_client()
    response = post(browser, "/auth/forgot", {"email": user.email})  # Host: localhost
    assert response.status_code == 302
    assert len(outbox) == 1
    assert outbox[0].link().startswith(f"{PUBLIC}/auth/reset/")
    assert f'href="{PUBLIC}/auth/reset/' in outbox[0].html
    assert "localhost" not in outbox[0].text + outbox[0].html


def test_invitations_sent_outside_a_request_link_to_the_base_url(app, make_user, outbox, public_base_url):
    user = make_user("technician", password=None)
    auth.send_invite_email(user, actor=None)  # as the CLI does: no request, no Host
    db.session.commit()
    assert outbox[0].link().startswith(f"{PUBLIC}/auth/welcome/")


def test_external_url_keeps_a_path_prefix(app):
    app.config["BASE_URL"] = "https://example.org/cube"
    try:
        assert external_url("auth.login") == "https://example.org/cube/auth/login"
        assert external_url("auth.reset_password", token="t", purpose="invite") == (
            "https://example.org/cube/auth/welcome/t"
        )
    finally:
        app.config["BASE_URL"] = "http://localhost"


def test_asset_qr_code_holds_the_base_url(app, client_as, public_base_url):
    product = Product(sku="CMP-7", sku_key="cmp-7", name="Compressor")
    db.session.add(product)
    db.session.flush()
    asset = Asset(product_id=product.id, serial_number="SN-0042")
    db.session.add(asset)
    db.session.commit()
    buffer = BytesIO()
    segno.make_qr(f"{PUBLIC}/assets/{asset.id}", error="m", boost_error=False).save(
        buffer, kind="svg", scale=4, border=2
    )
    response = client_as("technician").get(f"/assets/{asset.id}/qr.svg")
    assert response.status_code == 200
    assert response.data == buffer.getvalue()


def test_work_order_pdf_link_holds_the_base_url(app, client_as, public_base_url, monkeypatch):
    from cube.workorders import output_routes
    from tests.workorder_factories import make_work_order

    links: list[str] = []
    real = output_routes.pdf.work_order_pdf

    def spy(work_order, *, link, zone, viewer):
        links.append(link)
        return real(work_order, link=link, zone=zone, viewer=viewer)

    monkeypatch.setattr(output_routes.pdf, "work_order_pdf", spy)
    admin = client_as("admin")
    work_order = make_work_order(admin.user)
    response = admin.get(f"/work-orders/{work_order.id}.pdf")
    assert response.status_code == 200
    assert links == [f"{PUBLIC}/work-orders/{work_order.id}"]


def test_production_refuses_to_start_without_a_base_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.delenv("BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="BASE_URL"):
        load_config("production")


@pytest.mark.parametrize(
    "bad", ["cube.example.com", "ftp://cube.example.com", "https://", "https://cube.example.com/?x=1", "https://u@h"]
)
def test_a_base_url_that_cannot_build_links_is_refused(monkeypatch, bad):
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("BASE_URL", bad)
    with pytest.raises(ConfigError, match="BASE_URL"):
        load_config("production")


def test_trusted_hosts_default_to_the_base_url_host(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("BASE_URL", "https://cube.example.com/")
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    config = load_config("production")
    assert config["BASE_URL"] == "https://cube.example.com"
    assert config["TRUSTED_HOSTS"] == ["cube.example.com"]
    monkeypatch.setenv("TRUSTED_HOSTS", "cube.example.com, .cube.internal")
    assert load_config("production")["TRUSTED_HOSTS"] == ["cube.example.com", ".cube.internal"]


def test_development_works_on_localhost_without_settings(monkeypatch):
    for name in ("BASE_URL", "TRUSTED_HOSTS", "TRUSTED_PROXIES", "PROXY_COUNT"):
        monkeypatch.delenv(name, raising=False)
    config = load_config("development")
    assert config["BASE_URL"] == "http://127.0.0.1:5000"
    assert set(config["TRUSTED_HOSTS"]) == {"127.0.0.1", "localhost"}
    app = create_app("development")
    for host in ("127.0.0.1:5000", "localhost:5000"):
        assert app.test_client().get("/healthz", headers={"Host": host}).status_code == 200
    assert app.test_client().get("/healthz", headers={"Host": "evil.example"}).status_code == 400


def test_nginx_names_its_server_and_drops_other_hosts():
    conf = (ROOT / "nginx.conf").read_text()
    assert "server_name _;" in conf  # only in the catch-all default server ...
    default = conf.split("server {")[1]
    assert "default_server" in default
    assert "return 444;" in default
    for block in conf.split("server {")[2:]:
        assert "server_name cube.example.com;" in block  # ... every real server names its host
        assert "default_server" not in block


# Finding 8: forwarded headers only from trusted proxies; loopback bind; per-worker limits said out loud.


@pytest.fixture
def proxied_app(database_url, smtp) -> Iterator[Flask]:
    """An app behind one trusted proxy at 10.0.0.5, with a small sign-in limit."""
    app = create_app(
        {
            "CUBE_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TRUSTED_PROXIES": ["10.0.0.5"],
            "PROXY_COUNT": 1,
            "LOGIN_RATE_LIMIT": "3 per minute",
        }
    )
    yield app
    # The limiter is one object per process; point it back at the session app's settings.
    create_app({"CUBE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url})


def test_forged_forwarded_for_from_an_untrusted_peer_is_ignored(proxied_app):
    client = proxied_app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    codes = []
    for n in range(4):
        forged = {"X-Forwarded-For": f"198.51.100.{n}"}
        codes.append(post(client, "/auth/login", {"email": f"a{n}@example.com", "password": "x"}, headers=forged))
    assert [r.status_code for r in codes] == [200, 200, 200, 429]  # limited under its real address
    with proxied_app.app_context():
        addresses = {row.ip_address for row in audit_rows("auth.login_failed")}
    assert addresses == {"203.0.113.9"}


def test_forwarded_for_from_the_trusted_proxy_is_believed(proxied_app):
    client = proxied_app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.0.5"
    for n in range(4):
        header = {"X-Forwarded-For": f"198.51.100.{n}"}
        assert post(client, "/auth/login", {"email": "a@example.com", "password": "x"}, headers=header).status_code == (
            200
        )
    with proxied_app.app_context():
        addresses = [row.ip_address for row in audit_rows("auth.login_failed")]
    assert addresses == [f"198.51.100.{n}" for n in range(4)]


def test_proxy_count_without_trusted_proxies_is_refused(monkeypatch):
    monkeypatch.setenv("PROXY_COUNT", "1")
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        load_config("development")
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, ::1")
    config = load_config("development")
    assert config["TRUSTED_PROXIES"] == ["10.0.0.0/8", "::1"]
    monkeypatch.setenv("TRUSTED_PROXIES", "nginx.local")
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        load_config("development")


def test_trusted_proxies_alone_mean_one_proxy(monkeypatch):
    monkeypatch.delenv("PROXY_COUNT", raising=False)
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1")
    assert load_config("development")["PROXY_COUNT"] == 1


def test_gunicorn_binds_loopback_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["bind"] == "127.0.0.1:8000"
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:9000")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["bind"] == "0.0.0.0:9000"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "ENV GUNICORN_BIND=0.0.0.0:8000" in dockerfile  # a container listens on its own interface


def test_production_says_loudly_that_memory_limits_are_per_worker(monkeypatch, database_url, caplog):
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("BASE_URL", "https://cube.example.com")
    monkeypatch.delenv("REDIS_URL", raising=False)
    with caplog.at_level(logging.WARNING):
        create_app({"CUBE_ENV": "production", "SQLALCHEMY_DATABASE_URI": database_url})
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "PER WORKER" in r.getMessage()]
    assert len(warnings) == 1
    assert "REDIS_URL" in warnings[0].getMessage()


def test_no_warning_with_shared_limit_storage_or_outside_production(caplog):
    shared = Flask("shared")
    shared.config.update(ENV_NAME="production", RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0")
    local = Flask("local")
    local.config.update(ENV_NAME="development", RATELIMIT_STORAGE_URI="memory://")
    with caplog.at_level(logging.WARNING):
        _warn_about_per_worker_limits(shared)
        _warn_about_per_worker_limits(local)
    assert "PER WORKER" not in caplog.text


def test_a_signed_in_user_cannot_be_reached_through_an_unknown_host(app, client, make_user):
    user = make_user("technician")
    sign_in(client, user.email)
    with client.session_transaction() as session:
        signed_in = dict(session)
    token = session_for_evil_host(app, client, signed_in)
    assert client.get("/").status_code == 200
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = client.get("/", base_url=EVIL)
    assert response.status_code == 400
    assert user.name not in response.get_data(as_text=True)
    assert client.post("/auth/logout", data={"csrf_token": token}, base_url=EVIL).status_code == 400
    assert client.get("/").status_code == 200  # still signed in
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events  # the logout never ran
