"""CUBE-PRO: work order management. ``create_app`` builds the Flask application."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from typing import Any

from flask import Flask, Response, abort, request
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from cube.config import INSTANCE_DIR, load_config, trusted_networks
from cube.languages import FALLBACK_LANGUAGE, LANGUAGES
from cube.parsing import MAX_ID

__version__ = "0.1.0"

# Content-Security-Policy: only our own scripts, styles, fonts and images.
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# The header, written once per process (Flask-Talisman would rebuild it from the mapping on every response).
CSP_HEADER = "; ".join(f"{directive} {sources}" for directive, sources in CSP.items())


def create_app(config: str | dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` is a configuration name or a mapping of overrides (tests).

    Registers things only: no schema creation, seeding, network calls or threads.
    """
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), instance_relative_config=True)
    name = config if isinstance(config, str) else (config or {}).get("CUBE_ENV")
    overrides = config if isinstance(config, dict) else None
    app.config.from_mapping(load_config(name, overrides))
    app.jinja_env.auto_reload = app.config["TEMPLATES_AUTO_RELOAD"]  # off: templates compile once per process

    _configure_logging(app)
    if app.config["PROXY_COUNT"]:
        app.wsgi_app = TrustedProxies(  # type: ignore[method-assign]
            app.wsgi_app, trusted_networks(app.config["TRUSTED_PROXIES"]), app.config["PROXY_COUNT"]
        )
    _warn_about_per_worker_limits(app)
    _init_extensions(app)
    app.url_map.converters["int"] = IdConverter
    _register_blueprints(app)
    _register_access_guard(app)
    _register_headers(app)
    app.register_error_handler(SecurityError, _untrusted_host)

    from cube.cli import register_cli
    from cube.errors import register_error_handlers
    from cube.i18n import register_i18n
    from cube.templating import register_template_helpers

    register_error_handlers(app)
    register_i18n(app)
    register_template_helpers(app)
    register_cli(app)

    from cube.urls import external_url

    app.jinja_env.globals["external_url"] = external_url
    return app


class TrustedProxies:
    """Believe X-Forwarded-* only when the connecting peer is one of the configured proxies.

    Anyone else reaching the app server directly keeps their real address, so a
    forged X-Forwarded-For cannot dodge the sign-in limit or write the audit log.
    """

    def __init__(self, app: Any, proxies: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network], count: int) -> None:
        self.app = app
        self.proxies = tuple(proxies)
        self.fixed = ProxyFix(app, x_for=count, x_proto=count, x_host=count, x_prefix=count)

    def is_trusted(self, peer: str | None) -> bool:
        """True when ``peer`` (REMOTE_ADDR) lies in one of the trusted proxy networks."""
        try:
            address = ipaddress.ip_address(peer or "")
        except ValueError:
            return False
        return any(address in network for network in self.proxies)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        """Run the request through ProxyFix only when it came from a trusted proxy."""
        if self.is_trusted(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)


def _warn_about_per_worker_limits(app: Flask) -> None:
    """In production, say loudly when rate limits live in each worker's memory."""
    if app.config["ENV_NAME"] == "production" and str(app.config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
        app.logger.warning(
            "RATE LIMITS ARE PER WORKER: no REDIS_URL is set, so each Gunicorn worker counts sign-in "
            "and reset attempts on its own (the real limit is the configured one times the workers). "
            "Set REDIS_URL to share the counts."
        )


def _untrusted_host(_error: SecurityError) -> Response:
    """A request for a host name that is not in TRUSTED_HOSTS: a plain 400, nothing else runs."""
    language = request.accept_languages.best_match(LANGUAGES.keys()) or FALLBACK_LANGUAGE
    with force_locale(language):  # the browser's language: nothing else runs, not even the settings query
        text = _("400 Bad Request: unknown host")
    return Response(text + "\n", status=400, mimetype="text/plain")


class IdConverter(IntegerConverter):
    """``<int:...>`` in URLs: a positive number that fits a database integer (else 404)."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def _configure_logging(app: Flask) -> None:
    level = getattr(logging, str(app.config["LOG_LEVEL"]).upper(), logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app.logger.setLevel(level)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _init_extensions(app: Flask) -> None:
    from cube import models  # noqa: F401  (register every model with the metadata)
    from cube.extensions import compress, csrf, db, limiter, login_manager, mail, migrate, talisman
    from cube.sessions import register_user_loader

    db.init_app(app)
    migrate.init_app(app, db, directory=str(INSTANCE_DIR.parent / "migrations"))
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    register_user_loader(login_manager)
    if app.config["COMPRESS_RESPONSES"]:
        compress.init_app(app)  # registered first, so it runs last: it compresses the finished answer
    talisman.init_app(
        app,
        force_https=False,  # Nginx redirects to HTTPS in production
        content_security_policy=None,  # set below from CSP_HEADER
        frame_options="DENY",
        strict_transport_security=False,  # sent on every response below
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",  # i18n: not shown (cookie attribute)
        permissions_policy={"browsing-topics": "()", "camera": "()", "microphone": "()", "geolocation": "()"},
    )


def _register_blueprints(app: Flask) -> None:
    from cube.auth import routes as auth_views  # noqa: F401  (importing a view module attaches its routes)
    from cube.auth.blueprint import bp as auth_bp
    from cube.main import routes as main_views  # noqa: F401  (as above)
    from cube.main.blueprint import bp as main_bp
    from cube.products import (  # noqa: F401  (importing the view modules attaches their routes)
        asset_routes,
        catalog_routes,
        company_routes,
        export_routes,
        image_routes,
        import_routes,
        inventory_routes,
    )
    from cube.products.blueprint import bp as products_bp
    from cube.users import role_routes, settings_routes, team_routes  # noqa: F401  (as above)
    from cube.users import routes as user_views  # noqa: F401  (as above)
    from cube.users.blueprint import bp as users_bp
    from cube.workflow import routes as workflow_views  # noqa: F401  (views add themselves to the blueprint)
    from cube.workflow.blueprint import bp as workflow_bp
    from cube.workorders import (  # noqa: F401  (views add themselves to the blueprint)
        attachment_routes,
        board_routes,
        bulk_routes,
        calendar_routes,
        checklist_routes,
        lookup_routes,
        output_routes,
        part_routes,
        routes,
        time_routes,
    )
    from cube.workorders.blueprint import bp as workorders_bp

    for blueprint in (auth_bp, main_bp, users_bp, products_bp, workorders_bp, workflow_bp):
        app.register_blueprint(blueprint)


def _register_access_guard(app: Flask) -> None:
    """Deny any endpoint that did not declare an access rule (see cube.permissions)."""
    from cube.permissions import access_rule, public

    public(app.view_functions["static"])

    @app.before_request
    def require_declared_rule() -> None:
        view = app.view_functions.get(request.endpoint or "")
        if view is not None and access_rule(view) is None:
            app.logger.error("Endpoint %s has no access rule; refusing", request.endpoint)
            abort(403)


def _register_headers(app: Flask) -> None:
    from cube.sessions import has_signed_in_session

    hsts = f"max-age={app.config['HSTS_MAX_AGE']}; includeSubDomains"

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP_HEADER)
        response.headers.setdefault("Strict-Transport-Security", hsts)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # Signed-in pages are never stored; a view that set its own policy (private images) keeps it.
        # Asked of the session, not of the user: a public answer loads no one and runs no SQL.
        if request.endpoint != "static" and "Cache-Control" not in response.headers and has_signed_in_session():
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")  # i18n: not shown (HTTP header name)
        return response
