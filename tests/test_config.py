"""Configuration: database URLs, environments, production safety checks."""

from __future__ import annotations

import pytest

from cube import create_app
from cube.config import ConfigError, load_config, normalise_database_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db/cube", "postgresql+psycopg://u:p@db/cube"),
        ("postgresql://u@db/cube", "postgresql+psycopg://u@db/cube"),
        ("postgresql+psycopg://u@db/cube", "postgresql+psycopg://u@db/cube"),
        ("mysql://root@127.0.0.1/cube", "mysql+pymysql://root@127.0.0.1/cube?charset=utf8mb4"),
        ("mariadb://root@127.0.0.1/cube", "mysql+pymysql://root@127.0.0.1/cube?charset=utf8mb4"),
        ("mysql+pymysql://root@h/cube?charset=utf8mb4", "mysql+pymysql://root@h/cube?charset=utf8mb4"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls_are_normalised(given, expected):
    assert normalise_database_url(given) == expected


def test_sqlite_is_the_default(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = load_config("development")
    assert config["SQLALCHEMY_DATABASE_URI"].endswith("instance/workorder.db")


def test_sqlite_pragmas_are_on(app):
    from sqlalchemy import text

    from cube.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


@pytest.mark.parametrize("secret", [None, "", "dev", "changeme", "short-but-unique"])
def test_production_refuses_missing_known_or_short_secret(monkeypatch, secret):
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app("production")


def test_production_refuses_debug(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigError, match="FLASK_DEBUG"):
        create_app("production")


def test_production_starts_with_a_real_secret(monkeypatch, database_url):
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("BASE_URL", "https://cube.example.com")
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app({"CUBE_ENV": "production", "SQLALCHEMY_DATABASE_URI": database_url})
    assert not app.debug


def test_bad_numbers_in_the_environment_fail_clearly(monkeypatch):
    monkeypatch.setenv("LOGIN_MAX_FAILURES", "five")
    with pytest.raises(ConfigError, match="LOGIN_MAX_FAILURES"):
        load_config("development")


def test_unknown_environment_name():
    with pytest.raises(ConfigError, match="Unknown configuration"):
        load_config("staging-ish")


def test_redis_url_selects_redis_rate_limit_storage(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    assert load_config("development")["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"
    monkeypatch.delenv("REDIS_URL")
    assert load_config("development")["RATELIMIT_STORAGE_URI"] == "memory://"


def test_factory_has_no_side_effects(tmp_path, monkeypatch):
    """Creating the app touches no database: a path that does not exist stays absent."""
    target = tmp_path / "never-created.db"
    create_app({"CUBE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}"})
    assert not target.exists()


def test_empty_boolean_settings_keep_their_default(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("BASE_URL", "https://cube.example.com")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "")
    assert load_config("production")["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "0")
    assert load_config("production")["SESSION_COOKIE_SECURE"] is False
