"""The audit log in words: audit rows turned into entries with today's names, in a fixed number of queries.

Audit rows store an action code, the record's class and id, and details as values
(ids, old and new values). Here the ids a page of rows refers to are collected
first, each kind of record is loaded in one query, and then each row becomes an
entry: "Role permissions changed" on "Role: technician", "Granted: Read the audit
log". Same design as ``cube.workorders.timeline``. Rows written before details
were ids (names, strings) render from what they kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import ColumnElement, or_, select

from cube.actors import Actor
from cube.extensions import db
from cube.i18n import number
from cube.languages import LANGUAGES
from cube.models import (
    Asset,
    AuditEvent,
    ChecklistTemplate,
    Company,
    CustomField,
    Guard,
    Location,
    Priority,
    Product,
    ProductCategory,
    Role,
    SiteSettings,
    Status,
    Team,
    Transition,
    User,
    WorkOrderType,
)
from cube.models.assets import ASSET_STATUS_LABELS
from cube.permissions import PERMISSIONS
from cube.products.assets import location_paths
from cube.site_settings import DATE_STYLES
from cube.trees import tree_order
from cube.workflow.categories import CATEGORY_LABELS
from cube.workorders.costs import may_see_costs

EMPTY = "—"
SYSTEM = _l("System")


@dataclass(frozen=True)
class Group:
    """A set of actions the audit page can be narrowed to."""

    label: str
    prefixes: tuple[str, ...]


# The audit page's filter: URL value -> the actions it shows (by action prefix).
GROUPS: dict[str, Group] = {
    "sign-in": Group(_l("Sign-in and passwords"), ("auth.",)),
    "users": Group(_l("Users"), ("user.",)),
    "roles": Group(_l("Roles and permissions"), ("role.",)),
    "teams": Group(_l("Teams"), ("team.",)),
    "catalog": Group(
        _l("Catalog (products, categories, companies, imports)"), ("product.", "category.", "company.", "catalog.")
    ),
    "assets": Group(_l("Assets and locations"), ("asset.", "location.")),
    "stock": Group(_l("Stock"), ("stock.",)),
    "workflow": Group(_l("Workflow and checklists"), ("workflow.", "checklist_template.")),
}

ACTIONS: dict[str, str] = {
    "auth.login": _l("Signed in"),
    "auth.logout": _l("Signed out"),
    "auth.login_failed": _l("Sign-in failed"),
    "auth.lockout": _l("Account locked after failed sign-ins"),
    "auth.unlock_sent": _l("Unlock link e-mailed"),
    "auth.unlocked": _l("Account unlocked"),
    "auth.password_changed": _l("Password changed"),
    "auth.reset_requested": _l("Password reset link e-mailed"),
    "user.created": _l("User added"),
    "user.updated": _l("User changed"),
    "user.deactivated": _l("User deactivated"),
    "user.reactivated": _l("User reactivated"),
    "user.profile_updated": _l("Profile changed by its owner"),
    "role.created": _l("Role added"),
    "role.permissions_changed": _l("Role permissions changed"),
    "team.created": _l("Team added"),
    "team.updated": _l("Team changed"),
    "product.created": _l("Product added"),
    "product.updated": _l("Product changed"),
    "product.image_added": _l("Product picture added"),
    "product.image_removed": _l("Product picture removed"),
    "product.image_moved": _l("Product picture moved"),
    "category.created": _l("Category added"),
    "category.updated": _l("Category changed"),
    "company.created": _l("Company added"),
    "company.updated": _l("Company changed"),
    "company.contact_added": _l("Company contact added"),
    "company.contact_removed": _l("Company contact removed"),
    "catalog.imported": _l("Catalog imported from a file"),
    "location.created": _l("Location added"),
    "location.updated": _l("Location changed"),
    "asset.created": _l("Asset added"),
    "asset.updated": _l("Asset changed"),
    "stock.adjusted": _l("Stock adjusted"),
    "workflow.status.created": _l("Status added"),
    "workflow.status.updated": _l("Status changed"),
    "workflow.transition.created": _l("Transition added"),
    "workflow.transition.updated": _l("Transition changed"),
    "workflow.transition.deleted": _l("Transition deleted"),
    "workflow.priority.created": _l("Priority added"),
    "workflow.priority.updated": _l("Priority changed"),
    "workflow.type.created": _l("Work order type added"),
    "workflow.type.updated": _l("Work order type changed"),
    "workflow.custom_field.created": _l("Custom field added"),
    "workflow.custom_field.updated": _l("Custom field changed"),
    "checklist_template.created": _l("Checklist template added"),
    "checklist_template.updated": _l("Checklist template changed"),
    "settings.updated": _l("Site settings changed"),
}

# target_type (the record's class) -> the word for it and the table its name is read from
KINDS: dict[str, tuple[str, str]] = {
    User.__name__: (_l("User"), "users"),
    Role.__name__: (_l("Role"), "roles"),
    Team.__name__: (_l("Team"), "teams"),
    Product.__name__: (_l("Product"), "products"),
    ProductCategory.__name__: (_l("Category"), "categories"),
    Location.__name__: (_l("Location"), "locations"),
    Company.__name__: (_l("Company"), "companies"),
    Asset.__name__: (_l("Asset"), "assets"),
    Status.__name__: (_l("Status"), "statuses"),
    Transition.__name__: (_l("Transition"), "transitions"),
    Priority.__name__: (_l("Priority"), "priorities"),
    WorkOrderType.__name__: (_l("Work order type"), "types"),
    CustomField.__name__: (_l("Custom field"), "custom_fields"),
    ChecklistTemplate.__name__: (_l("Checklist template"), "templates"),
    SiteSettings.__name__: (_l("Site settings"), "settings"),
}
# Links for the records that have a page of their own.
LINKS = {User.__name__: ("users.show_user", "user_id"), Product.__name__: ("products.show_product", "product_id")}

FIELD_LABELS = {
    "email": _l("E-mail"),
    "name": _l("Name"),
    "phone": _l("Phone"),
    "timezone": _l("Time zone"),
    "role_id": _l("Role"),
    "hourly_rate": _l("Hourly rate"),
    "team_ids": _l("Teams"),
    "members": _l("Members"),
    "key": _l("Key"),
    "label": _l("Label"),
    "kind": _l("Kind"),
    "choices": _l("Choices"),
    "required": _l("Required"),
    "position": _l("Order"),
    "active": _l("Active"),
    "category": _l("Category"),
    "color": _l("Colour"),
    "is_initial": _l("Initial status"),
    "is_default": _l("Default priority"),
    "from_status_id": _l("From"),
    "to_status_id": _l("To"),
    "permission": _l("Needs permission"),
    "guards": _l("Requires"),
    "on_assign": _l("Taken on assignment"),
    "initial_unset": _l("No longer initial"),
    "default_unset": _l("No longer the default"),
    "sku": _l("SKU"),
    "serial_number": _l("Serial number"),
    "contact": _l("Contact"),
    "original_name": _l("File"),
    "items": _l("Items"),
    "location": _l("Location"),
    "quantity": _l("Quantity"),
    "reason": _l("Reason"),
    "minutes": _l("Minutes"),
    "from": _l("From"),
    "to": _l("To"),
    "default_language": _l("Default language"),
    "default_timezone": _l("Default time zone"),
    "date_style": _l("Date style"),
    "status": _l("Status"),
    "is_spare_part": _l("Spare part"),
}
# Detail keys whose ids point into a table.
ID_FIELDS = {"role_id": "roles", "from_status_id": "statuses", "to_status_id": "statuses"}
ID_LISTS = {"members": "users", "team_ids": "teams"}
# What a detail says for an id whose record is gone, by table.
REMOVED = {
    "roles": _l("a removed role"),
    "statuses": _l("a removed status"),
    "users": _l("a removed user"),
    "teams": _l("a removed team"),
}
GUARD_WORDS = {
    Guard.REASON.value: _l("a reason"),
    Guard.CHECKLIST.value: _l("the required checklist answered"),
    Guard.ASSIGNEE.value: _l("someone assigned"),
}
KIND_WORDS = {"text": _l("text"), "number": _l("number"), "date": _l("date"), "choice": _l("choice from a list")}
PASSWORD_REASONS = {
    "changed": _l("By its owner"),
    "reset": _l("With a reset link"),
    "invite": _l("On accepting the invitation"),
    "cli": _l("From the command line"),
    "demo": _l("For the demo"),
}
IMPORT_KINDS = {"companies": _l("Companies"), "products": _l("Products"), "assets": _l("Assets")}
# Details that repeat what the entry already says (the record's name at the time, technical ids).
QUIET = {"image_id", "transition_id"}
# Money figures: shown only to readers who may see costs (as on the user's page and the work order).
COST_KEYS = {"hourly_rate"}


@dataclass(frozen=True)
class Target:
    """The record an entry is about: what kind of record, its current name, and its page if it has one."""

    kind: str
    name: str
    removed: bool = False
    endpoint: str = ""
    args: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditEntry:
    """One audit row in words."""

    id: int
    created_at: datetime
    who: str
    by_system: bool
    action: str
    target: Target | None
    details: list[str]
    ip_address: str


@dataclass
class Names:
    """Names of everything a page of rows refers to, by id (one query per table)."""

    tables: dict[str, dict[int, str]] = field(default_factory=dict)
    show_costs: bool = False  # hourly rates only for readers who may see costs

    def of(self, table: str, key: Any) -> str | None:
        """The current name of ``key`` in ``table`` (None when it is gone)."""
        number = _as_id(key)
        return None if number is None else self.tables.get(table, {}).get(number)


# -- reading ------------------------------------------------------------------------------------


def group_condition(group: str) -> ColumnElement[bool] | None:
    """The WHERE clause for a filter group; None for an unknown or empty value (no filter)."""
    found = GROUPS.get(group)
    if found is None:
        return None
    return or_(*(AuditEvent.action.startswith(prefix, autoescape=True) for prefix in found.prefixes))


def _as_id(value: Any) -> int | None:
    """An id stored as an int or (in old rows) as a string of digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _ids(values: Iterable[Any]) -> set[int]:
    """The ids among ``values``."""
    return {number for number in (_as_id(value) for value in values) if number is not None}


