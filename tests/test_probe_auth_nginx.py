"""The shipped nginx.conf, run by a real Nginx on loopback (issue 8, finding 1): only the named host
reaches the app; any other Host or TLS server name is dropped."""

from __future__ import annotations

import http.client
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
HOST = "cube.example.com"  # the placeholder host name in nginx.conf


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def echo(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The upstream: answers with the Host and X-Forwarded-For it received."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{environ.get('HTTP_HOST')}|{environ.get('HTTP_X_FORWARDED_FOR')}".encode()]


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    """nginx.conf served by a real Nginx in front of an echo server; yields (http port, https port)."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        pytest.fail("Nginx is not installed (apt-get install nginx)")
    tmp = tmp_path_factory.mktemp("nginx")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={HOST}",
         "-keyout", str(tmp / "cube.key"), "-out", str(tmp / "cube.crt")],
        check=True, capture_output=True,
    )  # fmt: skip
    upstream = make_server("127.0.0.1", 0, echo, threaded=True)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    plain, tls = free_port(), free_port()
    site = (ROOT / "nginx.conf").read_text()
    for old, new in {
        "127.0.0.1:8000": f"127.0.0.1:{upstream.server_port}",
        "listen 80": f"listen 127.0.0.1:{plain}",
        "listen 443": f"listen 127.0.0.1:{tls}",
        "/etc/ssl/certs/cube.crt": str(tmp / "cube.crt"),
        "/etc/ssl/private/cube.key": str(tmp / "cube.key"),
        "/app/cube/static/": str(ROOT / "cube" / "static") + "/",
    }.items():
        assert old in site, old
        site = site.replace(old, new)
    (tmp / "cube.conf").write_text(site)
    temp_paths = "".join(
        f"{kind}_temp_path {tmp}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp / "nginx.conf").write_text(
        f"daemon off;\nworker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\n"
        f"events {{}}\nhttp {{\naccess_log off;\n{temp_paths}include {tmp}/cube.conf;\n}}\n"
    )
    process = subprocess.Popen([binary, "-p", str(tmp), "-c", str(tmp / "nginx.conf")], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", tls), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"nginx did not start: {process.stderr.read().decode() if process.stderr else ''}")
            time.sleep(0.05)
    yield plain, tls
    process.terminate()
    process.wait(timeout=10)
    upstream.shutdown()


def get(port: int, host: str, path: str = "/", *, tls: bool = False, sni: str | None = None, **headers: str):
    """One request straight to Nginx; returns (status, location, body)."""
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn: http.client.HTTPConnection = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=context)
        conn.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname=sni or host)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path, headers={"Host": host, **headers})
        response = conn.getresponse()
        return response.status, response.getheader("Location"), response.read().decode()
    finally:
        conn.close()


def test_the_named_host_reaches_the_app(nginx):
    plain, tls = nginx
    status, _, body = get(tls, HOST, tls=True, **{"X-Forwarded-For": "198.51.100.1"})
    assert status == 200
    host, forwarded = body.split("|")
    assert host == HOST
    assert forwarded.split(", ")[-1] == "127.0.0.1"  # the app (PROXY_COUNT=1) takes the address Nginx saw
    assert get(plain, HOST, "/healthz")[0] == 200
    assert get(plain, HOST, "/users?page=2")[:2] == (301, f"https://{HOST}/users?page=2")


def dropped(port: int, host: str, **options: Any) -> bool:
    """True when Nginx closes the connection without an answer (return 444)."""
    try:
        get(port, host, **options)
    except (http.client.RemoteDisconnected, ConnectionResetError):
        return True
    return False


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1", "cube.example.com.evil.example"])
def test_any_other_host_is_dropped_without_an_answer(nginx, host):
    plain, tls = nginx
    assert dropped(plain, host)
    assert dropped(tls, host, tls=True, sni=HOST)  # the right TLS name, another Host header


def test_an_empty_host_never_reaches_the_app(nginx):
    plain, _ = nginx
    status, _, body = get(plain, "")
    assert status == 400  # Nginx itself refuses an HTTP/1.1 request with an empty Host
    assert "|" not in body


def test_an_unknown_tls_server_name_is_refused_at_the_handshake(nginx):
    _, tls = nginx
    with pytest.raises(ssl.SSLError):
        get(tls, "evil.example", tls=True)
