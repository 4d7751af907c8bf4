"""Locations (site > building > area) and assets, the serialised units work is done on."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from types import SimpleNamespace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from cube import audit
from cube.actors import Actor
from cube.editing import Opened, merge_edit
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.models import Asset, AssetStatus, Company, Location, LocationKind, Product
from cube.products.catalog import require_manager
from cube.trees import descendant_ids, tree_order
from cube.validation import optional_text, required_text


@dataclass(frozen=True)
class LocationData:
    """The editable fields of a location."""

    name: str
    kind: str = LocationKind.SITE.value
    parent_id: int | None = None
    active: bool = True


@dataclass(frozen=True)
class AssetData:
    """The editable fields of an asset."""

    product_id: int
    serial_number: str
    name: str = ""
    location_id: int | None = None
    company_id: int | None = None
    install_date: date | None = None
    warranty_end: date | None = None
    status: str = AssetStatus.IN_SERVICE.value
    notes: str = ""


@dataclass(frozen=True)
class AssetFilters:
    """What the asset list is narrowed by."""

    q: str = ""
    status: str = ""
    product_id: int | None = None
    location_id: int | None = None
    company_id: int | None = None


def location_tree(*, active_only: bool = False) -> list[tuple[Location, int]]:
    """Every location depth-first with its depth."""
    query = select(Location)
    if active_only:
        query = query.where(Location.active.is_(True))
    return tree_order(db.session.scalars(query).all(), lambda n: n.parent_id, lambda n: n.id, lambda n: n.name)


def location_paths(ids: set[int]) -> dict[int, str]:
    """ "Site > Building > Room" for each location, its ancestors found in one recursive query."""
    if not ids:
        return {}
    tree = select(Location.id, Location.name, Location.parent_id).where(Location.id.in_(ids)).cte(recursive=True)
    parent = select(Location.id, Location.name, Location.parent_id).join(tree, Location.id == tree.c.parent_id)
    tree = tree.union(parent)  # UNION, not UNION ALL: a corrupt cycle ends instead of looping
    nodes = {node_id: (name, parent_id) for node_id, name, parent_id in db.session.execute(select(tree)).all()}
    paths: dict[int, str] = {}
    for location_id in ids:
        parts, node, seen = [], location_id, set()
        while node is not None and node in nodes and node not in seen:
            seen.add(node)
            name, node = nodes[node]
            parts.append(name)
        if parts:
            paths[location_id] = " > ".join(reversed(parts))
    return paths


def location_by_path(path: str) -> Location | None:
    """The location whose "Site > Building > Area" path is ``path``."""
    wanted = " > ".join(part.strip() for part in path.split(">"))
    return next((node for node, _ in location_tree() if node.path == wanted), None)


def save_location(actor: Actor, location: Location | None, data: LocationData) -> Location:
    """Create or edit a location; names are unique under a parent and the tree has no cycles."""
    require_manager(actor)
    name = required_text(data.name, field="name", label=_("A name"), max_length=120)
    if data.kind not in {kind.value for kind in LocationKind}:
        raise ValidationFailed(_("Choose site, building or area."), field="kind")
    parent = db.session.get(Location, data.parent_id) if data.parent_id else None
    if data.parent_id and parent is None:
        raise ValidationFailed(_("Choose a parent location from the list."), field="parent_id")
    if location is not None and parent is not None:
        nodes = db.session.scalars(select(Location)).all()
        if parent.id in descendant_ids(nodes, location.id, lambda n: n.parent_id, lambda n: n.id):
            raise ValidationFailed(_("A location cannot be placed inside itself."), field="parent_id")
    clash = select(Location.id).where(
        Location.name == name, Location.parent_id.is_(None) if parent is None else Location.parent_id == parent.id
    )
    if location is not None:
        clash = clash.where(Location.id != location.id)
    if db.session.scalar(clash) is not None:
        raise ValidationFailed(_("There is already a location with this name here."), field="name")
    created = location is None
    if location is None:
        location = Location()
        db.session.add(location)
    location.name, location.kind, location.parent, location.active = name, data.kind, parent, data.active
    db.session.flush()
    audit.record("location.created" if created else "location.updated", actor=actor, target=location, name=name)
    return location


def assets_query(filters: AssetFilters) -> Select[tuple[Asset]]:
    """Assets matching ``filters``, newest first."""
    query = (
        select(Asset)
        .join(Product, Product.id == Asset.product_id)
        .options(joinedload(Asset.product), joinedload(Asset.location), joinedload(Asset.company))
        .order_by(Asset.id.desc())
    )
    if filters.q:
        needle = filters.q.strip().lower()
        query = query.where(
            or_(
                func.lower(Asset.serial_number).contains(needle, autoescape=True),
                func.lower(Asset.name).contains(needle, autoescape=True),
                Product.sku_key.contains(needle, autoescape=True),
                func.lower(Product.name).contains(needle, autoescape=True),
            )
        )
    if filters.status in {status.value for status in AssetStatus}:
        query = query.where(Asset.status == filters.status)
    if filters.product_id is not None:
        query = query.where(Asset.product_id == filters.product_id)
    if filters.location_id is not None:
        nodes = db.session.scalars(select(Location)).all()
        below = descendant_ids(nodes, filters.location_id, lambda n: n.parent_id, lambda n: n.id)
        query = query.where(Asset.location_id.in_(below))
    if filters.company_id is not None:
        query = query.where(Asset.company_id == filters.company_id)
    return query


def assets_of_product(product_id: int, *, limit: int = 50) -> list[Asset]:
    """The ``limit`` newest assets of a product."""
    return list(db.session.scalars(assets_query(AssetFilters(product_id=product_id)).limit(limit)))


def asset_by_serial(product_id: int, serial_number: str) -> Asset | None:
    """The asset of this product with this serial number."""
    return db.session.scalar(
        select(Asset).where(Asset.product_id == product_id, Asset.serial_number == serial_number.strip())
    )


def _clean(data: AssetData) -> AssetData:
    if db.session.get(Product, data.product_id) is None:
        raise ValidationFailed(_("Choose a product from the list."), field="product_id")
    if data.location_id is not None and db.session.get(Location, data.location_id) is None:
        raise ValidationFailed(_("Choose a location from the list."), field="location_id")
    if data.company_id is not None and db.session.get(Company, data.company_id) is None:
        raise ValidationFailed(_("Choose a company from the list."), field="company_id")
    if data.status not in {status.value for status in AssetStatus}:
        raise ValidationFailed(_("Choose in service, down or retired."), field="status")
    if data.install_date and data.warranty_end and data.warranty_end < data.install_date:
        raise ValidationFailed(_("The warranty cannot end before the install date."), field="warranty_end")
    return AssetData(
        product_id=data.product_id,
        serial_number=required_text(
            data.serial_number, field="serial_number", label=_("A serial number"), max_length=120
        ),
        name=optional_text(data.name, field="name", label=_("Name"), max_length=200),
        location_id=data.location_id,
        company_id=data.company_id,
        install_date=data.install_date,
        warranty_end=data.warranty_end,
        status=data.status,
        notes=optional_text(data.notes, field="notes", label=_("Notes"), max_length=16_000),
    )


def _check_serial_free(data: AssetData, asset: Asset | None) -> None:
    existing = asset_by_serial(data.product_id, data.serial_number)
    if existing is not None and existing is not asset:
        raise ValidationFailed(_("This product already has an asset with this serial number."), field="serial_number")


def _snapshot(asset: Any) -> dict[str, str]:
    values = {
        "product_id": f"{asset.product.sku} {asset.product.name}" if asset.product else "",
        "serial_number": asset.serial_number,
        "name": asset.name,
        "location_id": asset.location.path if asset.location else "",
        "company_id": asset.company.name if asset.company else "",
        "install_date": asset.install_date.isoformat() if asset.install_date else "",
        "warranty_end": asset.warranty_end.isoformat() if asset.warranty_end else "",
        "status": AssetStatus(asset.status).label,
        "notes": asset.notes,
    }
    return {key: values[name] for key, name in SNAPSHOT_FIELDS.items()}


def _apply(asset: Asset, data: AssetData) -> None:
    for name in AssetData.__dataclass_fields__:
        setattr(asset, name, getattr(data, name))


def create_asset(actor: Actor, data: AssetData) -> Asset:
    """Register a serialised unit."""
    require_manager(actor)
    data = _clean(data)
    _check_serial_free(data, None)
    asset = Asset()
    _apply(asset, data)
    db.session.add(asset)
    db.session.flush()
    audit.record("asset.created", actor=actor, target=asset, serial_number=asset.serial_number)
    return asset


def _as_record(data: AssetData) -> Any:
    """The submitted data shaped like an asset, for comparing with the saved one."""
    return SimpleNamespace(
        **{name: getattr(data, name) for name in AssetData.__dataclass_fields__},
        product=db.session.get(Product, data.product_id),
        location=db.session.get(Location, data.location_id) if data.location_id else None,
        company=db.session.get(Company, data.company_id) if data.company_id else None,
    )


# Which field each line of ``_snapshot`` shows (a line the editor left as opened keeps the saved value).
# The keys stay English whatever the reader's language: the audit trail stores them and the edit form's
# digests are keyed by them (a form opened in one language is saved in another).
SNAPSHOT_FIELDS: dict[str, str] = {
    "Product": "product_id",  # i18n: not shown (field key stored in the audit trail)
    "Serial number": "serial_number",  # i18n: not shown (field key stored in the audit trail)
    "Name": "name",  # i18n: not shown (field key stored in the audit trail)
    "Location": "location_id",  # i18n: not shown (field key stored in the audit trail)
    "Owner": "company_id",  # i18n: not shown (field key stored in the audit trail)
    "Installed": "install_date",  # i18n: not shown (field key stored in the audit trail)
    "Warranty ends": "warranty_end",  # i18n: not shown (field key stored in the audit trail)
    "Status": "status",  # i18n: not shown (field key stored in the audit trail)
    "Notes": "notes",  # i18n: not shown (field key stored in the audit trail)
}


def edit_snapshot(asset: Asset) -> dict[str, str]:
    """The asset's fields as text, as an edit form opens with them (``cube.editing.seal``)."""
    return _snapshot(asset)


