"""The work order core: numbering, creation, workflow, scoping, editing, comments, history."""

from __future__ import annotations

import re
import threading
from urllib.parse import urlencode

import pytest
from markupsafe import escape
from sqlalchemy import select

from cube.errors import EditConflict, InvalidTransition, NotAllowed, ValidationFailed
from cube.extensions import db
from cube.models import Comment, Status, User, WorkOrder, WorkOrderEvent
from cube.workflow import engine
from cube.workorders import services
from cube.workorders.numbering import next_number
from cube.workorders.scoping import visible_work_orders
from tests.support import count, event_kinds, post, statements_for
from tests.workorder_factories import default_ids, make_work_order, move_to, status_named, transition_named


def create_form(**overrides: str) -> dict[str, str]:
    type_id, priority_id = default_ids()
    data = {
        "title": "Leaking valve",
        "type_id": str(type_id),
        "priority_id": str(priority_id),
        "submission_key": "k" * 32,
    }
    data.update(overrides)
    return data


def test_numbers_are_per_year_and_sequential(app):
    first, second = next_number(2031), next_number(2031)
    assert (first, second) == ("WO-2031-000001", "WO-2031-000002")
    assert next_number(2032) == "WO-2032-000001"
    db.session.rollback()


def test_concurrent_creators_get_unique_numbers(app, make_user):
    """Several connections create work orders at the same moment: every number is different."""
    user_id = make_user("supervisor").id
    type_id, priority_id = default_ids()
    barrier = threading.Barrier(6)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def create() -> None:
        with app.app_context():
            try:
                actor = db.session.get(User, user_id)
                barrier.wait(10)
                work_order = services.create_work_order(
                    actor, services.WorkOrderData(title="Race", type_id=type_id, priority_id=priority_id)
                )
                db.session.commit()
                numbers.append(work_order.number)
            except BaseException as exc:  # reported below
                errors.append(exc)
                db.session.rollback()

    threads = [threading.Thread(target=create) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(numbers) == 6
    assert len(set(numbers)) == 6
    assert all(re.fullmatch(r"WO-\d{4}-\d{6}", n) for n in numbers)


def test_create_through_the_form(client_as):
    supervisor = client_as("supervisor")
    response = post(supervisor, "/work-orders/new", create_form(description="Valve in plant room drips"))
    assert response.status_code == 302
    work_order = db.session.scalar(select(WorkOrder))
    assert re.fullmatch(r"WO-\d{4}-000001", work_order.number)
    assert work_order.status.is_initial
    assert work_order.requester_id == supervisor.user.id
    assert event_kinds(work_order) == ["created"]
    page = supervisor.get(response.location).get_data(as_text=True)
    assert "Leaking valve" in page
    assert work_order.number in page


def test_double_posted_create_form_makes_one_work_order(client_as):
    supervisor = client_as("supervisor")
    first = post(supervisor, "/work-orders/new", create_form())
    second = post(supervisor, "/work-orders/new", create_form())
    assert first.location == second.location
    assert count(WorkOrder) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "This field is required"),
        ("title", "t" * 201, "between"),
        ("type_id", "999999", "Not a valid choice"),
        ("priority_id", "abc", "This field is required"),
        ("estimated_hours", "-2", "Number must be"),
        ("estimated_cost", "lots", "Not a valid decimal"),
        ("due_at", "2026-13-40T99:99", "Not a valid datetime"),
        ("product_sku", "NO-SUCH-SKU", "No product has this SKU"),
        ("team_id", "424242", "Not a valid choice"),
    ],
)
def test_bad_input_creates_nothing(client_as, field, value, message):
    response = post(client_as("supervisor"), "/work-orders/new", create_form(**{field: value}))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(WorkOrder) == 0


def test_due_before_planned_start_is_refused(client_as):
    form = create_form(planned_start="2026-05-10T09:00", due_at="2026-05-09T09:00")
    response = post(client_as("supervisor"), "/work-orders/new", form)
    assert "cannot be before the planned start" in response.get_data(as_text=True)
    assert count(WorkOrder) == 0


