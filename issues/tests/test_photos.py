"""The photo pipeline: what is refused, what is stored, thumbnails."""

import datetime
import io

import pytest
from django.conf import settings
from django.utils import timezone
from PIL import Image, ImageFile

from issues import photos
from issues.models import EventKind, Photo, Report, ReportEvent, Topic
from issues.photos import (
    MAX_PHOTO_BYTES,
    PhotoError,
    PhotoErrorCode,
    ProcessedPhoto,
    attach_photos,
    make_thumbnail,
    process_upload,
    validate_photo_count,
)
from issues.tasks import sweep_missing_thumbnails
from issues.tests import photo_samples as samples
from tests.factories import RED_SQUARE, UserFactory, district


def stored_files() -> list:
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def assert_no_metadata(data: bytes) -> None:
    assert b"Exif" not in data
    assert b"xmpmeta" not in data and b"http://ns.adobe.com/xap" not in data
    assert b"ICC_PROFILE" not in data
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG"
        assert not im.getexif()
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(im.info)


def colour_at(data: bytes, x: float, y: float) -> tuple:
    with Image.open(io.BytesIO(data)) as im:
        return im.convert("RGB").getpixel((int(x * (im.width - 1)), int(y * (im.height - 1))))


def near(colour: tuple, expected: tuple, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


@pytest.fixture
def resident():
    return UserFactory()


# --- What is accepted, and what the stored file looks like ---------------


@pytest.mark.django_db
def test_a_rotated_jpeg_with_gps_is_stored_upright_with_its_place_and_no_metadata(resident):
    exif = samples.exif_with(samples.MOSCOW_LAT, samples.MOSCOW_LON, orientation=6)
    data = samples.jpeg(300, 200, exif=exif, xmp=samples.XMP, icc_profile=samples.srgb_icc())
    assert b"Exif" in data and b"secret-xmp" in data  # the sample really carries them

    processed = process_upload(samples.upload(data, "IMG_0001.JPG"))

    # Orientation 6 means "turn 90° clockwise to view": width and height swap
    # and the red top-left quarter ends up top-right.
    assert (processed.width, processed.height) == (200, 300)
    assert processed.gps.srid == 4326
    assert processed.gps.x == pytest.approx(samples.MOSCOW_LON, abs=1e-5)
    assert processed.gps.y == pytest.approx(samples.MOSCOW_LAT, abs=1e-5)
    assert processed.content.name.endswith(".jpg") and "IMG_0001" not in processed.content.name

    [photo] = attach_photos(None, [processed], Photo.Role.INSPECTION, resident)

    photo.refresh_from_db()
    with photo.image.open("rb") as fh:
        stored = fh.read()
    assert_no_metadata(stored)
    assert b"secret-xmp" not in stored and b"TestCam" not in stored
    assert (photo.width, photo.height) == (200, 300)
    assert near(colour_at(stored, 0.9, 0.1), samples.RED)
    assert near(colour_at(stored, 0.1, 0.1), samples.BLUE)
    assert photo.taken_at_point.x == pytest.approx(samples.MOSCOW_LON, abs=1e-5)
    assert photo.taken_at_point.y == pytest.approx(samples.MOSCOW_LAT, abs=1e-5)
    assert photo.role == Photo.Role.INSPECTION and photo.uploaded_by == resident


def test_south_and_west_coordinates_are_negative():
    exif = samples.exif_with(-33.8568, -151.2153)
    processed = process_upload(samples.upload(samples.jpeg(exif=exif), "sydney-ish.jpg"))
    assert processed.gps.x == pytest.approx(-151.2153, abs=1e-5)
    assert processed.gps.y == pytest.approx(-33.8568, abs=1e-5)


@pytest.mark.parametrize(
    "gps",
    [
        None,  # no GPS block at all
        {1: "N", 2: (55.0, 45.0, 1.0)},  # latitude only
        {1: "N", 2: (95.0, 0.0, 0.0), 3: "E", 4: (37.0, 0.0, 0.0)},  # beyond the pole
        {1: "X", 2: (55.0, 0.0, 0.0), 3: "E", 4: (37.0, 0.0, 0.0)},  # no such hemisphere
        {1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)},  # "no fix" written as 0,0
    ],
    ids=["absent", "latitude-only", "out-of-range", "bad-ref", "null-island"],
)
def test_missing_or_invalid_gps_gives_no_point(gps):
    data = samples.jpeg(exif=samples.exif_with(gps=gps)) if gps else samples.jpeg()
    assert process_upload(samples.upload(data, "x.jpg")).gps is None


