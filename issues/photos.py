"""The one photo pipeline: reports, answers, disputes and inspections all go
through it.

`process_upload` checks and decodes an uploaded file completely, reads where
it was taken from its EXIF, turns it upright and re-encodes it as a JPEG with
no metadata at all; nothing is written to storage until `attach_photos`. A
JPEG that needs no change of its pixels (upright, sRGB, small enough) is not
re-encoded: its metadata segments are cut out of the file instead, which
keeps every pixel as the camera wrote it and costs a fraction of an encode.

The thumbnail is made here too, from the pixels already decoded: the
re-encoded photo's, or the kept JPEG's, decoded whole (which proves nothing
of it is missing) at the smallest scale that still gives a thumbnail. It is
stored with the photo, so no worker has to read the photo back and decode it
again. A photo left without one (stored before thumbnails were made here)
gets it from the periodic sweep (`issues.tasks`).
"""

from __future__ import annotations

import datetime
import enum
import io
import logging
import math
import os
import re
import uuid
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import pillow_heif
from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import ExifTags, Image, ImageCms, ImageFile, ImageOps

from issues.errors import DomainError
from issues.models import Photo, ReportEvent

logger = logging.getLogger(__name__)

# HEIC/HEIF is what iPhones shoot; registering twice is harmless but once is enough.
pillow_heif.register_heif_opener()

MAX_PHOTO_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000
MAX_SIDE = 12_000
MIN_SIDE = 16
MAX_ASPECT_RATIO = 20
STORED_LONG_SIDE = 2560
THUMBNAIL_LONG_SIDE = 400
JPEG_QUALITY = 85
MAX_PHOTOS = 5

# Pillow's format name -> the name we show. MPO is how Pillow opens the JPEGs
# that phones write with a second (depth or preview) picture inside.
ACCEPTED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP", "HEIF": "HEIC"}
ACCEPTED_LIST = "JPEG, PNG, WebP или HEIC"

# Errors that Pillow's decoders raise on a damaged or truncated file.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError)

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))

# A JPEG kept as it came may take at most this much per pixel once its
# metadata is cut (a camera's quality 95 is about half of it).
KEPT_JPEG_BYTES_PER_PIXEL = 1.0
# Segments cut from a kept JPEG: APP1-APP15 (EXIF, XMP, ICC, IPTC, maker
# notes, MPF) but Adobe's APP14, which only says how the colours are coded,
# and comments. A JFIF APP0 is written anew, without its thumbnail.
_CUT_SEGMENTS = frozenset(range(0xE1, 0xF0)) - {0xEE} | {0xFE}
_APP0, _SOS, _EOI = 0xE0, 0xDA, 0xD9
_JFIF_APP0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
# The end of a scan: a 0xFF that is neither stuffing (FF00), a restart
# marker (FFD0-FFD7) nor a fill byte before a marker.
_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


class PhotoErrorCode(enum.StrEnum):
    TOO_LARGE = "photo_too_large"
    NOT_IMAGE = "photo_not_image"
    UNSUPPORTED_FORMAT = "photo_unsupported_format"
    CORRUPT = "photo_corrupt"
    TOO_MANY_PIXELS = "photo_too_many_pixels"
    BAD_DIMENSIONS = "photo_bad_dimensions"
    REQUIRED = "photo_required"
    TOO_MANY = "too_many_photos"


class PhotoError(DomainError):
    """An upload the pipeline refuses; `code` is a PhotoErrorCode."""

    def __init__(self, message: str, code: PhotoErrorCode, file_name: str = ""):
        # The message is formatted here and passed without params, so a "%"
        # in a file name is never taken for a placeholder.
        super().__init__(message, code=str(code), field="photos")
        self.file_name = file_name


@dataclass(frozen=True)
class ProcessedPhoto:
    content: ContentFile
    width: int
    height: int
    gps: Point | None  # lon/lat, SRID 4326, from the original's EXIF
    thumbnail: bytes  # a JPEG of at most THUMBNAIL_LONG_SIDE, no metadata


