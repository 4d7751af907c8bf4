"""The assignee picker: only active people who may do work (a permission), under their team, found on demand by the
worker lookup (the pages list only the chosen people); forged assignees refused; @mentions in comments shown as
people, never as markup."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from cube.errors import ValidationFailed
from cube.extensions import db
from cube.models import Role, RolePermission, User, WorkOrder
from cube.workorders import assignees, services
from cube.workorders.mentions import Mentioned, Part
from tests.support import count, events_of, fresh, post, sign_in, statements_for
from tests.workorder_factories import default_ids, make_work_order


class _Select(HTMLParser):
    """The options of one select: [(optgroup label or None, value, text)], and the select's attributes."""

    def __init__(self, select_id: str) -> None:
        """A parser looking for the select whose id is ``select_id``."""
        super().__init__(convert_charrefs=True)
        self.select_id = select_id
        self.inside = False
        self.group: str | None = None
        self.option: str | None = None
        self.options: list[tuple[str | None, str, str]] = []
        self.attrs: dict[str, str | None] = {}
        self.found = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Enter the select, an optgroup or an option."""
        values = dict(attrs)
        if tag == "select" and values.get("id") == self.select_id:
            self.inside, self.found, self.attrs = True, True, values
        elif self.inside and tag == "optgroup":
            self.group = values.get("label")
        elif self.inside and tag == "option":
            self.option = values.get("value") or ""
            self.options.append((self.group, self.option, ""))

    def handle_data(self, data: str) -> None:
        """An option's text."""
        if self.inside and self.option is not None:
            group, value, text = self.options[-1]
            self.options[-1] = (group, value, text + data)

    def handle_endtag(self, tag: str) -> None:
        """Leave an option, an optgroup or the select."""
        if tag == "option":
            self.option = None
        elif tag == "optgroup":
            self.group = None
        elif tag == "select":
            self.inside = False


def select_in(html: str, select_id: str) -> _Select:
    """The parsed select ``select_id`` of a page (fails when the page has none)."""
    parser = _Select(select_id)
    parser.feed(html)
    assert parser.found, f"no select #{select_id}"
    return parser


def grouped(html: str, select_id: str) -> dict[str | None, list[str]]:
    """{optgroup label: [names]} of a select, in page order."""
    groups: dict[str | None, list[str]] = {}
    for group, value, text in select_in(html, select_id).options:
        if value:
            groups.setdefault(group, []).append(text.strip())
    return groups


@pytest.fixture
def crew(app, make_user, make_team) -> dict[str, Any]:
    """Workers in teams, a worker in two teams, one in none, and people who may not do work."""
    supervisor = make_user("supervisor", name="Sam Supervisor")
    ana = make_user("technician", name="Ana Alpha")
    bo = make_user("technician", name="Bo Both")
    cy = make_user("technician", name="Cy Loner")
    invited = make_user("technician", name="Ivy Invited", password=None)  # invited, never chose a password
    gone = make_user("technician", name="Gus Gone")
    gone.active = False
    requester = make_user("requester", name="Rita Requester")
    manager = make_user("manager", name="Max Manager")  # manages work but does not do it (no workorder.work)
    admin = make_user("admin", name="Ada Admin")  # holds every permission, workorder.work included
    db.session.commit()
    make_team("Alpha", members=(ana, bo, requester))
    make_team("Beta", members=(bo, gone))
    return {
        "supervisor": supervisor,
        "ana": ana,
        "bo": bo,
        "cy": cy,
        "invited": invited,
        "gone": gone,
        "requester": requester,
        "manager": manager,
        "admin": admin,
    }


def client_for(app: Any, user: User) -> Any:
    """A test client signed in as ``user``."""
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


# Each worker under their first active team by name (Bo is in Alpha and Beta), the others under "No team".
EXPECTED_GROUPS = {
    "Alpha": ["Ana Alpha", "Bo Both"],
    "No team": ["Ada Admin", "Cy Loner", "Ivy Invited", "Sam Supervisor"],
}


def offered(client: Any, lookup: str, people: list[User]) -> dict[str | None, list[str]]:
    """{optgroup: [names]} a lookup offers among ``people`` (asked by id), in its order."""
    answer = client.get(f"/work-orders/lookup/{lookup}?" + urlencode([("ids", p.id) for p in people]))
    assert answer.status_code == 200
    groups: dict[str | None, list[str]] = {}
    for option in answer.get_json():
        groups.setdefault(option.get("optgroup"), []).append(option["text"])
    return groups


def test_the_worker_lookup_offers_only_workers_under_their_team(app, crew):
    client = client_for(app, crew["supervisor"])

    groups = offered(client, "workers", list(crew.values()))

    assert {group: sorted(names) for group, names in groups.items()} == EXPECTED_GROUPS
    # The requester and supervisor pickers search every active person.
    people = {name for names in offered(client, "people", list(crew.values())).values() for name in names}
    assert {"Rita Requester", "Max Manager"} <= people
    assert "Gus Gone" not in people


