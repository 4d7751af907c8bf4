"""Files on work orders: checked by content, stored under random names, removed by their uploader or an editor."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePath

import filetype
import olefile
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cube import storage
from cube.actors import Actor, person_id
from cube.errors import NotAllowed, ValidationFailed
from cube.extensions import db
from cube.i18n import number
from cube.models import Attachment, WorkOrder
from cube.products.images import FORMATS as IMAGE_FORMATS
from cube.products.images import OPENERS as IMAGE_OPENERS
from cube.workorders import events
from cube.workorders.rules import ensure_changeable, is_changeable

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
KIND = "attachments"  # the storage folder
NOT_ACCEPTED = _l(
    "This kind of file is not accepted. Attach a JPEG, PNG, GIF or WebP image, a PDF, "
    "an office document (Word, Excel, PowerPoint, OpenDocument) or plain text."
)
MACROS = _l("Office documents with macros are not accepted.")
EMPTY = _l("The file is empty.")
# How much of an office document's index we read to learn what it is (a real one is a few KB).
MAX_INDEX_BYTES = 512 * 1024


@dataclass(frozen=True)
class FileKind:
    """What an accepted file is: its content type, the extension we store it under, and other usual extensions."""

    content_type: str
    extension: str
    aliases: tuple[str, ...] = ()


KINDS: dict[str, FileKind] = {
    kind.extension: kind
    for kind in (
        FileKind("image/jpeg", "jpg", ("jpeg", "jpe")),
        FileKind("image/png", "png"),
        FileKind("image/gif", "gif"),
        FileKind("image/webp", "webp"),
        FileKind("application/pdf", "pdf"),
        FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
        FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        FileKind("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
        FileKind("application/vnd.oasis.opendocument.text", "odt"),
        FileKind("application/vnd.oasis.opendocument.spreadsheet", "ods"),
        FileKind("application/vnd.oasis.opendocument.presentation", "odp"),
        FileKind("application/msword", "doc", ("dot",)),
        FileKind("application/vnd.ms-excel", "xls", ("xlt",)),
        FileKind("application/vnd.ms-powerpoint", "ppt", ("pps",)),
        FileKind("text/plain", "txt", ("text", "log")),
        FileKind("text/csv", "csv"),
    )
}
# The main part of an OOXML package, as its [Content_Types].xml declares it.
OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
# The first entry of an OpenDocument package is a file named "mimetype" holding one of these.
ODF_MIMETYPES = {KINDS[ext].content_type: ext for ext in ("odt", "ods", "odp")}
# The stream that makes a legacy (OLE2) file a Word, Excel or PowerPoint document; MSI installers and other
# OLE containers have none of them.
OLE_STREAMS = {
    "worddocument": "doc",
    "workbook": "xls",
    "book": "xls",
    "powerpoint document": "ppt",  # i18n: not shown (a stream name inside the file)
}
OLE_MACRO_STORAGES = {"macros", "_vba_project_cur", "vba", "_vba_project"}
ZIP_TYPES = {
    "application/zip",
    "application/epub+zip",
    *(KINDS[ext].content_type for ext in ("docx", "xlsx", "pptx", "odt", "ods", "odp")),
}
IMAGE_TYPES = {content_type: extension for content_type, extension in IMAGE_FORMATS.values()}
# Text that a browser or a desktop would treat as markup or a script is refused even though it decodes.
MARKUP = ("<!doctype", "<html", "<head", "<body", "<script", "<svg", "<?xml", "<iframe", "<object", "<embed", "<meta")
_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
# The content types an OOXML index declares. Read as attribute values rather than parsed as XML: nothing in
# the upload's DOCTYPE or entities can then be expanded.
_DECLARED_TYPE = re.compile(rb"""\bContentType\s*=\s*["']([^"'<>]{1,200})["']""")


def max_bytes() -> int:
    """The configured size limit for one attachment (ATTACHMENT_MAX_BYTES)."""
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _image(data: bytes) -> FileKind | None:
    try:
        with Image.open(BytesIO(data), formats=IMAGE_OPENERS) as probe:
            probe.verify()  # structure and checksums, without decoding
            found = IMAGE_FORMATS.get(probe.format or "")
    except Exception:  # Pillow raises many kinds of errors on hostile or broken files
        return None
    return KINDS[found[1]] if found else None


def _zipped_document(data: bytes) -> FileKind | None:
    """An OOXML or OpenDocument package, judged by its own index of what it contains."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = archive.namelist()
            lowered = [name.lower() for name in names]
            if any(name.endswith("vbaproject.bin") or name.startswith(("basic/", "scripts/")) for name in lowered):
                raise ValidationFailed(str(MACROS), field="file")
            if names and names[0] == "mimetype":
                with archive.open("mimetype") as handle:
                    declared = handle.read(100).decode("ascii", "replace").strip()
                found = ODF_MIMETYPES.get(declared)
                return KINDS[found] if found else None
            if "[Content_Types].xml" not in names:
                return None
            with archive.open("[Content_Types].xml") as handle:
                index = handle.read(MAX_INDEX_BYTES + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
        return None  # damaged, encrypted or using a compression we cannot read
    if len(index) > MAX_INDEX_BYTES:
        return None
    declared_types = {value.decode("ascii", "replace") for value in _DECLARED_TYPE.findall(index)}
    if any("macroenabled" in value.lower() or "vbaproject" in value.lower() for value in declared_types):
        raise ValidationFailed(str(MACROS), field="file")
    found = {OOXML_MAIN_PARTS[value] for value in declared_types if value in OOXML_MAIN_PARTS}
    return KINDS[found.pop()] if len(found) == 1 else None


def _legacy_office(data: bytes) -> FileKind | None:
    """A Word, Excel or PowerPoint 97-2003 file, judged by the streams inside the OLE container."""
    try:
        with olefile.OleFileIO(BytesIO(data)) as container:
            entries = {"/".join(path).lower() for path in container.listdir(streams=True, storages=True)}
    except Exception:  # olefile raises assorted errors on damaged containers
        return None
    if any(part in OLE_MACRO_STORAGES for entry in entries for part in entry.split("/")):
        raise ValidationFailed(str(MACROS), field="file")
    found = {OLE_STREAMS[entry] for entry in entries if entry in OLE_STREAMS}
    return KINDS[found.pop()] if len(found) == 1 else None


def _text(data: bytes, filename: str) -> FileKind | None:
    """UTF-8 text without control characters, markup or a script's #! line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if _TEXT_CONTROLS.search(text):
        return None
    lowered = text.lower()
    if lowered.lstrip().startswith(("<", "#!")) or any(marker in lowered for marker in MARKUP):
        return None
    # The content decides that it is text; the name only tells a table of values from prose.
    return KINDS["csv"] if PurePath(filename).suffix.lower() == ".csv" else KINDS["txt"]


def detect(data: bytes, filename: str = "") -> FileKind:
    """What ``data`` is, by its content alone; ValidationFailed unless it is a kind we accept."""
    limit = max_bytes()
    if len(data) > limit:
        raise ValidationFailed(
            _("Attachments can be at most %(size)s MB.", size=number(round(limit / (1024 * 1024), 3))), field="file"
        )
    if not data:
        raise ValidationFailed(str(EMPTY), field="file")
    guessed = filetype.guess(data)
    mime = guessed.mime if guessed is not None else None
    if mime in IMAGE_TYPES:
        found = _image(data)
    elif mime == "application/pdf":
        found = KINDS["pdf"]
    elif mime in ZIP_TYPES:
        found = _zipped_document(data)
    elif olefile.isOleFile(data=data):
        found = _legacy_office(data)
    elif guessed is None:
        found = _text(data, filename)
    else:  # executables, archives, media and everything else filetype recognises
        found = None
    if found is None:
        raise ValidationFailed(str(NOT_ACCEPTED), field="file")
    return found


def clean_filename(filename: str) -> str:
    """The uploaded name as metadata: its last path part, printable characters only, at most 255."""
    base = PurePath(filename.replace("\\", "/")).name
    printable = "".join(ch for ch in base if ch.isprintable()).strip()[:255]
    return printable if printable.strip(".") else "attachment"


def download_name(attachment: Attachment) -> str:
    """The name a download is saved under: the original one, its extension made to match the content."""
    kind = next((k for k in KINDS.values() if k.content_type == attachment.content_type), None)
    original = PurePath(attachment.original_name)
    if kind is None:
        return original.name
    if original.suffix.lower().lstrip(".") in (kind.extension, *kind.aliases):
        return original.name
    return f"{original.stem or 'attachment'}.{kind.extension}"


def can_upload(user: Actor, work_order: WorkOrder) -> bool:
    """True when ``user`` may attach files to a work order they can see."""
    if not is_changeable(work_order):
        return False
    if user.has_permission("workorder.work") or user.has_permission("workorder.edit"):
        return True
    return work_order.requester_id is not None and work_order.requester_id == user.id


def can_delete(user: Actor, attachment: Attachment) -> bool:
    """True when ``user`` uploaded the file or may edit work orders."""
    uploaded_it = attachment.uploaded_by_id is not None and attachment.uploaded_by_id == user.id
    return uploaded_it or user.has_permission("workorder.edit")


def attachments_of(work_order: WorkOrder) -> list[Attachment]:
    """The files on a work order, oldest first."""
    query = (
        select(Attachment)
        .where(Attachment.work_order_id == work_order.id)
        .order_by(Attachment.id)
        .options(selectinload(Attachment.uploaded_by))
    )
    return list(db.session.scalars(query))


def add_attachment(actor: Actor, work_order: WorkOrder, filename: str, data: bytes) -> Attachment:
    """Check an upload by its content, store it under a random name and record it on the work order."""
    ensure_changeable(work_order)
    if not can_upload(actor, work_order):
        raise NotAllowed(_("You may not attach files to this work order."))
    kind = detect(data, clean_filename(filename))
    stored_name = storage.save(KIND, data, kind.extension)
    attachment = Attachment(
        work_order_id=work_order.id,
        stored_name=stored_name,
        original_name=clean_filename(filename),
        content_type=kind.content_type,
        size_bytes=len(data),
        uploaded_by_id=person_id(actor),
    )
    db.session.add(attachment)
    db.session.flush()
    events.record(
        work_order,
        actor,
        "attachment_added",
        attachment_id=attachment.id,
        name=attachment.original_name,
        content_type=attachment.content_type,
        size_bytes=attachment.size_bytes,
    )
    return attachment


def delete_attachment(actor: Actor, attachment: Attachment) -> None:
    """Remove a file (its uploader or an editor); it leaves the disk once the removal commits."""
    if not can_delete(actor, attachment):
        raise NotAllowed(_("Only the person who attached this file or an editor may remove it."))
    work_order = db.session.get(WorkOrder, attachment.work_order_id)
    if work_order is not None:
        ensure_changeable(work_order)
    name, attachment_id = attachment.original_name, attachment.id
    storage.delete(attachment.stored_name)
    db.session.delete(attachment)
    db.session.flush()
    if work_order is not None:
        events.record(work_order, actor, "attachment_removed", attachment_id=attachment_id, name=name)
