"""Take the README screenshots: a throwaway demo database, the app on loopback, Chromium.

Usage: .venv/bin/python scripts/screenshots.py  (or: make screenshots)
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cube import create_app  # noqa: E402
from cube.cli import DEMO_PASSWORD_DEFAULT  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
# (file name, path, signed in as)
SHOTS = [
    ("login", "/auth/login", None),
    ("dashboard", "/", "admin@example.com"),
    ("users", "/users", "admin@example.com"),
    ("roles", "/roles", "admin@example.com"),
    ("audit", "/audit", "admin@example.com"),
    ("profile", "/profile", "tech@example.com"),
    ("products", "/products", "manager@example.com"),
    ("product", "/products/2", "manager@example.com"),
    ("asset", "/assets/1", "manager@example.com"),
    ("import", "/import", "manager@example.com"),
    ("work_orders", "/work-orders", "supervisor@example.com"),
    ("work_order", "/work-orders/1", "supervisor@example.com"),
    ("board", "/work-orders/board", "supervisor@example.com"),
    ("calendar", "/work-orders/calendar", "supervisor@example.com"),
    ("work_order_de", "/work-orders/8", "lena@example.com"),  # Lena works in German
    ("request_ar", "/work-orders/9", "layla@example.com"),  # Layla works in Arabic, right to left
    ("settings", "/settings", "admin@example.com"),
]


def main() -> None:
    """Seed a temporary database and photograph each page."""
    workdir = Path(tempfile.mkdtemp(prefix="cube-shots-"))
    os.environ["CUBE_DEMO_PASSWORD"] = DEMO_PASSWORD_DEFAULT
    app = create_app(
        {"CUBE_ENV": "development", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'demo.db'}", "DEBUG": False}
    )
    runner = app.test_cli_runner()
    for command in (["db", "upgrade"], ["cube", "seed-demo"]):
        result = runner.invoke(args=command)
        if result.exit_code:
            raise SystemExit(result.output)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for name, path, email in SHOTS:
            context = browser.new_context(viewport={"width": 1280, "height": 760})
            page = context.new_page()
            if email:
                page.goto(f"{base}/auth/login")
                page.get_by_label("E-mail").fill(email)
                page.get_by_label("Password").fill(DEMO_PASSWORD_DEFAULT)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(f"{base}/")
            page.goto(base + path)
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=name in {"work_order", "product", "work_order_de"})
            context.close()
            print(f"saved docs/screenshots/{name}.png")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