def test_the_pages_list_only_the_chosen_people_and_ask_the_worker_lookup(app, crew):
    work_order = make_work_order(crew["supervisor"], "Grouped", assignees=(crew["bo"],))
    client = client_for(app, crew["supervisor"])

    new = client.get("/work-orders/new").get_data(as_text=True)
    detail = client.get(f"/work-orders/{work_order.id}").get_data(as_text=True)
    listing = client.get("/work-orders").get_data(as_text=True)
    filtered = client.get(f"/work-orders?assignee={crew['ana'].id}").get_data(as_text=True)

    source = "/work-orders/lookup/workers"
    assert grouped(new, "assignee_ids") == {}
    assert grouped(detail, "assign-assignee_ids") == {"Alpha": ["Bo Both"]}
    assert grouped(listing, "bulk-assignees") == {}
    assert select_in(listing, "assignee").options == [(None, "", "Anyone")]
    assert select_in(filtered, "assignee").options == [
        (None, "", "Anyone"),
        ("Alpha", str(crew["ana"].id), "Ana Alpha"),
    ]
    for html, select_id in ((new, "assignee_ids"), (detail, "assign-assignee_ids"), (listing, "bulk-assignees")):
        attrs = select_in(html, select_id).attrs
        assert "data-picker" in attrs
        assert attrs["data-picker-source"] == source
        assert attrs["data-placeholder"] == "Type to search"
    assert select_in(listing, "assignee").attrs["data-picker-source"] == source
    assert select_in(new, "requester_id").attrs["data-picker-source"] == "/work-orders/lookup/people"
    assert "Searching needs JavaScript" in new
    assert "data-picker-hint" in new


def test_the_rule_is_the_permission_not_the_role_name(app, crew, make_user):
    contractors = Role(name="contractor", description="Outside help")
    contractors.grants = [RolePermission(permission="workorder.work")]
    db.session.add(contractors)
    db.session.flush()
    make_user("technician", name="Carl Contractor").role_id = contractors.id
    technician_role = db.session.scalar(select(Role).where(Role.name == "technician"))
    technician_role.grants = [g for g in technician_role.grants if g.permission != "workorder.work"]
    db.session.commit()

    everyone = db.session.scalars(select(User.id)).all()

    assert {option.text for option in assignees.workers_among(everyone)} == {
        "Ada Admin",
        "Sam Supervisor",
        "Carl Contractor",
    }


def test_a_forged_assignee_is_refused_and_nothing_changes(app, crew):
    work_order = make_work_order(crew["supervisor"], "Forged", assignees=(crew["ana"],))
    client = client_for(app, crew["supervisor"])
    events_before = len(events_of(work_order))

    for outsider in ("requester", "manager", "gone"):
        response = post(
            client,
            f"/work-orders/{work_order.id}/assign",
            {"assign-assignee_ids": [str(crew["ana"].id), str(crew[outsider].id)], "assign-team_id": ""},
        )
        assert response.status_code == 302
        db.session.expire_all()
        assert [u.id for u in fresh(work_order).assignees] == [crew["ana"].id], outsider
        assert len(events_of(work_order)) == events_before

    with pytest.raises(ValidationFailed) as refused:
        services.assign(crew["supervisor"], work_order, (crew["requester"].id,), team_id=None)
    assert refused.value.field == "assignee_ids"
    assert "may do work" in refused.value.message
    db.session.rollback()
    assert [u.id for u in fresh(work_order).assignees] == [crew["ana"].id]


def test_a_forged_assignee_on_a_new_work_order_creates_nothing(app, crew):
    client = client_for(app, crew["supervisor"])
    before = count(WorkOrder)
    type_id, priority_id = default_ids()
    response = post(
        client,
        "/work-orders/new",
        {
            "title": "Forged create",
            "type_id": str(type_id),
            "priority_id": str(priority_id),
            "assignee_ids": [str(crew["requester"].id)],
            "submission_key": "f" * 32,
        },
    )
    assert response.status_code == 200  # the form again, with the refusal on the field
    assert select_in(response.get_data(as_text=True), "assignee_ids").attrs["class"].endswith("is-invalid")
    assert count(WorkOrder) == before

    with pytest.raises(ValidationFailed):
        services.create_work_order(
            crew["supervisor"],
            services.WorkOrderData(title="Service forged", type_id=type_id, priority_id=priority_id),
            assignee_ids=(crew["manager"].id,),
        )
    db.session.rollback()
    assert count(WorkOrder) == before


