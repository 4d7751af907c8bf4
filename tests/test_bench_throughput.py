"""The throughput harness does not lie: wrk's Lua hook counts every answer that is not the page's own.

wrk by itself counts a redirect to the sign-in page as a success, and strong session
protection turns a request with another User-Agent into one; the harness must catch both,
or a page that only redirects would look fast. This runs the harness's own Gunicorn (production
settings) on a small SQLite database and drives it with wrk for a second at a time; it checks
what was counted, not how fast anything was.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import throughput

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)")

LIST = throughput.Page("list, technician", "technician", "/work-orders", 0.2)
WORK_ORDERS = 3_000  # more than three seconds of transitions can move: each moves a different one
SECONDS = 3  # long enough for some answers on a busy machine (what is checked is what was counted, not speed)


def warmed(port: int, role: str) -> tuple[throughput.Session, str]:
    """A signed-in session after each worker has rendered the list once (templates compiled)."""
    session, csrf = throughput.sign_in(port, role)
    for _ in range(4):
        assert session.call("GET", LIST.path)[0] == 200
    return session, csrf


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, throughput.Fixture, str]]:
    """The harness's Gunicorn over a small bench database, two workers."""
    folder = tmp_path_factory.mktemp("throughput")
    url = f"sqlite:///{folder / 'bench.db'}"
    fixture = throughput.prepare(url, WORK_ORDERS, products=30, movements=60)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GUNICORN_WORKERS", "2")
        with throughput.gunicorn(url, Path(folder / "gunicorn.log")) as port:
            yield port, fixture, url


def test_a_signed_in_page_counts_only_its_own_answers(served: tuple[int, throughput.Fixture, str]) -> None:
    port, fixture, _url = served
    session, csrf = warmed(port, "technician")
    result = throughput.wrk(port, LIST, session, csrf, fixture, SECONDS)
    assert result.requests > 0
    assert (result.wrong, result.errors) == (0, 0)


def test_redirects_to_the_sign_in_page_are_counted_as_wrong(served: tuple[int, throughput.Fixture, str]) -> None:
    port, fixture, _url = served
    stranger = throughput.Session(port)
    stranger.cookie = "session=not-a-signed-cookie"
    result = throughput.wrk(port, LIST, stranger, "", fixture, SECONDS)
    assert result.requests > 0
    assert result.wrong == result.requests  # every answer was a 302 to /auth/login, which wrk calls a success


def test_another_user_agent_loses_the_session_and_is_counted(served: tuple[int, throughput.Fixture, str]) -> None:
    port, fixture, _url = served
    session, csrf = warmed(port, "technician")
    result = throughput.wrk(port, LIST, session, csrf, fixture, SECONDS, agent="another-browser/1")
    assert result.requests > 0
    assert result.wrong == result.requests
    # The same session with the User-Agent it signed in with still works: the bench sends that one.
    session, csrf = warmed(port, "technician")
    assert throughput.wrk(port, LIST, session, csrf, fixture, SECONDS).wrong == 0


def test_a_post_expects_its_redirect_and_each_transition_moves_a_different_work_order(
    served: tuple[int, throughput.Fixture, str],
) -> None:
    port, fixture, url = served
    session, csrf = throughput.sign_in(port, "manager")
    transition = next(page for page in throughput.PAGES if page.paths_from == "transition")
    throughput.stage_transitions(url, fixture, WORK_ORDERS)
    result = throughput.wrk(port, transition, session, csrf, fixture, SECONDS)
    assert result.requests > 0
    assert (result.wrong, result.errors) == (0, 0)  # a second move of the same work order would be refused (409)
    assert 0 < result.used <= len(fixture.work_order_ids)
