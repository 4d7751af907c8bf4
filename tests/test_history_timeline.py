"""The timeline: every event kind in words with names (current ones), old payloads too, in bounded queries.

Decision under test: the timeline names people, statuses, teams and products as
they are called NOW (events hold their ids), so a renamed record shows its new
name; free text that was part of the change (a reason, a note, a file name, a
checklist label) is shown as it was written.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html import unescape

import pytest
import sqlalchemy
from babel.dates import format_datetime
from sqlalchemy import select

from cube.actors import SYSTEM
from cube.extensions import db
from cube.i18n import datetime_pattern
from cube.models import (
    ChecklistItem,
    Comment,
    Location,
    Priority,
    Product,
    Team,
    Transition,
    User,
    WorkOrder,
    WorkOrderEvent,
)
from cube.products.assets import location_paths
from cube.workflow import engine as workflow
from cube.workflow import settings as configuration
from cube.workorders import (
    attachments,
    checklists,
    events,
    parts,
    services,
    timeline,
    timelogs,
)
from tests.catalog_factories import make_location, make_product, stock
from tests.files import png
from tests.support import QueryCounter, sign_in
from tests.workorder_factories import default_ids, transition_named

# The sentences here are checked with the reader's locale's dates (the "locale" date style).
pytestmark = pytest.mark.usefixtures("locale_dates")

DUE = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
RAW = re.compile(r"_id\b|item kind|pass_fail|\bNone\b|\{|\[")


@dataclass
class Story:
    """A work order with one event of every kind, and the people and things it names."""

    admin: User
    ana: User
    ben: User
    team: Team
    work_order: WorkOrder
    follow_up: WorkOrder
    product: Product
    stores: Location
    started: datetime
    size: int


@pytest.fixture
def story(make_user: Callable[..., User], make_team: Callable[..., Team]) -> Story:
    admin = make_user("admin", name="Ada Admin", email="ada@example.com")
    ana = make_user("technician", name="Ana Ortiz", email="ana@example.com")
    ben = make_user("technician", name="Ben Li", email="ben@example.com")
    team = make_team("North", members=(ana, ben))
    configuration.save_custom_field(admin, None, "warranty_ref", "Warranty ref", "text")
    stores = make_location("Stores")  # top level: the parts list (not the timeline) loads parents one by one
    product = make_product("FLT-G4", "Panel filter", unit_cost=Decimal("12.40"))
    stock(product, stores, "10")
    type_id, priority_id = default_ids()
    data = services.WorkOrderData(title="Replace filter", type_id=type_id, priority_id=priority_id)
    work_order = services.create_work_order(admin, data)
    # This story approves and assigns by hand: assigning takes no transition here.
    db.session.execute(sqlalchemy.update(Transition).values(on_assign=False))
    services.assign(admin, work_order, (ana.id, ben.id), team_id=team.id)
    high = db.session.scalar(select(Priority.id).where(Priority.name == "High"))
    changed = replace(
        data, title="Replace filters", priority_id=high, due_at=DUE, custom_values={"warranty_ref": "W-1"}
    )
    services.update_work_order(
        admin, work_order, replace(changed, team_id=team.id, requester_id=admin.id), expected_version=None
    )
    services.add_comment(admin, work_order, "@ana please bring a ladder")
    item = checklists.add_item(admin, work_order, "Filter clean", "pass_fail", True)
    template = checklists.save_template(
        admin,
        None,
        "Chiller PM",
        [{"label": "Check oil", "kind": "pass_fail", "required": True}, {"label": "Notes", "kind": "text"}],
    )
    checklists.add_from_template(admin, work_order, template)
    checklists.answer(ana, work_order, item, "fail")
    checklists.answer(ana, work_order, item, "pass")
    checklists.answer(ana, work_order, item, "")
    checklists.answer(ana, work_order, item, "fail")
    follow_up = checklists.create_follow_up(admin, work_order, item)
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    log = timelogs.add_entry(ana, work_order, started, hours="1.5", note="Changed the filter")
    timelogs.start_timer(ben, work_order)
    timelogs.stop_timer(ben, work_order)
    timelogs.delete_entry(admin, work_order, log)
    usage = parts.use_part(ana, work_order, product.id, stores.id, "2")
    parts.return_part(ana, work_order, usage, "1")
    attachment = attachments.add_attachment(admin, work_order, "fan.png", png(4, 3))
    db.session.commit()
    attachments.delete_attachment(admin, attachment)
    workflow.apply_transition(admin, work_order, transition_named("New", "Approve").id)
    db.session.commit()
    return Story(admin, ana, ben, team, work_order, follow_up, product, stores, started, len(png(4, 3)))


def texts(work_order: WorkOrder, viewer: User) -> list[str]:
    return [entry.text for entry in timeline.timeline(work_order, viewer)]


def test_every_event_kind_reads_as_a_sentence_with_names(story):
    services.archive(story.admin, story.work_order)
    db.session.commit()
    number, follow_number = story.work_order.number, story.follow_up.number
    when = format_datetime(story.started, datetime_pattern("en"), locale="en")  # the viewer's zone is UTC
    assert texts(story.work_order, story.admin) == [
        f"Created {number} in New",
        "Assigned to Ana Ortiz and Ben Li (team North)",
        "Edited: Title “Replace filter” → “Replace filters”; Priority Normal → High; "
        "Due — → Mar 4, 2031, 9:00\u202fAM; Warranty ref — → W-1",
        "Commented, mentioning Ana Ortiz",
        "Checklist item added: Filter clean, pass/fail, required",
        "Checklist “Chiller PM” added: 2 items",
        "Checklist answered: Filter clean: Fail",
        "Checklist answered: Filter clean: Pass (was Fail)",
        "Checklist answer cleared: Filter clean (was Pass)",
        "Checklist answered: Filter clean: Fail",
        f"Follow-up {follow_number} created for the failed item “Filter clean”",
        "Time logged: 1.50 h by Ana Ortiz",
        "Timer started for Ben Li",
        "Timer of Ben Li stopped after less than a minute; nothing was logged",
        f"Time entry removed: 1.50 h by Ana Ortiz, started {when}",
        "Part used: 2 × FLT-G4 Panel filter from Stores at 12.40 each",
        "Part returned: 1 × FLT-G4 Panel filter to Stores",
        f"Attached fan.png ({story.size} bytes)",
        "Removed the attachment fan.png",
        "Approve: New → Approved",
        "Archived",
    ]
    assert texts(story.follow_up, story.admin)[:2] == [
        f"Created {follow_number} in New",
        f"Follow-up of {number}, for its failed item “Filter clean”",
    ]
    entries = timeline.timeline(story.work_order, story.admin)
    assert not [entry.text for entry in entries if RAW.search(entry.text)]
    quotes = {entry.kind: entry.quote for entry in entries if entry.quote}
    assert quotes == {"commented": "@ana please bring a ladder", "time_logged": "Changed the filter"}
    assert {entry.who for entry in entries} == {"Ada Admin", "Ana Ortiz", "Ben Li"}


def test_event_payloads_are_values_not_display_text(story):
    found = {
        e.kind: e.data
        for e in db.session.scalars(
            select(WorkOrderEvent)
            .where(WorkOrderEvent.work_order_id == story.work_order.id)
            .order_by(WorkOrderEvent.id)
        )
    }
    item = db.session.scalar(select(ChecklistItem).where(ChecklistItem.label == "Filter clean"))
    high = db.session.scalar(select(Priority.id).where(Priority.name == "High"))
    normal = default_ids()[1]
    comment = db.session.scalar(select(Comment.id).where(Comment.work_order_id == story.work_order.id))
    assert found["assigned"] == {
        "from_user_ids": [],
        "to_user_ids": sorted([story.ana.id, story.ben.id]),
        "from_team_id": None,
        "to_team_id": story.team.id,
    }
    assert found["edited"] == {
        "changes": {
            "title": ["Replace filter", "Replace filters"],
            "priority_id": [normal, high],
            "due_at": [None, "2031-03-04T09:00:00+00:00"],
        },
        "custom": {"warranty_ref": [None, "W-1"]},
    }
    assert found["commented"] == {"comment_id": comment, "mentioned_user_ids": [story.ana.id]}
    assert found["checklist_item_added"] == {
        "item_id": item.id,
        "label": "Filter clean",
        "item_kind": "pass_fail",
        "required": True,
    }
    assert found["checklist_answered"] == {"item_id": item.id, "answer": "fail", "old": None}
    assert found["part_returned"]["product_id"] == story.product.id
    assert found["time_deleted"]["user_id"] == story.ana.id


def test_renamed_people_teams_statuses_and_products_show_their_current_names(story):
    story.ana.name = "Ana Ortiz-Reyes"
    story.team.name = "North East"
    story.product.name = "Panel filter G4"
    configuration.save_status(story.admin, workflow.initial_status(), "Received", "open", "info", 10, True)
    db.session.commit()
    found = texts(story.work_order, story.admin)
    assert f"Created {story.work_order.number} in Received" in found
    assert "Assigned to Ana Ortiz-Reyes and Ben Li (team North East)" in found
    assert "Approve: Received → Approved" in found
    assert "Part returned: 1 × FLT-G4 Panel filter G4 to Stores" in found
    who = {entry.who for entry in timeline.timeline(story.work_order, story.admin)}
    assert who == {"Ada Admin", "Ana Ortiz-Reyes", "Ben Li"}


def test_locations_read_as_their_path_in_one_query(story):
    site = make_location("Leeds Campus")
    building = make_location("Main Building", "building", parent=site)
    room = make_location("Plant Room", "area", parent=building)
    ids = (room.id, building.id, story.stores.id)
    with QueryCounter(db.engine) as counter:
        paths = location_paths(set(ids))
    assert paths == dict(
        zip(ids, ["Leeds Campus > Main Building > Plant Room", "Leeds Campus > Main Building", "Stores"], strict=True)
    )
    assert counter.count == 1


def test_times_in_sentences_are_in_the_viewers_zone(story):
    story.admin.timezone = "Europe/Berlin"
    db.session.commit()
    edited = next(text for text in texts(story.work_order, story.admin) if text.startswith("Edited"))
    assert "Due — → Mar 4, 2031, 10:00\u202fAM" in edited


def test_the_detail_page_shows_the_sentences(story, client):
    assert sign_in(client, story.admin.email).status_code == 302
    page = client.get(f"/work-orders/{story.work_order.id}").get_data(as_text=True)
    section = unescape(page[page.index('data-testid="timeline"') : page.index("Post comment")])
    assert "Assigned to Ana Ortiz and Ben Li (team North)" in section
    assert "Checklist item added: Filter clean, pass/fail, required" in section
    assert "@Ana Ortiz</a> please bring a ladder" in section  # the mention links to Ana
    assert "Changed the filter" in section
    assert not RAW.search(re.sub(r"<[^>]+>", "", section))


def test_text_in_events_is_escaped_on_the_page(story, client):
    services.add_comment(story.admin, story.work_order, "<script>alert(1)</script>")
    checklists.add_item(story.admin, story.follow_up, "<b>bold</b>", "text", False)
    db.session.commit()
    assert sign_in(client, story.admin.email).status_code == 302
    for work_order in (story.work_order, story.follow_up):
        page = client.get(f"/work-orders/{work_order.id}").get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page
        assert "<b>bold</b>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


OLD_PAYLOADS = [
    ("created", {"number": "WO-2025-000001", "title": "Old"}, "Created WO-2025-000001"),
    (
        "status_changed",
        {"old": "New", "new": "Approved", "transition": "Approve", "reason": "ok"},
        "Approve: New → Approved",
    ),
    (
        "assigned",
        {"old": [], "new": ["Ana Ortiz", "Ben Li"], "old_team": "", "new_team": "North"},
        "Assigned to Ana Ortiz and Ben Li (team North)",
    ),
    (
        "assigned",
        {"old": ["Ana Ortiz"], "new": [], "old_team": "North", "new_team": ""},
        "Assigned to nobody (no team)",
    ),
    ("edited", {"changes": {"Priority": ["Normal", "High"], "Due": ["", "2031-03-04T09:00"]}}, None),
    (
        "checklist_item_added",
        {"item": "Filter clean", "item_kind": "pass_fail", "required": True},
        "Checklist item added: Filter clean, pass/fail, required",
    ),
    ("checklist_added", {"template": "Chiller PM", "items": 3}, "Checklist “Chiller PM” added: 3 items"),
    (
        "checklist_answered",
        {"item": "Filter clean", "answer": "fail", "old": ""},
        "Checklist answered: Filter clean: Fail",
    ),
    (
        "checklist_cleared",
        {"item": "Filter clean", "old": "pass"},
        "Checklist answer cleared: Filter clean (was Pass)",
    ),
    (
        "follow_up_created",
        {"item": "Filter clean", "number": "WO-2025-000002"},
        "Follow-up WO-2025-000002 created for the failed item “Filter clean”",
    ),
    (
        "follow_up_of",
        {"number": "WO-2025-000001", "item": "Filter clean"},
        "Follow-up of WO-2025-000001, for its failed item “Filter clean”",
    ),
    ("time_logged", {"person": "Ana Ortiz", "hours": "1.50", "note": "x"}, "Time logged: 1.50 h by Ana Ortiz"),
    (
        "time_logged",
        {"person": "Ana Ortiz", "hours": "0.25", "timer": True},
        "Time logged: 0.25 h by Ana Ortiz (timer)",
    ),
    ("timer_started", {"person": "Ben Li"}, "Timer started for Ben Li"),
    (
        "timer_discarded",
        {"person": "Ben Li"},
        "Timer of Ben Li stopped after less than a minute; nothing was logged",
    ),
    (
        "time_deleted",
        {"person": "Ana Ortiz", "hours": "1.50", "started": "2031-03-03T08:00+00:00"},
        "Time entry removed: 1.50 h by Ana Ortiz, started Mar 3, 2031, 8:00\u202fAM",
    ),
    (
        "part_used",
        {"sku": "FLT-G4", "quantity": "2", "location": "Leeds Campus > Stores", "unit_cost": "12.40"},
        "Part used: 2 × FLT-G4 from Leeds Campus > Stores at 12.40 each",
    ),
    (
        "part_returned",
        {"sku": "FLT-G4", "quantity": "1", "location": "Leeds Campus > Stores"},
        "Part returned: 1 × FLT-G4 to Leeds Campus > Stores",
    ),
    (
        "attachment_added",
        {"attachment_id": 9, "name": "fan.png", "content_type": "image/png", "size_bytes": 2048},
        "Attached fan.png (2 KB)",
    ),
    ("attachment_removed", {"attachment_id": 9, "name": "fan.png"}, "Removed the attachment fan.png"),
    ("archived", {}, "Archived"),
    ("something_new", {"secret_id": 4}, "Something new"),
]


def test_old_payloads_still_read_as_sentences(make_user):
    admin = make_user("admin", name="Ada Admin")
    type_id, priority_id = default_ids()
    work_order = services.create_work_order(admin, services.WorkOrderData("Old one", type_id, priority_id))
    db.session.execute(WorkOrderEvent.__table__.delete())
    for kind, data, _ in OLD_PAYLOADS:
        db.session.add(WorkOrderEvent(work_order_id=work_order.id, actor_id=admin.id, kind=kind, data=data))
    db.session.commit()
    found = texts(work_order, admin)
    for (kind, _data, expected), text in zip(OLD_PAYLOADS, found, strict=True):
        if expected is not None:
            assert text == expected, kind
    assert found[4] == "Edited: Priority Normal → High; Due — → 2031-03-04T09:00"
    assert not [text for text in found if RAW.search(text)]


def test_a_deleted_transition_and_the_system_still_read_well(story):
    transition = transition_named("Approved", "Mark assigned")
    workflow.apply_transition(story.admin, story.work_order, transition.id)
    db.session.commit()
    configuration.delete_transition(story.admin, transition)
    db.session.add(WorkOrderEvent(work_order_id=story.work_order.id, kind="archived"))  # its author was removed
    events.record(story.work_order, SYSTEM, "archived")
    db.session.commit()
    entries = timeline.timeline(story.work_order, story.admin)
    assert entries[-3].text == "Status changed: Approved → Assigned"
    assert [entry.who for entry in entries[-2:]] == ["System", "System"]


def statements(client, work_order: WorkOrder) -> list[str]:
    """The SQL statements one view of the detail page sends (after a first view warmed the caches)."""
    client.get(f"/work-orders/{work_order.id}")
    sent: list[str] = []

    def log(_conn, _cursor, statement, *_args) -> None:
        sent.append(" ".join(statement.split())[:120])

    sqlalchemy.event.listen(db.engine, "before_cursor_execute", log)
    try:
        assert client.get(f"/work-orders/{work_order.id}").status_code == 200
    finally:
        sqlalchemy.event.remove(db.engine, "before_cursor_execute", log)
    return sent


def test_the_detail_page_statements_do_not_grow_with_the_timeline(story, client, make_user, make_team):
    assert sign_in(client, story.admin.email).status_code == 302
    before = statements(client, story.work_order)
    # More events of every kind that names records, each naming new people, teams, statuses and products.
    for number in range(3):
        person = make_user("technician", name=f"Extra {number}")
        team = make_team(f"Team {number}", members=(person,))
        services.assign(story.admin, story.work_order, (person.id,), team_id=team.id)
        services.add_comment(person, story.work_order, f"Note {number} @ana")
        product = make_product(f"X-{number}", f"Extra part {number}")
        stock(product, story.stores, "5")
        parts.use_part(person, story.work_order, product.id, story.stores.id, "1")
        db.session.commit()
    db.session.commit()
    after = statements(client, story.work_order)
    assert len(after) == len(before), "\n".join(difflib.unified_diff(before, after, lineterm=""))
    # The page reads its panels once each: +2 since the picker of workers by team and the parts picker with stock.
    assert len(before) <= 36, len(before)


def test_a_timeline_is_a_fixed_number_of_queries(story):
    db.session.expire_all()
    work_order = db.session.get(WorkOrder, story.work_order.id)
    assert story.admin.timezone == "UTC"  # loaded before counting: the viewer is the caller's
    with QueryCounter(db.engine) as counter:
        timeline.timeline(work_order, story.admin)
    # The events, then one query per kind of record named: users, teams, statuses, transitions, priorities,
    # products, locations, checklist items, templates, comments, custom fields; and the site's date style.
    assert counter.count <= 13, counter.count
