"""The work order timeline: events turned into sentences, with today's names, in a fixed number of queries.

Events store ids and values (see ``WorkOrderEvent``). Here the ids every event
of a work order refers to are collected first, each kind of record is loaded in
one query, and then each event becomes a sentence ("Assigned to Ana Ortiz and
Ben Li (team North)"). A renamed person, status, team or product shows its
current name: the id says who or what it was, the name is how we call it now.
Events written before history became data carry names; they render from those.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from cube.actors import Actor
from cube.extensions import db
from cube.i18n import format_moment, money, number
from cube.models import (
    Asset,
    ChecklistItem,
    ChecklistTemplate,
    Comment,
    Company,
    CustomField,
    Priority,
    Product,
    Status,
    Team,
    Transition,
    User,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderType,
)
from cube.products.assets import location_paths
from cube.timezones import zone_of
from cube.workorders.costs import is_cost_detail, may_see_costs

NOBODY = _l("nobody")
EMPTY = "—"
KIND_WORDS = {"pass_fail": _l("pass/fail"), "text": _l("text"), "number": _l("number")}
ANSWER_WORDS = {"pass": _l("Pass"), "fail": _l("Fail"), "na": _l("N/A")}
FIELD_LABELS = {
    "title": _l("Title"),
    "description": _l("Description"),
    "type_id": _l("Type"),
    "priority_id": _l("Priority"),
    "requester_id": _l("Requester"),
    "team_id": _l("Team"),
    "supervisor_id": _l("Supervisor"),
    "company_id": _l("Company"),
    "product_id": _l("Product"),
    "asset_id": _l("Asset"),
    "location_id": _l("Location"),
    "due_at": _l("Due"),
    "planned_start": _l("Planned start"),
    "estimated_hours": _l("Estimated hours"),
    "estimated_cost": _l("Estimated cost"),
}
# What an edited reference field shows when the record it named was deleted since.
REMOVED = {
    "type_id": _l("a removed type"),
    "priority_id": _l("a removed priority"),
    "requester_id": _l("a removed requester"),
    "supervisor_id": _l("a removed supervisor"),
    "team_id": _l("a removed team"),
    "company_id": _l("a removed company"),
    "product_id": _l("a removed product"),
    "asset_id": _l("a removed asset"),
    "location_id": _l("a removed location"),
}
# Which table an edited reference field points into.
REFERENCE_FIELDS = {
    "type_id": "types",
    "priority_id": "priorities",
    "requester_id": "users",
    "supervisor_id": "users",
    "team_id": "teams",
    "company_id": "companies",
    "product_id": "products",
    "asset_id": "assets",
    "location_id": "locations",
}
TIME_FIELDS = {"due_at", "planned_start"}
LONG_TEXT = 120


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: when, who, what happened in words, and any quoted text (a reason, a comment)."""

    id: int
    kind: str
    created_at: datetime
    who: str
    by_system: bool
    text: str
    quote: str = ""


@dataclass
class Names:
    """The names of everything a set of events refers to, by id (filled in one query per table)."""

    users: dict[int, str] = field(default_factory=dict)
    teams: dict[int, str] = field(default_factory=dict)
    statuses: dict[int, str] = field(default_factory=dict)
    transitions: dict[int, str] = field(default_factory=dict)
    priorities: dict[int, str] = field(default_factory=dict)
    types: dict[int, str] = field(default_factory=dict)
    companies: dict[int, str] = field(default_factory=dict)
    products: dict[int, str] = field(default_factory=dict)
    assets: dict[int, str] = field(default_factory=dict)
    locations: dict[int, str] = field(default_factory=dict)
    items: dict[int, tuple[str, str]] = field(default_factory=dict)  # label, kind
    templates: dict[int, str] = field(default_factory=dict)
    comments: dict[int, str] = field(default_factory=dict)
    custom_fields: dict[str, str] = field(default_factory=dict)
    zone: ZoneInfo = field(default_factory=lambda: zone_of(None))
    show_costs: bool = False  # money figures (unit costs, estimated cost) only for those who may see costs


# -- reading ------------------------------------------------------------------------------------


def events_of(work_order: WorkOrder) -> list[WorkOrderEvent]:
    """Every event of the work order, oldest first."""
    query = select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == work_order.id).order_by(WorkOrderEvent.id)
    return list(db.session.scalars(query))


