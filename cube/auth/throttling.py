"""Failed sign-in counting that hurts the attacker, not the owner.

Two counters per typed e-mail address (a keyed hash, so an address without an
account is counted and answered exactly like one with an account):

- per client address: LOGIN_MAX_FAILURES wrong passwords from one address
  lock that address out of that account for LOGIN_LOCKOUT_MINUTES; the owner
  elsewhere is not affected;
- account-wide: after LOGIN_BRAKE_AFTER failures from anywhere, each further
  try waits a little (doubling up to LOGIN_BRAKE_MAX_SECONDS). A browser that
  signed in before, or that used the e-mailed unlock link, is not braked.

Counts older than LOGIN_LOCKOUT_MINUTES start again from zero.
"""

from __future__ import annotations

import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import ngettext
from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError

from cube.errors import TooManyAttempts
from cube.extensions import db
from cube.models.user import SignInThrottle

ACCOUNT_WIDE = SignInThrottle.ACCOUNT_WIDE


def account_key(normalised_email: str) -> str:
    """A keyed hash of the e-mail address typed in (the table never holds the address itself)."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"sign-in:" + normalised_email.encode(), "sha256").hexdigest()


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])


def _rows(key: str, addresses: tuple[str, ...], *, lock: bool = False) -> dict[str, SignInThrottle]:
    query = select(SignInThrottle).where(
        SignInThrottle.account_key == key, SignInThrottle.client_address.in_(addresses)
    )
    if lock:
        query = query.with_for_update()
    return {row.client_address: row for row in db.session.scalars(query)}


def check(key: str, address: str, now: datetime, *, braked: bool) -> None:
    """Raise ``TooManyAttempts`` while this address, or (when ``braked``) everyone, must wait."""
    rows = _rows(key, (address, ACCOUNT_WIDE) if braked else (address,))
    pair = rows.get(address)
    if pair is not None and pair.blocked_until is not None and pair.blocked_until > now:
        seconds = math.ceil((pair.blocked_until - now).total_seconds())
        raise TooManyAttempts(
            ngettext(
                "Too many failed sign-in attempts. Try again in %(num)d minute.",
                "Too many failed sign-in attempts. Try again in %(num)d minutes.",
                math.ceil(seconds / 60),
            ),
            retry_after=seconds,
        )
    brake = rows.get(ACCOUNT_WIDE)
    if brake is not None and brake.blocked_until is not None and brake.blocked_until > now:
        seconds = math.ceil((brake.blocked_until - now).total_seconds())
        raise TooManyAttempts(
            ngettext(
                "Too many failed sign-in attempts for this account. Try again in %(num)d second.",
                "Too many failed sign-in attempts for this account. Try again in %(num)d seconds.",
                seconds,
            ),
            retry_after=seconds,
        )


@dataclass(frozen=True)
class Failure:
    """What one more failure did: the counts after it, and whether a lock or the brake just started."""

    address_failures: int
    locked: bool
    brake_started: bool


def _row(key: str, address: str, now: datetime) -> SignInThrottle:
    """The locked row for (key, address), created when missing (a concurrent insert is tolerated)."""
    row = _rows(key, (address,), lock=True).get(address)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = SignInThrottle(account_key=key, client_address=address, failures=0, last_failure_at=now)
            db.session.add(row)
    except IntegrityError:  # another request created it first
        row = _rows(key, (address,), lock=True)[address]
    return row


def _count(row: SignInThrottle, now: datetime) -> None:
    if row.last_failure_at < now - _window():
        row.failures = 0
        row.blocked_until = None
        row.unlock_nonce = None
    row.failures += 1
    row.last_failure_at = now


def record_failure(key: str, address: str, now: datetime) -> Failure:
    """Count a failed sign-in for the address and the account; lock the address or brake the account."""
    config = current_app.config
    pair = _row(key, address, now)
    _count(pair, now)
    locked = pair.failures >= config["LOGIN_MAX_FAILURES"]
    if locked:
        pair.failures = 0
        pair.blocked_until = now + _window()
    brake = _row(key, ACCOUNT_WIDE, now)
    _count(brake, now)
    over = brake.failures - config["LOGIN_BRAKE_AFTER"]
    if over >= 0:
        brake.blocked_until = now + timedelta(seconds=min(2 ** min(over, 30), config["LOGIN_BRAKE_MAX_SECONDS"]))
    _prune(now)
    db.session.flush()
    return Failure(address_failures=pair.failures, locked=locked, brake_started=over == 0)


def clear(key: str, address: str) -> None:
    """Forget the failures of this address and the account-wide brake (after a good sign-in)."""
    db.session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.account_key == key, SignInThrottle.client_address.in_((address, ACCOUNT_WIDE))
        )
    )


def clear_all(key: str) -> None:
    """Forget every failure counted for this account (an admin reactivated it)."""
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.account_key == key))


def issue_unlock_nonce(key: str) -> str | None:
    """A fresh nonce for an unlock link, stored on the brake row (None when there is no brake)."""
    brake = _rows(key, (ACCOUNT_WIDE,)).get(ACCOUNT_WIDE)
    if brake is None:
        return None
    brake.unlock_nonce = secrets.token_hex(16)
    db.session.flush()
    return brake.unlock_nonce


def unlock_nonce_matches(key: str, nonce: str) -> bool:
    """True when ``nonce`` is the one last mailed for this account and not used yet."""
    brake = _rows(key, (ACCOUNT_WIDE,)).get(ACCOUNT_WIDE)
    return brake is not None and bool(brake.unlock_nonce) and hmac.compare_digest(brake.unlock_nonce or "", nonce)


def use_unlock_nonce(key: str, nonce: str) -> bool:
    """Lift the brake when ``nonce`` is the one last mailed; each nonce works once."""
    brake = _rows(key, (ACCOUNT_WIDE,), lock=True).get(ACCOUNT_WIDE)
    if brake is None or not brake.unlock_nonce or not hmac.compare_digest(brake.unlock_nonce, nonce):
        return False
    db.session.delete(brake)
    db.session.flush()
    return True


def _prune(now: datetime) -> None:
    """Drop rows whose counts and locks have run out (keeps the table as small as the attack)."""
    cutoff = now - _window()
    db.session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.last_failure_at < cutoff,
            or_(SignInThrottle.blocked_until.is_(None), SignInThrottle.blocked_until < now),
        )
    )
