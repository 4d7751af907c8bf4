"""Throughput through Gunicorn: each page's requests per second against ``/healthz`` on the same server.

For each database (PostgreSQL at 10,000 and 1,000,000 work orders, SQLite at
10,000) the harness builds a fresh database with set-based SQL, starts
Gunicorn with the project's production settings (``gunicorn.conf.py``,
``CUBE_ENV=production``) on a free loopback port, signs in as each role
through the sign-in form, and drives every page with ``wrk`` at a fixed
concurrency for a fixed time. A Lua ``response`` hook counts every answer that
is not the expected status (wrk itself counts a redirect to the sign-in page as
a success), and every request carries the User-Agent the session was signed
in with (strong session protection binds the session to it).

    python -m bench throughput [--sizes 10000 1000000] [--sqlite] [--duration 10] [--markdown FILE]

It prints, per page: requests per second, p50 and p99 latency, the ratio to
``/healthz`` of the same server in the same run, the target and whether it is
met. ``docs/performance.md`` explains the figures.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select, update
from sqlalchemy.engine import URL

from bench import data
from bench.catalog import fresh_database
from cube import create_app
from cube.actors import SYSTEM
from cube.auth import services as auth
from cube.extensions import db
from cube.models import Status, Transition, WorkOrder
from cube.users import roles as role_service
from cube.users import services as user_service

ROOT = Path(__file__).resolve().parent.parent
USER_AGENT = "cube-bench/1 (wrk)"
PASSWORD = "bench-Passphrase-2026"
ROLES = ("admin", "manager", "supervisor", "technician", "requester")
BENCH_TEAM = 3  # the bench technician and supervisor work in this team
DETAIL_ID = 4242  # a work order of team 3 (team 1 + id % 20), visible to its technician
PRODUCTS = 10_000
MOVEMENTS = 100_000
TRANSITIONS = 40_000  # work orders put in the transition's source status (each is moved once)
PROFILE = "/profile"  # a page with a form for every role: where the bench reads its CSRF token


@dataclass(frozen=True)
class Page:
    """One page driven by wrk: who asks, what, what answer counts as success, and the target ratio."""

    label: str
    role: str | None
    path: str
    target: float
    method: str = "GET"
    expect: int = 200
    body: str = ""  # form fields; "{csrf}" is replaced by the session's token
    paths_from: str = ""  # "transition": one path per request, each a different work order


PAGES = (
    Page("healthz (ceiling)", None, "/healthz", 1.0),
    Page("home, admin", "admin", "/", 0.5),
    Page("home, manager", "manager", "/", 0.5),
    Page("home, supervisor", "supervisor", "/", 0.5),
    Page("home, technician", "technician", "/", 0.5),
    Page("home, requester", "requester", "/", 0.5),
    Page("list, manager", "manager", "/work-orders", 0.20),
    Page("list, technician", "technician", "/work-orders", 0.20),
    Page("list, filtered", "manager", "/work-orders?status=4&team=3&priority=1", 0.20),
    Page("list, page 200", "manager", "/work-orders?page=200", 0.20),
    Page("search", "manager", "/work-orders?q=compressor+4245", 0.15),
    Page("detail, manager", "manager", f"/work-orders/{DETAIL_ID}", 0.20),
    Page("detail, technician", "technician", f"/work-orders/{DETAIL_ID}", 0.20),
    Page(
        "create (POST)",
        "manager",
        "/work-orders/new",
        0.10,
        method="POST",
        expect=302,
        body="csrf_token={csrf}&title=Bench+work&type_id=1&priority_id=2",
    ),
    Page("board", "manager", "/work-orders/board", 0.10),
    Page("products", "manager", "/products", 0.20),
    Page("product detail", "manager", "/products/424", 0.20),
    Page(
        "transition (POST)",
        "manager",
        "",
        0.10,
        method="POST",
        expect=302,
        body="csrf_token={csrf}&transition_id={transition}",
        paths_from="transition",
    ),
)
CEILING = PAGES[0]


@dataclass
class Result:
    """What wrk measured for one page."""

    requests: int
    seconds: float
    wrong: int  # answers other than the expected status (or a redirect to the sign-in page)
    errors: int  # socket errors and timeouts
    p50_ms: float
    p99_ms: float
    used: int  # how far into the page's list of paths the run went

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Fixture:
    """The transition the bench drives, and the work orders staged in its source status (each moved once)."""

    transition_id: int
    source_status_id: int
    work_order_ids: list[int] = field(default_factory=list)


# --- the database -----------------------------------------------------------------------------


def prepare(url: str, work_orders: int, products: int = PRODUCTS, movements: int = MOVEMENTS) -> Fixture:
    """Schema, built-in roles, bench data, one person per role, and the transition fixture."""
    app = create_app({"CUBE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        role_service.ensure_builtin_roles()
        db.session.commit()
        started = time.perf_counter()
        data.fill(work_orders, products, movements)
        print(f"  filled {work_orders:,} work orders in {time.perf_counter() - started:.1f} s", flush=True)
        for role in ROLES:
            teams = (BENCH_TEAM,) if role in ("technician", "supervisor") else ()
            person = user_service.UserData(
                email=f"bench-{role}@example.com",
                name=f"Bench {role.title()}",
                role_id=role_service.role_by_name(role).id,
                team_ids=teams,
            )
            user = user_service.create_user(SYSTEM, person, invite=False)
            auth.set_password(user, PASSWORD, actor=None, reason="bench")
        fixture = _transition_fixture()
        db.session.commit()
    with app.app_context():
        db.engine.dispose()
    return fixture


def _transition_fixture() -> Fixture:
    """The first transition out of the initial status (the one a technician takes to start work)."""
    initial = db.session.scalar(select(Status).where(Status.is_initial.is_(True)))
    transition = db.session.scalars(
        select(Transition).where(Transition.from_status_id == initial.id).order_by(Transition.position)
    ).first()
    if initial is None or transition is None:
        raise SystemExit("no transition out of the initial status")
    return Fixture(transition.id, initial.id)


def stage_transitions(url: str, fixture: Fixture, work_orders: int) -> None:
    """Put the newest work orders (up to TRANSITIONS) in the transition's source status, just before it is driven."""
    first = max(1, work_orders - TRANSITIONS + 1)
    app = create_app({"CUBE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.session.execute(
            update(WorkOrder)
            .where(WorkOrder.id >= first)
            .values(status_id=fixture.source_status_id)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        db.engine.dispose()
    fixture.work_order_ids = list(range(first, work_orders + 1))


# --- the server ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(url: str, log: Path) -> Iterator[int]:
    """Gunicorn with the production settings on a free loopback port (stopped afterwards)."""
    port = _free_port()
    env = {
        **os.environ,
        "CUBE_ENV": "production",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "BASE_URL": f"http://127.0.0.1:{port}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("FLASK_DEBUG", None)
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"]
    with log.open("w") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(port, server)
            yield port
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    for _ in range(150):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {server.returncode}); see its log")
        try:
            status, _headers, _body = _request(port, "GET", "/healthz", {})
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz")


# --- signing in ---------------------------------------------------------------------------------


def _request(port: int, method: str, path: str, headers: dict[str, str], body: str = "") -> tuple[int, dict, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body or None, headers={"User-Agent": USER_AGENT, **headers})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
    finally:
        connection.close()


class Session:
    """A browser-like session: the cookie Gunicorn last set, sent with the bench's User-Agent."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""

    def call(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, dict, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = urllib.parse.urlencode(form or {})
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, answer_headers, text = _request(self.port, method, path, headers, body)
        if match := re.match(r"\s*(session=[^;]*)", answer_headers.get("set-cookie", "")):
            self.cookie = match.group(1)
        return status, answer_headers, text

    def csrf(self, path: str) -> str:
        status, _headers, page = self.call("GET", path)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if status != 200 or match is None:
            raise SystemExit(f"no CSRF token on {path} (status {status})")
        return match.group(1)


def sign_in(port: int, role: str) -> tuple[Session, str]:
    """A session signed in as the bench person of ``role``, and a CSRF token for its forms."""
    session = Session(port)
    token = session.csrf("/auth/login")
    status, headers, _page = session.call(
        "POST", "/auth/login", {"csrf_token": token, "email": f"bench-{role}@example.com", "password": PASSWORD}
    )
    if status != 302 or "/auth/login" in headers.get("location", ""):
        raise SystemExit(f"signing in as {role} failed (status {status})")
    status, _headers, _page = session.call("GET", "/")
    if status != 200:
        raise SystemExit(f"the home page answered {status} to {role}")
    return session, session.csrf(PROFILE)


# --- wrk ----------------------------------------------------------------------------------------

LUA = """
wrk.method = {method}
wrk.headers["User-Agent"] = {agent}
{cookie}
{content_type}
local paths = {{{paths}}}
local body = {body}
local expect = {expect}
local threads = {{}}
local thread_count = 0

function setup(thread)
  thread:set("first", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

function init(args)
  wrong = 0
  wrong_statuses = ""
  step = first
end

function request()
  local index = (step % #paths) + 1
  step = step + {stride}
  return wrk.format(nil, paths[index], nil, body)
end

function response(status, headers, body)
  local location = headers["Location"] or ""
  if status ~= expect or string.find(location, "/auth/login", 1, true) then
    wrong = wrong + 1
    if wrong <= 3 then
      wrong_statuses = wrong_statuses .. " " .. status .. " " .. location
    end
  end
end

function done(summary, latency, requests)
  local wrong_total = 0
  local samples = ""
  local used = 0
  for _, thread in ipairs(threads) do
    used = math.max(used, thread:get("step"))
    wrong_total = wrong_total + thread:get("wrong")
    samples = samples .. thread:get("wrong_statuses")
  end
  if wrong_total > 0 then
    io.write("WRONG" .. samples .. "\\n")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {{"requests": %d, "microseconds": %d, "wrong": %d, "errors": %d, "p50": %d, "p99": %d, "used": %d}}\\n',
    summary.requests, summary.duration, wrong_total, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), used))
end
"""


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal for this text


def wrk(
    port: int,
    page: Page,
    session: Session | None,
    csrf: str,
    fixture: Fixture,
    seconds: int,
    *,
    agent: str = USER_AGENT,
) -> Result:
    """Drive ``page`` with wrk for ``seconds`` at the bench's concurrency (``agent``: the User-Agent sent)."""
    if page.paths_from == "transition":
        paths = [f"/work-orders/{work_order}/transition" for work_order in fixture.work_order_ids]
    else:
        paths = [page.path]
    body = page.body.format(csrf=urllib.parse.quote(csrf), transition=fixture.transition_id)
    script = LUA.format(
        method=_lua_string(page.method),
        agent=_lua_string(agent),
        cookie=f'wrk.headers["Cookie"] = {_lua_string(session.cookie)}' if session else "",
        content_type='wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"' if body else "",
        paths=", ".join(_lua_string(path) for path in paths),
        body=_lua_string(body) if body else "nil",
        expect=page.expect,
        stride=THREADS,
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "-s", handle.name]
        output = subprocess.run(
            [*command, f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True
        ).stdout
    finally:
        os.unlink(handle.name)
    line = next((line for line in output.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result for {page.label}:\n{output}")
    figures = json.loads(line.removeprefix("RESULT "))
    for wrong in (line for line in output.splitlines() if line.startswith("WRONG")):
        print(f"    {page.label}: unexpected answers, for example:{wrong.removeprefix('WRONG')}", flush=True)
    return Result(
        requests=figures["requests"],
        seconds=figures["microseconds"] / 1e6,
        wrong=figures["wrong"],
        errors=figures["errors"],
        p50_ms=figures["p50"] / 1000,
        p99_ms=figures["p99"] / 1000,
        used=figures["used"],
    )


THREADS = 2
CONNECTIONS = 16


# --- one run --------------------------------------------------------------------------------------


def measure(label: str, url: str, work_orders: int, seconds: int, pages: tuple[Page, ...]) -> dict[str, Result]:
    """Prepare the database, serve it, and drive every page; returns each page's result."""
    print(f"{label}: {work_orders:,} work orders", flush=True)
    fixture = prepare(url, work_orders)
    results: dict[str, Result] = {}
    log = Path(tempfile.gettempdir()) / f"cube-bench-gunicorn-{os.getpid()}.log"
    with gunicorn(url, log) as port:
        sessions = {role: sign_in(port, role) for role in ROLES}
        for page in pages:
            session, csrf = sessions[page.role] if page.role else (None, "")
            if page.paths_from:
                stage_transitions(url, fixture, work_orders)
            warm = wrk(port, page, session, csrf, fixture, max(2, seconds // 5))  # every worker compiles and caches
            if page.paths_from:  # the warm-up moved these
                fixture.work_order_ids = fixture.work_order_ids[warm.used :]
            results[page.label] = result = wrk(port, page, session, csrf, fixture, seconds)
            print(f"  {page.label:<20} {result.rate:>8.1f} req/s  wrong {result.wrong}", flush=True)
    return results


def table(label: str, results: dict[str, Result]) -> list[str]:
    """The run as a Markdown table: each page against the ceiling of the same server."""
    ceiling = results[CEILING.label]
    lines = [
        f"**{label}**",
        "",
        "| page | req/s | p50 ms | p99 ms | ratio | target | met | not 2xx/3xx as expected |",
        "| --- | ---: | ---: | ---: | ---: | ---: | :---: | ---: |",
    ]
    for page in PAGES:
        if page.label not in results:
            continue
        result = results[page.label]
        ratio = result.rate / ceiling.rate if ceiling.rate else 0.0
        p99_ok = result.p99_ms <= 10 * ceiling.p99_ms
        met = ratio >= page.target and p99_ok and result.wrong == 0 and result.errors == 0
        mark = "yes" if met else ("no (p99)" if ratio >= page.target and not p99_ok else "no")
        lines.append(
            f"| {page.label} | {result.rate:.1f} | {result.p50_ms:.1f} | {result.p99_ms:.1f} | {ratio:.3f}"
            f" | {page.target:.2f} | {mark} | {result.wrong + result.errors} |"
        )
    return lines


@contextmanager
def sqlite_database() -> Iterator[str]:
    """A fresh SQLite file in a temporary folder (WAL, as the embedded default runs)."""
    folder = Path(tempfile.mkdtemp(prefix="cube-bench-"))
    try:
        yield f"sqlite:///{folder / 'workorder.db'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(server: URL, sizes: list[int], *, sqlite: bool, seconds: int, markdown: Path | None, only: list[str]) -> None:
    """Every size on PostgreSQL (and SQLite at the smallest), then the tables; ``only``: pages whose label has one
    of these words (the ceiling always runs)."""
    pages = tuple(page for page in PAGES if page is CEILING or not only or any(word in page.label for word in only))
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    runs: list[tuple[str, dict[str, Result]]] = []
    if sqlite:
        with sqlite_database() as url:
            runs.append((f"SQLite, {min(sizes):,} work orders", measure("SQLite", url, min(sizes), seconds, pages)))
    for size in sizes:
        with fresh_database(server) as url:
            runs.append((f"PostgreSQL, {size:,} work orders", measure("PostgreSQL", url, size, seconds, pages)))
    lines = [
        f"wrk -t{THREADS} -c{CONNECTIONS} -d{seconds}s on {os.cpu_count()} cores; Gunicorn with gunicorn.conf.py",
        "",
    ]
    for label, results in runs:
        lines += [*table(label, results), ""]
    text = "\n".join(lines)
    print()
    print(text)
    if markdown:
        markdown.write_text(text + "\n")