def timeline(work_order: WorkOrder, viewer: Actor | None) -> list[Entry]:
    """The work order's history as sentences, oldest first; times in ``viewer``'s zone."""
    found = events_of(work_order)
    names = load_names(found)
    names.zone = zone_of(viewer)
    names.show_costs = may_see_costs(viewer)
    return [entry(event, names) for event in found]


def _ids(values: Iterable[Any]) -> set[int]:
    """The integers among ``values`` (booleans and missing values left out)."""
    return {value for value in values if isinstance(value, int) and not isinstance(value, bool)}


def _collect(found: list[WorkOrderEvent]) -> dict[str, set[Any]]:
    """The ids each event refers to, by table."""
    wanted: dict[str, set[Any]] = {key: set() for key in Names.__dataclass_fields__ if key != "zone"}
    for event in found:
        data = event.data or {}
        if event.actor_id is not None:
            wanted["users"].add(event.actor_id)
        wanted["users"] |= _ids(
            [
                data.get("user_id"),
                *(data.get("from_user_ids") or []),
                *(data.get("to_user_ids") or []),
                *(data.get("mentioned_user_ids") or []),
            ]
        )
        wanted["teams"] |= _ids([data.get("from_team_id"), data.get("to_team_id")])
        wanted["statuses"] |= _ids([data.get("status_id"), data.get("from_status_id"), data.get("to_status_id")])
        wanted["transitions"] |= _ids([data.get("transition_id")])
        wanted["templates"] |= _ids([data.get("template_id")])
        wanted["comments"] |= _ids([data.get("comment_id")])
        wanted["items"] |= _ids([data.get("item_id")])
        if event.kind in ("part_used", "part_returned"):
            wanted["products"] |= _ids([data.get("product_id")])
            wanted["locations"] |= _ids([data.get("location_id")])
        if event.kind == "edited":
            for key, change in (data.get("changes") or {}).items():
                if key in REFERENCE_FIELDS and isinstance(change, list):
                    wanted[REFERENCE_FIELDS[key]] |= _ids(change)
            wanted["custom_fields"] |= set((data.get("custom") or {}).keys())
    return wanted


def _pairs(query: Any) -> dict[Any, Any]:
    """A two-column query as a dict."""
    return {key: value for key, value in db.session.execute(query).all()}


def load_names(found: list[WorkOrderEvent]) -> Names:
    """Names for every id the events mention: one query per kind of record that is mentioned at all."""
    wanted = _collect(found)
    loaders: dict[str, Callable[[set[Any]], dict[Any, Any]]] = {
        "users": lambda ids: _pairs(select(User.id, User.name).where(User.id.in_(ids))),
        "teams": lambda ids: _pairs(select(Team.id, Team.name).where(Team.id.in_(ids))),
        "statuses": lambda ids: _pairs(select(Status.id, Status.name).where(Status.id.in_(ids))),
        "transitions": lambda ids: _pairs(select(Transition.id, Transition.name).where(Transition.id.in_(ids))),
        "priorities": lambda ids: _pairs(select(Priority.id, Priority.name).where(Priority.id.in_(ids))),
        "types": lambda ids: _pairs(select(WorkOrderType.id, WorkOrderType.name).where(WorkOrderType.id.in_(ids))),
        "companies": lambda ids: _pairs(select(Company.id, Company.name).where(Company.id.in_(ids))),
        "products": _products,
        "assets": lambda ids: _pairs(select(Asset.id, Asset.serial_number).where(Asset.id.in_(ids))),
        "locations": location_paths,
        "items": lambda ids: {
            item_id: (label, kind)
            for item_id, label, kind in db.session.execute(
                select(ChecklistItem.id, ChecklistItem.label, ChecklistItem.kind).where(ChecklistItem.id.in_(ids))
            ).all()
        },
        "templates": lambda ids: _pairs(
            select(ChecklistTemplate.id, ChecklistTemplate.name).where(ChecklistTemplate.id.in_(ids))
        ),
        "comments": lambda ids: _pairs(select(Comment.id, Comment.body).where(Comment.id.in_(ids))),
        "custom_fields": lambda keys: _pairs(
            select(CustomField.key, CustomField.label).where(CustomField.key.in_(keys))
        ),
    }
    names = Names()
    for key, ids in wanted.items():
        if ids:
            setattr(names, key, loaders[key](ids))
    return names


def _products(ids: set[int]) -> dict[int, str]:
    """ "SKU name" for each product."""
    rows = db.session.execute(select(Product.id, Product.sku, Product.name).where(Product.id.in_(ids))).all()
    return {product_id: f"{sku} {name}" for product_id, sku, name in rows}


