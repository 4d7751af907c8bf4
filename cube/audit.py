"""Recording audit events (sign-ins, lockouts, user and role changes); cube.audit_log reads them back in words."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from cube.actors import Actor, is_system, person_id
from cube.extensions import db
from cube.models import AuditEvent


def record(action: str, *, actor: Actor | None, target: Any = None, **details: Any) -> AuditEvent:
    """Add an audit event to the current unit of work (committed with it); the system's own are marked."""
    event = AuditEvent(
        action=action,
        actor_id=person_id(actor),
        by_system=is_system(actor),
        target_type=type(target).__name__ if target is not None else "",
        target_id=getattr(target, "id", None),
        ip_address=(request.remote_addr or "")[:45] if has_request_context() else "",
        details=details,
    )
    db.session.add(event)
    return event
