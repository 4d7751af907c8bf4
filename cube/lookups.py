"""What the on-demand pickers share: an option as a lookup answers it, the cap, and matching typed text.

A picker (``cube/static/js/pickers.js``) asks a lookup endpoint for the options matching what the person
types; the form's select lists only the chosen ones (``cube.forms.LookupField``). Both ask the same service
function, so a form accepts exactly what its picker offers.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, or_

LOOKUP_LIMIT = 20  # options a lookup answers with
MAX_TERM = 64  # characters of a search term that count


@dataclass(frozen=True)
class Option:
    """One option a picker offers: the id, how it reads, and the group it is listed under (if any)."""

    value: int
    text: str
    optgroup: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The option as a lookup answers it (``optgroup`` only when there is one)."""
        answer: dict[str, Any] = {"value": self.value, "text": self.text}
        if self.optgroup is not None:
            answer["optgroup"] = self.optgroup
        return answer


Search = Callable[[str], list[Option]]  # the options matching a term, capped, in the order shown
Among = Callable[[Collection[int]], list[Option]]  # the options among some ids (those the picker may offer)


def cleaned_term(term: str) -> str:
    """A typed term as searched: spaces collapsed, cut to ``MAX_TERM``, lower case, LIKE wildcards taken literally."""
    wanted = " ".join(term.split())[:MAX_TERM].lower()
    return wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def starts_a_word(column: Any, wanted: str) -> ColumnElement[bool]:
    """SQL: ``column`` (any case) or one of its words starts with ``wanted`` (a ``cleaned_term``)."""
    lowered = func.lower(column)
    return or_(lowered.like(f"{wanted}%", escape="\\"), lowered.like(f"% {wanted}%", escape="\\"))


def contains(column: Any, wanted: str) -> ColumnElement[bool]:
    """SQL: ``column`` (any case) holds ``wanted`` (a ``cleaned_term``) anywhere, as in a serial number's digits."""
    return func.lower(column).like(f"%{wanted}%", escape="\\")
