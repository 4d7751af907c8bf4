"""Checking one data row: typed cell readers, name lookups and the base of the per-kind checks."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Generic, TypeVar

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from cube.actors import Actor
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.i18n import number
from cube.models import Company, Product
from cube.products.imports.columns import MAX_LENGTH
from cube.products.imports.reading import CHUNK_SIZE, Record
from cube.validation import decimal_value

YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0"})
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

R = TypeVar("R")


class Row:
    """One data row and the problems found in it."""

    def __init__(self, kind: str, record: Record, header: frozenset[str]) -> None:
        self.kind = kind
        self.number = record.number
        self.cells = record.cells
        self.header = header
        self.errors: list[tuple[str, str]] = [("", record.shape_error)] if record.shape_error else []

    def has(self, column: str) -> bool:
        """True when the file has ``column``."""
        return column in self.header

    def fail(self, column: str, message: str) -> None:
        """Record a problem with ``column`` of this row."""
        self.errors.append((column, message))

    def text(self, column: str, *, missing: str = "") -> str:
        """The cell's text, checked for presence (``missing`` is the message when it is required) and length."""
        value = self.cells.get(column, "")
        if missing and not value:
            self.fail(column, missing)
        limit = MAX_LENGTH[self.kind].get(column)
        if limit is not None and len(value) > limit:
            self.fail(
                column,
                ngettext(
                    "Too long: at most %(count)s character (this cell has %(length)s).",
                    "Too long: at most %(count)s characters (this cell has %(length)s).",
                    limit,
                    count=number(limit),
                    length=number(len(value)),
                ),
            )
        return value

    def flag(self, column: str, default: bool) -> bool:
        """A yes/no cell (``default`` when blank or not yes or no)."""
        value = self.cells.get(column, "").lower()
        if not value:
            return default
        if value in YES:
            return True
        if value in NO:
            return False
        # Translators: yes and no are the words the file must contain; they stay in English.
        self.fail(column, _("Write %(yes)s or %(no)s.", yes="yes", no="no"))
        return default

    def amount(self, column: str, *, places: int, label: str) -> Decimal:
        """A plain decimal number with at most ``places`` decimals (0 when blank or wrong); ``label`` names it."""
        value = self.cells.get(column, "")
        if not value:
            return Decimal("0")
        if "," in value:
            # Translators: the file is read the same in every language: numbers are written 1234.5.
            self.fail(column, _("%(label)s must be a plain number with a dot for decimals (no commas).", label=label))
            return Decimal("0")
        try:
            return decimal_value(value, field=column, label=label, places=places)
        except ValidationFailed as exc:
            self.fail(column, exc.message)
            return Decimal("0")

    def day(self, column: str) -> date | None:
        """A YYYY-MM-DD date (None when blank or wrong)."""
        value = self.cells.get(column, "")
        if not value:
            return None
        try:
            if not ISO_DATE.fullmatch(value):
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            # Translators: the file is read the same in every language: dates are written YYYY-MM-DD.
            self.fail(column, _("Write the date as YYYY-MM-DD, e.g. 2024-01-31."))
            return None


@dataclass
class Plan:
    """What to do with one valid row."""

    row: int
    record: Any
    values: dict[str, Any]
    category_path: tuple[str, ...] | None = None


def fold(text: str) -> str:
    """``text`` for comparing names ignoring case."""
    return text.casefold()


def split_path(text: str) -> tuple[str, ...]:
    """The trimmed names of a "Parent > Child" path."""
    return tuple(part.strip() for part in text.split(">"))


def match_by_name(candidates: Iterable[Any], name: str, attribute: str) -> Any:
    """The candidate whose ``attribute`` equals ``name``, else the only one equal ignoring case."""
    candidates = list(candidates)
    for candidate in candidates:
        if getattr(candidate, attribute) == name:
            return candidate
    folded = [c for c in candidates if fold(getattr(c, attribute)) == fold(name)]
    return folded[0] if len(folded) == 1 else None


class Grouped(Generic[R]):
    """Records in groups by ``key``, found within a group by the name in ``attribute`` (see match_by_name)."""

    def __init__(self, key: Callable[[R], Hashable], attribute: str) -> None:
        self.key = key
        self.attribute = attribute
        # Keyed by id(): the session holds one object per database row, so a record fetched twice is added once.
        self.groups: dict[Hashable, dict[int, R]] = {}

    def add(self, record: R) -> None:
        """Remember ``record`` in its group (once)."""
        self.groups.setdefault(self.key(record), {})[id(record)] = record

    def find(self, key: Hashable, name: str) -> R | None:
        """The record of group ``key`` called ``name``, else the only one so called ignoring case."""
        group = self.groups.get(key)
        return match_by_name(group.values(), name, self.attribute) if group else None


class Companies(Grouped[Company]):
    """Company lookups by name for a chunk of rows (the database compares names as the services do)."""

    def __init__(self) -> None:
        super().__init__(lambda company: fold(company.name), "name")

    def load(self, names: Iterable[str]) -> None:
        """Fetch the companies called any of ``names``."""
        wanted = sorted({name for name in names if name})
        for start in range(0, len(wanted), CHUNK_SIZE):
            batch = wanted[start : start + CHUNK_SIZE]
            for company in db.session.scalars(select(Company).where(Company.name.in_(batch))):
                self.add(company)

    def get(self, name: str) -> Company | None:
        """The company called ``name``, as the services compare names."""
        return self.find(fold(name), name)

    def id_in(self, row: Row, column: str) -> int | None:
        """The id of the company named in ``column`` (None when blank; an error on the row when unknown)."""
        name = row.text(column)
        if not name:
            return None
        company = self.get(name)
        if company is None:
            row.fail(column, _("No company is called %(name)s. Import or add it first.", name=repr(name)))
            return None
        return company.id


def products_by_sku(rows: list[Row], column: str) -> dict[str, Product]:
    """The products whose SKU (ignoring case) is in ``column`` of ``rows``, by lower-case SKU."""
    keys = sorted({row.cells.get(column, "").lower() for row in rows} - {""})
    if not keys:
        return {}
    query = select(Product).where(Product.sku_key.in_(keys))
    return {product.sku_key: product for product in db.session.scalars(query)}


class Kind:
    """Checks and applies the rows of one kind of file."""

    kind = ""
    data_class: ClassVar[type[Any]]  # the service's data class, whose fields ``plan`` fills in
    field_columns: ClassVar[dict[str, str]] = {}  # service field name -> CSV column, where they differ

    def __init__(self, header: frozenset[str]) -> None:
        self.header = header
        self.seen: dict[Any, int] = {}

    def prefetch(self, rows: list[Row]) -> None:
        """Load what the rows refer to, in a few queries per chunk."""

    def plan(self, row: Row) -> Plan | None:
        """The row's values (None when the row has errors, which are on ``row``)."""
        raise NotImplementedError

    def current(self, record: Any) -> dict[str, Any]:
        """A saved record's values, in the shape ``plan`` produces."""
        return {item.name: getattr(record, item.name) for item in fields(self.data_class)}

    def apply(self, actor: Actor, plan: Plan) -> None:
        """Create or update the record through the service."""
        raise NotImplementedError

    def once(self, row: Row, column: str, key: Any, message: Callable[[int], str]) -> None:
        """Fail ``row`` when an earlier row of the file has the same ``key``; ``message`` names that row's number."""
        first = self.seen.setdefault(key, row.number)
        if first != row.number:
            row.fail(column, message(first))

    def column_of(self, service_field: str | None) -> str:
        """The CSV column of a service's field name."""
        return self.field_columns.get(service_field or "", service_field or "")
