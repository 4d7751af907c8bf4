"""Product pictures: checked by content, stored with a thumbnail, kept in order."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePath

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps
from sqlalchemy import func, select

from cube import audit, storage
from cube.actors import Actor
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.i18n import number
from cube.models import Product, ProductImage
from cube.products.catalog import require_manager

# Pillow format -> (content type, file extension). MPO is the multi-picture JPEG many cameras write.
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "MPO": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}
OPENERS = ["JPEG", "PNG", "GIF", "WEBP"]  # the only parsers Pillow may try (its JPEG one also yields MPO)
CONTENT_TYPES = {extension: content_type for content_type, extension in FORMATS.values()}
THUMBNAIL_SIZE = (320, 320)
NOT_AN_IMAGE = _l("This file is not a JPEG, PNG, GIF or WebP image.")
TOO_MANY_PIXELS = _l("This image has too many pixels to be processed safely.")
# A product photo needs far less than 40 megapixels (a 7,700 x 5,200 camera picture); decoding one takes
# width x height x 4 bytes of memory, so the header's dimensions are checked against this before decoding.
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class Checked:
    """What a valid upload turned out to be."""

    content_type: str
    extension: str
    width: int
    height: int
    thumbnail: bytes
    thumbnail_extension: str


def _pixel_limit() -> int:
    """The most pixels an upload may have: MAX_PIXELS, or Pillow's own limit when that is lower."""
    limit = Image.MAX_IMAGE_PIXELS
    return MAX_PIXELS if limit is None else min(MAX_PIXELS, int(limit))


def _check_dimensions(width: int, height: int) -> None:
    """Refuse an image whose header declares more pixels than a product photo needs, before any decoding."""
    limit = _pixel_limit()
    if width * height > limit:
        raise ValidationFailed(
            _(
                "This image has too many pixels (%(width)s x %(height)s); "
                "product photos can have at most %(megapixels)s megapixels.",
                width=number(width),
                height=number(height),
                megapixels=number(limit / 1_000_000),
            ),
            field="image",
        )


def _thumbnail(image: Image.Image) -> tuple[bytes, str]:
    """A re-encoded (metadata-free) preview of at most 320x320, PNG when transparent, else JPEG.

    ``thumbnail`` shrinks before the first full decode: a JPEG is decoded at 1/2, 1/4 or 1/8 scale
    (``draft``), other formats are reduced by whole factors before resampling (``reducing_gap``); the
    EXIF turn is applied to the small picture only.
    """
    image.thumbnail(THUMBNAIL_SIZE, reducing_gap=2.0)
    image = ImageOps.exif_transpose(image)
    buffer = BytesIO()
    if image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info:
        image.convert("RGBA").save(buffer, "PNG", optimize=True)
        return buffer.getvalue(), "png"
    image.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True)
    return buffer.getvalue(), "jpg"


def check_image(data: bytes) -> Checked:
    """Accept only a complete JPEG, PNG, GIF or WebP of a sane size; raise ValidationFailed otherwise."""
    limit = current_app.config["IMAGE_MAX_BYTES"]
    if len(data) > limit:
        raise ValidationFailed(
            _("Images can be at most %(size)s MB.", size=number(limit / (1024 * 1024))), field="image"
        )
    if not data:
        raise ValidationFailed(_("The file is empty."), field="image")
    try:
        # Image.open only reads the header: the size is known before a single pixel is decoded.
        with Image.open(BytesIO(data), formats=OPENERS) as probe:
            _check_dimensions(*probe.size)
            probe.verify()  # structure and checksums, without decoding
        with Image.open(BytesIO(data), formats=OPENERS) as image:
            if image.format not in FORMATS:
                raise ValidationFailed(str(NOT_AN_IMAGE), field="image")
            content_type, extension = FORMATS[image.format]
            width, height = image.size
            thumbnail, thumbnail_extension = _thumbnail(image)
    except ValidationFailed:
        raise
    except Image.DecompressionBombError as exc:  # Pillow's own check in Image.open (over twice its limit)
        raise ValidationFailed(str(TOO_MANY_PIXELS), field="image") from exc
    except Exception as exc:  # Pillow raises many kinds of errors on hostile or broken files
        raise ValidationFailed(str(NOT_AN_IMAGE), field="image") from exc
    return Checked(content_type, extension, width, height, thumbnail, thumbnail_extension)


def clean_filename(filename: str) -> str:
    """The uploaded name as metadata: its last path part, printable characters only, at most 255."""
    base = PurePath(filename.replace("\\", "/")).name
    printable = "".join(ch for ch in base if ch.isprintable()).strip()[:255]
    return printable if printable.strip(".") else "image"


def add_image(actor: Actor, product: Product, filename: str, data: bytes) -> ProductImage:
    """Validate an upload by its content, store it and its thumbnail, and add it last to the product."""
    require_manager(actor)
    checked = check_image(data)
    last = db.session.scalar(select(func.max(ProductImage.position)).where(ProductImage.product_id == product.id))
    stored_name = storage.save("images", data, checked.extension)
    thumbnail_name = storage.save("images", checked.thumbnail, checked.thumbnail_extension)
    image = ProductImage(
        stored_name=stored_name,
        thumbnail_name=thumbnail_name,
        original_name=clean_filename(filename),
        content_type=checked.content_type,
        size_bytes=len(data),
        width=checked.width,
        height=checked.height,
        position=0 if last is None else last + 1,
    )
    product.images.append(image)
    db.session.flush()
    audit.record(
        "product.image_added", actor=actor, target=product, image_id=image.id, original_name=image.original_name
    )
    return image


def delete_image(actor: Actor, image: ProductImage) -> None:
    """Remove a picture; its files go once the removal commits."""
    require_manager(actor)
    product = image.product
    audit.record(
        "product.image_removed", actor=actor, target=product, image_id=image.id, original_name=image.original_name
    )
    product.images.remove(image)
    storage.delete(image.stored_name)
    storage.delete(image.thumbnail_name)
    db.session.flush()


def _ordered(image: ProductImage) -> tuple[list[ProductImage], int]:
    """The product's pictures in order, and where ``image`` is among them."""
    ordered = sorted(image.product.images, key=lambda item: (item.position, item.id))
    return ordered, ordered.index(image)


def can_move(image: ProductImage, direction: str) -> bool:
    """True when the picture has a neighbour that way ("up" = earlier, "down" = later)."""
    ordered, index = _ordered(image)
    target = {"up": index - 1, "down": index + 1}.get(direction, -1)
    return 0 <= target < len(ordered)


def move_image(actor: Actor, image: ProductImage, direction: str) -> bool:
    """Swap a picture with its neighbour ("up" = earlier); False when it is already at that end."""
    require_manager(actor)
    if direction not in {"up", "down"}:
        raise ValidationFailed(_("Move an image up or down."), field="direction")
    if not can_move(image, direction):
        return False
    ordered, index = _ordered(image)
    target = index - 1 if direction == "up" else index + 1
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered):  # renumbering also mends gaps and ties
        item.position = position
    db.session.flush()
    audit.record(
        "product.image_moved",
        actor=actor,
        target=image.product,
        image_id=image.id,
        direction=direction,
        position=target,
    )
    return True