def _collect(events: Sequence[AuditEvent]) -> dict[str, set[int]]:
    """The ids the rows refer to, by table."""
    wanted: dict[str, set[int]] = {}

    def want(table: str, values: Iterable[Any]) -> None:
        wanted.setdefault(table, set()).update(_ids(values))

    for event in events:
        if event.actor_id is not None:
            want("users", [event.actor_id])
        if event.target_type in KINDS and event.target_id is not None:
            want(KINDS[event.target_type][1], [event.target_id])
        details = event.details if isinstance(event.details, dict) else {}
        sources = [source for source in (details, details.get("values")) if isinstance(source, dict)]
        changes = details.get("changes")
        for key, change in (changes if isinstance(changes, dict) else {}).items():
            if isinstance(change, list | tuple):
                if key in ID_LISTS:
                    for value in change:
                        want(ID_LISTS[key], value if isinstance(value, list) else [])
                if key in ID_FIELDS:
                    want(ID_FIELDS[key], change)
        for source in sources:
            for key, table in ID_FIELDS.items():
                if key in source:
                    want(table, [source[key]])
            for key, table in ID_LISTS.items():
                if isinstance(source.get(key), list):
                    want(table, source[key])
    return wanted


def _pairs(query: Any) -> dict[int, str]:
    """A two-column query as a dict."""
    return {key: value for key, value in db.session.execute(query).all()}


