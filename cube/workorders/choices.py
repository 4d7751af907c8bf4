"""The options the work order forms and filters offer (people, teams, statuses, ...): queries only."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, or_, select, union

from cube.actors import Actor
from cube.extensions import db
from cube.lookups import LOOKUP_LIMIT, Option, cleaned_term, contains, starts_a_word
from cube.models import Asset, Company, Location, Priority, Product, Status, Team, User, WorkOrderType
from cube.products import companies

Pairs = list[tuple[int, str]]


def _pairs(query: Select[Any]) -> Pairs:
    """(id, label) rows of a two-column query."""
    return [(row[0], row[1]) for row in db.session.execute(query)]


def _people(*where: ColumnElement[bool], limit: int | None = None) -> list[Option]:
    """Active people matching ``where``, by name."""
    query = select(User.id, User.name).where(User.active.is_(True), *where).order_by(User.name, User.id)
    return [Option(row.id, row.name) for row in db.session.execute(query.limit(limit))]


def find_people(term: str) -> list[Option]:
    """The requester and supervisor pickers' search: active people whose name (or a word of it) starts with ``term``."""
    wanted = cleaned_term(term)
    return _people(starts_a_word(User.name, wanted), limit=LOOKUP_LIMIT) if wanted else []


def people_among(ids: Collection[int]) -> list[Option]:
    """The active people among ``ids`` (what the requester and supervisor pickers offer)."""
    return _people(User.id.in_(set(ids))) if ids else []


def teams() -> Pairs:
    """Every team by name."""
    return _pairs(select(Team.id, Team.name).order_by(Team.name))


def find_companies(term: str) -> list[Option]:
    """The work order company pickers' search: any company (archived ones too, as old work orders name them)."""
    return companies.find_companies(term, active_only=False)


def companies_among(ids: Collection[int]) -> list[Option]:
    """The companies among ``ids`` (a work order may name any company)."""
    return companies.companies_among(ids, active_only=False)


def statuses(*, active_only: bool = False) -> Pairs:
    """Statuses in workflow order."""
    query = select(Status.id, Status.name).order_by(Status.position)
    return _pairs(query.where(Status.active.is_(True)) if active_only else query)


def priorities(*, active_only: bool = False) -> Pairs:
    """Priorities in order."""
    query = select(Priority.id, Priority.name).order_by(Priority.position)
    return _pairs(query.where(Priority.active.is_(True)) if active_only else query)


def types(*, active_only: bool = False) -> Pairs:
    """Work order types (active ones in stored order, all of them by name)."""
    if active_only:
        return _pairs(select(WorkOrderType.id, WorkOrderType.name).where(WorkOrderType.active.is_(True)))
    return _pairs(select(WorkOrderType.id, WorkOrderType.name).order_by(WorkOrderType.name))


def may_choose_assets(actor: Actor) -> bool:
    """Whether ``actor`` fills in work order forms, which name an asset (creating or editing work orders)."""
    return actor.has_permission("workorder.create") or actor.has_permission("workorder.edit")


def _assets(*where: ColumnElement[bool], limit: int | None = None) -> list[Option]:
    """Assets matching ``where`` by serial number, read as "serial · name — product (location, owner)"."""
    query = (
        select(
            Asset.id,
            Asset.serial_number,
            Asset.name,
            Product.name.label("product"),
            Location.name.label("location"),
            Company.name.label("owner"),
        )
        .join(Product, Product.id == Asset.product_id)
        .outerjoin(Location, Location.id == Asset.location_id)
        .outerjoin(Company, Company.id == Asset.company_id)
        .where(*where)
        .order_by(Asset.serial_number, Asset.id)
        .limit(limit)
    )
    return [Option(row.id, _asset_text(row)) for row in db.session.execute(query)]


def _asset_text(row: Row[Any]) -> str:
    """How an asset reads in its picker: what the search matches (serial, name, product, location, owner)."""
    named = " · ".join(part for part in (row.serial_number, row.name) if part)
    places = ", ".join(part for part in (row.location, row.owner) if part)
    return f"{named} — {row.product}" + (f" ({places})" if places else "")


def _first_assets(query: Select[Any]) -> Select[Any]:
    """The ids of the first ``LOOKUP_LIMIT`` assets ``query`` finds, in the pickers' order (serial number)."""
    first = query.order_by(Asset.serial_number, Asset.id).limit(LOOKUP_LIMIT).subquery()
    return select(first.c.id)


def find_assets(term: str) -> list[Option]:
    """The work order form's asset search: anywhere in the serial number, or a word's start in the asset's name, its
    product's, location's or owner's name. Each way is one indexed search on PostgreSQL (trigram indexes), capped
    before they are united, so a product with 100,000 assets costs no more than one with 20."""
    wanted = cleaned_term(term)
    if not wanted:
        return []
    ways = (
        select(Asset.id).where(or_(contains(Asset.serial_number, wanted), starts_a_word(Asset.name, wanted))),
        select(Asset.id).join(Product, Product.id == Asset.product_id).where(starts_a_word(Product.name, wanted)),
        select(Asset.id).join(Location, Location.id == Asset.location_id).where(starts_a_word(Location.name, wanted)),
        select(Asset.id).join(Company, Company.id == Asset.company_id).where(starts_a_word(Company.name, wanted)),
    )
    return _assets(Asset.id.in_(union(*(_first_assets(way) for way in ways))), limit=LOOKUP_LIMIT)


def assets_among(ids: Collection[int]) -> list[Option]:
    """The assets among ``ids`` (a work order may name any asset)."""
    return _assets(Asset.id.in_(set(ids))) if ids else []


def default_priority_id() -> int | None:
    """The priority new work orders start with."""
    return db.session.scalar(select(Priority.id).where(Priority.is_default.is_(True)))


@dataclass
class BulkChoices:
    """The options of the bulk form on the list."""

    teams: Pairs
    priorities: Pairs
    statuses: Pairs


@dataclass(frozen=True)
class ListChoices:
    """What the work order list offers, each kind read once: every status, priority, type and team (the
    filters) and the active statuses and priorities among them (the bulk form)."""

    statuses: Pairs
    priorities: Pairs
    types: Pairs
    teams: Pairs
    active_statuses: Pairs
    active_priorities: Pairs

    def bulk(self) -> BulkChoices:
        """The bulk form's options."""
        return BulkChoices(teams=self.teams, priorities=self.active_priorities, statuses=self.active_statuses)


def list_choices() -> ListChoices:
    """The list's options (four statements)."""
    statuses = db.session.execute(select(Status.id, Status.name, Status.active).order_by(Status.position)).all()
    priorities = db.session.execute(
        select(Priority.id, Priority.name, Priority.active).order_by(Priority.position)
    ).all()
    return ListChoices(
        statuses=[(row.id, row.name) for row in statuses],
        priorities=[(row.id, row.name) for row in priorities],
        types=types(),
        teams=teams(),
        active_statuses=[(row.id, row.name) for row in statuses if row.active],
        active_priorities=[(row.id, row.name) for row in priorities if row.active],
    )
