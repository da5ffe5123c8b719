"""Removing what identifies the author from a PDF: the document properties (author, creator
program, producer, title, dates), the XMP metadata of the document and of each page, the
private data programs keep with pages (PieceInfo), the authors of comments, and the document
ID (which some programs derive from the machine and the time).

Used with `breaches.imagemeta` for the evidence of anonymous reports
(`breaches.services.reporting.report_submit`). pypdf copies the pages into a new file, so
earlier versions kept by incremental saves are not carried over either.
"""

import io
import secrets

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, ByteStringObject, DictionaryObject, NameObject

#: Keys that carry metadata, on the catalogue and on each page.
METADATA_KEYS = ("/Metadata", "/PieceInfo")
#: Keys of a comment (annotation) that name its author or keep its history.
ANNOTATION_AUTHOR_KEYS = ("/T", "/M", "/CreationDate", "/RC")


class PdfNotCleaned(ValueError):
    """The PDF could not be read (or is password-protected), so it could not be cleaned."""


def strip_pdf_metadata(data: bytes) -> bytes:
    """The same pages with no document properties, XMP or comment authors."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise PdfNotCleaned("The PDF is password-protected.")
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        _drop(writer._root_object, METADATA_KEYS)
        for page in writer.pages:
            _drop(page, METADATA_KEYS)
            for annotation in page.get("/Annots") or []:
                _drop(annotation.get_object(), ANNOTATION_AUTHOR_KEYS)
        writer._ID = ArrayObject([ByteStringObject(secrets.token_bytes(16))] * 2)
        out = io.BytesIO()
        writer.write(out)
    except PdfNotCleaned:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as error:
        raise PdfNotCleaned("The PDF could not be read to remove its properties.") from error
    return out.getvalue()


def _drop(obj: DictionaryObject, keys) -> None:
    for key in keys:
        obj.pop(NameObject(key), None)
