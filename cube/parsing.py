"""Reading numbers people and URLs send: ids and bounded integers, never a 500 on huge input.

Every integer that arrives in a query string or a form goes through ``bounded_int`` (directly, through
``optional_int`` for ids, or through ``BoundedIntegerField`` in forms): only ASCII digits are read
(``int()`` also takes "²" and "١٢", and a huge number overflows a database column or a float), and a
value outside its range is treated like garbage.
"""

from __future__ import annotations

import re
from typing import Any

from wtforms import IntegerField

MAX_ID = 2**31 - 1  # the largest id a database integer column holds
# An optional sign and at most 18 ASCII digits: anything longer is out of every range we accept.
ASCII_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def bounded_int(value: object, minimum: int, maximum: int, default: int | None = None) -> int | None:
    """``value`` as a whole number when it is one between ``minimum`` and ``maximum``, else ``default``."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        number = value
    else:
        text = value.strip() if isinstance(value, str) else ""
        if not ASCII_INTEGER.fullmatch(text):
            return default
        number = int(text)
    return number if minimum <= number <= maximum else default


def optional_int(value: object) -> int | None:
    """Coerce a select value to an id, treating blanks, garbage and out-of-range numbers as 'none chosen'."""
    return bounded_int(value, 1, MAX_ID)


class BoundedIntegerField(IntegerField):
    """A whole-number input limited to ``minimum``..``maximum``: anything else is a form error, never a crash."""

    def __init__(self, label: str | None = None, validators: Any = None, *, minimum: int, maximum: int, **kwargs: Any):
        """An IntegerField that parses with ``bounded_int``; the browser is told the range too."""
        render_kw = {"min": minimum, "max": maximum, **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.minimum = minimum
        self.maximum = maximum

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Read the submitted text; a blank, non-numeric or out-of-range value leaves no data and an error."""
        if not valuelist:
            return
        text = valuelist[0] if isinstance(valuelist[0], str) else ""
        if not WHOLE_NUMBER.fullmatch(text.strip()):
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
        self.data = bounded_int(text, self.minimum, self.maximum)
        if self.data is None:
            raise ValueError(
                self.gettext("Number must be between %(min)s and %(max)s.") % {"min": self.minimum, "max": self.maximum}
            )
