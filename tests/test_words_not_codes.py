"""Words, not codes: every history a person reads (the work order timeline, the audit log, a user's history).

Every event kind and audit action the code writes is produced through the services, the pages that show them
are rendered, and the text a person reads is searched for raw codes: ``role_id: 4``, ``True``/``False``,
``auth.login``, ``User #2``, ``pass_fail``. A static check makes sure no action or event kind written anywhere in
``cube`` is missing from the words (a new one would otherwise be spelled out from its code).
"""

from __future__ import annotations

import html
import re
from decimal import Decimal
from pathlib import Path

import pytest

import cube
from cube import audit
from cube import audit_log as words
from cube.auth import services as auth
from cube.extensions import db
from cube.models import AuditEvent, Status, User
from cube.products import assets, catalog, companies, images, inventory
from cube.products import imports as catalog_imports
from cube.site_settings import set_default_language
from cube.users import roles as role_service
from cube.users import services as user_service
from cube.users import teams as team_service
from cube.workflow import settings as workflow
from cube.workorders import checklists, services, timeline
from tests.catalog_factories import stock
from tests.files import png
from tests.support import sign_in
from tests.test_history_timeline import Story, story  # noqa: F401 (the fixture: one event of every kind)

RAW = re.compile(r"\b\w+_id\b\s*:|\bTrue\b|\bFalse\b|\bNone\b|\b[a-z_]+\.[a-z_]+(\.[a-z_]+)?\b|#\d+|pass_fail|[{}\[\]]")
SOURCE = Path(cube.__file__).parent


def readable(fragment: str) -> str:
    """The text of an HTML fragment as a person reads it."""
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", fragment).split()))


def raw_codes(text: str) -> list[str]:
    """The raw codes found in ``text`` (e-mail addresses and file names are words, not codes)."""
    cleaned = re.sub(r"[\w.+-]+@[\w-]+(\.[\w-]+)+|\b[\w-]+\.(png|csv)\b", "", text)
    return [match.group(0) for match in RAW.finditer(cleaned)]


def written_actions() -> set[str]:
    """Every audit action the code writes (literal codes, and the workflow's f-string ones spelled out)."""
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for call in re.finditer(r"audit\.record\(\s*(.*?)\s*,\s*actor", source, re.S):
            found |= set(re.findall(r"\"([a-z_]+\.[a-z_.]+)\"", call.group(1)))
            if call.group(1).startswith('f"workflow.{kind}.'):
                verb = call.group(1).rsplit(".", 1)[1].rstrip('"')
                kinds = ("status", "transition", "priority", "type", "custom_field")
                found |= {f"workflow.{kind}.{verb}" for kind in kinds}
    return found


def written_event_kinds() -> set[str]:
    """Every work order event kind the code writes."""
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"events\.record\(\s*[\w.]+,\s*[\w.]+,\s*\"([a-z_]+)\"", source, re.S))
    return found


def test_every_action_the_code_writes_has_words_and_every_record_a_kind():
    actions = written_actions()
    assert {"auth.login", "settings.updated", "workflow.custom_field.updated", "checklist_template.created"} <= actions
    assert sorted(actions - set(words.ACTIONS)) == []
    targets = set()
    for path in SOURCE.rglob("*.py"):
        targets |= set(re.findall(r"target=(\w+)", path.read_text(encoding="utf-8")))
    assert "settings" in targets  # the site settings are a record too
    assert "SiteSettings" in words.KINDS


def test_every_event_kind_the_code_writes_has_a_sentence(story: Story):  # noqa: F811
    kinds = written_event_kinds()
    assert {"created", "status_changed", "checklist_item_added", "part_used", "time_deleted"} <= kinds
    entries = timeline.timeline(story.work_order, story.admin) + timeline.timeline(story.follow_up, story.admin)
    assert kinds <= {entry.kind for entry in entries} | {"archived"}
    spelled_out = [entry.text for entry in entries if entry.text == entry.kind.replace("_", " ").capitalize()]
    assert spelled_out == []  # none fell through to "Checklist item added" made from the code


def test_the_timeline_page_shows_no_raw_code(story: Story, client):  # noqa: F811
    sign_in(client, story.admin.email)
    for work_order in (story.work_order, story.follow_up):
        response = client.get(f"/work-orders/{work_order.id}")
        page = response.get_data(as_text=True)
        assert response.status_code == 200, page[:300]
        found = re.search(r'<ol[^>]*data-testid="timeline".*?</ol>', page, re.S)
        assert found is not None
        text = readable(found.group(0))
        assert raw_codes(text) == [], text
        assert "pass/fail, required" in text or work_order is story.follow_up
    services.archive(story.admin, story.work_order)  # an archived work order has no page: its last sentence
    db.session.commit()
    last = timeline.timeline(story.work_order, story.admin)[-1]
    assert (last.kind, last.text, raw_codes(last.who)) == ("archived", "Archived", [])


