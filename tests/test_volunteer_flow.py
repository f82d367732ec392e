"""A volunteer inspection end to end through the pages, as the people do it:
a resident applies and is approved at the desk; a moderator orders a check of
a disputed report; the volunteer finds it nearest on their task list, takes
it, and files «not fixed» with a photo taken too far away; the desk sees the
flag and sends the report back in one click; the public page shows the
verdict without the volunteer; the loyalty app pays the volunteer once."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

from accounts.models import Role
from issues import services as report_services
from issues.models import EventKind, Outcome, Status, Topic
from tests.factories import UserFactory, staff_of, submit
from volunteers.models import Application, Inspection

pytestmark = pytest.mark.django_db


def _dms(value: float):
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(round(seconds * 10000), 10000)


def photo_taken_at(lat: float, lon: float) -> SimpleUploadedFile:
    """A camera's JPEG with the GPS position in its EXIF."""
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: _dms(lat),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: _dms(lon),
        }
    )
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (80, 90, 100)).save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_volunteer_inspection_from_application_to_return(client, django_capture_on_commit_callbacks):
    from loyalty.models import Entry

    moderator = UserFactory(role=Role.MODERATOR, full_name="Редакторова Вера")
    volunteer = UserFactory(full_name="Проверкин Олег", email="oleg@example.test")

    # The resident applies; the desk approves from its queue.
    client.force_login(volunteer)
    client.post(reverse("volunteers:landing"), {"motivation": "Живу у Красной площади"})
    application = Application.objects.get(user=volunteer)
    client.force_login(moderator)
    assert (
        "Живу у Красной площади"
        in client.get(reverse("moderation:queue", args=["applications"])).content.decode()
    )
    client.post(reverse("moderation:application", args=[application.pk]), {"decision": "approve"})
    volunteer.refresh_from_db()
    assert volunteer.role == Role.VOLUNTEER

    # A disputed report; the moderator orders an inspection from its desk page.
    author = UserFactory()
    report = submit(author, Topic.objects.get(code="yard-not-cleaned"))
    report_services.publish(moderator, report)
    report.refresh_from_db()
    report_services.answer(staff_of(report.organization), report, Outcome.DONE, "Двор убран")
    report_services.publish_answer(moderator, report)
    report_services.reject_fix(author, report, "Мусор так и лежит")
    report.refresh_from_db()
    client.post(
        reverse("moderation:act", args=[report.pk, "inspect"]),
        {
            "inspect-seen_status": report.status,
            "inspect-seen_version": report.updated_at.isoformat(),
            "inspect-note": "Сфотографируйте контейнерную площадку",
        },
    )
    inspection = Inspection.objects.get(report=report)

    # The volunteer finds it on the list nearest to the point chosen, and takes it.
    client.force_login(volunteer)
    tasks = client.get(reverse("volunteers:tasks"), {"lat": "55.7540", "lon": "37.6210"}).content.decode()
    assert f'id="task-{inspection.pk}"' in tasks and " м</td>" in tasks
    client.post(reverse("volunteers:take", args=[inspection.pk]))
    page = client.get(reverse("volunteers:task", args=[inspection.pk])).content.decode()
    assert "Сфотографируйте контейнерную площадку" in page and "Отправить итог" in page

    # «Not fixed», with one photo on the spot and one taken ~330 m away.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("volunteers:verdict", args=[inspection.pk]),
            {
                "verdict": "not_fixed",
                "comment": "Контейнеры переполнены, мусор вокруг",
                "photos": [photo_taken_at(55.7540, 37.6209), photo_taken_at(55.7569, 37.6208)],
            },
        )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SUBMITTED and inspection.far_photos == 1

    # Not yet public; the organization's office does not see the pending verdict either.
    public = client.get(reverse("public:report", args=[report.pk])).content.decode()
    assert "Итог выезда" not in public
    client.force_login(staff_of(report.organization))
    office = client.get(reverse("backoffice:report", args=[report.pk])).content.decode()
    assert "Контейнеры переполнены" not in office and "Сфотографируйте" not in office

    # The desk: the verdict with its flag in the queue; one click sends the report back.
    client.force_login(moderator)
    queue = client.get(reverse("moderation:queue", args=["inspections"])).content.decode()
    assert f'id="inspection-{inspection.pk}"' in queue and "far-flag" in queue
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("moderation:inspection", args=[inspection.pk, "return"]), {"comment": "Повторно"})
    report.refresh_from_db()
    inspection.refresh_from_db()
    assert report.status == Status.IN_WORK and report.returns_count == 1
    assert inspection.status == Inspection.Status.ACCEPTED
    assert report.events.get(kind=EventKind.RETURNED).payload["inspection_id"] == inspection.pk

    # The loyalty app heard inspection_accepted after commit and paid once.
    assert Entry.objects.filter(inspection=inspection, user=volunteer).count() == 1

    # The public timeline: the verdict and its photos, never the volunteer.
    client.logout()
    public = client.get(reverse("public:report", args=[report.pk])).content.decode()
    assert "Общественная проверка" in public and "Итог выезда на место: проблема не устранена." in public
    assert "Проверкин" not in public and "oleg@example.test" not in public
    assert "Контейнеры переполнены" not in public  # the volunteer's own words stay at the desk
    assert public.count("Фото проверки") == 2

    # The volunteer's page: one accepted inspection.
    client.force_login(volunteer)
    mine = client.get(reverse("volunteers:me")).content.decode()
    assert 'id="accepted">1<' in mine
