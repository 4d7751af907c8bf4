"""Reading numbers people and URLs send: ids and bounded integers, never a 500 on huge input."""

from __future__ import annotations

MAX_ID = 2**31 - 1  # the largest id a database integer column holds


def optional_int(value: object) -> int | None:
    """Coerce a select value to an id, treating blanks, garbage and out-of-range numbers as 'none chosen'."""
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > 10 or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