def every_audit_action(admin: User, ana: User, app) -> None:
    """Write one audit row of every action, through the services that write them."""
    technician = role_service.role_by_name("technician")
    supervisor = role_service.role_by_name("supervisor")
    assert technician is not None
    assert supervisor is not None
    data = user_service.UserData(email="cy@example.com", name="Cy Doe", role_id=technician.id)
    cy = user_service.create_user(admin, data, invite=False)
    db.session.commit()
    changed = user_service.UserData(
        email=cy.email,
        name=cy.name,
        role_id=supervisor.id,
        timezone="Europe/Paris",
        hourly_rate=Decimal("41.50"),
        team_ids=(),
    )
    user_service.update_user(admin, cy, changed)
    user_service.deactivate_user(admin, cy)
    user_service.reactivate_user(admin, cy)
    user_service.send_password_reset(admin, cy)
    user_service.update_profile(ana, user_service.ProfileData(name="Ana Ortiz", phone="555", timezone="UTC"))
    auth.set_password(cy, "a much longer secret 1", actor=admin, reason="cli")
    audit.record("auth.unlock_sent", actor=None, target=cy)  # as send_unlock_email() writes it once braked
    audit.record("auth.unlocked", actor=cy, target=cy)  # as use_unlock_token() writes it
    auth.sign_out(cy)
    audit.record("auth.lockout", actor=None, target=cy, minutes=15)  # as authenticate() writes it
    role = role_service.create_role(admin, "Auditor", "Reads the log")
    wanted = {row.id: set(row.permissions) for row in role_service.all_roles()}
    wanted[role.id] = {"audit.view"}
    role_service.set_permissions(admin, wanted)
    team = team_service.save_team(admin, None, team_service.TeamData(name="North", member_ids=(ana.id,)))
    team_service.save_team(admin, team, team_service.TeamData(name="North", member_ids=(ana.id, cy.id)))
    maker = companies.save_company(admin, None, companies.CompanyData(name="Acme", is_manufacturer=True))
    companies.save_company(admin, maker, companies.CompanyData(name="Acme", is_manufacturer=True, city="Lyon"))
    contact = companies.add_contact(admin, maker, companies.ContactData(name="Dee"))
    companies.remove_contact(admin, contact)
    pumps = catalog.save_category(admin, None, "Pumps", None)
    catalog.save_category(admin, pumps, "Pumps and motors", None)
    product = catalog.create_product(admin, catalog.ProductData(sku="P-1", name="Pump", category_id=pumps.id))
    catalog.update_product(
        admin,
        product,
        catalog.ProductData(sku="P-1", name="Pump", category_id=pumps.id, is_spare_part=True, unit_cost="3.10"),
        expected_version=None,
    )
    picture = images.add_image(admin, product, "pump.png", png(4, 3))
    images.add_image(admin, product, "side.png", png(4, 3))
    images.move_image(admin, picture, "down")
    images.delete_image(admin, picture)
    site = assets.save_location(admin, None, assets.LocationData(name="Plant"))
    assets.save_location(admin, site, assets.LocationData(name="Plant 1"))
    asset = assets.create_asset(admin, assets.AssetData(product_id=product.id, serial_number="SN-1"))
    assets.update_asset(
        admin,
        asset,
        assets.AssetData(product_id=product.id, serial_number="SN-1", location_id=site.id, status="retired"),
        expected_version=None,
    )
    stock(product, site, "4")
    inventory.adjust(admin, inventory.Movement(product.id, site.id, "1", reason="count"), direction=-1)
    catalog_imports.import_file(admin, "companies", b"name,email\nBeta Co,\n", max_rows=10)
    status = workflow.save_status(admin, None, "Paused", "waiting", "secondary")
    workflow.save_status(admin, status, "Paused long", "waiting", "secondary", position=2)
    new = db.session.scalar(db.select(Status).where(Status.name == "New"))
    move = workflow.save_transition(admin, None, new.id, status.id, "Park", "workorder.work", ["reason"])
    workflow.save_transition(admin, move, new.id, status.id, "Park it", "workorder.work", ["reason", "assignee"])
    workflow.delete_transition(admin, move)
    priority = workflow.save_priority(admin, None, "Red alert", "danger")
    workflow.save_priority(admin, priority, "Red alert now", "danger", is_default=True)
    kind = workflow.save_type(admin, None, "Look-over")
    workflow.save_type(admin, kind, "Look-over", active=False)
    field = workflow.save_custom_field(admin, None, "side", "Side", "choice", ["left", "right"])
    workflow.save_custom_field(admin, field, "side", "Pump side", "choice", ["left", "right"], required=True)
    template = checklists.save_template(admin, None, "PM", [{"label": "Oil", "kind": "pass_fail", "required": True}])
    checklists.save_template(admin, template, "PM", [{"label": "Oil", "kind": "pass_fail"}], active=False)
    set_default_language(admin, "de")
    set_default_language(admin, "en")  # the pages below are read in English
    db.session.commit()
    sign_in(app.test_client(), ana.email)
    sign_in(app.test_client(), ana.email, "wrong password")
    sign_in(app.test_client(), "nobody@example.com", "wrong password")
    auth.request_password_reset(ana.email)
    db.session.commit()