def test_a_png_with_alpha_is_flattened_on_white():
    processed = process_upload(samples.upload(samples.png_rgba(64, 48), "logo.png"))
    data = processed.content.read()
    assert_no_metadata(data)
    assert (processed.width, processed.height) == (64, 48)
    assert near(colour_at(data, 0.02, 0.02), (255, 255, 255), 10)
    assert near(colour_at(data, 0.5, 0.5), samples.RED)


def test_a_16_bit_grey_png_keeps_its_grey():
    data = process_upload(samples.upload(samples.png_16bit_grey(value=40000), "scan.png")).content.read()
    assert near(colour_at(data, 0.5, 0.5), (156, 156, 156), 6)  # 40000 / 256, not clipped to white


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (samples.webp, "photo.webp"),
        (samples.heic, "IMG_0002.HEIC"),
        (samples.mpo, "samsung.jpg"),
    ],
)
def test_webp_heic_and_multi_picture_jpeg_are_accepted(make, name):
    processed = process_upload(samples.upload(make(), name))
    data = processed.content.read()
    assert_no_metadata(data)
    assert (processed.width, processed.height) == (120, 80)
    assert near(colour_at(data, 0.1, 0.1), samples.RED)


def test_heic_gps_is_read():
    exif = samples.exif_with(samples.MOSCOW_LAT, samples.MOSCOW_LON)
    processed = process_upload(samples.upload(samples.heic(exif=exif.tobytes()), "IMG_0003.HEIC"))
    assert processed.gps.x == pytest.approx(samples.MOSCOW_LON, abs=1e-5)
    assert processed.gps.y == pytest.approx(samples.MOSCOW_LAT, abs=1e-5)
    assert_no_metadata(processed.content.read())


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as im:
        return im.convert("RGB").tobytes()


@pytest.mark.parametrize("progressive", [False, True])
def test_an_upright_jpeg_is_kept_as_it_came_with_its_metadata_cut(progressive):
    """No re-encoding when the pixels need no change: every pixel is as the
    camera wrote it, and nothing of EXIF, XMP, comments or what follows the
    end marker is left."""
    exif = samples.exif_with(samples.MOSCOW_LAT, samples.MOSCOW_LON)
    original = samples.encoded(
        samples.marked(640, 480),
        "JPEG",
        quality=90,
        exif=exif,
        xmp=samples.XMP,
        comment=b"secret-comment",
        progressive=progressive,
        restart_marker_blocks=4,
    )
    data = original + b"SEFT-trailer secret"

    processed = process_upload(samples.upload(data, "IMG_0002.JPG"))

    stored = processed.content.read()
    assert_no_metadata(stored)
    for secret in (b"secret-xmp", b"TestCam", b"secret-comment", b"SEFT"):
        assert secret not in stored
    assert pixels(stored) == pixels(original)
    assert (processed.width, processed.height) == (640, 480)
    assert processed.gps.y == pytest.approx(samples.MOSCOW_LAT, abs=1e-5)
    assert len(stored) < len(original)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(samples.jpeg(exif=samples.exif_with(orientation=3)), id="turned"),
        pytest.param(samples.jpeg(icc_profile=samples.srgb_icc()), id="colour-profile"),
        pytest.param(samples.jpeg(3000, 2000), id="larger-than-kept"),
        pytest.param(samples.mpo(), id="multi-picture"),
    ],
)
def test_a_jpeg_whose_pixels_must_change_is_re_encoded(data, monkeypatch):
    encoded = []
    real_encode = photos._encode
    monkeypatch.setattr(photos, "_encode", lambda im, side: encoded.append(side) or real_encode(im, side))

    processed = process_upload(samples.upload(data, "p.jpg"))

    # The photo, then its thumbnail from the same pixels.
    assert encoded == [photos.STORED_LONG_SIDE, photos.THUMBNAIL_LONG_SIDE]
    assert_no_metadata(processed.content.read())
    assert_no_metadata(processed.thumbnail)