def _category_paths(ids: set[int]) -> dict[int, str]:
    """ "Root > Child" for each category (the category tree is small: read whole, in one query)."""
    rows = db.session.execute(select(ProductCategory.id, ProductCategory.name, ProductCategory.parent_id)).all()
    paths: dict[int, str] = {}
    trail: list[str] = []
    for row, depth in tree_order(rows, lambda r: r.parent_id, lambda r: r.id, lambda r: r.name):
        trail = [*trail[:depth], row.name]
        if row.id in ids:
            paths[row.id] = " > ".join(trail)
    return paths


def _named(model: Any, column: Any) -> Callable[[set[int]], dict[int, str]]:
    """A loader of ``column`` by id."""
    return lambda ids: _pairs(select(model.id, column).where(model.id.in_(ids)))


def _products(ids: set[int]) -> dict[int, str]:
    """ "SKU name" for each product."""
    rows = db.session.execute(select(Product.id, Product.sku, Product.name).where(Product.id.in_(ids))).all()
    return {product_id: f"{sku} {name}" for product_id, sku, name in rows}


def _transitions(ids: set[int]) -> dict[int, str]:
    """ "Name (From → To)" for each transition."""
    source, target = Status.__table__.alias("source"), Status.__table__.alias("target")
    query = (
        select(Transition.id, Transition.name, source.c.name, target.c.name)
        .join(source, source.c.id == Transition.from_status_id)
        .join(target, target.c.id == Transition.to_status_id)
        .where(Transition.id.in_(ids))
    )
    return {row_id: f"{name} ({old} → {new})" for row_id, name, old, new in db.session.execute(query).all()}


