"""«Сообщить о проблеме» through the web form, as the resident sends it."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from issues.models import EventKind, Photo, Report, ReportEvent, Status, Topic
from tests.factories import RED_SQUARE, SAINT_PETERSBURG, UserFactory

pytestmark = pytest.mark.django_db
URL = "/report/new/"


def jpeg(name="photo.jpg", size=(800, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 80, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def point_topic(photo_required=True) -> Topic:
    return Topic.objects.filter(needs_building=False, photo_required=photo_required, season=None).first()


def building_topic() -> Topic:
    return Topic.objects.filter(needs_building=True, season=None, photo_required=True).first()


@pytest.fixture
def resident(client):
    user = UserFactory()
    client.force_login(user)
    return user


def form_data(topic, point=RED_SQUARE, **extra):
    data = {
        "topic": topic.pk,
        "lat": point.y,
        "lon": point.x,
        "description": "Не горит фонарь",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(extra)
    return data


def test_form_page_offers_available_topics_and_the_map(client, resident):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "report-map" in html and "topics-data" in html
    assert point_topic().name in html


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_cannot_report(client):
    from organizations.models import Organization
    from tests.factories import staff_of

    client.force_login(staff_of(Organization.objects.filter(kind="housing_service").first()))
    assert client.get(URL).status_code == 403


def test_sending_a_report_creates_it_in_moderation_with_its_first_event_and_photo(client, resident):
    topic = point_topic()
    response = client.post(URL, form_data(topic, photos=[jpeg()]))
    report = Report.objects.get(author=resident)
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    assert report.status == Status.MODERATION
    assert report.topic == topic
    assert report.district.name == "Тверской" and report.okrug.abbrev == "ЦАО"
    event = ReportEvent.objects.get(report=report)
    assert (
        event.kind == EventKind.CREATED and event.actor == resident and event.to_status == Status.MODERATION
    )
    assert Photo.objects.filter(report=report, role=Photo.Role.REPORT).count() == 1


def test_a_double_submit_creates_one_report(client, resident):
    data = form_data(point_topic(photo_required=False))
    first = client.post(URL, data)
    second = client.post(URL, data)
    assert Report.objects.filter(author=resident).count() == 1
    assert first["Location"] == second["Location"]
    assert ReportEvent.objects.filter(report__author=resident).count() == 1


def test_a_point_outside_moscow_is_refused_and_nothing_is_stored(client, resident):
    response = client.post(URL, form_data(point_topic(), point=SAINT_PETERSBURG, photos=[jpeg()]))
    assert response.status_code == 200
    assert "за пределами Москвы" in response.content.decode()
    assert not Report.objects.exists() and not Photo.objects.exists()


def test_a_broken_photo_is_refused_and_nothing_is_stored(client, resident):
    broken = SimpleUploadedFile("broken.jpg", jpeg().read()[:500], content_type="image/jpeg")
    response = client.post(URL, form_data(point_topic(), photos=[broken]))
    assert response.status_code == 200
    assert "broken.jpg" in response.content.decode()
    assert not Report.objects.exists() and not Photo.objects.exists()


def test_a_file_that_is_not_an_image_is_refused(client, resident):
    text = SimpleUploadedFile("notes.jpg", b"just some text, not a photo", content_type="image/jpeg")
    response = client.post(URL, form_data(point_topic(), photos=[text]))
    assert response.status_code == 200 and not Report.objects.exists()


def test_a_topic_that_needs_a_photo_refuses_a_report_without_one(client, resident):
    response = client.post(URL, form_data(point_topic(photo_required=True)))
    assert response.status_code == 200
    assert "хотя бы одно фото" in response.content.decode()
    assert not Report.objects.exists()


def test_six_photos_are_too_many(client, resident):
    response = client.post(URL, form_data(point_topic(), photos=[jpeg(f"p{i}.jpg") for i in range(6)]))
    assert response.status_code == 200 and not Report.objects.exists() and not Photo.objects.exists()


def test_a_description_over_2000_characters_is_refused(client, resident):
    response = client.post(URL, form_data(point_topic(photo_required=False), description="а" * 2001))
    assert response.status_code == 200 and not Report.objects.exists()


def test_a_building_topic_takes_the_building_found_by_address_without_javascript(client, resident):
    topic = building_topic()
    data = form_data(topic, photos=[jpeg()], address="Академическая Б. 4")
    del data["lat"], data["lon"]
    response = client.post(URL, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    report = Report.objects.get(author=resident)
    assert report.building is not None and "Академическая" in report.building.address
    assert report.point == report.building.point


def test_a_building_topic_without_a_building_is_refused(client, resident):
    data = form_data(building_topic(), photos=[jpeg()])
    data["address"] = ""
    response = client.post(URL, data)
    assert response.status_code == 200 and not Report.objects.exists()
    assert "дом" in response.content.decode()


def test_no_point_and_no_address_is_refused(client, resident):
    data = form_data(point_topic(photo_required=False))
    del data["lat"], data["lon"]
    response = client.post(URL, data)
    assert response.status_code == 200 and not Report.objects.exists()
    assert "Отметьте место на карте или укажите адрес" in response.content.decode()


def test_the_duplicate_hint_lists_open_reports_of_the_topic_within_100_m(client, resident):
    from issues.services import Submission, submit_report

    topic = point_topic(photo_required=False)
    other = UserFactory()
    near, _ = submit_report(other, Submission(topic=topic, point=RED_SQUARE))
    far, _ = submit_report(
        other,
        Submission(topic=topic, point=RED_SQUARE.__class__(RED_SQUARE.x + 0.01, RED_SQUARE.y, srid=4326)),
    )
    Report.objects.filter(pk__in=[near.pk, far.pk]).update(status=Status.IN_WORK)  # test setup: published
    response = client.get(
        "/reports/nearby/", {"topic": topic.pk, "lat": RED_SQUARE.y + 0.0005, "lon": RED_SQUARE.x}
    )
    ids = [r["id"] for r in response.json()["results"]]
    assert ids == [near.pk]
    # Another topic at the same place is not a duplicate.
    other_topic = Topic.objects.exclude(pk=topic.pk).filter(needs_building=False).first()
    assert (
        client.get(
            "/reports/nearby/", {"topic": other_topic.pk, "lat": RED_SQUARE.y, "lon": RED_SQUARE.x}
        ).json()["results"]
        == []
    )


def test_following_a_report_instead_of_filing_shows_it_in_my_reports(client, resident):
    from issues.services import Submission, submit_report

    report, _ = submit_report(
        UserFactory(), Submission(topic=point_topic(photo_required=False), point=RED_SQUARE)
    )
    Report.objects.filter(pk=report.pk).update(status=Status.IN_WORK)  # test setup: published
    client.post(f"/reports/{report.pk}/follow/")
    client.post(f"/reports/{report.pk}/follow/")  # a second click changes nothing
    assert report.followers.filter(user=resident).count() == 1
    page = client.get(reverse("issues:my-reports")).content.decode()
    assert "Отслеживаемые" in page and f"/reports/{report.pk}/" in page


def test_my_reports_lists_own_reports_with_status_topic_address_and_last_change(client, resident):
    from issues.services import Submission, submit_report

    mine, _ = submit_report(
        resident,
        Submission(topic=point_topic(photo_required=False), point=RED_SQUARE, address="Красная площадь"),
    )
    submit_report(
        UserFactory(), Submission(topic=point_topic(photo_required=False), point=RED_SQUARE, address="Чужое")
    )
    page = client.get(reverse("issues:my-reports")).content.decode()
    assert f"/reports/{mine.pk}/" in page and "Красная площадь" in page and "На модерации" in page
    assert "Чужое" not in page


def test_photo_gps_endpoint_reads_the_original_location_without_storing(client, resident):
    from issues.tests import photo_samples  # images generated in code

    data = photo_samples.jpeg(exif=photo_samples.exif_with(lat=55.7539, lon=37.6208))
    upload = SimpleUploadedFile("gps.jpg", data, content_type="image/jpeg")
    body = client.post("/report/photo-gps/", {"photo": upload}).json()
    assert abs(body["gps"]["lat"] - 55.7539) < 1e-4 and abs(body["gps"]["lon"] - 37.6208) < 1e-4
    assert not Photo.objects.exists()
