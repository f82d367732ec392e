"""Test images, made in code (no binary files in the repository)."""

from __future__ import annotations

import io
import struct
import zlib

import pillow_heif
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms
from PIL.TiffImagePlugin import IFDRational

pillow_heif.register_heif_opener()

# Somewhere on Tverskaya: 55°45'52.2"N 37°36'40.8"E.
MOSCOW_LAT = 55 + 45 / 60 + 52.2 / 3600
MOSCOW_LON = 37 + 36 / 60 + 40.8 / 3600
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/>secret-xmp</x:xmpmeta>'

RED = (220, 20, 20)
BLUE = (20, 20, 220)


def upload(data: bytes, name: str, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def marked(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """Blue with a red top-left quarter, so that a rotation can be seen."""
    im = Image.new(mode, (width, height), BLUE if mode == "RGB" else (*BLUE, 255))
    im.paste(RED if mode == "RGB" else (*RED, 255), (0, 0, width // 2, height // 2))
    return im


def dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(round(seconds * 10000), 10000)


def exif_with(lat: float | None = None, lon: float | None = None, orientation: int | None = None, gps=None):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps is None and lat is not None:
        gps = {
            ExifTags.GPS.GPSLatitudeRef: "N" if lat >= 0 else "S",
            ExifTags.GPS.GPSLatitude: dms(abs(lat)),
            ExifTags.GPS.GPSLongitudeRef: "E" if lon >= 0 else "W",
            ExifTags.GPS.GPSLongitude: dms(abs(lon)),
        }
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(gps)
    return exif


def encoded(im: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, fmt, **params)
    return buffer.getvalue()


def jpeg(width: int = 300, height: int = 200, **params) -> bytes:
    return encoded(marked(width, height), "JPEG", quality=90, **params)


def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def png_rgba(width: int = 64, height: int = 48) -> bytes:
    """A red square in the middle of a fully transparent picture."""
    im = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    im.paste((*RED, 255), (width // 4, height // 4, 3 * width // 4, 3 * height // 4))
    return encoded(im, "PNG")


def png_16bit_grey(width: int = 32, height: int = 32, value: int = 40000) -> bytes:
    return encoded(Image.new("I;16", (width, height), value), "PNG")


def webp(width: int = 120, height: int = 80) -> bytes:
    return encoded(marked(width, height), "WEBP", quality=90)


def heic(width: int = 120, height: int = 80, **params) -> bytes:
    return encoded(marked(width, height), "HEIF", quality=90, **params)


def mpo(width: int = 120, height: int = 80) -> bytes:
    """A JPEG with a second picture inside, as phones write them."""
    im = marked(width, height)
    return encoded(im, "MPO", save_all=True, append_images=[im.rotate(180)])


def gif() -> bytes:
    return encoded(marked(40, 40).convert("P"), "GIF")


def bmp() -> bytes:
    return encoded(marked(40, 40), "BMP")


def tiff() -> bytes:
    return encoded(marked(40, 40), "TIFF")


def truncated_jpeg(width: int = 400, height: int = 300) -> bytes:
    data = jpeg(width, height)
    return data[: len(data) * 2 // 3]


def truncated_png() -> bytes:
    data = encoded(Image.effect_noise((200, 200), 64).convert("RGB"), "PNG")
    return data[: len(data) // 2]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of `width`×`height` black pixels: a few kilobytes
    that would decode into width×height bytes. Built by hand, because
    Pillow would need the whole bitmap in memory to write it."""
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row * 1000) for _ in range(height // 1000)]
    parts += [compressor.compress(row * (height % 1000)), compressor.flush()]
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", b"".join(parts))
        + _chunk(b"IEND", b"")
    )