# -- words --------------------------------------------------------------------------------------


def people(names: list[str]) -> str:
    """ "Ana", "Ana and Ben", "Ana, Ben and Cy" (or "nobody")."""
    if not names:
        return str(NOBODY)
    if len(names) == 1:
        return names[0]
    return _("%(people)s and %(last)s", people=", ".join(names[:-1]), last=names[-1])


def _name(table: dict[Any, str], key: Any, missing: str) -> str:
    """The name of ``key`` in ``table``; a dash for no reference, ``missing`` for a deleted record."""
    if key is None or key == "":
        return EMPTY
    return table.get(key, missing)


def _user(names: Names, user_id: Any) -> str:
    """A person's current name."""
    return _name(names.users, user_id, _("a removed user"))


def _status(names: Names, status_id: Any) -> str:
    """A status's current name."""
    return _name(names.statuses, status_id, _("a removed status"))


def _team(names: Names, team_id: Any) -> str:
    """A team's current name."""
    return _name(names.teams, team_id, _("a removed team"))


def _when(value: Any, names: Names) -> str:
    """A stored ISO time in the viewer's zone, as the reader's locale writes a date and time."""
    if not value:
        return EMPTY
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is not None:  # a time without a zone is shown as it was stored
        moment = moment.astimezone(names.zone)
    return format_moment(moment)


def _number(value: Any, places: int | None = None) -> str:
    """A stored number in the reader's locale (anything else as it was stored)."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return number(amount, places) if amount.is_finite() else str(value)


def _hours(value: Any) -> str:
    """Stored hours as "1.50 h"."""
    return _("%(hours)s h", hours=_number(value, 2))


def _short(value: Any) -> str:
    """Free text quoted, on one line, cut to a readable length."""
    text = "" if value is None else str(value)
    if not text:
        return EMPTY
    text = " ".join(text.split())
    return _("“%(text)s”", text=text if len(text) <= LONG_TEXT else text[: LONG_TEXT - 1] + "…")


def _answer(value: Any, kind: str) -> str:
    """A checklist answer in words (Pass, Fail, N/A, or the text or number)."""
    if value is None or value == "":
        return EMPTY
    return str(ANSWER_WORDS.get(str(value), str(value))) if kind == "pass_fail" else str(value)


def _field_value(key: str, value: Any, names: Names) -> str:
    """A stored field value in words: names for ids, local times, numbers, text quoted."""
    if value is None or value == "":
        return EMPTY
    if key in REFERENCE_FIELDS:
        table = getattr(names, REFERENCE_FIELDS[key])
        return _name(table, value, str(REMOVED[key]))
    if key in TIME_FIELDS:
        return _when(value, names)
    if key in ("title", "description"):
        return _short(value)
    if key in ("estimated_hours", "estimated_cost"):
        return _number(value, 2)
    return str(value)


def _pair(change: Any) -> tuple[Any, Any]:
    """``[old, new]`` as stored, tolerating anything else."""
    if isinstance(change, list | tuple):
        padded = [*change, None, None]
        return padded[0], padded[1]
    return None, change


def _change(field: str, old: str, new: str) -> str:
    """One changed field: "Priority Normal → High"."""
    return _("%(field)s %(old)s → %(new)s", field=field, old=old, new=new)


def _edited(data: dict[str, Any], names: Names) -> str:
    """ "Edited: Priority Normal → High; ..." from new (field keys) or old (labels) payloads."""
    parts = []
    for key, change in (data.get("changes") or {}).items():
        if not names.show_costs and is_cost_detail(key):
            continue
        old, new = _pair(change)
        if key in FIELD_LABELS:
            parts.append(_change(str(FIELD_LABELS[key]), _field_value(key, old, names), _field_value(key, new, names)))
        else:  # before history was data: the label and both values were stored as display text
            parts.append(_change(key, old or EMPTY, new or EMPTY))
    for key, change in (data.get("custom") or {}).items():
        old, new = _pair(change)
        parts.append(_change(names.custom_fields.get(key, key), old or EMPTY, new or EMPTY))
    return _("Edited: %(changes)s", changes="; ".join(parts)) if parts else _("Edited")


def _status_changed(data: dict[str, Any], names: Names) -> tuple[str, str]:
    """The transition, from and to statuses, and the reason to quote."""
    if "to_status_id" in data:
        label = names.transitions.get(data.get("transition_id")) or _("Status changed")
        old, new = _status(names, data.get("from_status_id")), _status(names, data.get("to_status_id"))
    else:  # names only, from before history was data
        label = data.get("transition") or _("Status changed")
        old, new = data.get("old") or EMPTY, data.get("new") or EMPTY
    return _("%(transition)s: %(old)s → %(new)s", transition=label, old=old, new=new), str(data.get("reason") or "")


def _assigned(data: dict[str, Any], names: Names) -> str:
    """ "Assigned to Ana and Ben (team North)"."""
    if "to_user_ids" in data:
        who = people(sorted(_user(names, user_id) for user_id in data.get("to_user_ids") or []))
        team_id = data.get("to_team_id")
        team = _team(names, team_id) if team_id is not None else ""
        removed = data.get("from_team_id") is not None and team_id is None
    else:
        who = people(list(data.get("new") or []))
        team = str(data.get("new_team") or "")
        removed = bool(data.get("old_team")) and not team
    if team:
        return _("Assigned to %(people)s (team %(team)s)", people=who, team=team)
    if removed:
        return _("Assigned to %(people)s (no team)", people=who)
    return _("Assigned to %(people)s", people=who)


def _item(data: dict[str, Any], names: Names) -> tuple[str, str]:
    """The item's label and kind: from the item row, else what the event kept."""
    label, kind = names.items.get(data.get("item_id"), ("", ""))
    return label or str(data.get("label") or data.get("item") or _("an item")), kind or str(data.get("item_kind") or "")


