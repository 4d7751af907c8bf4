"""Recording audit events (sign-ins, lockouts, user and role changes)."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from cube.extensions import db
from cube.models import AuditEvent, User


def record(action: str, *, actor: User | None, target: Any = None, **details: Any) -> AuditEvent:
    """Add an audit event to the current unit of work (committed with it)."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        target_type=type(target).__name__ if target is not None else "",
        target_id=getattr(target, "id", None),
        ip_address=(request.remote_addr or "")[:45] if has_request_context() else "",
        details=details,
    )
    db.session.add(event)
    return event
