"""QR codes that lead a phone to an asset's page."""

from __future__ import annotations

from io import BytesIO

import segno


def qr_svg(content: str) -> bytes:
    """A regular (not Micro) QR code for ``content`` as SVG: error level M, scale 4, border 2."""
    code = segno.make_qr(content, error="m", boost_error=False)
    buffer = BytesIO()
    code.save(buffer, kind="svg", scale=4, border=2)
    return buffer.getvalue()