def _checklist_item_added(data: dict[str, Any], names: Names) -> str:
    """ "Checklist item added: label, kind, required/optional"."""
    label = str(data.get("label") or data.get("item") or "")
    kind = str(KIND_WORDS.get(str(data.get("item_kind")), str(data.get("item_kind") or "")))
    if data.get("required"):
        return _("Checklist item added: %(label)s, %(kind)s, required", label=label, kind=kind)
    return _("Checklist item added: %(label)s, %(kind)s, optional", label=label, kind=kind)


def _checklist_added(data: dict[str, Any], names: Names) -> str:
    """ "Checklist “Template” added: N items"."""
    if "template_id" in data:
        template = names.templates.get(data.get("template_id")) or _("a removed template")
        count = len(data.get("item_ids") or [])
    else:
        template, count = str(data.get("template") or ""), int(data.get("items") or 0)
    return ngettext(
        "Checklist “%(template)s” added: %(num)d item",
        "Checklist “%(template)s” added: %(num)d items",
        count,
        template=template,
    )


def _checklist_answered(data: dict[str, Any], names: Names) -> str:
    """The item, its new answer and the one it replaced."""
    label, kind = _item(data, names)
    kind = kind or "pass_fail"
    answer = _answer(data.get("answer"), kind)
    if data.get("old"):
        old = _answer(data.get("old"), kind)
        return _("Checklist answered: %(item)s: %(answer)s (was %(old)s)", item=label, answer=answer, old=old)
    return _("Checklist answered: %(item)s: %(answer)s", item=label, answer=answer)


def _checklist_cleared(data: dict[str, Any], names: Names) -> str:
    """The item and the answer taken away."""
    label, kind = _item(data, names)
    old = _answer(data.get("old"), kind or "pass_fail")
    return _("Checklist answer cleared: %(item)s (was %(old)s)", item=label, old=old)


def _follow_up(kind: str, data: dict[str, Any], names: Names) -> str:
    """The follow-up link, from either side."""
    label = _item(data, names)[0]
    number = data.get("number") or ""
    if kind == "follow_up_created":
        return _("Follow-up %(number)s created for the failed item “%(item)s”", number=number, item=label)
    return _("Follow-up of %(number)s, for its failed item “%(item)s”", number=number, item=label)


def _person(data: dict[str, Any], names: Names) -> str:
    """Whose time it was: by id, or the name an old payload kept."""
    if "user_id" in data:
        return _user(names, data.get("user_id"))
    return str(data.get("person") or _("someone"))


def _time(kind: str, data: dict[str, Any], names: Names) -> tuple[str, str]:
    """Time logged, a timer started or an entry removed, and any note to quote."""
    person = _person(data, names)
    hours = _hours(data.get("hours"))
    if kind == "timer_started":
        return _("Timer started for %(person)s", person=person), ""
    if kind == "timer_discarded":
        return _("Timer of %(person)s stopped after less than a minute; nothing was logged", person=person), ""
    if kind == "time_deleted":
        started = _when(data.get("started_at") or data.get("started"), names)
        text = _(
            "Time entry removed: %(hours)s by %(person)s, started %(started)s",
            hours=hours,
            person=person,
            started=started,
        )
        return text, ""
    if data.get("timer"):
        return _("Time logged: %(hours)s by %(person)s (timer)", hours=hours, person=person), str(
            data.get("note") or ""
        )
    return _("Time logged: %(hours)s by %(person)s", hours=hours, person=person), str(data.get("note") or "")