def test_a_forged_bulk_assignee_is_refused_before_any_work_order_changes(app, crew):
    work_order = make_work_order(crew["supervisor"], "Bulk forged")
    client = client_for(app, crew["supervisor"])

    response = post(
        client,
        "/work-orders/bulk",
        {"ids": [str(work_order.id)], "action": "assign", "assignee_ids": [str(crew["requester"].id)]},
    )

    assert response.status_code == 400
    assert "may do work" in response.get_data(as_text=True)
    assert fresh(work_order).assignees == []
    assert events_of(work_order, "assigned") == []


def test_invited_people_and_someone_picked_under_two_teams_are_assigned_once(app, crew):
    work_order = make_work_order(crew["supervisor"], "Twice")
    client = client_for(app, crew["supervisor"])
    bo, invited = crew["bo"], crew["invited"]

    response = post(
        client,
        f"/work-orders/{work_order.id}/assign",
        {"assign-assignee_ids": [str(bo.id), str(bo.id), str(invited.id)], "assign-team_id": ""},
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert sorted(u.name for u in fresh(work_order).assignees) == ["Bo Both", "Ivy Invited"]
    assert len(events_of(work_order, "assigned")) == 1
    assert assignees.unique_ids([3, 1, 3, 2, 1]) == (3, 1, 2)


def test_picker_pages_do_not_grow_with_people_and_teams(app, crew, make_user, make_team):
    work_order = make_work_order(crew["supervisor"], "Counting")
    client = client_for(app, crew["supervisor"])
    urls = ["/work-orders/new", f"/work-orders/{work_order.id}", "/work-orders"]
    few = {url: statements_for(client, url) for url in urls}
    for number in range(4):
        members = tuple(make_user("technician", name=f"Extra {number} {k}") for k in range(3))
        make_team(f"Team {number}", members=members)

    many = {url: statements_for(client, url) for url in urls}

    assert many == few


# --- @mentions ----------------------------------------------------------------------------------------------------


def test_mention_parts_keep_unknown_handles_as_text():
    known = Mentioned({"tia": (7, "Tia Tech"), "tia@example.com": (7, "Tia Tech")})

    parts = known.parts("Hi @tia and @nobody, mail @tia@example.com.")

    assert parts == [
        Part("Hi "),
        Part("@tia", person_id=7, name="Tia Tech"),
        Part(" and @nobody, mail "),
        Part("@tia@example.com", person_id=7, name="Tia Tech"),
        Part("."),
    ]
    assert Mentioned().parts("plain") == [Part("plain")]


def test_a_mention_links_to_the_person_for_those_who_may_see_users(app, crew):
    ana = crew["ana"]
    handle = ana.email.split("@")[0]
    work_order = make_work_order(crew["supervisor"], "Mentions", assignees=(ana,))
    services.add_comment(crew["supervisor"], work_order, f"@{handle} please check <script>alert(1)</script> & @ghost")
    db.session.commit()

    as_supervisor = client_for(app, crew["supervisor"]).get(f"/work-orders/{work_order.id}").get_data(as_text=True)
    as_technician = client_for(app, ana).get(f"/work-orders/{work_order.id}").get_data(as_text=True)

    link = f'<a class="mention" href="/users/{ana.id}">@Ana Alpha</a>'
    assert link in as_supervisor  # the supervisor holds user.view
    assert link not in as_technician
    assert f'href="/users/{ana.id}"' not in as_technician
    assert '<strong class="mention">@Ana Alpha</strong>' in as_technician
    for html in (as_supervisor, as_technician):
        assert "<script>alert(1)</script>" not in html
        assert "please check &lt;script&gt;alert(1)&lt;/script&gt; &amp; @ghost" in html


def test_an_assignee_who_may_no_longer_work_is_shown_not_dropped_unseen(app, crew):
    """Deactivated since being assigned: the form still shows them (chosen, in their own group), and
    saving with them is refused with a message; nothing changes until the supervisor takes them off."""
    work_order = make_work_order(crew["supervisor"], "Gus's job", assignees=(crew["gone"], crew["ana"]))
    client = client_for(app, crew["supervisor"])

    detail = client.get(f"/work-orders/{work_order.id}").get_data(as_text=True)

    groups = grouped(detail, "assign-assignee_ids")
    assert groups == {"Alpha": ["Ana Alpha"], "Assigned, but no longer able to do work": ["Gus Gone"]}
    form = {"assign-assignee_ids": [str(crew["gone"].id), str(crew["ana"].id)], "assign-team_id": ""}
    post(client, f"/work-orders/{work_order.id}/assign", form)
    assert sorted(u.name for u in fresh(work_order).assignees) == ["Ana Alpha", "Gus Gone"]  # nothing changed
    post(client, f"/work-orders/{work_order.id}/assign", {**form, "assign-assignee_ids": [str(crew["ana"].id)]})
    assert [u.name for u in fresh(work_order).assignees] == ["Ana Alpha"]
