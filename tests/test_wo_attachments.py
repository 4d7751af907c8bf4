"""Work order attachments: checked by content, stored under random names, downloaded safely, only where visible."""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from reportlab.pdfgen import canvas
from sqlalchemy import select
from werkzeug.http import parse_options_header

from cube.errors import NotAllowed, ValidationFailed
from cube.extensions import db
from cube.models import Attachment, User, WorkOrder, WorkOrderEvent
from cube.workorders import attachments
from tests.files import png
from tests.support import QueryCounter, count, flashes, post, sign_in, stored_files
from tests.workorder_factories import make_work_order

STORED_NAME = re.compile(r"attachments/[0-9a-f]{32}\.[a-z]{3,4}")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"


# --- sample files -----------------------------------------------------------------------------------------------------


def filed_for(work_order: WorkOrder, requester: User) -> WorkOrder:
    """Set-up: a work order one person created for another (a requester may not file in another's name)."""
    work_order.requester_id = requester.id
    db.session.commit()
    return work_order


def pdf() -> bytes:
    """A real one-page PDF made by ReportLab."""
    buffer = BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Pump inspection report")
    page.showPage()
    page.save()
    return buffer.getvalue()


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="{main}"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
 Target="word/document.xml"/></Relationships>"""
DOCUMENT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>Replace the filter.</w:t></w:r></w:p></w:body></w:document>"""


def docx(main: str = DOCX + ".main+xml", extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal Word document: a zip whose [Content_Types].xml names the main part."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(main=main))
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", DOCUMENT)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def xlsx() -> bytes:
    """A real workbook written by openpyxl (its [Content_Types].xml is the last entry)."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Part", "Qty"])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def odt(mimetype: str = ODT) -> bytes:
    """A minimal OpenDocument text: the stored "mimetype" entry first."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>", compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return buffer.getvalue()


_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def ole_file(*stream_names: str, size: int = 4096) -> bytes:
    """A minimal OLE2 compound file (the container of .doc/.xls, and of .msi installers) with the named streams."""
    per_stream = size // 512
    fat = [_FATSECT, _END]
    for index in range(len(stream_names)):
        first = 2 + index * per_stream
        fat += [*range(first + 1, first + per_stream), _END]
    fat += [_FREE] * (128 - len(fat))

    def entry(name: str, kind: int, *, child: int = _NOSTREAM, right: int = _NOSTREAM, start: int = _END) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        length = size if kind == 2 else 0
        color = 1 if kind else 0
        return struct.pack(
            "<64sHBBIII16sIQQIQ",
            encoded,
            len(encoded),
            kind,
            color,
            _NOSTREAM,
            right,
            child,
            b"",
            0,
            0,
            0,
            start,
            length,
        )

    count = len(stream_names)
    entries = [entry("Root Entry", 5, child=1 if count else _NOSTREAM)]
    for index, name in enumerate(stream_names):
        right = index + 2 if index + 1 < count else _NOSTREAM
        entries.append(entry(name, 2, right=right, start=2 + index * per_stream))
    entries += [entry("", 0)] * (4 - len(entries))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"",
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"",
        0,
        1,
        1,
        0,
        4096,
        _END,
        0,
        _END,
        0,
    )
    header += struct.pack("<109I", 0, *([_FREE] * 108))
    return header + struct.pack("<128I", *fat) + b"".join(entries) + b"\0" * (size * count)


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="5"/></svg>'


# --- helpers ----------------------------------------------------------------------------------------------------------


def upload(client: FlaskClient, work_order_id: int, data: bytes, filename: str = "file.bin"):
    return post(client, f"/work-orders/{work_order_id}/attachments", {"file": (BytesIO(data), filename)})


def only_attachment() -> Attachment:
    db.session.expire_all()
    return db.session.scalars(select(Attachment)).one()


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    return make_user("manager")


@pytest.fixture
def work_order(manager: User) -> WorkOrder:
    return make_work_order(manager, "Leaking valve")


@pytest.fixture
def manager_client(app: Flask, manager: User) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, manager.email).status_code == 302
    return client


