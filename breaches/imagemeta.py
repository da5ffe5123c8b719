"""Removing what identifies the author from an image: EXIF (camera, phone, owner, GPS,
times), XMP, IPTC, comments, PNG text chunks and ICC profiles.

Used for the evidence of anonymous reports (`breaches.services.reporting.report_submit`).
Pillow decodes the picture and writes the pixels alone into a new file of the same type; the
orientation the EXIF asked for is applied to the pixels first, so the picture still looks the
same. PDFs are cleaned by `breaches.pdfmeta`; saved web pages are kept as they are (the
report form says so).
"""

import io

from PIL import Image, ImageOps

#: Content types this module can clean, and the Pillow format each is written back as.
CLEANABLE = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF",
             "image/webp": "WEBP"}


class ImageNotCleaned(ValueError):
    """The image could not be decoded, so its metadata could not be removed."""


def strip_image_metadata(data: bytes, content_type: str) -> bytes:
    """The same picture with no metadata. Raises ImageNotCleaned if it cannot be decoded."""
    fmt = CLEANABLE.get(content_type)
    if fmt is None:
        raise ImageNotCleaned(f"{content_type} is not an image this can clean.")
    try:
        with Image.open(io.BytesIO(data)) as source:
            source.load()
            frames = getattr(source, "n_frames", 1)
            out = io.BytesIO()
            if fmt == "GIF" and frames > 1:
                _save_animation(source, out)
            else:
                picture = ImageOps.exif_transpose(source) or source
                _save(_pixels_only(picture), out, fmt)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise ImageNotCleaned("The picture could not be read to remove its metadata.") \
            from error
    return out.getvalue()


def _pixels_only(picture: Image.Image) -> Image.Image:
    """A new image built from the pixels (and palette and transparency) alone."""
    clean = Image.frombytes(picture.mode, picture.size, picture.tobytes())
    if picture.mode in {"P", "PA"} and picture.getpalette():
        clean.putpalette(picture.getpalette())
    if "transparency" in picture.info:
        clean.info["transparency"] = picture.info["transparency"]
    return clean


def _save(picture: Image.Image, out: io.BytesIO, fmt: str) -> None:
    if fmt == "JPEG":
        if picture.mode not in {"RGB", "L", "CMYK"}:
            picture = picture.convert("RGB")
        picture.save(out, "JPEG", quality=95, optimize=True)  # no exif=, no icc_profile=
    elif fmt == "PNG":
        picture.save(out, "PNG", optimize=True)  # no pnginfo: no text chunks
    elif fmt == "WEBP":
        picture.save(out, "WEBP", lossless=True)
    else:
        picture.save(out, "GIF")


def _save_animation(source: Image.Image, out: io.BytesIO) -> None:
    frames, durations = [], []
    for index in range(source.n_frames):
        source.seek(index)
        frames.append(_pixels_only(source))
        durations.append(source.info.get("duration", 100))
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=durations,
                   loop=0)


def has_identifying_metadata(data: bytes) -> bool:
    """True if the image carries EXIF, XMP, comments or text chunks (for tests and checks)."""
    with Image.open(io.BytesIO(data)) as picture:
        if picture.getexif():
            return True
        keys = {k.lower() for k in picture.info}
        return bool(keys & {"exif", "xmp", "comment", "icc_profile", "photoshop", "author",
                            "xml:com.adobe.xmp", "description", "software"})
