"""Declarative base, column types and mixins shared by every model."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Free text (notes, descriptions): MySQL's TEXT holds only 64 KiB, too little for
# 16,000 four-byte characters, so MySQL/MariaDB get MEDIUMTEXT.
LONG_TEXT = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")

# MySQL/MariaDB tables store full Unicode (emoji included).
TABLE_OPTIONS: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    SQLite and MySQL keep no zone, so values are stored as naive UTC and given
    their UTC zone back on load; naive values are refused on the way in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")  # i18n: not shown (programmer error)
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Project base: a constraint naming convention and utf8mb4 tables on MySQL."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    @declared_attr.directive
    def __table_args__(cls) -> Any:
        return TABLE_OPTIONS


class TimestampMixin:
    """``created_at`` and ``updated_at`` in UTC, kept by the database layer."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def schema_object_filter(dialect_name: str) -> Callable[..., bool]:
    """Alembic ``include_object`` hook: leave out indexes meant for another database.

    Indexes declared with ``.ddl_if(dialect=...)`` (PostgreSQL trigram indexes)
    exist only on that backend, so comparing them elsewhere would report them
    missing.
    """

    def include(obj: Any, _name: str | None, type_: str, reflected: bool, _compare_to: Any) -> bool:
        condition = getattr(obj, "_ddl_if", None)
        if type_ == "index" and not reflected and condition is not None and condition.dialect:
            return bool(condition.dialect == dialect_name)
        return True

    return include


class TreeNodeMixin:
    """A node of a named tree (``parent`` relationship) with its path from the root."""

    name: Any
    parent: Any
    id: Any

    @property
    def path(self) -> str:
        """ "Root > Child > Node" names (a corrupt cycle stops instead of looping)."""
        names, node, seen = [], self, set()
        while node is not None and node.id not in seen:
            seen.add(node.id)
            names.append(node.name)
            node = node.parent
        return " > ".join(reversed(names))