# --- accepted files ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "filename", "content_type", "extension"),
    [
        (png, "valve.png", "image/png", "png"),
        (pdf, "report.pdf", "application/pdf", "pdf"),
        (docx, "notes.docx", DOCX, "docx"),
        (xlsx, "parts.xlsx", XLSX, "xlsx"),
        (odt, "notes.odt", ODT, "odt"),
        (lambda: ole_file("WordDocument"), "old.doc", "application/msword", "doc"),
        (lambda: ole_file("Workbook"), "old.xls", "application/vnd.ms-excel", "xls"),
        (lambda: "Reading: 4.2 bar\r\nTemp: 21 °C\n".encode(), "log.txt", "text/plain", "txt"),
        (lambda: b"part,qty\nfilter,2\n", "parts.csv", "text/csv", "csv"),
    ],
)
def test_real_files_are_accepted_by_content(
    app, manager, manager_client, work_order, make, filename, content_type, extension
):
    data = make()
    before = stored_files(app)

    response = upload(manager_client, work_order.id, data, filename)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/work-orders/{work_order.id}#attachments")
    assert ("success", f"Attached {filename}.") in flashes(manager_client)
    attachment = only_attachment()
    assert (attachment.work_order_id, attachment.original_name) == (work_order.id, filename)
    assert (attachment.content_type, attachment.size_bytes) == (content_type, len(data))
    assert attachment.uploaded_by_id == manager.id
    assert STORED_NAME.fullmatch(attachment.stored_name)
    assert attachment.stored_name.endswith("." + extension)
    root = Path(app.config["UPLOAD_ROOT"])
    assert stored_files(app) - before == {root / attachment.stored_name}
    assert (root / attachment.stored_name).read_bytes() == data
    event = db.session.scalars(select(WorkOrderEvent).where(WorkOrderEvent.kind == "attachment_added")).one()
    assert event.data["attachment_id"] == attachment.id
    assert event.data["name"] == filename


def test_the_name_does_not_decide_the_type(manager, work_order):
    attachment = attachments.add_attachment(manager, work_order, "scan.txt", png())
    db.session.commit()
    assert attachment.content_type == "image/png"
    assert attachment.stored_name.endswith(".png")
    assert attachments.download_name(attachment) == "scan.png"  # saved under an extension matching the content


# --- refused files ----------------------------------------------------------------------------------------------------

NOT_ACCEPTED = attachments.NOT_ACCEPTED


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (HTML, "photo.png", NOT_ACCEPTED),  # HTML renamed .png
        (b"\x89PNG\r\n\x1a\n" + HTML, "photo.png", NOT_ACCEPTED),  # a PNG signature in front of HTML
        (SVG, "drawing.svg", NOT_ACCEPTED),
        (b'<?xml version="1.0"?>\n' + SVG, "drawing.png", NOT_ACCEPTED),
        (b"notes\n<script>alert(1)</script>\n", "notes.txt", NOT_ACCEPTED),  # markup inside text
        (b"#!/bin/sh\nrm -rf /\n", "cleanup.txt", NOT_ACCEPTED),
        (b"MZ\x90\x00\x03" + b"\x00" * 200, "setup.pdf", NOT_ACCEPTED),  # a Windows executable
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "tool.doc", NOT_ACCEPTED),
        (b"\x00\x01\x02binary\xff\xfe", "data.txt", NOT_ACCEPTED),
        (plain_zip(), "archive.docx", NOT_ACCEPTED),  # a zip that is no office document
        (odt("application/x-evil"), "notes.odt", NOT_ACCEPTED),
        (ole_file("SummaryInformation"), "installer.doc", NOT_ACCEPTED),  # OLE container without a document
        (docx("application/vnd.ms-word.document.macroEnabled.main+xml"), "macro.docx", attachments.MACROS),
        (docx(extra={"word/vbaProject.bin": b"\x00" * 64}), "macro.docx", attachments.MACROS),
        (ole_file("WordDocument", "Macros"), "macro.doc", attachments.MACROS),
        (b"", "empty.pdf", attachments.EMPTY),
    ],
)
def test_dangerous_or_unknown_files_are_refused(app, manager_client, work_order, data, filename, message):
    before = stored_files(app)

    response = upload(manager_client, work_order.id, data, filename)

    assert response.status_code == 302
    assert ("danger", message) in flashes(manager_client)
    assert count(Attachment) == 0
    assert stored_files(app) == before
    assert count(WorkOrderEvent, kind="attachment_added") == 0


def test_oversized_file_is_refused_with_the_limit(app, manager_client, work_order, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024)
    before = stored_files(app)

    response = upload(manager_client, work_order.id, b"a" * 1025, "big.txt")

    assert response.status_code == 302
    assert ("danger", "Attachments can be at most 0.001 MB.") in flashes(manager_client)  # in the locale's digits
    assert count(Attachment) == 0
    assert stored_files(app) == before
    assert upload(manager_client, work_order.id, b"a" * 1024, "fits.txt").status_code == 302
    assert count(Attachment) == 1


def test_missing_file_is_refused(manager_client, work_order):
    response = post(manager_client, f"/work-orders/{work_order.id}/attachments", {})
    assert response.status_code == 302
    assert ("danger", "Choose a file to attach.") in flashes(manager_client)
    assert count(Attachment) == 0


def test_upload_without_csrf_token_is_refused(manager_client, work_order):
    response = manager_client.post(
        f"/work-orders/{work_order.id}/attachments", data={"file": (BytesIO(png()), "valve.png")}
    )
    assert response.status_code == 400
    assert count(Attachment) == 0


