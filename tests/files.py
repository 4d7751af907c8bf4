"""Sample file contents for upload tests: real images made by Pillow, and malformed ones."""

from __future__ import annotations

import os
import struct
import zlib
from io import BytesIO

from PIL import Image


def picture(
    fmt: str = "PNG",
    size: tuple[int, int] = (640, 480),
    mode: str = "RGB",
    color: object = None,
    **save: object,
) -> bytes:
    """A real image in ``fmt`` (any format Pillow writes: PNG, JPEG, GIF, WEBP, BMP...), plain ``color``."""
    if color is None:
        color = "orange" if mode in ("RGB", "P") else (255, 128, 0, 128) if mode == "RGBA" else 0
    image = Image.new(mode, size, color)
    buffer = BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def png(width: int = 40, height: int = 30) -> bytes:
    """A real PNG image of the given size."""
    return picture("PNG", (width, height))


def noise_png(size: tuple[int, int]) -> bytes:
    """A PNG that does not compress: about 3 bytes per pixel."""
    buffer = BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG header that claims enormous dimensions (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    body = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
