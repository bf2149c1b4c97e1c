"""Uploaded files: one check for every upload the portal keeps (assessment documents, message attachments).

A file is kept only if it is not empty, at most ``MAX_SIZE`` bytes, and its first bytes say it is a PDF, a
JPEG or a PNG (the content decides, not the name or the browser's word for it). The file name is reduced to
a safe base name. Files are stored in the municipality's own schema by the caller (special-category data
must not leave it for a shared file store) and served back with ``attachment_response``: always a download,
never sniffed by the browser.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from .errors import ValidationFailed

MAX_SIZE = 10 * 1024 * 1024
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
TYPES = (PDF, JPEG, PNG)
# Magic numbers: the file's first bytes decide its type.
_SIGNATURES = {PDF: (b"%PDF-",), JPEG: (b"\xff\xd8\xff",), PNG: (b"\x89PNG\r\n\x1a\n",)}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


@dataclass(frozen=True)
class Upload:
    file_name: str
    content_type: str
    size: int
    content: bytes


def detect_type(head: bytes) -> str | None:
    for content_type, signatures in _SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures):
            return content_type
    return None


def safe_file_name(file_name: str, default: str = "document") -> str:
    """The base name without path parts, control characters, quotes or separators; at most 200 characters."""
    name = unicodedata.normalize("NFC", file_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" ._")
    return (name or default)[:200]


def upload_read(upload) -> bytes:
    """Read an uploaded file one byte past the limit: enough for ``upload_check`` to refuse an oversized file
    without reading all of it."""
    return upload.read(MAX_SIZE + 1)


def upload_check(*, file_name: str, content: bytes, error: type[ValidationFailed], field: str,
                 default_name: str = "document") -> Upload:
    """The checked upload, or ``error`` (the caller's stable code) on ``field``. Writes nothing."""
    size = len(content or b"")
    if size == 0:
        raise error(_("The file is empty."), field=field)
    if size > MAX_SIZE:
        raise error(_("The file must be 10 MB or smaller."), field=field)
    content_type = detect_type(content[:16])
    if content_type is None:
        raise error(_("The file must be a PDF, JPEG or PNG."), field=field)
    return Upload(file_name=safe_file_name(file_name, default_name), content_type=content_type, size=size,
                  content=bytes(content))


def attachment_response(*, content, content_type: str, file_name: str) -> HttpResponse:
    """A stored file as a download: ``Content-Disposition: attachment`` and ``nosniff``."""
    response = HttpResponse(bytes(content), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, safe_file_name(file_name))
    response["X-Content-Type-Options"] = "nosniff"
    return response