def test_a_jpeg_stream_that_is_not_as_expected_is_re_encoded():
    assert photos._without_metadata(b"\xff\xd8\xff\xdb\x00") is None  # a segment cut short
    assert photos._without_metadata(samples.jpeg()[:-2]) is None  # no end marker
    assert photos._without_metadata(b"GIF89a") is None


def test_a_large_photo_is_downsized_to_2560_on_the_long_side():
    processed = process_upload(samples.upload(samples.jpeg(5200, 1300), "panorama.jpg"))
    assert (processed.width, processed.height) == (2560, 640)


def test_a_file_of_exactly_20_mb_is_accepted():
    data = samples.jpeg()
    processed = process_upload(samples.upload(data + b"\0" * (MAX_PHOTO_BYTES - len(data)), "big.jpg"))
    assert (processed.width, processed.height) == (300, 200)


def test_each_photo_gets_a_fresh_name():
    data = samples.jpeg()
    first, second = (process_upload(samples.upload(data, "same.jpg")) for _ in range(2))
    assert first.content.name != second.content.name


def test_pillow_still_refuses_truncated_files():
    """Nothing in the project (apps, pillow-heif) may switch this on: the
    pipeline's truncation check relies on it."""
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


# --- What is refused: the error, and nothing stored -----------------------


def header_only(monkeypatch):
    """Fail the test if a single pixel is decoded."""

    def no_decoding(self):
        raise AssertionError("decoded an image that should have been refused from its header")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)


BAD_UPLOADS = {
    "text": (lambda: "Это не фото".encode(), "notes.jpg", PhotoErrorCode.NOT_IMAGE),
    "empty": (lambda: b"", "empty.jpg", PhotoErrorCode.NOT_IMAGE),
    "gif": (samples.gif, "cat.gif", PhotoErrorCode.UNSUPPORTED_FORMAT),
    "bmp": (samples.bmp, "paint.bmp", PhotoErrorCode.UNSUPPORTED_FORMAT),
    "tiff": (samples.tiff, "scan.tiff", PhotoErrorCode.UNSUPPORTED_FORMAT),
    "truncated-jpeg": (samples.truncated_jpeg, "cut.jpg", PhotoErrorCode.CORRUPT),
    # Large enough to be decoded at a reduced scale (JPEG draft mode).
    "truncated-large-jpeg": (
        lambda: samples.truncated_jpeg(6000, 4000),
        "cut-big.jpg",
        PhotoErrorCode.CORRUPT,
    ),
    "truncated-png": (samples.truncated_png, "cut.png", PhotoErrorCode.CORRUPT),
    "bomb-over-our-limit": (lambda: samples.png_bomb(9000, 9000), "bomb.png", PhotoErrorCode.TOO_MANY_PIXELS),
    "bomb-over-pillows-limit": (
        lambda: samples.png_bomb(11_900, 11_900),
        "bomb2.png",
        PhotoErrorCode.TOO_MANY_PIXELS,
    ),
    "bomb-pillow-refuses-outright": (
        lambda: samples.png_bomb(15_000, 15_000),
        "bomb3.png",
        PhotoErrorCode.TOO_MANY_PIXELS,
    ),
    "side-too-long": (lambda: samples.png_bomb(12_001, 1000), "long.png", PhotoErrorCode.BAD_DIMENSIONS),
    "too-small": (lambda: samples.jpeg(15, 100), "tiny.jpg", PhotoErrorCode.BAD_DIMENSIONS),
    "too-narrow": (lambda: samples.jpeg(2100, 100), "strip.jpg", PhotoErrorCode.BAD_DIMENSIONS),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_UPLOADS, ids=list(BAD_UPLOADS))
