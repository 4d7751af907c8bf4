"""Fixtures: a fresh database per run (SQLite, or PostgreSQL/MariaDB from
DATABASE_URL), the app migrated with Alembic, a real SMTP server, clients
signed in per role, and factories."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from cube import catalogues, create_app
from cube.actors import SYSTEM
from cube.auth import services as auth
from cube.config import normalise_database_url
from cube.extensions import db, limiter
from cube.models import Team, User
from cube.site_settings import LOCALE, current_settings, forget_settings
from cube.users import roles as role_service
from cube.users import services as user_service
from cube.users import teams as team_service
from cube.workflow.defaults import ensure_default_workflow
from tests.support import DEMO_PASSWORD, IsolatedClient, MailSink, ReceivedMail, sign_in, start_smtp_server

ROLES = ("admin", "manager", "supervisor", "technician", "requester")


def _server_database(base: URL) -> Iterator[str]:
    """Create a uniquely named database on the server in ``base`` and drop it afterwards."""
    name = f"cube_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    backend = base.get_backend_name()
    with admin.connect() as conn:
        if backend == "postgresql":
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        else:
            conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            if backend == "postgresql":
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            else:
                conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty database for this test run."""
    configured = os.environ.get("DATABASE_URL")
    if not configured or configured.startswith("sqlite"):
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    yield from _server_database(make_url(normalise_database_url(configured)))


@pytest.fixture(scope="session")
def smtp() -> Iterator[MailSink]:
    """A real SMTP server on loopback that the app sends to."""
    controller, sink = start_smtp_server()
    yield sink
    controller.stop()


@pytest.fixture(scope="session")
def app(database_url: str, smtp: MailSink, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application, its schema built by the Alembic migrations, its translations compiled."""
    catalogues.compile_all()  # the .po files may have changed since `make install` compiled them
    app = create_app(
        {
            "CUBE_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast hashing; scrypt in real use
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp.port,
            "MAIL_SUPPRESS_SEND": False,
            "UPLOAD_ROOT": str(tmp_path_factory.mktemp("uploads")),
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _isolated(app: Flask) -> Iterator[None]:
    """Each test starts with built-in roles only, and leaves nothing behind."""
    with app.app_context():
        role_service.ensure_builtin_roles()
        ensure_default_workflow()
        db.session.commit()
        yield
        db.session.remove()
        _empty_tables()
        forget_settings()  # the process's snapshot of the settings the test may have saved
    limiter.reset()


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.connect() as conn:
        dialect = conn.dialect.name
        if dialect == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            conn.commit()
        else:
            # Self-referencing trees (locations, categories) can't be deleted row by row with checks on.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF" if dialect == "sqlite" else "SET FOREIGN_KEY_CHECKS=0")
            conn.commit()
            try:
                for table in tables:
                    conn.execute(table.delete())
                conn.commit()
            finally:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON" if dialect == "sqlite" else "SET FOREIGN_KEY_CHECKS=1")
                conn.commit()


@pytest.fixture
def outbox(smtp: MailSink) -> Iterator[list[ReceivedMail]]:
    """Messages the SMTP server receives during the test."""
    smtp.messages.clear()
    yield smtp.messages
    smtp.messages.clear()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Factory: a committed user with a password, in the given role."""
    counter = iter(range(1, 10_000))

    def factory(
        role: str = "technician", *, email: str | None = None, password: str | None = DEMO_PASSWORD, **fields: Any
    ) -> User:
        role_row = role_service.role_by_name(role)
        assert role_row is not None, role
        number = next(counter)
        data = user_service.UserData(
            email=email or f"{role}{number}@example.com",
            name=fields.pop("name", f"{role.title()} {number}"),
            role_id=role_row.id,
            **fields,
        )
        user = user_service.create_user(SYSTEM, data, invite=False)
        if password is not None:
            auth.set_password(user, password, actor=None, reason="test")
        db.session.commit()
        return user

    return factory


@pytest.fixture
def make_team(app: Flask) -> Callable[..., Team]:
    """Factory: a committed team."""

    def factory(name: str = "Facilities", *, supervisor: User | None = None, members: tuple[User, ...] = ()) -> Team:
        data = team_service.TeamData(
            name=name, supervisor_id=supervisor.id if supervisor else None, member_ids=tuple(m.id for m in members)
        )
        team = team_service.save_team(SYSTEM, None, data)
        db.session.commit()
        return team

    return factory


@pytest.fixture
def client_as(app: Flask, make_user: Callable[..., User]) -> Callable[[str], FlaskClient]:
    """Factory: a test client signed in as a new user of ``role``."""

    def factory(role: str) -> FlaskClient:
        user = make_user(role)
        new_client = app.test_client()
        response = sign_in(new_client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        new_client.user = user  # type: ignore[attr-defined]
        return new_client

    return factory


@pytest.fixture
def admin_client(client_as: Callable[[str], FlaskClient]) -> FlaskClient:
    return client_as("admin")


@pytest.fixture
def technician_client(client_as: Callable[[str], FlaskClient]) -> FlaskClient:
    return client_as("technician")


def pytest_report_header() -> str:
    url = os.environ.get("DATABASE_URL") or "sqlite (temporary file)"
    return f"database: {make_url(url).render_as_string(hide_password=True) if '://' in url else url}"


@pytest.fixture
def locale_dates(app: Flask) -> None:
    """The site writes dates the reader's locale's way (the "locale" date style), for tests about locale formats."""
    settings = current_settings()
    settings.date_style = LOCALE
    db.session.add(settings)
    db.session.commit()
    forget_settings()  # the test's own app context may have read the default already