LOADERS: dict[str, Callable[[set[int]], dict[int, str]]] = {
    "users": _named(User, User.name),
    "roles": _named(Role, Role.name),
    "teams": _named(Team, Team.name),
    "products": _products,
    "categories": _category_paths,
    "locations": location_paths,
    "companies": _named(Company, Company.name),
    "assets": _named(Asset, Asset.serial_number),
    "statuses": _named(Status, Status.name),
    "transitions": _transitions,
    "priorities": _named(Priority, Priority.name),
    "types": _named(WorkOrderType, WorkOrderType.name),
    "custom_fields": _named(CustomField, CustomField.label),
    "templates": _named(ChecklistTemplate, ChecklistTemplate.name),
    "settings": lambda ids: {row_id: str(_l("the site")) for row_id in ids},  # one row: nothing to look up
}


def load_names(events: Sequence[AuditEvent]) -> Names:
    """Names for every id the rows mention: one query per kind of record mentioned at all."""
    names = Names()
    for table, ids in _collect(events).items():
        if ids:
            names.tables[table] = LOADERS[table](ids)
    return names


def entries(events: Sequence[AuditEvent], viewer: Actor | None = None) -> list[AuditEntry]:
    """Audit rows as entries, in the order given; money figures only when ``viewer`` may see costs."""
    names = load_names(events)
    names.show_costs = may_see_costs(viewer)
    return [entry(event, names) for event in events]


# -- words --------------------------------------------------------------------------------------


def action_words(action: str) -> str:
    """The action in words; an action this module does not know yet is spelled out from its code."""
    if action in ACTIONS:
        return str(ACTIONS[action])
    words = action.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else _("Something happened")