def test_default_workflow_end_to_end(make_user):
    supervisor, technician = make_user("supervisor"), make_user("technician")
    work_order = make_work_order(supervisor)
    steps = [
        (supervisor, "New", "Approve", ""),
        (supervisor, "Approved", "Mark assigned", None),
        (technician, "Assigned", "Start work", ""),
        (technician, "In progress", "Pause", "Waiting for parts"),
        (technician, "On hold", "Resume", ""),
        (technician, "In progress", "Complete", ""),
        (supervisor, "Completed", "Review and close", ""),
    ]
    for actor, source, label, reason in steps:
        if label == "Mark assigned":  # assigning takes "Mark assigned" itself (the workflow's on-assignment step)
            assert services.assign(supervisor, work_order, (technician.id,), team_id=None) == [status_named("Assigned")]
            db.session.commit()
            continue
        engine.apply_transition(actor, work_order, transition_named(source, label).id, reason)
        db.session.commit()
    assert work_order.status.name == "Closed"
    assert work_order.started_at is not None
    assert work_order.completed_at is not None
    assert work_order.closed_at is not None
    kinds = event_kinds(work_order)
    assert kinds.count("status_changed") == 7
    assert "assigned" in kinds


def test_technician_cannot_skip_steps_or_use_others_permissions(make_user):
    supervisor, technician = make_user("supervisor"), make_user("technician")
    work_order = make_work_order(supervisor, assignees=(technician,))
    start = transition_named("Assigned", "Start work")
    with pytest.raises(InvalidTransition):
        engine.apply_transition(technician, work_order, start.id)  # it is still New
    with pytest.raises(NotAllowed):
        engine.apply_transition(technician, work_order, transition_named("New", "Approve").id)
    db.session.rollback()
    db.session.refresh(work_order)
    assert work_order.status.name == "New"
    assert [t.name for t in engine.available_transitions(technician, work_order)] == []


def test_guards(make_user):
    supervisor = make_user("supervisor")
    work_order = make_work_order(supervisor)
    move_to(work_order, "Approved")
    with pytest.raises(InvalidTransition, match="Assign someone"):
        engine.apply_transition(supervisor, work_order, transition_named("Approved", "Mark assigned").id)
    with pytest.raises(ValidationFailed, match="reason"):
        engine.apply_transition(supervisor, work_order, transition_named("Approved", "Cancel").id, "   ")
    db.session.rollback()
    db.session.refresh(work_order)
    assert work_order.status.name == "Approved"
    assert event_kinds(work_order) == ["created"]


def test_transition_over_http(client_as, make_user):
    supervisor = client_as("supervisor")
    work_order = make_work_order(supervisor.user)
    approve = transition_named("New", "Approve")
    assert (
        post(supervisor, f"/work-orders/{work_order.id}/transition", {"transition_id": approve.id}).status_code == 302
    )
    db.session.refresh(work_order)
    assert work_order.status.name == "Approved"
    again = post(supervisor, f"/work-orders/{work_order.id}/transition", {"transition_id": approve.id})
    assert again.status_code == 409  # not possible from Approved any more
    cancel = transition_named("Approved", "Cancel")
    refused = post(supervisor, f"/work-orders/{work_order.id}/transition", {"transition_id": cancel.id})
    assert refused.status_code == 422
    db.session.refresh(work_order)
    assert work_order.status.name == "Approved"
    garbage = post(supervisor, f"/work-orders/{work_order.id}/transition", {"transition_id": "x"})
    assert garbage.status_code == 400


def test_transition_not_allowed_for_role_is_403(client_as, make_user):
    technician = client_as("technician")
    work_order = make_work_order(make_user("supervisor"), assignees=(technician.user,))
    response = post(
        technician, f"/work-orders/{work_order.id}/transition", {"transition_id": transition_named("New", "Approve").id}
    )
    assert response.status_code == 403
    db.session.refresh(work_order)
    assert work_order.status.name == "New"


def test_scoping(make_user, make_team):
    manager, supervisor, tech, other_tech, requester = (
        make_user("manager"),
        make_user("supervisor"),
        make_user("technician"),
        make_user("technician"),
        make_user("requester"),
    )
    team = make_team("North", supervisor=supervisor, members=(tech,))
    make_work_order(manager, "Team job", team_id=team.id)
    make_work_order(manager, "Assigned job", assignees=(other_tech,))
    make_work_order(requester, "My request")
    make_work_order(manager, "Other job")

    def titles(user) -> set[str]:
        return {wo.title for wo in db.session.scalars(visible_work_orders(user))}

    assert titles(manager) == {"Team job", "Assigned job", "My request", "Other job"}
    assert titles(supervisor) == {"Team job"}
    assert titles(tech) == {"Team job"}
    assert titles(other_tech) == {"Assigned job"}
    assert titles(requester) == {"My request"}