def test_path_in_the_name_is_kept_only_as_a_label(app, manager_client, work_order):
    response = upload(manager_client, work_order.id, b"root:x:0:0:root:/root:/bin/bash\n", "../../etc/passwd")

    assert response.status_code == 302
    attachment = only_attachment()
    assert attachment.original_name == "passwd"
    assert STORED_NAME.fullmatch(attachment.stored_name)
    assert "passwd" not in attachment.stored_name
    root = Path(app.config["UPLOAD_ROOT"]).resolve()
    assert (root / attachment.stored_name).resolve().parent == root / "attachments"
    download = manager_client.get(f"/work-orders/attachments/{attachment.id}")
    disposition, params = parse_options_header(download.headers["Content-Disposition"])
    assert (disposition, params["filename"]) == ("attachment", "passwd.txt")


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("..\\..\\windows\\system.ini", "system.ini"),
        ("C:\\Users\\me\\Desktop\\photo.png", "photo.png"),
        ("..", "attachment"),
        ("a\x00b\r\nc.png", "abc.png"),
        ("", "attachment"),
    ],
)
def test_clean_filename(filename, expected):
    assert attachments.clean_filename(filename) == expected


# --- downloading ------------------------------------------------------------------------------------------------------


def test_download_is_an_attachment_with_nosniff_and_the_detected_type(manager_client, manager, work_order):
    data = png()
    attachment = attachments.add_attachment(manager, work_order, 'Ventil «vorne» "1".png', data)
    db.session.commit()

    response = manager_client.get(f"/work-orders/attachments/{attachment.id}")

    assert response.status_code == 200
    assert response.data == data
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    kind, params = parse_options_header(disposition)
    assert kind == "attachment"
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert params["filename"] == 'Ventil «vorne» "1".png'  # decoded from the RFC 5987 filename*
    assert "filename*=UTF-8''Ventil%20%C2%ABvorne%C2%BB%20%221%22.png" in disposition
    assert disposition.isascii()
    assert "no-store" in response.headers["Cache-Control"]


def test_text_is_served_as_a_text_download_not_a_page(manager_client, manager, work_order):
    attachment = attachments.add_attachment(manager, work_order, "readme", b"plain words\n")
    db.session.commit()

    response = manager_client.get(f"/work-orders/attachments/{attachment.id}")

    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert parse_options_header(response.headers["Content-Disposition"]) == (
        "attachment",
        {"filename": "readme.txt"},
    )


def test_file_missing_on_disk_is_404(app, manager_client, manager, work_order):
    attachment = attachments.add_attachment(manager, work_order, "valve.png", png())
    db.session.commit()
    (Path(app.config["UPLOAD_ROOT"]) / attachment.stored_name).unlink()

    assert manager_client.get(f"/work-orders/attachments/{attachment.id}").status_code == 404


def test_attachment_of_an_invisible_work_order_is_404(client_as, manager, work_order):
    attachment = attachments.add_attachment(manager, work_order, "valve.png", png())
    db.session.commit()
    outsider = client_as("technician")  # not assigned, not in a team: cannot see it

    assert outsider.get(f"/work-orders/attachments/{attachment.id}").status_code == 404
    assert post(outsider, f"/work-orders/attachments/{attachment.id}/delete").status_code == 404
    assert upload(outsider, work_order.id, png(), "mine.png").status_code == 404
    assert count(Attachment) == 1


def test_requester_of_another_work_order_gets_404(client_as, make_user, manager):
    owner = make_user("requester")
    theirs = make_work_order(owner, "Broken window")
    attachment = attachments.add_attachment(owner, theirs, "window.png", png())
    db.session.commit()
    other = client_as("requester")
    own = make_work_order(other.user, "Dripping tap")

    assert other.get(f"/work-orders/attachments/{attachment.id}").status_code == 404
    assert upload(other, theirs.id, png(), "x.png").status_code == 404
    assert upload(other, own.id, png(), "tap.png").status_code == 302  # their own request: allowed
    db.session.expire_all()
    assert count(Attachment, work_order_id=theirs.id) == 1
    assert count(Attachment, work_order_id=own.id) == 1


def test_unknown_attachment_is_404(manager_client):
    assert manager_client.get("/work-orders/attachments/987654").status_code == 404


# --- who may upload and remove ----------------------------------------------------------------------------------------


def test_who_may_upload(make_user, manager):
    technician = make_user("technician")
    requester = make_user("requester")
    creator = make_user("requester")
    work_order = filed_for(make_work_order(creator, "Noisy fan"), requester)

    assert attachments.can_upload(technician, work_order)  # workorder.work
    assert attachments.can_upload(manager, work_order)  # workorder.edit
    assert attachments.can_upload(requester, work_order)  # its requester
    assert not attachments.can_upload(creator, work_order)  # created it for someone else, holds neither
    with pytest.raises(NotAllowed):
        attachments.add_attachment(creator, work_order, "fan.png", png())


