"""Documents people attach (a review's file questions, a pledge's attachment): PDF, DOCX or XLSX only, the content
sniffed to match the extension, archives whose expansion would be huge (zip bombs) refused. Always served as a
download (Content-Disposition attachment, nosniff), never shown inline."""

from __future__ import annotations

import io
import zipfile
from urllib.parse import quote

from fastapi.responses import Response

from app.i18n import _

# The extension, the media type a document is served as.
FILE_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ZIP_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
# An Office document is a zip archive: refuse one that expands beyond this, or by more than this ratio.
EXPANDED_MAX = 200 * 1024 * 1024
RATIO_MAX = 100
MEMBERS_MAX = 10_000


class FileRefused(ValueError):
    """The document is refused; the message says why (shown beside the field)."""


def clean_name(name: str) -> str:
    """The file's own name (no folders), at most 200 characters."""
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or "document"


def _zip_fits(extension: str, data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            expanded = sum(m.file_size for m in members)
            compressed = sum(m.compress_size for m in members) or 1
            if len(members) > MEMBERS_MAX or expanded > EXPANDED_MAX or expanded / compressed > RATIO_MAX:
                raise FileRefused(_("The file expands to far more than its size: it is refused."))
            return ZIP_PART[extension] in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        if isinstance(exc, FileRefused):
            raise
        return False


def file_kind(name: str, data: bytes) -> str:
    """The media type of an accepted document, or FileRefused: the extension and the content must agree."""
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if extension not in FILE_TYPES:
        raise FileRefused(_("Attach a PDF, a Word document (.docx) or an Excel workbook (.xlsx)."))
    fits = data.startswith(b"%PDF-") if extension == ".pdf" else _zip_fits(extension, data)
    if not fits:
        raise FileRefused(_("The file's content is not a %(kind)s file.") % {"kind": extension[1:].upper()})
    return FILE_TYPES[extension]


def check_document(name: str, data: bytes, *, limit: int) -> str:
    """The media type of a document to store: not empty, within ``limit`` bytes, of an accepted kind."""
    if not data:
        raise FileRefused(_("Choose a file to attach."))
    if len(data) > limit:
        raise FileRefused(_("The file is too large: at most %(size)s.") % {"size": f"{limit / (1024 * 1024):.1f} MB"})
    return file_kind(name, data)


def download(name: str, media_type: str, content: bytes) -> Response:
    """A stored document, always as a download (never rendered by the browser)."""
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(content, media_type=media_type, headers=headers)