def update_asset(
    actor: Actor, asset: Asset, data: AssetData, *, expected_version: int | None, opened: Opened | None = None
) -> None:
    """Save changes merged with changes made since the form ``opened`` (EditConflict when both changed a field).

    Without ``opened`` a save based on an old ``expected_version`` that differs from the saved asset is a conflict.
    """
    require_manager(actor)
    data = _clean(data)
    after = _snapshot(_as_record(data))
    merge = merge_edit(opened, _snapshot(asset), after, "asset", expected=expected_version, current=asset.version)
    data = replace(data, **{SNAPSHOT_FIELDS[label]: getattr(asset, SNAPSHOT_FIELDS[label]) for label in merge.kept})
    _check_serial_free(data, asset)
    changes = merge.changes
    _apply(asset, data)
    db.session.flush()
    if changes:  # a save that changed nothing is not an event
        audit.record("asset.updated", actor=actor, target=asset, changes=changes)


def save_asset(
    actor: Actor, asset: Asset | None, data: AssetData, *, expected_version: int | None, opened: Opened | None = None
) -> Asset:
    """Register an asset (``asset`` None) or update one (see ``update_asset``); returns it."""
    if asset is None:
        return create_asset(actor, data)
    update_asset(actor, asset, data, expected_version=expected_version, opened=opened)
    return asset
