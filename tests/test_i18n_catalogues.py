"""The shipped catalogues: the template holds every marked string, and each language translates
every message, with the same placeholders and the right number of plural forms."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog
from babel.support import Translations

from cube.catalogues import TEMPLATE, TRANSLATED, TRANSLATIONS, extract, po_path, problems, read


@pytest.fixture(scope="module")
def extracted() -> Catalog:
    """The strings marked in the code and templates right now."""
    return extract()


def _keys(catalog: Catalog) -> set[tuple[str, str | None]]:
    return {
        (message.id if isinstance(message.id, str) else message.id[0], message.context)
        for message in catalog
        if message.id
    }


def test_the_template_holds_every_marked_string(extracted: Catalog):
    """messages.pot is current: `make messages` was run after strings were added or changed."""
    committed = read(TEMPLATE)
    missing = _keys(extracted) - _keys(committed)
    stale = _keys(committed) - _keys(extracted)
    assert not missing, f"run `make messages`: {len(missing)} new strings, e.g. {sorted(missing)[:5]}"
    assert not stale, f"run `make messages`: {len(stale)} strings are gone, e.g. {sorted(stale)[:5]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_language_translates_every_message(extracted: Catalog, language: str):
    """No missing, empty or fuzzy translation; placeholders and plural forms intact."""
    found = list(problems(language, extracted))
    assert not found, f"{len(found)} problems, e.g.:\n" + "\n".join(found[:20])


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_is_the_one_read(language: str):
    """The app reads the compiled .mo built from the .po (a message comes back translated)."""
    catalog = read(po_path(language), language)
    sample = next(m for m in catalog if m.id and isinstance(m.id, str) and m.string and m.string != m.id)
    assert Translations.load(str(TRANSLATIONS), [language]).gettext(sample.id) == sample.string


def test_the_check_finds_a_broken_placeholder(tmp_path, monkeypatch, extracted: Catalog):
    """The check itself: a translation that loses a placeholder, or is missing, is reported."""
    template = Catalog()
    template.add("Added %(name)s.")
    template.add("Saved.")
    broken = Catalog(locale="de")
    broken.add("Added %(name)s.", "Hinzugefügt.")
    path = tmp_path / "de" / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    from babel.messages.pofile import write_po

    with path.open("wb") as handle:
        write_po(handle, broken)
    monkeypatch.setattr("cube.catalogues.TRANSLATIONS", tmp_path)
    found = list(problems("de", template))
    assert any("placeholders" in problem for problem in found), found
    assert any("missing 'Saved.'" in problem for problem in found), found


def test_every_file_that_marks_strings_is_extracted(extracted: Catalog):
    """Extraction looks everywhere strings are marked (Babel skips "_" folders such as _macros by default)."""
    from cube.catalogues import PACKAGE, ROOT

    seen = {path for message in extracted for path, _line in message.locations}
    marking = {
        str(path.relative_to(ROOT))
        for path in [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.html"), *PACKAGE.rglob("*.txt")]
        if "vendor" not in path.parts
        and any(call in path.read_text(errors="ignore") for call in ('_("', "_('", "{% trans", '_l("', "ngettext("))
    }
    assert marking - seen == set()