def test_invisible_work_order_is_404_and_nothing_changes(client_as, make_user):
    technician = client_as("technician")
    work_order = make_work_order(make_user("manager"), "Secret")
    for url in (f"/work-orders/{work_order.id}", f"/work-orders/{work_order.id}/edit"):
        assert technician.get(url).status_code in (403, 404), url
    assert technician.get(f"/work-orders/{work_order.id}").status_code == 404
    assert post(technician, f"/work-orders/{work_order.id}/comments", {"comment-body": "hi"}).status_code == 404
    assert count(Comment) == 0
    assert "Secret" not in technician.get("/work-orders").get_data(as_text=True)


def test_stale_edit_gets_409(client_as):
    first, second = client_as("supervisor"), client_as("manager")
    work_order = make_work_order(first.user, "Original title")
    version = str(work_order.version)
    base = create_form(version=version)
    assert post(second, f"/work-orders/{work_order.id}/edit", {**base, "title": "Manager's title"}).status_code == 302
    stale = post(second, f"/work-orders/{work_order.id}/edit", {**base, "title": "Second try"})
    assert stale.status_code == 409
    assert "Manager&#39;s title" in stale.get_data(as_text=True)
    db.session.refresh(work_order)
    assert work_order.title == "Manager's title"
    type_id, priority_id = default_ids()
    with pytest.raises(EditConflict):
        services.update_work_order(
            first.user,
            work_order,
            services.WorkOrderData(title="x", type_id=type_id, priority_id=priority_id),
            expected_version=1,
        )


def test_comments_with_mentions(client_as, make_user):
    supervisor = client_as("supervisor")
    tech = make_user("technician", email="ana.tech@example.com", name="Ana Tech")
    work_order = make_work_order(supervisor.user)
    post(supervisor, f"/work-orders/{work_order.id}/comments", {"comment-body": "@ana.tech please check the seal"})
    comment = db.session.scalar(select(Comment))
    assert comment.mentions == [tech.id]
    assert "please check the seal" in supervisor.get(f"/work-orders/{work_order.id}").get_data(as_text=True)
    assert "commented" in event_kinds(work_order)


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"])
def test_xss_is_escaped_everywhere(client_as, payload):
    supervisor = client_as("supervisor")
    title, description, comment = f"{payload} title", f"{payload} description", f"{payload} comment"
    work_order = make_work_order(supervisor.user, title, description=description)
    assert post(supervisor, f"/work-orders/{work_order.id}/comments", {"comment-body": comment}).status_code == 302
    assert db.session.scalar(select(Comment.body)) == comment
    pages = {
        f"/work-orders/{work_order.id}": (title, description, comment),
        "/work-orders": (title,),
        f"/work-orders?{urlencode({'q': payload})}": (title, payload),  # the search box echoes the query
    }
    for url, shown in pages.items():
        response = supervisor.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert payload not in page, url
        for text in shown:
            assert str(escape(text)) in page, (url, text)


def test_list_filters_views_and_bad_values(client_as, make_user):
    supervisor = client_as("supervisor")
    mine = make_work_order(supervisor.user, "Assigned to me", assignees=(supervisor.user,))
    make_work_order(supervisor.user, "Nobody's")
    my_page = supervisor.get("/work-orders?view=my").get_data(as_text=True)
    assert "Assigned to me" in my_page
    assert "Nobody&#39;s" not in my_page
    unassigned = supervisor.get("/work-orders?view=unassigned").get_data(as_text=True)
    assert "Nobody&#39;s" in unassigned
    assert "Assigned to me" not in unassigned
    assert mine.number in supervisor.get(f"/work-orders?q={mine.number.lower()}").get_data(as_text=True)
    for bad in (
        "sort=;drop",
        "status=abc",
        "priority=-1",
        "due_from=yesterday",
        "page=-5",
        "page=99999999999",
        "view=all-the-things",
        "category=<x>",
        "assignee=1e99",
    ):
        response = supervisor.get(f"/work-orders?{bad}")
        assert response.status_code == 200, bad
        page = response.get_data(as_text=True)
        assert "Assigned to me" in page, bad  # the bad value is dropped, not turned into a filter
        assert "Nobody&#39;s" in page, bad