def test_a_bad_upload_is_refused_with_its_code_and_nothing_is_stored(case, resident, monkeypatch):
    make, name, code = BAD_UPLOADS[case]
    data = make()
    # As a form does it: every file is processed before any is stored.
    processed = [process_upload(samples.upload(samples.jpeg(), "good.jpg"))]
    if code in (PhotoErrorCode.TOO_MANY_PIXELS, PhotoErrorCode.BAD_DIMENSIONS):
        header_only(monkeypatch)

    with pytest.raises(PhotoError) as caught:
        processed.append(process_upload(samples.upload(data, name)))
        attach_photos(None, processed, Photo.Role.REPORT, resident)

    assert caught.value.code == code
    assert caught.value.file_name == name
    assert f"«{name}»" in caught.value.messages[0]
    assert caught.value.field == "photos"
    assert stored_files() == []
    assert not Photo.objects.exists()


def test_a_file_over_20_mb_is_refused_before_it_is_read(monkeypatch):
    data = samples.jpeg()
    oversized = samples.upload(data + b"\0" * (MAX_PHOTO_BYTES + 1 - len(data)), "huge.jpg")
    assert oversized.size == MAX_PHOTO_BYTES + 1

    def no_opening(*args, **kwargs):
        raise AssertionError("opened a file that is too large")

    monkeypatch.setattr(Image, "open", no_opening)
    with pytest.raises(PhotoError) as caught:
        process_upload(oversized)
    assert caught.value.code == PhotoErrorCode.TOO_LARGE
    assert "«huge.jpg» больше 20 МБ" in caught.value.messages[0]
    assert stored_files() == []


def test_a_percent_sign_in_a_file_name_is_shown_as_is():
    with pytest.raises(PhotoError) as caught:
        process_upload(samples.upload(b"nope", "100%(name)s.jpg"))
    assert "«100%(name)s.jpg»" in caught.value.messages[0]


# --- How many photos ------------------------------------------------------


@pytest.mark.parametrize("count", [1, 5])
def test_one_to_five_photos_are_allowed(count):
    validate_photo_count([object()] * count, required=True)


def test_no_photo_is_allowed_only_when_not_required():
    validate_photo_count([], required=False)
    with pytest.raises(PhotoError) as caught:
        validate_photo_count([], required=True)
    assert caught.value.code == PhotoErrorCode.REQUIRED == "photo_required"
    assert caught.value.messages == ["Приложите хотя бы одну фотографию."]


@pytest.mark.parametrize("required", [True, False])
def test_six_photos_are_too_many(required):
    with pytest.raises(PhotoError) as caught:
        validate_photo_count([object()] * 6, required=required)
    assert caught.value.code == PhotoErrorCode.TOO_MANY == "too_many_photos"
    assert "не больше 5 фотографий" in caught.value.messages[0]


# --- Storing and thumbnails -----------------------------------------------


def processed_jpeg(width: int = 1600, height: int = 1200) -> ProcessedPhoto:
    return process_upload(samples.upload(samples.jpeg(width, height), "p.jpg"))