def process_upload(f) -> ProcessedPhoto:
    """Check, decode and re-encode one uploaded photo, or raise PhotoError."""
    name = _display_name(f)
    size = _file_size(f)
    # Before anything is decoded: the size alone decides.
    if size > MAX_PHOTO_BYTES:
        raise PhotoError(
            f"Файл «{name}» больше {MAX_PHOTO_BYTES // (1024 * 1024)} МБ. Уменьшите фото или выберите другое.",
            PhotoErrorCode.TOO_LARGE,
            name,
        )
    if size == 0:
        raise PhotoError(f"Файл «{name}» пуст.", PhotoErrorCode.NOT_IMAGE, name)
    f.seek(0)
    with warnings.catch_warnings():
        # Pillow warns (rather than fails) between its own limit and twice it.
        # The filter is process-wide, so under threads it is best effort; the
        # MAX_PIXELS check in _check_header is what really holds (Pillow's own
        # limit is higher than ours).
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with _open_image(f, name) as im:
            _check_header(im, name)
            gps = read_gps(im)
            content = _kept_jpeg(f, im)
            thumbnail = _thumbnail_of_kept(content, name) if content is not None else None
            if thumbnail is not None:
                width, height = im.size
            else:
                _draft(im, STORED_LONG_SIDE)
                _decode(im, name)
                content, stored = _encode(im, STORED_LONG_SIDE)
                width, height = stored.size
                thumbnail, _ = _encode(stored, THUMBNAIL_LONG_SIDE)
    return ProcessedPhoto(
        content=ContentFile(content, name=f"{uuid.uuid4().hex}.jpg"),
        width=width,
        height=height,
        gps=gps,
        thumbnail=thumbnail,
    )


def validate_photo_count(files: Sequence, required: bool) -> None:
    """1–5 photos, or 0–5 when the photo is optional."""
    if required and not files:
        raise PhotoError("Приложите хотя бы одну фотографию.", PhotoErrorCode.REQUIRED)
    if len(files) > MAX_PHOTOS:
        raise PhotoError(
            f"Можно приложить не больше {MAX_PHOTOS} фотографий, а выбрано {len(files)}.",
            PhotoErrorCode.TOO_MANY,
        )


def attach_photos(
    report_or_none,
    processed: list[ProcessedPhoto],
    role: Photo.Role | str,
    uploaded_by,
    event: ReportEvent | None = None,
) -> list[Photo]:
    """Store processed photos, each with its thumbnail."""
    photos = []
    for item in processed:
        photo = Photo(
            report=report_or_none,
            event=event,
            role=role,
            uploaded_by=uploaded_by,
            taken_at_point=item.gps,
            width=item.width,
            height=item.height,
        )
        # Saving the model writes the files under fresh names (upload_to).
        photo.image = item.content
        stem = os.path.splitext(item.content.name)[0]
        photo.thumbnail = ContentFile(item.thumbnail, name=f"{stem}-thumb.jpg")
        photo.save()
        photos.append(photo)
    return photos


def make_thumbnail(photo_id: int) -> bool:
    """Make the photo's thumbnail unless it has one; True if this call made it.

    Two sweeps may race: both may render, but only the conditional UPDATE
    that still finds the thumbnail empty wins; the loser deletes its own file.
    """
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None or photo.thumbnail:
        return False
    content = _render_thumbnail(photo)
    storage = photo.thumbnail.storage
    stem = os.path.splitext(os.path.basename(photo.image.name))[0]
    name = storage.save(photo.thumbnail.field.generate_filename(photo, f"{stem}-thumb.jpg"), content)
    claimed = Photo.objects.filter(pk=photo_id, thumbnail="").update(thumbnail=name)
    if not claimed:
        storage.delete(name)
        return False
    return True


def make_missing_thumbnails(
    older_than: datetime.timedelta = datetime.timedelta(minutes=2),
    newer_than: datetime.timedelta = datetime.timedelta(days=7),
    limit: int = 200,
) -> int:
    """The sweep: photos stored without a thumbnail (before process_upload
    made them). A photo still failing after `newer_than` is given up on
    instead of being retried for ever."""
    now = timezone.now()
    ids = list(
        Photo.objects.filter(thumbnail="", created_at__lt=now - older_than, created_at__gte=now - newer_than)
        .order_by("-created_at")
        .values_list("pk", flat=True)[:limit]
    )
    made = 0
    for photo_id in ids:
        try:
            made += make_thumbnail(photo_id)
        except Exception:
            # One unreadable file must not stop the others behind it.
            logger.exception("Sweep: no thumbnail for photo %s", photo_id)
    return made


def read_gps(im: Image.Image) -> Point | None:
    """Where the photo says it was taken, or None when absent or invalid."""
    try:
        gps = im.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        lat = _coordinate(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "NS")
        lon = _coordinate(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "EW")
    except Exception:
        # EXIF is whatever the file says; a malformed block means no location,
        # never a refused photo.
        logger.info("Unreadable EXIF GPS block", exc_info=True)
        return None
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180 or (lat == 0 and lon == 0):
        # 0,0 is what some cameras write when they have no fix.
        return None
    return Point(lon, lat, srid=4326)


