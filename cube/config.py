"""Configuration classes, read from the environment when the app is created."""

from __future__ import annotations

import importlib.util
import ipaddress
import os
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

# Values that must never be accepted as a production secret.
KNOWN_SECRET_KEYS = frozenset({"", "dev", "development", "secret", "changeme", "change-me", "dev-only-insecure-key"})
DEV_SECRET_KEY = "dev-only-insecure-key"  # noqa: S105 (refused in production)


class ConfigError(RuntimeError):
    """The configuration cannot be used (raised at start-up)."""


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on")."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    """Read an integer environment variable, failing clearly on garbage."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from exc


def env_list(name: str) -> list[str]:
    """Read a comma-separated environment variable as a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the site's base URL (None when it can)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return "BASE_URL must be an absolute http:// or https:// address, e.g. https://cube.example.com"
    if parts.query or parts.fragment or parts.username or parts.password:
        return "BASE_URL must be scheme, host, optional port and optional path only (no query, fragment or user)."
    return None


def trusted_networks(values: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """TRUSTED_PROXIES entries (addresses or CIDR networks) as networks; ConfigError on garbage."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError as exc:
            raise ConfigError(f"TRUSTED_PROXIES: {value!r} is not an IP address or network") from exc
    return networks


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def normalise_database_url(url: str) -> str:
    """Accept the usual DATABASE_URL spellings and pick an installed driver.

    ``postgres://`` and ``postgresql://`` use psycopg 3 (or psycopg2);
    ``mysql://`` and ``mariadb://`` use PyMySQL (or mysqlclient) with utf8mb4.
    """
    parsed = make_url(url)
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "postgres":
        backend = "postgresql"
    if backend == "postgresql" and not driver:
        driver = "psycopg" if _installed("psycopg") else "psycopg2"
    if backend in {"mysql", "mariadb"}:
        backend = "mysql"
        if not driver:
            driver = "pymysql" if _installed("pymysql") else "mysqldb"
        query = dict(parsed.query)
        query.setdefault("charset", "utf8mb4")
        parsed = parsed.set(query=query)
    drivername = f"{backend}+{driver}" if driver else backend
    return parsed.set(drivername=drivername).render_as_string(hide_password=False)


def default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'workorder.db'}"


def engine_options(url: str) -> dict[str, Any]:
    """Per-backend engine options (pool health checks on server databases)."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    options: dict[str, Any] = {"pool_pre_ping": True, "pool_recycle": 1800}
    if url.startswith("mysql"):
        # Same visibility rules as PostgreSQL: each statement sees what others committed.
        options["isolation_level"] = "READ COMMITTED"
    return options


class Config:
    """Settings shared by every environment; each reads the environment."""

    ENV_NAME = "base"

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
        self.DEBUG = env_bool("FLASK_DEBUG", False)
        url = normalise_database_url(os.environ.get("DATABASE_URL") or default_database_url())
        self.SQLALCHEMY_DATABASE_URI = url
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(url)
        self.SQLALCHEMY_TRACK_MODIFICATIONS = False

        # Largest request body: an attachment (16 MiB) plus form overhead.
        self.MAX_CONTENT_LENGTH = env_int("MAX_CONTENT_LENGTH", 17 * 1024 * 1024)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.REMEMBER_COOKIE_DURATION = timedelta(days=env_int("REMEMBER_DAYS", 14))
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=env_int("SESSION_HOURS", 12))
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
        self.HSTS_MAX_AGE = env_int("HSTS_MAX_AGE", 31536000)
        # Links that leave the page (e-mails, PDFs, QR codes) are built from this, never from the request's Host.
        self.BASE_URL = os.environ.get("BASE_URL", "").strip().rstrip("/")
        # Host names the app answers to (Flask answers 400 to others); empty: derived from BASE_URL.
        self.TRUSTED_HOSTS: list[str] | None = env_list("TRUSTED_HOSTS") or None
        # Addresses (or networks) of the reverse proxies whose X-Forwarded-* headers are believed,
        # and how many proxies are chained in front of the app.
        self.TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
        self.PROXY_COUNT = env_int("PROXY_COUNT", 1 if self.TRUSTED_PROXIES else 0)

        # Sign-in protection.
        self.LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
        self.LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
        # Account-wide brake: after this many failures (from any address) each further try waits,
        # doubling up to LOGIN_BRAKE_MAX_SECONDS; an e-mailed link lets the owner past it.
        self.LOGIN_BRAKE_AFTER = env_int("LOGIN_BRAKE_AFTER", 20)
        self.LOGIN_BRAKE_MAX_SECONDS = env_int("LOGIN_BRAKE_MAX_SECONDS", 60)
        self.UNLOCK_MAX_AGE = env_int("UNLOCK_MAX_AGE", 3600)
        self.SIGN_IN_DEVICE_DAYS = env_int("SIGN_IN_DEVICE_DAYS", 90)
        self.LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "20 per minute")
        self.PASSWORD_RESET_RATE_LIMIT = os.environ.get("PASSWORD_RESET_RATE_LIMIT", "5 per 15 minutes")
        self.PASSWORD_RESET_MAX_AGE = env_int("PASSWORD_RESET_MAX_AGE", 3600)
        self.INVITE_MAX_AGE = env_int("INVITE_MAX_AGE", 72 * 3600)
        self.PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 12)

        self.REDIS_URL = os.environ.get("REDIS_URL", "")
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_HEADERS_ENABLED = True
        self.RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)

        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
        self.MAIL_PORT = env_int("MAIL_PORT", 25)
        self.MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
        self.MAIL_USE_SSL = env_bool("MAIL_USE_SSL", False)
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
        self.MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "CUBE-PRO <no-reply@localhost>")
        self.MAIL_SUPPRESS_SEND = env_bool("MAIL_SUPPRESS_SEND", False)

        # Each worker reads the site settings at most this often (seconds); a change shows in the other workers
        # within this time, at once in the one that saved it.
        self.SITE_SETTINGS_MAX_AGE = env_int("SITE_SETTINGS_MAX_AGE", 5)
        self.USERS_PER_PAGE = env_int("USERS_PER_PAGE", 25)
        self.ITEMS_PER_PAGE = env_int("ITEMS_PER_PAGE", 25)
        # Uploaded files (product images, attachments) live here under random names.
        self.UPLOAD_ROOT = os.environ.get("UPLOAD_ROOT") or str(INSTANCE_DIR / "uploads")
        self.IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 10 * 1024 * 1024)
        self.ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 16 * 1024 * 1024)
        self.IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)
        self.LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
        # Compress answers in the app (gzip): for the embedded server; behind Nginx, Nginx compresses.
        self.COMPRESS_RESPONSES = env_bool("COMPRESS_RESPONSES", False)
        self.COMPRESS_ALGORITHM = ["gzip"]
        # Templates are compiled once per process; only development reads a changed template again.
        self.TEMPLATES_AUTO_RELOAD: bool | None = None  # None: follow DEBUG (see derive)

    # Host names trusted besides BASE_URL's when TRUSTED_HOSTS is not set (loopback in development).
    LOCAL_HOSTS: tuple[str, ...] = ()

    def derive(self) -> None:
        """Fill in the settings that follow from others (after overrides are applied)."""
        if self.TEMPLATES_AUTO_RELOAD is None:
            self.TEMPLATES_AUTO_RELOAD = bool(self.DEBUG)
        if self.TRUSTED_HOSTS is None and self.BASE_URL:
            host = urlsplit(self.BASE_URL).hostname or ""
            self.TRUSTED_HOSTS = list(dict.fromkeys([host, *self.LOCAL_HOSTS]))

    def check(self) -> None:
        """Refuse settings that cannot work or are unsafe for this environment."""
        if self.BASE_URL and (problem := base_url_problem(self.BASE_URL)):
            raise ConfigError(problem)
        trusted_networks(self.TRUSTED_PROXIES)
        if self.PROXY_COUNT and not self.TRUSTED_PROXIES:
            raise ConfigError(
                "PROXY_COUNT is set but TRUSTED_PROXIES is empty: list the proxy addresses "
                "(e.g. TRUSTED_PROXIES=127.0.0.1) so forwarded headers from anyone else are ignored."
            )


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    LOCAL_HOSTS = ("localhost", "127.0.0.1")

    def __init__(self) -> None:
        super().__init__()
        self.DEBUG = env_bool("FLASK_DEBUG", True)
        self.BASE_URL = self.BASE_URL or "http://127.0.0.1:5000"  # what `make run` serves
        self.COMPRESS_RESPONSES = env_bool("COMPRESS_RESPONSES", True)  # the embedded server has no Nginx in front
        # Development prints e-mails to the log unless an SMTP server is configured.
        self.MAIL_SUPPRESS_SEND = env_bool("MAIL_SUPPRESS_SEND", "MAIL_SERVER" not in os.environ)


