"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from cube.extensions import db
from cube.models.base import schema_object_filter


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        options = {"compare_type": True, "include_object": schema_object_filter(conn.dialect.name)}
        context = MigrationContext.configure(conn, opts=options)
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_schema_downgrades_and_upgrades_cleanly(app):
    db.session.remove()
    downgrade(revision="base")
    try:
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    finally:
        upgrade()
    assert {"users", "roles", "teams", "audit_events"} <= set(inspect(db.engine).get_table_names())


def test_mysql_tables_are_utf8mb4(app):
    if db.engine.dialect.name != "mysql":
        pytest.skip(f"MySQL/MariaDB only; this run uses {db.engine.dialect.name}")
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT table_name, table_collation FROM information_schema.tables WHERE table_schema = DATABASE()"
        ).all()
    assert rows
    assert all(collation.startswith("utf8mb4") for _, collation in rows)


def test_catalog_migration_grants_new_permissions_to_existing_roles(app):
    """A database upgraded from the first release gets the catalog permissions on its built-in roles."""
    from cube.models import Role
    from cube.users import roles as role_service

    db.session.remove()
    downgrade(revision="8f270352d6f3")
    try:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM role_permissions")
            conn.exec_driver_sql("DELETE FROM roles")
        role_service.ensure_builtin_roles()  # creates them with today's defaults...
        db.session.commit()
        with db.engine.begin() as conn:  # ...so strip them back to what the first release granted
            conn.execute(
                text("DELETE FROM role_permissions WHERE permission LIKE :catalog OR permission LIKE :stock"),
                {"catalog": "catalog.%", "stock": "stock.%"},
            )
        db.session.remove()
    finally:
        upgrade()
    technician = db.session.scalar(db.select(Role).where(Role.name == "technician"))
    manager = db.session.scalar(db.select(Role).where(Role.name == "manager"))
    assert {"catalog.view", "stock.move"} <= technician.permissions
    assert "stock.adjust" not in technician.permissions
    assert {"catalog.manage", "catalog.import", "stock.adjust"} <= manager.permissions