def _part(kind: str, data: dict[str, Any], names: Names) -> str:
    """A part used or returned, with product, place and unit cost."""
    product = names.products.get(data.get("product_id")) or str(data.get("sku") or _("a product"))
    if "location_id" in data:
        place = _name(names.locations, data.get("location_id"), _("a removed location"))
    else:
        place = str(data.get("location") or EMPTY)
    quantity = _number(data.get("quantity")) if data.get("quantity") else ""
    values = {"quantity": quantity, "product": product, "place": place}
    if kind == "part_returned":
        return _("Part returned: %(quantity)s × %(product)s to %(place)s", **values)
    if data.get("unit_cost") and names.show_costs:
        cost = _money(data["unit_cost"])
        return _("Part used: %(quantity)s × %(product)s from %(place)s at %(cost)s each", cost=cost, **values)
    return _("Part used: %(quantity)s × %(product)s from %(place)s", **values)


def _money(value: Any) -> str:
    """A stored amount of money in the reader's locale (anything else as it was stored)."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return money(amount) if amount.is_finite() else str(value)


def _size(value: Any) -> str:
    """A file size in words, "12 KB" (empty when unknown)."""
    try:
        size = int(value)
    except (TypeError, ValueError):
        return ""
    if size < 1024:
        return ngettext("%(num)d byte", "%(num)d bytes", size)
    if size < 1024 * 1024:
        return _("%(size)s KB", size=number(size / 1024, 0))
    return _("%(size)s MB", size=number(size / (1024 * 1024), 1))


def _attached(data: dict[str, Any]) -> str:
    """ "Attached fan.png (12 KB)"."""
    name = data.get("name") or _("a file")
    size = _size(data.get("size_bytes"))
    if size:
        return _("Attached %(name)s (%(size)s)", name=name, size=size)
    return _("Attached %(name)s", name=name)


def sentence(event: WorkOrderEvent, names: Names) -> tuple[str, str]:
    """The event in words, and the text to quote under it (a reason, a comment or a note)."""
    data: dict[str, Any] = event.data or {}
    kind = event.kind
    if kind == "created":
        number = data.get("number", "")
        if data.get("status_id") is not None:
            return _("Created %(number)s in %(status)s", number=number, status=_status(names, data["status_id"])), ""
        return _("Created %(number)s", number=number), ""
    if kind == "status_changed":
        return _status_changed(data, names)
    if kind == "assigned":
        return _assigned(data, names), ""
    if kind == "edited":
        return _edited(data, names), ""
    if kind == "commented":
        mentioned = sorted(_user(names, user_id) for user_id in data.get("mentioned_user_ids") or [])
        text = _("Commented, mentioning %(people)s", people=people(mentioned)) if mentioned else _("Commented")
        return text, names.comments.get(data.get("comment_id"), "")
    if kind == "archived":
        return _("Archived"), ""
    if kind == "checklist_item_added":
        return _checklist_item_added(data, names), ""
    if kind == "checklist_added":
        return _checklist_added(data, names), ""
    if kind == "checklist_answered":
        return _checklist_answered(data, names), ""
    if kind == "checklist_cleared":
        return _checklist_cleared(data, names), ""
    if kind in ("follow_up_created", "follow_up_of"):
        return _follow_up(kind, data, names), ""
    if kind in ("time_logged", "timer_started", "timer_discarded", "time_deleted"):
        return _time(kind, data, names)
    if kind in ("part_used", "part_returned"):
        return _part(kind, data, names), ""
    if kind == "attachment_added":
        return _attached(data), ""
    if kind == "attachment_removed":
        return _("Removed the attachment %(name)s", name=data.get("name", "")), ""
    return kind.replace("_", " ").capitalize(), ""


def entry(event: WorkOrderEvent, names: Names) -> Entry:
    """One event as a timeline entry."""
    text, quote = sentence(event, names)
    who = _("System") if event.by_system or event.actor_id is None else _user(names, event.actor_id)
    return Entry(
        id=event.id,
        kind=event.kind,
        created_at=event.created_at,
        who=who,
        by_system=event.by_system,
        text=text,
        quote=quote,
    )
