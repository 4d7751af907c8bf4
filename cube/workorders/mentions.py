"""@mentions in comments, read back as parts a template shows: plain text, or a person mentioned.

A comment stores the ids of the people its @mentions named when it was posted (``Comment.mentions``).
A page splits a comment's text into parts and turns each @name or @e-mail that names one of those people
into a mention; the template shows it as a link or in bold and escapes every part like any other text,
so nothing a person typed ever becomes markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from cube.extensions import db
from cube.models import Comment, User, WorkOrder
from cube.workorders.services import MENTION


@dataclass(frozen=True)
class Part:
    """A piece of a comment: ``text`` as typed, and the person it mentions (``person_id`` and ``name``), if any."""

    text: str
    person_id: int | None = None
    name: str = ""


@dataclass
class Mentioned:
    """The people a work order's comments mention, by the handles that name them (e-mail and its local part)."""

    handles: dict[str, tuple[int, str]] = field(default_factory=dict)

    def parts(self, body: str) -> list[Part]:
        """``body`` split into text and mentions of known people (an unknown @handle stays text)."""
        found: list[Part] = []
        position = 0
        for match in MENTION.finditer(body or ""):
            person = self.handles.get(match.group(1).lower())
            if person is None:
                continue
            if match.start() > position:
                found.append(Part(body[position : match.start()]))
            found.append(Part(match.group(0), person_id=person[0], name=person[1]))
            position = match.end()
        if position < len(body or ""):
            found.append(Part(body[position:]))
        return found


def mentioned_in(work_order: WorkOrder) -> Mentioned:
    """Who the work order's comments mention (always two queries, however many comments and people)."""
    ids: set[int] = set()
    for mentions in db.session.scalars(select(Comment.mentions).where(Comment.work_order_id == work_order.id)):
        ids |= {value for value in mentions or [] if isinstance(value, int)}
    handles: dict[str, tuple[int, str]] = {}
    rows = db.session.execute(select(User.id, User.name, User.email).where(User.id.in_(ids)).order_by(User.id))
    for person_id, name, email in rows:
        address = email.lower()
        handles.setdefault(address, (person_id, name))
        handles.setdefault(address.partition("@")[0], (person_id, name))
    return Mentioned(handles)
