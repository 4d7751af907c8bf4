"""Who acts on the data: a signed-in person, or the system (jobs, the CLI, inbound mail).

Every service that changes data takes an ``actor`` and checks the permission
itself with ``require``. The system actor's rights are declared once, in
``cube.permissions.SYSTEM_PERMISSIONS``; events and audit rows it writes carry
``by_system = True`` and no person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, TypeAlias

from flask_babel import gettext as _
from flask_babel.speaklater import LazyString

from cube.errors import NotAllowed
from cube.permissions import PERMISSIONS, SYSTEM_PERMISSIONS

if TYPE_CHECKING:
    from cube.models import User


class SystemActor:
    """The application itself, acting for jobs, commands and inbound mail (never a person)."""

    id: Final = None

    @property
    def name(self) -> str:
        """The system's name as the reader's language says it."""
        return _("System")

    email: Final = ""
    timezone: Final = "UTC"
    active: Final = True
    is_system: Final = True

    def has_permission(self, permission: str) -> bool:
        """True for the permissions declared in ``SYSTEM_PERMISSIONS``."""
        return permission in SYSTEM_PERMISSIONS

    def __repr__(self) -> str:
        return "<SystemActor>"


SYSTEM: Final = SystemActor()

Actor: TypeAlias = "User | SystemActor"


def require(actor: Actor, permission: str, message: str | LazyString | None = None) -> None:
    """Refuse with ``NotAllowed`` unless ``actor`` holds ``permission`` (``message`` may be a lazy ``_l`` text)."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")  # i18n: not shown (programmer error)
    if not actor.has_permission(permission):
        raise NotAllowed(str(message) if message else _("You may not do this."))


def person_id(actor: Actor | None) -> int | None:
    """The id of the person acting (None for the system or nobody)."""
    return None if actor is None or actor.is_system else actor.id


def is_system(actor: Actor | None) -> bool:
    """True when the system itself acts."""
    return actor is not None and actor.is_system