def _coordinate(value, ref, refs: str) -> float | None:
    if not value or ref is None:
        return None
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    ref = str(ref).strip("\x00 ").upper()
    if ref not in refs:
        return None
    parts = [float(v) for v in (value if isinstance(value, tuple | list) else (value,))][:3]
    degrees = sum(part / 60**i for i, part in enumerate(parts))
    if not math.isfinite(degrees) or any(part < 0 for part in parts):
        return None
    return -degrees if ref == refs[1] else degrees


def _display_name(f) -> str:
    name = os.path.basename(getattr(f, "name", "") or "")
    name = "".join(ch for ch in name if ch.isprintable()) or "без имени"
    return name if len(name) <= 60 else name[:57] + "…"


def _file_size(f) -> int:
    size = getattr(f, "size", None)
    if size is None:
        f.seek(0, os.SEEK_END)
        size = f.tell()
    return size


def _open_image(f, name: str) -> Image.Image:
    """Read the header only; no pixel is decoded yet."""
    try:
        return Image.open(f)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(name) from exc
    except Image.UnidentifiedImageError as exc:
        raise PhotoError(
            f"Файл «{name}» не похож на изображение. Приложите фото в формате {ACCEPTED_LIST}.",
            PhotoErrorCode.NOT_IMAGE,
            name,
        ) from exc
    except _DECODE_ERRORS as exc:
        raise _corrupt(name) from exc


def _check_header(im: Image.Image, name: str) -> None:
    if im.format not in ACCEPTED_FORMATS:
        raise PhotoError(
            f"Формат {im.format} файла «{name}» не поддерживается. Приложите фото в формате {ACCEPTED_LIST}.",
            PhotoErrorCode.UNSUPPORTED_FORMAT,
            name,
        )
    width, height = im.size
    if max(width, height) > MAX_SIDE:
        raise _bad_dimensions(
            f"У изображения «{name}» слишком большая сторона: {width}×{height} пикселей, "
            f"допускается не больше {MAX_SIDE:,}.".replace(",", "\u00a0"),
            name,
        )
    if min(width, height) < MIN_SIDE:
        raise _bad_dimensions(
            f"Изображение «{name}» слишком маленькое: {width}×{height} пикселей, "
            f"нужно хотя бы {MIN_SIDE} по каждой стороне.",
            name,
        )
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise _bad_dimensions(
            f"Изображение «{name}» слишком вытянутое ({width}×{height}): "
            f"стороны могут различаться не больше чем в {MAX_ASPECT_RATIO} раз.",
            name,
        )
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(name)


def _draft(im: Image.Image, long_side: int) -> None:
    """Let a JPEG decode at 1/2, 1/4 or 1/8 scale when it is at least that
    much larger than what we keep: still every byte is decoded (a truncated
    file still fails), in a fraction of the memory and time."""
    width, height = im.size
    factor = long_side / max(width, height)
    if im.format in ("JPEG", "MPO") and factor < 1:
        im.draft("RGB", (math.ceil(width * factor), math.ceil(height * factor)))