def test_a_visible_work_order_without_upload_rights_is_403(client_as, make_user):
    creator = client_as("requester")
    requester = make_user("requester")
    work_order = filed_for(make_work_order(creator.user, "Noisy fan"), requester)

    assert upload(creator, work_order.id, png(), "fan.png").status_code == 403
    assert count(Attachment) == 0


def test_uploader_and_editors_may_remove_others_may_not(app, client_as, manager):
    technician = client_as("technician")
    colleague = client_as("technician")
    work_order = make_work_order(manager, "Pump", assignees=(technician.user, colleague.user))
    assert upload(technician, work_order.id, png(), "pump.png").status_code == 302
    attachment = only_attachment()
    attachment_id = attachment.id
    path = Path(app.config["UPLOAD_ROOT"]) / attachment.stored_name

    assert post(colleague, f"/work-orders/attachments/{attachment.id}/delete").status_code == 403
    assert count(Attachment) == 1
    assert path.exists()

    assert technician.post(f"/work-orders/attachments/{attachment.id}/delete").status_code == 400  # no CSRF token
    assert count(Attachment) == 1

    assert post(technician, f"/work-orders/attachments/{attachment.id}/delete").status_code == 302
    db.session.expire_all()
    assert count(Attachment) == 0
    assert not path.exists()
    event = db.session.scalars(select(WorkOrderEvent).where(WorkOrderEvent.kind == "attachment_removed")).one()
    assert (event.data["attachment_id"], event.data["name"], event.work_order_id) == (
        attachment_id,
        "pump.png",
        work_order.id,
    )


def test_an_editor_may_remove_anyones_file(app, manager_client, make_user, work_order):
    technician = make_user("technician")
    work_order.assignees = [technician]
    db.session.commit()
    attachment = attachments.add_attachment(technician, work_order, "pump.png", png())
    db.session.commit()

    assert post(manager_client, f"/work-orders/attachments/{attachment.id}/delete").status_code == 302
    assert count(Attachment) == 0


def test_service_refuses_removal_by_others(make_user, manager, work_order):
    attachment = attachments.add_attachment(manager, work_order, "pump.png", png())
    db.session.commit()
    with pytest.raises(NotAllowed):
        attachments.delete_attachment(make_user("technician"), attachment)


def test_a_refused_upload_in_the_service_raises_validation_failed(manager, work_order):
    with pytest.raises(ValidationFailed) as caught:
        attachments.add_attachment(manager, work_order, "photo.png", HTML)
    assert caught.value.field == "file"


# --- the page ---------------------------------------------------------------------------------------------------------


def test_detail_page_lists_files_with_upload_and_remove_forms(manager_client, manager, work_order):
    attachment = attachments.add_attachment(manager, work_order, '<img src=x onerror="alert(1)">.png', png())
    db.session.commit()

    page = manager_client.get(f"/work-orders/{work_order.id}").get_data(as_text=True)

    assert f'href="/work-orders/attachments/{attachment.id}"' in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;.png" in page
    assert "<img src=x" not in page
    assert f'action="/work-orders/{work_order.id}/attachments"' in page
    assert 'enctype="multipart/form-data"' in page
    assert f'action="/work-orders/attachments/{attachment.id}/delete"' in page


def test_detail_page_hides_forms_from_those_who_may_not_use_them(client_as, manager, make_user):
    viewer = client_as("requester")
    requester = make_user("requester")
    work_order = filed_for(make_work_order(viewer.user, "Noisy fan"), requester)  # viewer created it
    attachment = attachments.add_attachment(manager, work_order, "fan.png", png())
    db.session.commit()

    page = viewer.get(f"/work-orders/{work_order.id}").get_data(as_text=True)

    assert f'href="/work-orders/attachments/{attachment.id}"' in page
    assert f'action="/work-orders/{work_order.id}/attachments"' not in page
    assert f'action="/work-orders/attachments/{attachment.id}/delete"' not in page


def test_detail_page_queries_do_not_grow_with_the_files(app, manager_client, manager, make_user, work_order):
    def queries() -> int:
        with QueryCounter(db.engine) as counter:
            assert manager_client.get(f"/work-orders/{work_order.id}").status_code == 200
        return counter.count

    attachments.add_attachment(make_user("manager"), work_order, "one.png", png())
    db.session.commit()
    baseline = queries()
    for number in range(4):  # four more files, each from another editor
        attachments.add_attachment(make_user("manager"), work_order, f"more-{number}.png", png())
        db.session.commit()

    # The timeline (routes.timeline, not this feature) still loads each new event author on its own: at most
    # one query per new uploader. The attachment list itself must add none per file or per uploader.
    assert queries() <= baseline + 4
