"""An archived work order is frozen in every writing service, and a comment needs a work order its author sees."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from cube.actors import SYSTEM
from cube.errors import NotAllowed
from cube.extensions import db
from cube.models import User, WorkOrder, utcnow
from cube.workflow import engine
from cube.workorders import attachments, bulk, checklists, parts, services, timelogs
from cube.workorders.scoping import visible_work_orders
from tests.catalog_factories import database_state, make_location, make_product, stock
from tests.files import png
from tests.support import post
from tests.workorder_factories import default_ids, make_work_order, move_to, transition_named

FROZEN = "is archived and can no longer change."


@pytest.fixture
def archived(make_user: Callable[..., User]) -> tuple[User, WorkOrder]:
    """A supervisor (who holds every work order permission used here) and a work order in progress, archived,
    with a checklist item, a time entry, a part used and a file, all added before it was archived."""
    supervisor = make_user("supervisor")
    work_order = make_work_order(supervisor, "Boiler", assignees=(supervisor,))
    move_to(work_order, "In progress")
    product, store = make_product("FLT-9", "Filter", unit_cost="2.00"), make_location("Stores")
    stock(product, store, "10")
    checklists.add_item(supervisor, work_order, "Filter clean", "pass_fail", True)
    timelogs.add_entry(supervisor, work_order, utcnow() - timedelta(hours=2), hours="1")
    parts.use_part(supervisor, work_order, product.id, store.id, "2")
    attachments.add_attachment(supervisor, work_order, "photo.png", png())
    services.archive(supervisor, work_order)
    db.session.commit()
    return supervisor, work_order


def _writes(actor: Any, work_order: WorkOrder) -> dict[str, Callable[[], object]]:
    """Every writing service, called on ``work_order`` as ``actor``."""
    item = checklists.items_for(work_order)[0]
    log = timelogs.logs_for(work_order)[0]
    usage = parts.usages_for(work_order)[0]
    attachment = attachments.attachments_of(work_order)[0]
    type_id, priority_id = default_ids()
    edit = services.WorkOrderData(title="Changed", type_id=type_id, priority_id=priority_id)
    low = next(p for p in db.session.scalars(db.select(services.Priority)) if p.id != work_order.priority_id)
    return {
        "transition": lambda: engine.apply_transition(
            actor, work_order, transition_named("In progress", "Pause").id, "Parts"
        ),
        "assign": lambda: services.assign(actor, work_order, (), team_id=None),
        "edit": lambda: services.update_work_order(actor, work_order, edit, expected_version=work_order.version),
        "comment": lambda: services.add_comment(actor, work_order, "Still here?"),
        "archive again": lambda: services.archive(actor, work_order),
        "checklist item": lambda: checklists.add_item(actor, work_order, "Belt", "text", False),
        "checklist answer": lambda: checklists.answer(actor, work_order, item, "fail"),
        "follow-up": lambda: checklists.create_follow_up(actor, work_order, item),
        "timer": lambda: timelogs.start_timer(actor, work_order),
        "time entry": lambda: timelogs.add_entry(actor, work_order, utcnow() - timedelta(hours=1), hours="1"),
        "time deleted": lambda: timelogs.delete_entry(actor, work_order, log),
        "part used": lambda: parts.use_part(actor, work_order, usage.product_id, usage.location_id, "1"),
        "part returned": lambda: parts.return_part(actor, work_order, usage, "1"),
        "file added": lambda: attachments.add_attachment(actor, work_order, "more.png", png()),
        "file removed": lambda: attachments.delete_attachment(actor, attachment),
        "priority": lambda: bulk.set_priority(actor, work_order, low),
    }


def test_the_pause_transition_exists() -> None:
    """The transition the tests use is in the default workflow (else they would test nothing)."""
    assert transition_named("In progress", "Pause") is not None


@pytest.mark.parametrize("who", ["supervisor", "system"])
@pytest.mark.parametrize(
    "write",
    [
        "transition",
        "assign",
        "edit",
        "comment",
        "archive again",
        "checklist item",
        "checklist answer",
        "follow-up",
        "timer",
        "time entry",
        "time deleted",
        "part used",
        "part returned",
        "file added",
        "file removed",
        "priority",
    ],
)
def test_every_write_refuses_an_archived_work_order(archived: tuple[User, WorkOrder], who: str, write: str) -> None:
    """Refused with the archive named, and no row or event written."""
    supervisor, work_order = archived
    actor = SYSTEM if who == "system" else supervisor
    action = _writes(actor, work_order)[write]
    before = database_state()
    # The system never logs time, archived or not: refused before the archive rule, with its own message.
    system_time = who == "system" and write in {"timer", "time entry", "time deleted"}
    with pytest.raises(NotAllowed) as refused:
        action()
    if (write not in {"edit", "file removed"} or who == "system") and not system_time:
        assert FROZEN in refused.value.message or "Archived" in refused.value.message
    db.session.rollback()
    db.session.expire_all()
    assert database_state() == before
    assert db.session.get(WorkOrder, work_order.id).archived is True


def test_the_same_writes_work_before_archiving(make_user: Callable[..., User]) -> None:
    """The rule is the archive, not the status: the system still moves, assigns and comments on a live one."""
    supervisor = make_user("supervisor")
    work_order = make_work_order(supervisor, "Boiler")
    move_to(work_order, "In progress")
    engine.apply_transition(SYSTEM, work_order, transition_named("In progress", "Pause").id, "Parts")
    services.assign(SYSTEM, work_order, (supervisor.id,), team_id=None)
    services.add_comment(SYSTEM, work_order, "Paused by the schedule.")
    db.session.commit()
    assert work_order.status.category == "waiting"
    assert [u.id for u in work_order.assignees] == [supervisor.id]


def test_a_comment_needs_a_work_order_its_author_can_see(make_user: Callable[..., User]) -> None:
    """Whoever may see the work order may comment; anyone else is refused in the service, nothing written."""
    supervisor, outsider = make_user("supervisor"), make_user("requester")
    work_order = make_work_order(supervisor, "Private")
    assert db.session.scalar(visible_work_orders(outsider).where(WorkOrder.id == work_order.id)) is None
    before = database_state()
    with pytest.raises(NotAllowed, match="only comment on work orders you can see"):
        services.add_comment(outsider, work_order, "Let me in")
    db.session.rollback()
    assert database_state() == before
    requester = make_user("requester")
    own = make_work_order(requester, "Mine")
    comment = services.add_comment(requester, own, "Any news?")
    db.session.commit()
    assert comment.author_id == requester.id


def test_the_views_answer_an_archived_work_order_with_a_message(
    client_as: Callable[[str], FlaskClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page loaded before someone archived the work order: the post is refused with a message, not a 500."""
    client = client_as("supervisor")
    work_order = make_work_order(client.user, "Boiler")  # type: ignore[attr-defined]
    services.archive(SYSTEM, work_order)
    db.session.commit()
    base = f"/work-orders/{work_order.id}"
    # The archived work order is gone from every list and page...
    assert post(client, f"{base}/comments", {"comment-body": "Hello"}).status_code == 404
    # ...and when the page was loaded just before the archive, the service refuses it with its reason.
    monkeypatch.setattr(
        services, "visible_work_orders", lambda actor: db.select(WorkOrder).where(WorkOrder.id == work_order.id)
    )
    before = database_state()
    for url, data in [
        (f"{base}/comments", {"comment-body": "Hello"}),
        (f"{base}/transition", {"transition_id": transition_named("New", "Approve").id}),
    ]:
        response = post(client, url, data)
        assert response.status_code == 403, url
        assert FROZEN in response.get_data(as_text=True), url
    db.session.expire_all()
    assert database_state() == before