def test_search_covers_comments(client_as):
    supervisor = client_as("supervisor")
    work_order = make_work_order(supervisor.user, "Plain title")
    services.add_comment(supervisor.user, work_order, "the compressor hums loudly")
    db.session.commit()
    assert "Plain title" in supervisor.get("/work-orders?q=COMPRESSOR").get_data(as_text=True)


def test_list_and_detail_statement_counts_are_fixed(client_as, make_user):
    supervisor = client_as("supervisor")
    tech = make_user("technician")

    first = make_work_order(supervisor.user, "One", assignees=(tech,))
    few_list, few_detail = (
        statements_for(supervisor, "/work-orders"),
        statements_for(supervisor, f"/work-orders/{first.id}"),
    )
    for number in range(8):
        work_order = make_work_order(supervisor.user, f"More {number}", assignees=(tech, supervisor.user))
        services.add_comment(supervisor.user, work_order, "note")
    services.add_comment(supervisor.user, first, "another note")
    db.session.commit()
    assert statements_for(supervisor, "/work-orders") == few_list
    assert statements_for(supervisor, f"/work-orders/{first.id}") <= few_detail + 1
    # The person with their role and permissions in one statement, the site settings from the worker's snapshot,
    # the people named on the detail page loaded with the work order, the rows' assignees by name only; the list's
    # statuses, priorities, types and teams read once for the filters and the bulk form together.
    assert few_list <= 7, few_list
    assert few_detail <= 22, few_detail


def test_status_count_is_configurable_without_breaking(make_user):
    """A renamed status keeps working: the rules read categories."""
    supervisor = make_user("supervisor")
    closed = status_named("Closed")
    closed.name = "Signed off"
    db.session.commit()
    work_order = make_work_order(supervisor)
    move_to(work_order, "Completed")
    engine.apply_transition(supervisor, work_order, transition_named("Completed", "Review and close").id)
    assert work_order.status.name == "Signed off"
    assert work_order.closed_at is not None
    assert db.session.scalar(select(Status).where(Status.name == "Signed off")).category == "done"


def test_my_work_quick_actions_and_completion_notes(client_as, make_user):
    technician = client_as("technician")
    work_order = make_work_order(make_user("supervisor"), "Quick one", assignees=(technician.user,))
    move_to(work_order, "Assigned")
    page = technician.get("/work-orders?view=my").get_data(as_text=True)
    assert 'data-testid="quick-actions"' in page
    assert 'data-testid="transition-start-work"' in page
    start = transition_named("Assigned", "Start work")
    back = "/work-orders?view=my"
    assert (
        post(technician, f"/work-orders/{work_order.id}/transition", {"transition_id": start.id, "next": back}).location
        == back
    )
    complete = transition_named("In progress", "Complete")
    post(
        technician,
        f"/work-orders/{work_order.id}/transition",
        {"transition_id": complete.id, "reason": "Seal replaced", "next": back},
    )
    db.session.refresh(work_order)
    assert work_order.status.name == "Completed"
    last = db.session.scalar(
        select(WorkOrderEvent).where(WorkOrderEvent.kind == "status_changed").order_by(WorkOrderEvent.id.desc())
    )
    assert last.data["reason"] == "Seal replaced"


def test_archive_hides_but_keeps(client_as):
    supervisor = client_as("supervisor")
    work_order = make_work_order(supervisor.user, "Old job")
    assert post(supervisor, f"/work-orders/{work_order.id}/archive").status_code == 302
    db.session.refresh(work_order)
    assert work_order.archived
    assert count(WorkOrder) == 1
    assert supervisor.get(f"/work-orders/{work_order.id}").status_code == 404
    assert "Old job" not in supervisor.get("/work-orders").get_data(as_text=True)
    assert post(client_as("technician"), f"/work-orders/{work_order.id}/archive").status_code == 403


def test_asset_and_company_pages_list_their_work_orders(client_as, make_user):
    from tests.catalog_factories import make_asset, make_company, make_product

    manager = client_as("manager")
    company = make_company("Client Co", is_customer=True)
    asset = make_asset(make_product("PMP-9", "Pump"), "SN-77", company_id=company.id)
    work_order = make_work_order(manager.user, "Pump noise", asset_id=asset.id, company_id=company.id)
    assert work_order.number in manager.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert work_order.number in manager.get(f"/companies/{company.id}").get_data(as_text=True)
    assert work_order.number not in client_as("technician").get(f"/assets/{asset.id}").get_data(as_text=True)