def listing(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c" (or a dash)."""
    if not items:
        return EMPTY
    if len(items) == 1:
        return items[0]
    return _("%(items)s and %(last)s", items=_(", ").join(items[:-1]), last=items[-1])


def _label(key: str) -> str:
    """A detail key in words."""
    if key in FIELD_LABELS:
        return str(FIELD_LABELS[key])
    return key.replace("_", " ").strip().capitalize() or _("Detail")


def _number(value: Any, places: int | None = None) -> str:
    """A decimal stored as text, in the reader's locale: money with ``places`` decimals, quantities as stored."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not amount.is_finite():
        return str(value)
    return number(amount, places) if places is not None else number(amount.normalize())


def _permission(name: Any) -> str:
    """A permission by its description."""
    return str(PERMISSIONS.get(str(name), str(name)))


def value_words(key: str, value: Any, names: Names) -> str:
    """A detail value in words: names for ids, yes/no, lists joined, nothing shown as braces or brackets."""
    if value is None or value == "" or value == []:
        return EMPTY
    if key in ID_FIELDS:
        return names.of(ID_FIELDS[key], value) or str(REMOVED[ID_FIELDS[key]])
    if key in ID_LISTS and isinstance(value, list):
        table = ID_LISTS[key]
        return listing(sorted(names.of(table, item) or str(REMOVED[table]) for item in value)) or _("nobody")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "permission":
        return _permission(value)
    if key == "guards" and isinstance(value, list):
        return listing([str(GUARD_WORDS.get(str(item), str(item))) for item in value])
    if key == "kind":
        return str(KIND_WORDS.get(str(value), str(value)))
    if key == "category":
        return str(next((label for category, label in CATEGORY_LABELS.items() if category.value == value), value))
    if key == "status":
        return str(next((label for status, label in ASSET_STATUS_LABELS.items() if status.value == value), value))
    if key == "default_language":
        return LANGUAGES.get(str(value), str(value))
    if key == "date_style":
        return str(DATE_STYLES.get(str(value), value))
    if key == "hourly_rate":
        return _number(value, 2)
    if key == "quantity":
        return _number(value)
    if isinstance(value, list):
        return listing([value_words(key, item, names) for item in value])
    if isinstance(value, dict):
        return "; ".join(
            _("%(label)s %(value)s", label=_label(str(k)), value=value_words(str(k), v, names))
            for k, v in value.items()
        )
    return str(value)


def _changes(changes: Any, names: Names) -> list[str]:
    """ "Role: technician → supervisor" for each changed field."""
    if not isinstance(changes, dict):
        return []
    parts = []
    for key, change in changes.items():
        if key in COST_KEYS and not names.show_costs:
            continue
        old, new = [*change, None, None][:2] if isinstance(change, list | tuple) else (None, change)
        parts.append(
            _(
                "%(label)s: %(old)s → %(new)s",
                label=_label(key),
                old=value_words(key, old, names),
                new=value_words(key, new, names),
            )
        )
    return parts


def _fields(values: Any, names: Names, skip: Iterable[str] = ()) -> list[str]:
    """ "Label: value" for each stored field (skipping those the record's name already says)."""
    if not isinstance(values, dict):
        return []
    left_out = set(skip) | (set() if names.show_costs else COST_KEYS)
    return [
        _("%(label)s: %(value)s", label=_label(key), value=value_words(key, value, names))
        for key, value in values.items()
        if key not in left_out and value not in (None, "", [])  # a new record's empty fields say nothing
    ]


def _special(action: str, details: dict[str, Any], names: Names) -> list[str] | None:
    """Details of the actions that read better as a sentence than as fields; None for the others."""
    if action == "role.permissions_changed":
        parts = []
        if details.get("added"):
            parts.append(_("Granted: %(permissions)s", permissions="; ".join(map(_permission, details["added"]))))
        if details.get("removed"):
            parts.append(_("Withdrawn: %(permissions)s", permissions="; ".join(map(_permission, details["removed"]))))
        return parts
    if action == "auth.login_failed":
        if "email" in details:
            return [_("No account for %(email)s", email=details["email"])]
        if details.get("attempt"):
            return [_("Failed attempt %(attempt)s from this address", attempt=details["attempt"])]
        return []
    if action == "auth.lockout":
        minutes = details.get("minutes")
        return [_("Locked for %(minutes)s minutes", minutes=minutes)] if minutes else []
    if action == "auth.password_changed":
        reason = str(details.get("reason") or "")
        return [str(PASSWORD_REASONS.get(reason, reason.capitalize()))] if reason else []
    if action == "stock.adjusted":
        quantity = _number(details.get("quantity") or "0")
        signed = quantity if quantity.startswith("-") else f"+{quantity}"
        parts = [_("%(quantity)s at %(location)s", quantity=signed, location=details.get("location") or EMPTY)]
        if details.get("reason"):
            parts.append(_("Reason: “%(reason)s”", reason=details["reason"]))
        return parts
    if action == "catalog.imported":
        kind = str(IMPORT_KINDS.get(str(details.get("kind")), str(details.get("kind") or "")))
        return [
            _(
                "%(kind)s: %(rows)s rows — %(new)s new, %(updates)s updated, %(unchanged)s unchanged",
                kind=kind,
                rows=details.get("rows", 0),
                new=details.get("new", 0),
                updates=details.get("updates", 0),
                unchanged=details.get("unchanged", 0),
            )
        ]
    if action == "product.image_moved":
        up = details.get("direction") == "up"
        position = details.get("position")
        if isinstance(position, int):
            place = position + 1
            return [
                _("Moved up to place %(place)s", place=place) if up else _("Moved down to place %(place)s", place=place)
            ]
        return [_("Moved up") if up else _("Moved down")]
    if action.startswith("checklist_template."):
        items = details.get("items", 0)
        parts = [ngettext("%(num)s item", "%(num)s items", items) if isinstance(items, int) else str(items)]
        if "active" in details:
            parts.append(_("Active: %(value)s", value=_("yes") if details["active"] else _("no")))
        return parts
    return None


# What the target's name already says: a detail holding the name at the time is shown only when it differs.
NAME_KEYS = ("name", "sku", "serial_number", "key", "from", "to")


def details_words(event: AuditEvent, names: Names, target: Target | None) -> list[str]:
    """The row's details in words."""
    details: dict[str, Any] = dict(event.details or {}) if isinstance(event.details, dict) else {}
    special = _special(event.action, details, names)
    if special is not None:
        return special
    parts: list[str] = []
    parts += _changes(details.pop("changes", None), names)
    values = details.pop("values", None)
    parts += _fields(values, names, skip=("name", "key", "label") if target and not target.removed else ())
    for key in list(details):
        if key in QUIET:
            details.pop(key)
        elif key in NAME_KEYS and target is not None and not target.removed:
            details.pop(key)  # the record column names it (today's name)
    if event.action.startswith("workflow.transition.") and target is not None and not target.removed:
        details = {key: value for key, value in details.items() if key not in ("permission", "guards")}
    parts += _fields(details, names)
    return parts


def target_of(event: AuditEvent, names: Names) -> Target | None:
    """The record the row is about, by its current name; a removed record says so (with its name then, if kept)."""
    if not event.target_type:
        return None
    kind, table = KINDS.get(event.target_type, (event.target_type, ""))
    name = names.of(table, event.target_id) if table else None
    if name is not None:
        endpoint, arg = LINKS.get(event.target_type, ("", ""))
        args = {arg: int(event.target_id)} if endpoint and event.target_id is not None else {}
        return Target(kind=str(kind), name=name, endpoint=endpoint, args=args)
    details = event.details if isinstance(event.details, dict) else {}
    then = next((str(details[key]) for key in ("name", "sku", "serial_number", "key") if details.get(key)), "")
    return Target(kind=str(kind), name=_("%(name)s (removed)", name=then) if then else _("removed"), removed=True)


def who(event: AuditEvent, names: Names) -> str:
    """Who did it: a person's current name, System, or a dash when nobody was signed in."""
    if event.by_system:
        return str(SYSTEM)
    if event.actor_id is None:
        return EMPTY
    return names.of("users", event.actor_id) or str(REMOVED["users"])


def entry(event: AuditEvent, names: Names) -> AuditEntry:
    """One audit row as an entry."""
    target = target_of(event, names)
    return AuditEntry(
        id=event.id,
        created_at=event.created_at,
        who=who(event, names),
        by_system=event.by_system,
        action=action_words(event.action),
        target=target,
        details=details_words(event, names, target),
        ip_address=event.ip_address,
    )