class TestingConfig(Config):
    ENV_NAME = "testing"
    LOCAL_HOSTS = ("localhost", "127.0.0.1")

    def __init__(self) -> None:
        super().__init__()
        self.TESTING = True
        self.SECRET_KEY = "testing-secret-key-not-for-production"  # noqa: S105
        self.MAIL_SUPPRESS_SEND = True
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.BASE_URL = "http://localhost"  # the test client's host
        self.TRUSTED_HOSTS = None
        self.TRUSTED_PROXIES = []
        self.PROXY_COUNT = 0


class ProductionConfig(Config):
    ENV_NAME = "production"

    def __init__(self) -> None:
        super().__init__()
        self.SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE

    def check(self) -> None:
        """Refuse a production start with a weak secret, debug on, or no base URL."""
        if self.SECRET_KEY.strip().lower() in KNOWN_SECRET_KEYS or len(self.SECRET_KEY) < 32:
            raise ConfigError(
                "SECRET_KEY is missing, known or shorter than 32 characters; "
                "set a long random value (python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        if self.DEBUG:
            raise ConfigError("FLASK_DEBUG must be off in production.")
        if not self.BASE_URL:
            raise ConfigError(
                "BASE_URL is missing: set the address people use, e.g. BASE_URL=https://cube.example.com "
                "(links in e-mails, PDFs and QR codes are built from it)."
            )
        super().check()


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name: str | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the settings for ``name`` (or CUBE_ENV), apply overrides, then check them."""
    name = name or os.environ.get("CUBE_ENV", "development")
    try:
        config = CONFIGS[name]()
    except KeyError as exc:
        raise ConfigError(f"Unknown configuration {name!r}; use one of {', '.join(CONFIGS)}") from exc
    for key, value in (overrides or {}).items():
        setattr(config, key, value)
    if overrides and "SQLALCHEMY_DATABASE_URI" in overrides:
        config.SQLALCHEMY_DATABASE_URI = normalise_database_url(config.SQLALCHEMY_DATABASE_URI)
        if "SQLALCHEMY_ENGINE_OPTIONS" not in overrides:
            config.SQLALCHEMY_ENGINE_OPTIONS = engine_options(config.SQLALCHEMY_DATABASE_URI)
    config.BASE_URL = str(config.BASE_URL or "").rstrip("/")
    config.derive()
    config.check()
    return {key: getattr(config, key) for key in dir(config) if key.isupper()}