def _decode(im: Image.Image, name: str) -> None:
    """Decode every pixel, so that a truncated file is refused now and not
    half grey on the map. LOAD_TRUNCATED_IMAGES must stay False for that."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Someone switched Pillow to accept truncated files process-wide.
        logger.error("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is True; truncated photos would pass")
    try:
        im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(name) from exc
    except _DECODE_ERRORS as exc:
        raise _corrupt(name) from exc


def _kept_jpeg(f, im: Image.Image) -> bytes | None:
    """The uploaded JPEG itself with its metadata cut out, when its pixels
    are already what we would store; None when it must be re-encoded.
    Decided from the headers alone: nothing is decoded here."""
    if im.format != "JPEG" or im.mode not in ("RGB", "L") or max(im.size) > STORED_LONG_SIDE:
        return None
    if "icc_profile" in im.info:
        return None  # its colours are converted to sRGB by _encode
    try:
        if im.getexif().get(ExifTags.Base.Orientation, 1) != 1:
            return None
    except Exception:
        return None  # _encode decides what a broken tag means
    f.seek(0)
    kept = _without_metadata(f.read())
    if kept is None or len(kept) > KEPT_JPEG_BYTES_PER_PIXEL * im.width * im.height:
        return None
    try:
        # The segments that make the picture are as they were; still, what
        # is stored must open as the JPEG that was decoded.
        with Image.open(io.BytesIO(kept)) as check:
            if check.format != "JPEG" or check.size != im.size or check.mode != im.mode or check.getexif():
                return None
    except _DECODE_ERRORS:
        return None
    return kept


def _thumbnail_of_kept(kept: bytes, name: str) -> bytes | None:
    """The kept JPEG decoded whole, at the smallest scale that still gives a
    thumbnail (every byte of the scan is read all the same), and the
    thumbnail made of it; None when it does not decode: the upload is then
    decoded and re-encoded, which decides what is wrong with it."""
    try:
        with Image.open(io.BytesIO(kept)) as im:
            _draft(im, THUMBNAIL_LONG_SIDE)
            _decode(im, name)
            return _encode(im, THUMBNAIL_LONG_SIDE)[0]
    except (PhotoError, *_DECODE_ERRORS):
        return None


def _without_metadata(data: bytes) -> bytes | None:
    """The JPEG stream `data` up to its end marker, without the segments of
    _CUT_SEGMENTS (nor anything after the end: phones append second pictures
    and trailers there); None when the stream is not as expected."""
    if not data.startswith(b"\xff\xd8"):
        return None
    out = [b"\xff\xd8"]
    i, size = 2, len(data)
    while i + 2 <= size:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == _EOI:
            out.append(b"\xff\xd9")
            return b"".join(out)
        if i + 4 > size:
            return None
        end = i + 2 + int.from_bytes(data[i + 2 : i + 4], "big")
        if end > size or end < i + 4 or 0xD0 <= marker <= 0xD8 or marker == 0x01:
            return None
        if marker == _APP0:
            if data[i + 4 : i + 9] == b"JFIF\x00":
                out.append(_JFIF_APP0)
        elif marker not in _CUT_SEGMENTS:
            out.append(data[i:end])
        i = end
        if marker == _SOS:
            scan_end = _SCAN_END.search(data, i)
            if scan_end is None:
                return None
            out.append(data[i : scan_end.start()])
            i = scan_end.start()
    return None


def _encode(im: Image.Image, long_side: int) -> tuple[bytes, Image.Image]:
    """Upright, sRGB, at most `long_side`, JPEG with no metadata; and the
    picture that was encoded. A thumbnail is scaled with Pillow's bilinear
    filter (antialiased, like all its filters when shrinking) rather than
    Lanczos, and written baseline rather than progressive: at 400 pixels
    neither shows (an RMS difference of 1 in 255 on the bench's photo), and
    together they cut its cost from about 9 to 4 ms."""
    thumbnail = long_side <= THUMBNAIL_LONG_SIDE
    icc_profile = im.info.get("icc_profile")
    try:
        im = ImageOps.exif_transpose(im)
    except Exception:
        # A broken orientation tag leaves the photo as it was, not refused.
        logger.info("Unreadable EXIF orientation", exc_info=True)
    im = _flatten(im)
    im.thumbnail((long_side, long_side), Image.Resampling.BILINEAR if thumbnail else Image.Resampling.LANCZOS)
    im = _to_srgb(im, icc_profile)
    # A fresh image: nothing of the original's info (exif, xmp, icc_profile,
    # comments) can reach the encoder.
    out = Image.frombytes("RGB", im.size, im.tobytes())
    buffer = io.BytesIO()
    out.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=not thumbnail)
    return buffer.getvalue(), out


def _flatten(im: Image.Image) -> Image.Image:
    """Alpha on white; 16-bit grey scaled to 8 bits (Pillow would clip it)."""
    if im.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        return im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info:
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if im.mode in ("RGB", "L", "CMYK"):
        return im
    return im.convert("RGB")


def _to_srgb(im: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert from the embedded colour profile (Display P3 on iPhones, CMYK
    print profiles) before the profile is dropped, so colours stay right."""
    if icc_profile and im.mode in ("RGB", "L", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            return ImageCms.profileToProfile(im, source, _SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            logger.info("Unusable ICC profile ignored", exc_info=True)
    return im.convert("RGB")


def _render_thumbnail(photo: Photo) -> ContentFile:
    with photo.image.open("rb"), Image.open(photo.image) as im:
        _draft(im, THUMBNAIL_LONG_SIDE)
        content, _ = _encode(im, THUMBNAIL_LONG_SIDE)
    return ContentFile(content)


def _too_many_pixels(name: str) -> PhotoError:
    return PhotoError(
        f"Изображение «{name}» слишком большое: больше {MAX_PIXELS // 1_000_000} мегапикселей.",
        PhotoErrorCode.TOO_MANY_PIXELS,
        name,
    )


def _bad_dimensions(message: str, name: str) -> PhotoError:
    return PhotoError(message, PhotoErrorCode.BAD_DIMENSIONS, name)


def _corrupt(name: str) -> PhotoError:
    return PhotoError(
        f"Файл «{name}» повреждён или загружен не полностью. Попробуйте загрузить его ещё раз.",
        PhotoErrorCode.CORRUPT,
        name,
    )
