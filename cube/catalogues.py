"""The message catalogues: extract marked strings, merge them into each language, compile, check.

``python -m cube.catalogues extract`` writes ``cube/translations/messages.pot`` and merges it
into every language's ``messages.po``; ``compile`` builds the ``.mo`` files the app reads
(``make install`` runs it; ``.mo`` files are not committed); ``check`` lists what a shipped
catalogue lacks (a missing or fuzzy translation, a placeholder that does not match).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from cube.languages import FALLBACK_LANGUAGE, LANGUAGES

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
TRANSLATIONS = PACKAGE / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
TRANSLATED = tuple(code for code in LANGUAGES if code != FALLBACK_LANGUAGE)

# Python: gettext and friends, plus the lazy forms used at import time (form labels, constants).
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
METHODS = [
    ("cube/**.py", "python"),
    ("cube/templates/**.html", "jinja2"),
    ("cube/templates/**.txt", "jinja2"),
]
OPTIONS = {
    "cube/templates/**.html": {"trimmed": "true", "extensions": "jinja2.ext.i18n"},
    "cube/templates/**.txt": {"trimmed": "true", "extensions": "jinja2.ext.i18n"},
}
# %(name)s, %s and {name}: what must survive translation unchanged.
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdf]|%[sdf]|\{[a-z_0-9]*\}")


def po_path(language: str) -> Path:
    """Where ``language``'s catalogue lives."""
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def _searched(directory: str) -> bool:
    """Folders to look in: the package, including ``_macros`` and ``_partials`` (Babel skips "_" folders
    by default), but not hidden folders, caches, the virtualenv or front-end packages."""
    name = Path(directory).name
    return not (name.startswith(".") or name in {"__pycache__", "node_modules", "vendor", "site-packages"})


def extract() -> Catalog:
    """Every marked string in the code and templates, as a catalogue template."""
    catalog = Catalog(project="CUBE-PRO", charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT,
        METHODS,
        OPTIONS,
        KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
        directory_filter=_searched,
    ):
        if filename.startswith("cube/"):
            catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def read(path: Path, language: str | None = None) -> Catalog:
    """A catalogue from disk."""
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def write(catalog: Catalog, path: Path) -> None:
    """Write a catalogue (no line numbers, so unrelated edits do not churn it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, include_lineno=False, sort_output=True, ignore_obsolete=True)


def update() -> None:
    """Re-extract the template and merge it into each language (new strings arrive untranslated)."""
    template = extract()
    write(template, TEMPLATE)
    for language in TRANSLATED:
        path = po_path(language)
        catalog = read(path, language) if path.exists() else Catalog(locale=language, project="CUBE-PRO")
        catalog.update(template, no_fuzzy_matching=True)
        write(catalog, path)


def compile_all() -> None:
    """Build each language's ``.mo`` from its ``.po``."""
    for language in TRANSLATED:
        path = po_path(language)
        catalog = read(path, language)
        with path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)


def _texts(message: Message) -> list[str]:
    value = message.string
    return [value] if isinstance(value, str) else list(value or ())


def _ids(message: Message) -> list[str]:
    value = message.id
    return [value] if isinstance(value, str) else list(value)


def problems(language: str, template: Catalog) -> Iterator[str]:
    """What ``language``'s catalogue lacks against ``template``: missing, fuzzy or empty
    translations, placeholders that differ, and the wrong number of plural forms."""
    catalog = read(po_path(language), language)
    for wanted in template:
        if not wanted.id:
            continue
        found = catalog.get(wanted.id, wanted.context)
        key = _ids(wanted)[0][:60]
        if found is None:
            yield f"{language}: missing {key!r}"
            continue
        if found.fuzzy:
            yield f"{language}: fuzzy {key!r}"
        texts = _texts(found)
        if not texts or not all(text.strip() for text in texts):
            yield f"{language}: untranslated {key!r}"
            continue
        if wanted.pluralizable and len(texts) != catalog.num_plurals:
            yield f"{language}: {len(texts)} plural forms instead of {catalog.num_plurals} for {key!r}"
        expected = set(PLACEHOLDER.findall(" ".join(_ids(wanted))))
        for text in texts:
            got = set(PLACEHOLDER.findall(text))
            # A plural form may leave out the count (Arabic says "one" and "two" in words).
            if got != expected and not (wanted.pluralizable and got <= expected):
                yield f"{language}: placeholders {sorted(got)} instead of {sorted(expected)} in {key!r}"


def main(argv: list[str]) -> int:
    """``extract``, ``compile`` or ``check`` (exit status 1 when a catalogue is incomplete)."""
    command = argv[1] if len(argv) > 1 else ""
    if command == "extract":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        template = extract()
        found = [problem for language in TRANSLATED for problem in problems(language, template)]
        print("\n".join(found) or "every catalogue is complete")
        return 1 if found else 0
    else:
        print("usage: python -m cube.catalogues extract|compile|check", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
