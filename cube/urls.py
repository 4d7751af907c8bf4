"""Links that leave the page (e-mails, PDFs, QR codes), built from the configured BASE_URL.

Never from the request's Host header: a forged Host would otherwise end up in a
password-reset mail. Works inside and outside a request (CLI, jobs).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint`` (a full ``blueprint.view`` name) under BASE_URL."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)
