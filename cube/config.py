"""Configuration classes, read from the environment when the app is created."""

from __future__ import annotations

import importlib.util
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

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
        # Number of reverse proxies in front of the app whose X-Forwarded-* to trust.
        self.PROXY_COUNT = env_int("PROXY_COUNT", 0)

        # Sign-in protection.
        self.LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
        self.LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
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
        # Absolute base URL for links in e-mails sent outside a request (CLI, jobs).
        self.SERVER_NAME = os.environ.get("SERVER_NAME") or None
        self.PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")

        self.USERS_PER_PAGE = env_int("USERS_PER_PAGE", 25)
        self.ITEMS_PER_PAGE = env_int("ITEMS_PER_PAGE", 25)
        # Uploaded files (product images, attachments) live here under random names.
        self.UPLOAD_ROOT = os.environ.get("UPLOAD_ROOT") or str(INSTANCE_DIR / "uploads")
        self.IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 10 * 1024 * 1024)
        self.ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 16 * 1024 * 1024)
        self.IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)
        self.LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

    def check(self) -> None:
        """Refuse settings that are unsafe for this environment."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"

    def __init__(self) -> None:
        super().__init__()
        self.DEBUG = env_bool("FLASK_DEBUG", True)
        # Development prints e-mails to the log unless an SMTP server is configured.
        self.MAIL_SUPPRESS_SEND = env_bool("MAIL_SUPPRESS_SEND", "MAIL_SERVER" not in os.environ)


class TestingConfig(Config):
    ENV_NAME = "testing"

    def __init__(self) -> None:
        super().__init__()
        self.TESTING = True
        self.SECRET_KEY = "testing-secret-key-not-for-production"  # noqa: S105
        self.MAIL_SUPPRESS_SEND = True
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.SERVER_NAME = None


class ProductionConfig(Config):
    ENV_NAME = "production"

    def __init__(self) -> None:
        super().__init__()
        self.SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "https")

    def check(self) -> None:
        if self.SECRET_KEY.strip().lower() in KNOWN_SECRET_KEYS or len(self.SECRET_KEY) < 32:
            raise ConfigError(
                "SECRET_KEY is missing, known or shorter than 32 characters; "
                "set a long random value (python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        if self.DEBUG:
            raise ConfigError("FLASK_DEBUG must be off in production.")


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
    config.check()
    return {key: getattr(config, key) for key in dir(config) if key.isupper()}
