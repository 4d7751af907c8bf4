"""Every sentence a person reads is marked for translation: templates, flash messages, domain
errors, form labels and the code's other words (extraction must find every string).

Templates: text between tags and the text attributes (title, placeholder, aria-label, alt,
label, value of a button) contain no words outside ``{% trans %}``/``_()``; a string literal in
an expression that reads like English is an argument of ``_``/``gettext``/``ngettext``.
Python: a string literal that reads like an English sentence sits inside a gettext call, unless
it is a docstring, a log message, or its line says ``# i18n: not shown`` (with the reason after).
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "cube" / "templates"
GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext", "_l", "lazy_gettext", "lazy_ngettext", "lazy_pgettext"}
TEXT_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "label", "data-confirm", "aria-description"}
WORD = re.compile(r"[^\W\d_]{2,}")
# Words that are the same in every language: the product's name, units and symbols.
NOT_WORDS = {"CUBE", "PRO", "CUBE-PRO", "QR", "CSV", "XLSX", "PDF", "KB", "SKU", "WO"}
# A literal that reads like English: a capitalised word followed by more words, or two plain words.
ENGLISH = re.compile(
    r"(?<![-\w.])[A-Z][a-z]+(?:\s+\S*[A-Za-z]\S*)+|(?<![-\w./])[a-z]{2,}\s+[a-z]{2,}(?![-\w./])|^[A-Z][a-z]{2,}[.!?:]?$"
)
NOT_SHOWN = "# i18n: not shown"


def _words(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if w not in NOT_WORDS and w.upper() not in NOT_WORDS]


class _TextFinder(HTMLParser):
    """Collects visible text and text attributes of an HTML fragment whose Jinja parts were blanked."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            shown = name in TEXT_ATTRIBUTES or (name == "value" and tag in {"input", "button"})
            if shown and value and _words(value) and not (name == "value" and tag == "input" and value != value):
                self.found.append(f'{tag}[{name}]="{value}"')

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and _words(data):
            self.found.append(data.strip())


JINJA = re.compile(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def unmarked_template_text(source: str) -> list[str]:
    """Words in the HTML of a template that no ``trans`` block or ``_()`` holds."""
    blanked = JINJA.sub(lambda m: "\x00" if m.group(0).startswith("{{") or "trans" in m.group(0)[:12] else "", source)
    finder = _TextFinder()
    finder.feed(blanked.replace("\x00", "0"))
    finder.close()
    return finder.found


def unmarked_template_literals(env: Environment, source: str) -> list[str]:
    """String literals in template expressions that read like English and are not gettext arguments."""
    tree = env.parse(source)
    marked: set[int] = set()
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in GETTEXT:
            marked.update(id(arg) for arg in call.args)
    found = []
    for const in tree.find_all(nodes.Const):
        if isinstance(const.value, str) and id(const) not in marked and ENGLISH.search(const.value):
            found.append(const.value)
    return found


def _templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt"})


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_text_is_marked(path: Path):
    """No English words in a template's HTML or expressions outside a translation call."""
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    source = path.read_text()
    problems = unmarked_template_text(source) + unmarked_template_literals(env, source)
    assert not problems, f"unmarked text in {path.relative_to(ROOT)}: {problems}"


def _python_files() -> list[Path]:
    return sorted((ROOT / "cube").rglob("*.py"))


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


LOGGING = {"debug", "info", "warning", "error", "exception", "critical", "log", "echo", "secho"}
# Text that is not shown to a person in the app: programming errors and exceptions the code raises
# for itself, SQL, and argument names.
PROGRAMMER_ERRORS = {"TypeError", "RuntimeError", "KeyError", "AssertionError", "NotImplementedError", "LookupError"}


def unmarked_python_text(source: str) -> list[str]:
    """English-looking string literals outside gettext calls, docstrings, logging and programmer errors."""
    tree = ast.parse(source)
    lines = source.splitlines()
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (
            (name := _call_name(node)) in GETTEXT or name in LOGGING or name in PROGRAMMER_ERRORS
        ):
            skip.update(id(inner) for inner in ast.walk(node))
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):  # the pieces of an f-string are judged together
            skip.update(id(inner) for inner in node.values)
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        span = "".join(lines[node.lineno - 1 : (node.end_lineno or node.lineno)])
        if ENGLISH.search(text) and NOT_SHOWN not in span:
            found.append(f"line {node.lineno}: {text!r}")
    return found


# Modules whose words only operators and developers read: the command line, configuration checks,
# the demo data (data as typed, like any admin's), and the translation tooling itself.
NOT_FOR_PEOPLE_IN_THE_APP = {"cli.py", "config.py", "demo.py", "catalogues.py", "languages.py"}


@pytest.mark.parametrize(
    "path",
    [p for p in _python_files() if p.name not in NOT_FOR_PEOPLE_IN_THE_APP],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_python_text_is_marked(path: Path):
    """Flash messages, domain errors, labels and sentences in code are wrapped in gettext."""
    problems = unmarked_python_text(path.read_text())
    assert not problems, f"unmarked text in {path.relative_to(ROOT)}:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Hello there</p>", ["Hello there"]),
        ('<p>{{ _("Hello there") }}</p>', []),
        ("<p>{% trans %}Hello {{ name }}{% endtrans %}</p>", []),
        ('<button title="Delete it">x</button>', ['button[title]="Delete it"']),
        ('<span class="badge text-bg-secondary">{{ n }}</span>', []),
        ("<p>CUBE-PRO · {{ v }}</p>", []),
    ],
)
def test_the_template_check_sees_unmarked_words(source: str, expected: list[str]):
    """The check itself: it finds words outside translation calls and nothing else."""
    assert unmarked_template_text(source) == expected


def test_the_literal_and_python_checks_see_unmarked_sentences():
    """The checks on expressions and code find English sentences, not CSS classes or endpoints."""
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    assert unmarked_template_literals(env, "{% set title = 'Your profile' %}") == ["Your profile"]
    assert unmarked_template_literals(env, "{% set title = _('Your profile') %}") == []
    assert unmarked_template_literals(env, "{{ x('btn btn-sm', 'users.list_users', 'due') }}") == []
    assert unmarked_python_text('flash("Profile saved.")') == ["line 1: 'Profile saved.'"]
    assert unmarked_python_text('flash(_("Profile saved."))') == []
    assert unmarked_python_text('raise ValidationFailed(f"Enter a name for {x}.")') != []
    assert unmarked_python_text('log.info("Started the worker")') == []
    assert unmarked_python_text('x = "Saved"  # i18n: not shown (a key)') == []