def test_the_audit_log_and_user_histories_show_no_raw_code(app, make_user, admin_client):
    admin = admin_client.user
    ana = make_user("technician", name="Ana Ortiz", email="ana@example.com")
    every_audit_action(admin, ana, app)
    written = set(db.session.scalars(db.select(AuditEvent.action)))
    assert sorted(written_actions() - written) == []

    text = ""
    for number in range(1, 20):  # every page of the log
        page = admin_client.get(f"/audit?page={number}").get_data(as_text=True)
        table = re.search(r"<table.*?</table>", page, re.S)
        assert table is not None
        text += " " + readable(table.group(0))
        if "Nothing recorded yet" in text:
            break
    assert raw_codes(text) == [], text
    for sentence in (
        "Signed in",
        "Role: technician → supervisor",
        "Hourly rate: 0.00 → 41.50",
        "Site settings changed",
        "Default language: English → Deutsch",
        "Category: Waiting",
        "Requires: a reason",
        "Kind: choice from a list",
        "Active: yes → no",
    ):
        assert sentence in text, (sentence, text)
    cy = db.session.scalar(db.select(User).where(User.email == "cy@example.com"))
    for person in (cy, ana, admin):
        page = admin_client.get(f"/users/{person.id}").get_data(as_text=True)
        history = page.split(">History<", 1)[1]
        text = readable(history.split("</table>", 1)[0])
        assert raw_codes(text) == [], (person.name, text)


def test_a_removed_user_reads_as_a_removed_user_not_a_number(app):
    with app.test_request_context():
        row = AuditEvent(action="user.updated", actor_id=999, target_type="User", target_id=998, details={})
        assert words.who(row, words.Names()) == "a removed user"
        target = words.target_of(row, words.Names())
        assert target is not None
        assert (target.kind, target.name) == ("User", "removed")
        assert timeline._user(timeline.Names(), 999) == "a removed user"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("category", "waiting", "Waiting"),
        ("required", True, "yes"),
        ("active", False, "no"),
        ("default_language", "fr", "Français"),
        ("guards", ["checklist"], "the required checklist answered"),
        ("kind", "choice", "choice from a list"),
        ("status", "retired", "retired"),
    ],
)
def test_stored_values_read_as_words(app, key, value, expected):
    with app.test_request_context():
        assert words.value_words(key, value, words.Names()) == expected


def rate_test_people(make_user) -> tuple[User, User]:
    """A technician with a saved rate whose rate changed, and a directory reader who may not see costs."""
    admin = make_user("admin")
    cy = make_user("technician", name="Cy Doe", hourly_rate=Decimal("38.00"))
    user_service.update_user(
        admin,
        cy,
        user_service.UserData(
            email=cy.email, name=cy.name, role_id=cy.role_id, timezone=cy.timezone, hourly_rate=Decimal("41.50")
        ),
    )
    role = role_service.create_role(admin, "directory", "Reads the user directory")
    wanted = {row.id: set(row.permissions) for row in role_service.all_roles()}
    wanted[role.id] = {"user.view", "audit.view"}
    role_service.set_permissions(admin, wanted)
    db.session.commit()
    reader = make_user("directory", name="Dee Reader")
    return cy, reader


def test_the_hourly_rate_shows_to_those_who_may_see_costs(app, make_user):
    cy, _reader = rate_test_people(make_user)
    supervisor = make_user("supervisor")
    client = app.test_client()
    sign_in(client, supervisor.email)
    page = client.get(f"/users/{cy.id}").get_data(as_text=True)
    found = re.search(r'<dd class="col-sm-8" data-testid="hourly-rate">([^<]*)</dd>', page)
    assert found is not None
    assert found.group(1) == "41.50"
    assert "Hourly rate: 38.00 → 41.50" in readable(page)  # the history shows the change too


def test_the_hourly_rate_is_hidden_from_those_who_may_not_see_costs(app, make_user):
    cy, reader = rate_test_people(make_user)
    client = app.test_client()
    sign_in(client, reader.email)
    for url in (f"/users/{cy.id}", "/audit", "/"):
        response = client.get(url)
        assert response.status_code == 200, url
        text = readable(response.get_data(as_text=True))
        assert "User changed" in text, url  # the change is listed, without the figures
        assert "Hourly rate" not in text, url
        assert "41.50" not in text, url
        assert "38.00" not in text, url
