"""Work that waits for the outer transaction: run after it commits, or after it ends without committing.

Mail and file storage both follow the database session: a message is handed
to the mail server and a deleted file removed only once the change that
caused it has committed; a file written in a unit of work that rolls back is
removed again. A released savepoint is not a commit (SQLAlchemy fires
``after_commit`` for it too), so nothing runs until the outermost transaction
ends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

_ON_COMMIT = "cube_on_commit"
_ON_ROLLBACK = "cube_on_rollback"


def on_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the outer transaction of ``session`` commits (dropped if it does not)."""
    session.info.setdefault(_ON_COMMIT, []).append(callback)


def on_rollback(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` if the outer transaction of ``session`` ends without committing."""
    session.info.setdefault(_ON_ROLLBACK, []).append(callback)


def _run(callbacks: list[Callable[[], None]]) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:  # one failing hook must not stop the others, nor undo what committed
            log.exception("After-transaction hook %r failed", callback)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the outer transaction can still roll back
    session.info.pop(_ON_ROLLBACK, None)
    _run(session.info.pop(_ON_COMMIT, []))


@event.listens_for(Session, "after_transaction_end")
def _after_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None or transaction.nested:
        return
    # Reached after a commit too (its hooks have run and were removed): only what is left ran without one.
    session.info.pop(_ON_COMMIT, None)
    _run(session.info.pop(_ON_ROLLBACK, []))
