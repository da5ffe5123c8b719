"""Anonymous evidence does not identify its author (issue 15, defect 9)."""

import hashlib
import io

from django.urls import reverse
from PIL import Image, PngImagePlugin

from breaches.imagemeta import has_identifying_metadata, strip_image_metadata
from breaches.models import Case
from tests.breaches.conftest import upload


def _jpeg_naming_its_photographer() -> bytes:
    exif = Image.Exif()
    exif[0x013B] = "Jane Photographer"  # Artist
    exif[0x010F] = "Apple"  # Make
    exif[0x0110] = "iPhone of Jane"  # Model
    out = io.BytesIO()
    Image.new("RGB", (24, 16), (180, 30, 30)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _pdf_naming_its_author() -> bytes:
    from pypdf import PdfWriter
    from pypdf.annotations import Text
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": "Jane Reporter", "/Creator": "Word on JANE-LAPTOP"})
    writer.add_annotation(0, Text(text="see the second post", rect=(10, 10, 50, 50)))
    writer.pages[0]["/Annots"][0].get_object()[NameObject("/T")] = TextStringObject(
        "Jane Reporter")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _report(client_as, org, identity: str, data: bytes, name="IMG_Jane_0042.jpg",
            content_type="image/jpeg"):
    client = client_as("staff")
    client.post(reverse("breaches:report_new"), {
        "concerned_kind": "person", "concerned": org.colleague.pk, "platform": "facebook",
        "seen_at": "2026-11-20T18:30", "description": "A post.", "identity": identity,
        "action": "submit", "evidence_file": upload(name, data, content_type)})
    return Case.objects.get()


def test_an_anonymous_reports_picture_is_stored_without_its_metadata(client_as, org):
    original = _jpeg_naming_its_photographer()
    evidence = _report(client_as, org, "anonymous", original).evidence.get()
    stored = evidence.path.read_bytes()
    assert b"Jane" not in stored and b"iPhone" not in stored
    assert not has_identifying_metadata(stored)
    assert Image.open(io.BytesIO(stored)).size == (24, 16)


def test_the_hash_and_size_are_those_of_what_is_stored(client_as, org):
    evidence = _report(client_as, org, "anonymous", _jpeg_naming_its_photographer()
                       ).evidence.get()
    stored = evidence.path.read_bytes()
    assert evidence.sha256 == hashlib.sha256(stored).hexdigest()
    assert evidence.size == len(stored)


def test_an_anonymous_reports_file_names_are_replaced(client_as, org):
    evidence = _report(client_as, org, "anonymous", _jpeg_naming_its_photographer()
                       ).evidence.get()
    assert evidence.original_name == "evidence-1.jpg"


def test_the_download_serves_the_cleaned_picture(client_as, team_client, org):
    case = _report(client_as, org, "anonymous", _jpeg_naming_its_photographer())
    response = team_client("principal").get(
        reverse("breaches:evidence_download", args=[case.evidence.get().pk]))
    assert b"Jane" not in b"".join(response.streaming_content)


def test_a_named_reports_picture_is_kept_byte_for_byte(client_as, org):
    original = _jpeg_naming_its_photographer()
    evidence = _report(client_as, org, "named", original).evidence.get()
    assert evidence.path.read_bytes() == original
    assert evidence.original_name == "IMG_Jane_0042.jpg"


def test_an_anonymous_reports_pdf_is_stored_without_its_author(client_as, org):
    from pypdf import PdfReader

    original = _pdf_naming_its_author()
    assert b"Jane" in original
    evidence = _report(client_as, org, "anonymous", original, name="Jane statement.pdf",
                       content_type="application/pdf").evidence.get()
    stored = evidence.path.read_bytes()
    assert b"Jane" not in stored and b"JANE-LAPTOP" not in stored
    assert len(PdfReader(io.BytesIO(stored)).pages) == 1
    assert evidence.original_name == "evidence-1.pdf"
    assert evidence.sha256 == hashlib.sha256(stored).hexdigest()


def test_a_named_reports_pdf_is_kept_byte_for_byte(client_as, org):
    original = _pdf_naming_its_author()
    evidence = _report(client_as, org, "named", original, name="statement.pdf",
                       content_type="application/pdf").evidence.get()
    assert evidence.path.read_bytes() == original


def test_a_pdf_that_cannot_be_cleaned_stops_the_anonymous_report(client_as, org):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_metadata({"/Author": "Jane Reporter"})
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    client = client_as("staff")
    response = client.post(reverse("breaches:report_new"), {
        "concerned_kind": "person", "concerned": org.colleague.pk, "platform": "facebook",
        "seen_at": "2026-11-20T18:30", "description": "A post.", "identity": "anonymous",
        "action": "submit",
        "evidence_file": upload("locked.pdf", out.getvalue(), "application/pdf")}, follow=True)
    assert not Case.objects.exists()
    assert "“locked.pdf” could not be cleaned of the details that may identify you" in \
        response.content.decode()


def test_the_form_says_what_anonymity_removes_from_files(client_as):
    page = client_as("staff").get(reverse("breaches:report_new")).content.decode()
    assert "stored <strong>without their hidden details</strong>" in page
    assert "PDFs are stored without their properties" in page
    assert "Saved web pages are kept as they are" in page


def test_png_text_chunks_are_removed():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jane Photographer")
    out = io.BytesIO()
    Image.new("RGBA", (4, 4)).save(out, "PNG", pnginfo=info)
    assert b"Jane" not in strip_image_metadata(out.getvalue(), "image/png")


def test_the_picture_keeps_the_orientation_its_metadata_asked_for():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° when shown
    out = io.BytesIO()
    Image.new("RGB", (40, 20)).save(out, "JPEG", exif=exif.tobytes())
    cleaned = strip_image_metadata(out.getvalue(), "image/jpeg")
    assert Image.open(io.BytesIO(cleaned)).size == (20, 40)
