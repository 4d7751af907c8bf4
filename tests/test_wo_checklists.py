"""Checklists on work orders: answers per kind, required items, follow-ups, templates, access."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from cube.errors import InvalidTransition, NotAllowed, ValidationFailed
from cube.extensions import db
from cube.models import ChecklistItem, ChecklistTemplate, RolePermission, User, WorkOrder
from cube.workflow import engine
from cube.workorders import checklists
from tests.catalog_factories import make_asset, make_company, make_location, make_product
from tests.support import audit_actions, count, events_of, fresh, post
from tests.workorder_factories import Job as Setup
from tests.workorder_factories import job_in_progress, make_work_order, move_to, transition_named


@pytest.fixture
def job(client_as: Callable[[str], FlaskClient], make_team: Callable[..., Any]) -> Setup:
    return job_in_progress(client_as("technician"), make_team)


def item_on(work_order: WorkOrder, label: str = "Check oil", kind: str = "pass_fail", required: bool = False) -> Any:
    item = ChecklistItem(work_order_id=work_order.id, label=label, kind=kind, required=required, position=1)
    db.session.add(item)
    db.session.commit()
    return item


# -- answers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "given", "stored"),
    [
        ("pass_fail", "pass", "pass"),
        ("pass_fail", "FAIL", "fail"),
        ("pass_fail", " na ", "na"),
        ("number", "12.50", "12.5"),
        ("number", "-3", "-3"),
        ("number", "0", "0"),
        ("text", "  Belt worn on the left side  ", "Belt worn on the left side"),
        ("text", "x" * 2000, "x" * 2000),
    ],
)
def test_answers_are_cleaned_per_kind_and_record_who_and_when(job: Setup, kind: str, given: str, stored: str):
    item = item_on(job.work_order, kind=kind)
    checklists.answer(job.tech, job.work_order, item, given)
    db.session.commit()
    item = fresh(item)
    assert item.answer == stored
    assert item.answered_by_id == job.tech.id
    assert item.answered_at is not None
    assert item.answered_at.tzinfo is not None
    assert events_of(job.work_order, "checklist_answered")[0].data["answer"] == stored


@pytest.mark.parametrize(
    ("kind", "given"),
    [
        ("pass_fail", "maybe"),
        ("pass_fail", "passed"),
        ("number", "abc"),
        ("number", "1,5"),
        ("number", "NaN"),
        ("number", "1.23456"),
        ("text", "x" * 2001),
    ],
)
def test_bad_answers_are_refused_and_change_nothing(job: Setup, kind: str, given: str):
    item = item_on(job.work_order, kind=kind)
    with pytest.raises(ValidationFailed):
        checklists.answer(job.tech, job.work_order, item, given)
    db.session.rollback()
    assert fresh(item).answer is None
    assert events_of(job.work_order, "checklist_answered") == []


def test_an_answer_can_be_cleared(job: Setup):
    item = item_on(job.work_order, kind="text")
    checklists.answer(job.tech, job.work_order, item, "Done")
    checklists.answer(job.tech, job.work_order, item, "   ")
    db.session.commit()
    item = fresh(item)
    assert (item.answer, item.answered_by_id, item.answered_at) == (None, None, None)
    assert len(events_of(job.work_order, "checklist_cleared")) == 1


def test_answering_over_http_redirects_to_the_checklist_and_shows_who_answered(job: Setup):
    item = item_on(job.work_order)
    response = post(job.client, f"{job.base}/checklist/{item.id}/answer", {f"answer-{item.id}-value": "fail"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{job.base}#checklist")
    assert fresh(item).answer == "fail"
    page = job.client.get(job.base).get_data(as_text=True)
    assert f'data-testid="checklist-answer-{item.id}"' in page
    assert job.tech.name in page
    assert "Create follow-up work order" in page


def test_a_bad_answer_over_http_is_flashed_and_not_saved(job: Setup):
    item = item_on(job.work_order, kind="number")
    response = post(
        job.client,
        f"{job.base}/checklist/{item.id}/answer",
        {f"answer-{item.id}-value": "twelve"},
        follow_redirects=True,
    )
    assert "Not a valid decimal value; write a number such as 1,234.50." in response.get_data(as_text=True)
    assert fresh(item).answer is None


def test_a_number_answer_is_typed_and_read_the_readers_way(job: Setup):
    """German: "4,5" is four and a half (stored "4.5", shown "4,5"); "4.5" could be 45 and is refused."""
    job.tech.language = "de"
    db.session.commit()
    item = item_on(job.work_order, kind="number")
    url = f"{job.base}/checklist/{item.id}/answer"
    refused = post(job.client, url, {f"answer-{item.id}-value": "4.5"}, follow_redirects=True)
    assert "45" in refused.get_data(as_text=True)  # the refusal offers both readings: 45 or 4,5
    assert fresh(item).answer is None
    page = post(job.client, url, {f"answer-{item.id}-value": "4,5"}, follow_redirects=True).get_data(as_text=True)
    assert fresh(item).answer == "4.5"
    assert "4,5" in page


# -- required items and the Complete transition ---------------------------------------------------


def test_required_items_block_completion_until_answered(job: Setup):
    required = item_on(job.work_order, "Guard refitted", required=True)
    item_on(job.work_order, "Area swept", required=False)
    complete = transition_named("In progress", "Complete")
    with pytest.raises(InvalidTransition, match="1 required checklist item"):
        engine.apply_transition(job.tech, job.work_order, complete.id)
    db.session.rollback()

    checklists.answer(job.tech, job.work_order, required, "na")
    status = engine.apply_transition(job.tech, job.work_order, complete.id)
    db.session.commit()
    assert status.name == "Completed"


def test_clearing_a_required_answer_blocks_completion_again(job: Setup):
    required = item_on(job.work_order, "Guard refitted", required=True, kind="text")
    checklists.answer(job.tech, job.work_order, required, "Refitted")
    checklists.answer(job.tech, job.work_order, required, "")
    with pytest.raises(InvalidTransition):
        engine.apply_transition(job.tech, job.work_order, transition_named("In progress", "Complete").id)


# -- follow-ups -----------------------------------------------------------------------------------


def test_a_failed_item_gets_one_linked_follow_up(job: Setup):
    company = make_company("Acme Ltd")
    product = make_product("CH-1", "Chiller")
    asset = make_asset(product, "SN-77")
    location = make_location("Plant room")
    wo = job.work_order
    wo.company_id, wo.asset_id, wo.location_id = company.id, asset.id, location.id
    db.session.commit()
    item = item_on(wo, "Belt tension")
    checklists.answer(job.tech, wo, item, "fail")
    db.session.commit()
    before = count(WorkOrder)

    url = f"{job.base}/checklist/{item.id}/follow-up"
    first = post(job.client, url)
    second = post(job.client, url)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"].endswith("#checklist")

    db.session.expire_all()
    assert count(WorkOrder) == before + 1
    item = fresh(item)
    follow_up = db.session.get(WorkOrder, item.follow_up_id)
    assert follow_up is not None
    assert follow_up.title == f"Follow-up: Belt tension ({wo.number})"
    assert (follow_up.asset_id, follow_up.location_id, follow_up.company_id) == (asset.id, location.id, company.id)
    assert (follow_up.type_id, follow_up.priority_id) == (wo.type_id, wo.priority_id)
    assert follow_up.status.category == "open"
    assert events_of(wo, "follow_up_created")[0].data["number"] == follow_up.number
    page = job.client.get(job.base).get_data(as_text=True)
    assert follow_up.number in page


def test_only_failed_items_get_follow_ups(job: Setup):
    item = item_on(job.work_order)
    checklists.answer(job.tech, job.work_order, item, "pass")
    with pytest.raises(ValidationFailed, match="failed item"):
        checklists.create_follow_up(job.tech, job.work_order, item)
    db.session.rollback()
    assert fresh(item).follow_up_id is None


def test_a_long_label_still_fits_the_follow_up_title(job: Setup):
    item = item_on(job.work_order, "L" * 200)
    checklists.answer(job.tech, job.work_order, item, "fail")
    follow_up = checklists.create_follow_up(job.tech, job.work_order, item)
    assert len(follow_up.title) <= 200
    assert follow_up.title.endswith(f"({job.work_order.number})")


# -- adding items and templates -------------------------------------------------------------------


def test_adding_an_ad_hoc_item_over_http(job: Setup):
    response = post(
        job.client,
        f"{job.base}/checklist/items",
        {"item-label": "Photo of the nameplate", "item-kind": "text", "item-required": "y"},
    )
    assert response.status_code == 302
    items = checklists.items_for(job.work_order)
    assert [(i.label, i.kind, i.required) for i in items] == [("Photo of the nameplate", "text", True)]
    assert events_of(job.work_order, "checklist_item_added")


def test_an_item_of_unknown_kind_is_refused(job: Setup):
    response = post(job.client, f"{job.base}/checklist/items", {"item-label": "X", "item-kind": "colour"})
    assert response.status_code == 302
    assert checklists.items_for(job.work_order) == []


def test_a_manager_with_edit_but_not_work_may_add_items(job: Setup, client_as: Callable[[str], FlaskClient]):
    manager = client_as("manager")
    response = post(manager, f"{job.base}/checklist/items", {"item-label": "Sign-off", "item-kind": "pass_fail"})
    assert response.status_code == 302
    assert [i.label for i in checklists.items_for(job.work_order)] == ["Sign-off"]


def test_a_template_is_copied_after_the_existing_items(job: Setup, admin_client: FlaskClient):
    response = post(
        admin_client,
        "/work-orders/checklist-templates",
        {
            "name": "Chiller PM",
            "items": "Check oil | pass_fail | required\nSuction pressure | number\nNotes | text | optional",
            "active": "y",
        },
    )
    assert response.status_code == 302
    template = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.name == "Chiller PM"))
    assert template is not None
    item_on(job.work_order, "Existing")

    response = post(job.client, f"{job.base}/checklist/from-template", {"template-template_id": str(template.id)})
    assert response.status_code == 302
    items = checklists.items_for(job.work_order)
    assert [(i.label, i.kind, i.required) for i in items] == [
        ("Existing", "pass_fail", False),
        ("Check oil", "pass_fail", True),
        ("Suction pressure", "number", False),
        ("Notes", "text", False),
    ]
    assert [i.position for i in items] == sorted({i.position for i in items})
    added = events_of(job.work_order, "checklist_added")[0].data
    assert added == {"template_id": template.id, "item_ids": [i.id for i in items[1:]]}

    # Changing the template later leaves the copy alone.
    template.items = [{"label": "Something else", "kind": "text", "required": False}]
    db.session.commit()
    assert len(checklists.items_for(job.work_order)) == 4


def test_an_archived_or_unknown_template_is_refused(job: Setup, make_user: Callable[..., User]):
    admin = make_user("admin")
    template = checklists.save_template(admin, None, "Old", [{"label": "A", "kind": "text"}], active=False)
    db.session.commit()
    for template_id in (str(template.id), "999999", "junk"):
        post(job.client, f"{job.base}/checklist/from-template", {"template-template_id": template_id})
    assert checklists.items_for(job.work_order) == []


# -- the templates admin page ---------------------------------------------------------------------


def test_template_lines_are_parsed():
    assert checklists.parse_lines("A\n\nB | number | required\nC | pass/fail | optional\n") == [
        {"label": "A", "kind": "pass_fail", "required": False},
        {"label": "B", "kind": "number", "required": True},
        {"label": "C", "kind": "pass_fail", "required": False},
    ]
    for bad in ("A | colour", "A | text | maybe", " | text", "A | text | required | extra", "x" * 201):
        with pytest.raises(ValidationFailed, match="Line 1"):
            checklists.parse_lines(bad)


def test_admins_create_and_edit_templates(admin_client: FlaskClient):
    assert admin_client.get("/work-orders/checklist-templates").status_code == 200
    post(
        admin_client,
        "/work-orders/checklist-templates",
        {"name": "Fire door", "items": "Closes | pass_fail", "active": "y"},
    )
    template = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.name == "Fire door"))
    assert template is not None
    url = f"/work-orders/checklist-templates/{template.id}"
    page = admin_client.get(url).get_data(as_text=True)
    assert "Closes | pass_fail | optional" in page

    response = post(
        admin_client, url, {"name": "Fire door check", "items": "Closes | pass_fail | required\nGap | number"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    template = db.session.get(ChecklistTemplate, template.id)
    assert template.name == "Fire door check"
    assert template.active is False  # the box was not ticked: archived
    assert template.items == [
        {"label": "Closes", "kind": "pass_fail", "required": True},
        {"label": "Gap", "kind": "number", "required": False},
    ]


def test_bad_templates_are_refused_with_the_line(admin_client: FlaskClient, make_user: Callable[..., User]):
    checklists.save_template(make_user("admin"), None, "Taken", [{"label": "A", "kind": "text"}])
    db.session.commit()
    bad = post(admin_client, "/work-orders/checklist-templates", {"name": "New", "items": "ok\nbroken | colour"})
    assert bad.status_code == 422
    assert "Line 2" in bad.get_data(as_text=True)
    duplicate = post(admin_client, "/work-orders/checklist-templates", {"name": "taken", "items": "A"})
    assert duplicate.status_code == 422
    assert "Another template has this name." in duplicate.get_data(as_text=True)
    assert count(ChecklistTemplate) == 1


TEMPLATES = "/work-orders/checklist-templates"


@pytest.mark.parametrize("role", ["supervisor", "manager"])
def test_supervisors_and_managers_manage_templates_and_find_them_in_the_menu(
    client_as: Callable[[str], FlaskClient], role: str
):
    client = client_as(role)
    assert 'data-testid="nav-checklists"' in client.get("/").get_data(as_text=True)
    assert client.get(TEMPLATES).status_code == 200
    created = post(client, TEMPLATES, {"name": "Chiller PM", "items": "Check oil | pass_fail | required"})
    assert created.status_code == 302
    template = db.session.scalar(select(ChecklistTemplate))
    assert (template.name, template.items) == (
        "Chiller PM",
        [{"label": "Check oil", "kind": "pass_fail", "required": True}],
    )
    edited = post(client, f"{TEMPLATES}/{template.id}", {"name": "Chiller PM", "items": "Check oil\nNotes | text"})
    assert edited.status_code == 302
    assert [item["label"] for item in fresh(template).items] == ["Check oil", "Notes"]
    assert audit_actions("checklist_template.") == ["checklist_template.created", "checklist_template.updated"]


@pytest.mark.parametrize("role", ["technician", "requester"])
def test_technicians_and_requesters_get_403_change_nothing_and_see_no_menu_entry(
    client_as: Callable[[str], FlaskClient], make_user: Callable[..., User], role: str
):
    template = checklists.save_template(make_user("admin"), None, "Kept", [{"label": "A", "kind": "text"}])
    db.session.commit()
    client = client_as(role)
    assert "nav-checklists" not in client.get("/").get_data(as_text=True)
    assert client.get(TEMPLATES).status_code == 403
    assert post(client, TEMPLATES, {"name": "Sneaky", "items": "B"}).status_code == 403
    assert post(client, f"{TEMPLATES}/{template.id}", {"name": "Changed", "items": "B"}).status_code == 403
    with pytest.raises(NotAllowed):
        checklists.save_template(client.user, None, "X", [{"label": "A", "kind": "text"}])  # type: ignore[attr-defined]
    db.session.rollback()
    assert count(ChecklistTemplate) == 1
    assert (fresh(template).name, fresh(template).items) == (
        "Kept",
        [{"label": "A", "kind": "text", "required": False}],
    )


def test_the_permission_decides_not_the_role(client_as: Callable[[str], FlaskClient]):
    client = client_as("technician")
    user = db.session.get(User, client.user.id)  # type: ignore[attr-defined]
    user.role.grants.append(RolePermission(permission="checklist.manage"))
    db.session.commit()
    assert 'data-testid="nav-checklists"' in client.get("/").get_data(as_text=True)
    assert post(client, TEMPLATES, {"name": "Fan check", "items": "Belt tension | number"}).status_code == 302
    assert count(ChecklistTemplate) == 1


# -- access and state -----------------------------------------------------------------------------


def test_a_requester_cannot_answer_or_add_items(client_as: Callable[[str], FlaskClient]):
    client = client_as("requester")
    requester: User = client.user  # type: ignore[attr-defined]
    work_order = make_work_order(requester, "Light flickers")
    item = item_on(work_order)
    base = f"/work-orders/{work_order.id}"
    assert client.get(base).status_code == 200  # they see their own request
    assert post(client, f"{base}/checklist/{item.id}/answer", {f"answer-{item.id}-value": "pass"}).status_code == 403
    assert post(client, f"{base}/checklist/items", {"item-label": "Mine", "item-kind": "text"}).status_code == 403
    assert post(client, f"{base}/checklist/items").status_code == 403  # refused before the form is looked at
    assert post(client, f"{base}/checklist/from-template", {"template-template_id": "1"}).status_code == 403
    assert post(client, f"{base}/checklist/{item.id}/follow-up").status_code == 403
    assert fresh(item).answer is None
    assert len(checklists.items_for(work_order)) == 1
    page = client.get(base).get_data(as_text=True)
    assert "checklist/items" not in page
    assert f"checklist/{item.id}/answer" not in page


def test_a_technician_of_another_team_gets_404_and_changes_nothing(
    job: Setup, client_as: Callable[[str], FlaskClient], make_team: Callable[..., Any]
):
    outsider = client_as("technician")
    make_team("Electrical", members=(outsider.user,))  # type: ignore[attr-defined]
    item = item_on(job.work_order)
    assert (
        post(outsider, f"{job.base}/checklist/{item.id}/answer", {f"answer-{item.id}-value": "pass"}).status_code == 404
    )
    assert post(outsider, f"{job.base}/checklist/items", {"item-label": "X", "item-kind": "text"}).status_code == 404
    assert post(outsider, f"{job.base}/checklist/{item.id}/follow-up").status_code == 404
    assert fresh(item).answer is None
    assert len(checklists.items_for(job.work_order)) == 1


def test_an_item_of_another_work_order_is_404(job: Setup):
    other = make_work_order(job.tech, "Other", assignees=(job.tech,))
    item = item_on(other)
    assert (
        post(job.client, f"{job.base}/checklist/{item.id}/answer", {f"answer-{item.id}-value": "pass"}).status_code
        == 404
    )
    assert fresh(item).answer is None


@pytest.mark.parametrize("status", ["Completed", "Closed", "Cancelled"])
def test_a_done_or_cancelled_work_order_refuses_checklist_changes(job: Setup, status: str):
    item = item_on(job.work_order)
    move_to(job.work_order, status)
    response = post(
        job.client, f"{job.base}/checklist/{item.id}/answer", {f"answer-{item.id}-value": "pass"}, follow_redirects=True
    )
    assert "can no longer change" in response.get_data(as_text=True)
    post(job.client, f"{job.base}/checklist/items", {"item-label": "Late", "item-kind": "text"})
    assert fresh(item).answer is None
    assert len(checklists.items_for(job.work_order)) == 1
    with pytest.raises(InvalidTransition):
        checklists.add_item(job.tech, job.work_order, "Late", "text", False)


def test_a_waiting_work_order_still_takes_answers(job: Setup):
    item = item_on(job.work_order)
    move_to(job.work_order, "On hold")
    post(job.client, f"{job.base}/checklist/{item.id}/answer", {f"answer-{item.id}-value": "pass"})
    assert fresh(item).answer == "pass"


def test_posts_without_csrf_are_refused(job: Setup):
    item = item_on(job.work_order)
    response = job.client.post(f"{job.base}/checklist/{item.id}/answer", data={f"answer-{item.id}-value": "pass"})
    assert response.status_code == 400
    assert job.client.post(f"{job.base}/checklist/items", data={"item-label": "X"}).status_code == 400
    assert fresh(item).answer is None
    assert len(checklists.items_for(job.work_order)) == 1
