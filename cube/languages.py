"""The languages CUBE-PRO ships: codes, their names in themselves, and which run right to left."""

from __future__ import annotations

# Each named in itself, as a person looks for it in a list.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "es": "Español",
    "fr": "Français",
    "ar": "العربية",
}
RIGHT_TO_LEFT = frozenset({"ar"})
FALLBACK_LANGUAGE = "en"


def is_shipped(code: str | None) -> bool:
    """True when ``code`` names one of the shipped languages."""
    return bool(code) and code in LANGUAGES
