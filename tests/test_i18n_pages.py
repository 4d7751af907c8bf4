"""Every page a demo user can reach speaks their language.

For each shipped language, each demo user (one per role) walks every page linked from the
pages they see, starting at the dashboard. No text on a page may be an English message of the
catalogue shown untranslated (extraction finds marked strings; this finds marked strings that
were rendered without translation, e.g. translated at import time). Data people typed (names,
statuses, titles) is anything stored in the database, and is exempt. The page's ``lang`` and
``dir`` follow the language, and dates come in the locale's format.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cube.cli import DEMO_USERS
from cube.extensions import db
from cube.models import User
from tests.support import PageText, page_text, sign_in, stored_text, translated_english

PASSWORD = "pages-in-Every-language-9"
SKIP = re.compile(r"/static/|/logout|\.pdf$|/export|/qr|/download|/images/|/attachments/\d+$|/thumb")
MAX_PAGES = 150
# The locale's medium date with a short time, as the work order list shows due dates.
DATE_FORMATS = {
    "de": re.compile(r"\b\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}\b"),
    "fr": re.compile(r"\b\d{1,2} [a-zéû]+\.? \d{4}, \d{2}:\d{2}\b"),
    "es": re.compile(r"\b\d{1,2} [a-z]+\.? \d{4}, \d{1,2}:\d{2}\b"),
    "ar": re.compile(r"\d{2}\u200f/\d{2}\u200f/\d{4}"),
}


def _walk(client: FlaskClient, start: str = "/") -> dict[str, PageText]:
    """Breadth-first over same-site links (one URL per path), answering 200 with HTML."""
    seen_paths: set[str] = set()
    pages: dict[str, PageText] = {}
    queue = deque([start])
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        path = urlsplit(url).path
        if path in seen_paths or SKIP.search(path):
            continue
        seen_paths.add(path)
        response = client.get(url)
        if response.status_code != 200 or not response.mimetype.startswith("text/html"):
            response.close()  # a download streams: let it finish
            assert response.status_code in {200, 302, 404}, (url, response.status_code)
            continue
        page = page_text(response.get_data(as_text=True))
        pages[url] = page
        queue.extend(urljoin(url, link) for link in page.links)
    return pages


@pytest.mark.parametrize("language", ["de", "es", "fr", "ar"])
def test_every_reachable_page_speaks_the_language(app: Flask, runner, language: str):
    """Each demo role walks its pages in ``language``: nothing English from the catalogue shows."""
    result = runner.invoke(args=["cube", "seed-demo"], env={"CUBE_DEMO_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    stored = stored_text()
    assert len(translated_english(language)) > 500, "the catalogue holds the application's messages"
    problems: dict[str, set[str]] = {}
    walked = 0
    for email, *_rest in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        user.language = language
        db.session.commit()
        client = app.test_client()
        assert sign_in(client, email, PASSWORD).status_code == 302
        pages = _walk(client)
        walked += len(pages)
        for url, page in pages.items():
            assert page.lang == language, url
            assert page.dir == ("rtl" if language == "ar" else "ltr"), url
            untranslated = {text for text in page.texts if text in translated_english(language) and text not in stored}
            if untranslated:
                problems[f"{email} {url}"] = untranslated
    assert walked > 60
    assert not problems, problems


@pytest.mark.parametrize("language", ["de", "es", "fr", "ar"])
def test_dates_follow_the_locale(app: Flask, runner, language: str, locale_dates: None):
    """With the "locale" date style, the work order list shows due dates the way the language writes them."""
    runner.invoke(args=["cube", "seed-demo"], env={"CUBE_DEMO_PASSWORD": PASSWORD})
    user = db.session.scalar(select(User).where(User.email == "supervisor@example.com"))
    user.language = language
    db.session.commit()
    client = app.test_client()
    sign_in(client, "supervisor@example.com", PASSWORD)
    html = client.get("/work-orders").get_data(as_text=True)
    assert DATE_FORMATS[language].search(html), f"no {language} date on the list"