@pytest.mark.django_db
def test_photos_are_attached_to_the_report_and_its_event(resident):
    tverskoy = district("Тверской")
    report = Report.objects.create(
        author=resident,
        topic=Topic.objects.order_by("pk").first(),
        point=RED_SQUARE,
        district=tverskoy,
        okrug=tverskoy.okrug,
    )
    event = ReportEvent.objects.create(report=report, kind=EventKind.CREATED)

    attached = attach_photos(
        report, [processed_jpeg(), processed_jpeg(800, 600)], Photo.Role.REPORT, resident, event
    )

    assert [p.pk for p in report.photos.all()] == [p.pk for p in attached]
    assert [(p.width, p.height) for p in report.photos.all()] == [(1600, 1200), (800, 600)]
    assert all(p.event == event and p.taken_at_point is None for p in report.photos.all())
    assert len(stored_files()) == 4  # each photo and its thumbnail


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(samples.jpeg(1600, 1200), id="kept"),
        pytest.param(samples.jpeg(1600, 1200, exif=samples.exif_with(orientation=3)), id="re-encoded"),
    ],
)
@pytest.mark.django_db
def test_the_thumbnail_is_stored_with_the_photo_and_nothing_is_queued(
    data, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        [photo] = attach_photos(
            None, [process_upload(samples.upload(data, "p.jpg"))], Photo.Role.REPORT, resident
        )
        assert Photo.objects.get(pk=photo.pk).thumbnail == photo.thumbnail.name

    assert callbacks == []  # no worker needs to read the photo back
    stem = photo.image.name.rsplit("/", 1)[1].removesuffix(".jpg")
    assert photo.thumbnail.name.endswith(f"{stem}-thumb.jpg")
    with photo.thumbnail.open("rb") as fh:
        data = fh.read()
    assert_no_metadata(data)
    with Image.open(io.BytesIO(data)) as thumb:
        assert thumb.size == (400, 300)


def stored_without_thumbnails(resident, count: int = 1) -> list[Photo]:
    """Photos as they were stored before process_upload made thumbnails:
    what the sweep is for."""
    stored = attach_photos(None, [processed_jpeg() for _ in range(count)], Photo.Role.REPORT, resident)
    for photo in stored:
        photo.thumbnail.delete()
    return stored


@pytest.mark.django_db
def test_making_a_thumbnail_twice_is_a_no_op(resident):
    [photo] = stored_without_thumbnails(resident)

    assert make_thumbnail(photo.pk) is True
    files = stored_files()
    photo.refresh_from_db()
    first = photo.thumbnail.name

    assert make_thumbnail(photo.pk) is False
    photo.refresh_from_db()
    assert photo.thumbnail.name == first
    assert stored_files() == files
    assert make_thumbnail(photo.pk + 1000) is False  # deleted meanwhile: nothing to do


@pytest.mark.django_db
def test_the_loser_of_a_thumbnail_race_deletes_its_own_file(resident, monkeypatch):
    [photo] = stored_without_thumbnails(resident)
    render = photos._render_thumbnail

    def render_while_another_worker_wins(p):
        content = render(p)
        Photo.objects.filter(pk=p.pk).update(thumbnail="photos/ab/winner-thumb.jpg")
        return content

    monkeypatch.setattr(photos, "_render_thumbnail", render_while_another_worker_wins)
    assert make_thumbnail(photo.pk) is False
    photo.refresh_from_db()
    assert photo.thumbnail.name == "photos/ab/winner-thumb.jpg"
    assert [p.name for p in stored_files()] == [photo.image.name.rsplit("/", 1)[1]]


@pytest.mark.django_db
def test_the_sweep_makes_missing_thumbnails_once(resident):
    old, fresh, ancient = stored_without_thumbnails(resident, 3)
    now = timezone.now()
    Photo.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(minutes=3))
    Photo.objects.filter(pk=ancient.pk).update(created_at=now - datetime.timedelta(days=8))

    assert sweep_missing_thumbnails.delay().get() == 1
    files = stored_files()
    assert sweep_missing_thumbnails.delay().get() == 0

    assert stored_files() == files
    assert Photo.objects.get(pk=old.pk).thumbnail
    # A photo of the last two minutes may be a save still in progress; one a
    # week old is given up on.
    assert not Photo.objects.get(pk=fresh.pk).thumbnail
    assert not Photo.objects.get(pk=ancient.pk).thumbnail


@pytest.mark.django_db
def test_one_unreadable_photo_does_not_stop_the_sweep(resident):
    broken, good = stored_without_thumbnails(resident, 2)
    Photo.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    broken.image.storage.delete(broken.image.name)

    assert sweep_missing_thumbnails.delay().get() == 1
    assert Photo.objects.get(pk=good.pk).thumbnail
    assert not Photo.objects.get(pk=broken.pk).thumbnail
