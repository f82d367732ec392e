"""POST requests: a client application files a resident's report, with the
same checks as the web form; every refusal is the standard's error list and
leaves nothing behind."""

import pytest

from accounts.models import Role, User
from issues.models import EventKind, Photo, Report, Status, Topic
from open311 import services
from open311.models import ResponseType, ServiceRequest
from open311.tests.conftest import (
    FORM_ENCODED,
    FORMATS,
    RED_SQUARE,
    VALID_ANSWERS,
    body,
    errors,
    photo_file,
    post_form,
    rows,
    url,
)
from places.models import Building
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def filing(key, **extra):
    data = {
        "api_key": key,
        "service_code": "yard-not-cleaned",
        **RED_SQUARE,
        "email": "Resident@Example.test",
        "first_name": "Анна",
        "last_name": "Петрова",
        "phone": "+7 900 000-00-00",
        "description": "Мусор у подъезда",
        **VALID_ANSWERS,
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def nothing_written(reports_before: int, users_before: int) -> bool:
    return (
        Report.objects.count() == reports_before
        and User.objects.count() == users_before
        and not ServiceRequest.objects.exists()
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_form_encoded_request_files_a_report_in_moderation(client, key, app_key, topic, fmt):
    response = post_form(
        client,
        url("requests", fmt),
        filing(
            key,
            **{
                "attribute[bags]": "3",
                "attribute[seen_at]": "2026-11-20T09:30:00+03:00",
                "attribute[details]": "Строка 1\r\nСтрока 2",
                "attribute[near][]": ["playground", "entrance"],
                "media_url": "https://fms.example.test/photo/1.jpeg",
                "device_id": "tt222111",
                "account_id": "123456",
                "unknown_parameter": "ignored",
                "attribute[not_asked]": "ignored too",
            },
        ),
    )
    assert response.status_code == 200, response.content.decode()
    (row,) = rows(response)
    report = Report.objects.get()
    assert row["service_request_id"] == str(report.pk)
    assert "token" not in row
    assert "редакция" in row["service_notice"]
    assert row["account_id"] is None
    if fmt == "xml":
        assert list(row) == ["service_request_id", "service_notice", "account_id"]

    assert report.status == Status.MODERATION
    assert report.topic == topic and report.description == "Мусор у подъезда"
    assert report.district.name == "Тверской"
    assert report.question_answers == {
        "where": "У третьего подъезда",
        "kind": "household",
        "bags": 3,
        "seen_at": "2026-11-20T09:30:00+03:00",
        "details": "Строка 1\nСтрока 2",
        "near": ["playground", "entrance"],
    }
    author = report.author
    assert author.email == "resident@example.test" and author.role == Role.RESIDENT
    assert author.full_name == "Анна Петрова" and author.phone == "+7 900 000-00-00"
    assert not author.has_usable_password()
    created = report.events.get()
    assert created.kind == EventKind.CREATED and created.actor == author
    link = report.open311
    assert link.client == app_key[0] and link.media_url == "https://fms.example.test/photo/1.jpeg"
    assert link.device_id == "tt222111" and link.account_id == "123456"


def test_a_body_written_as_in_the_standard_with_raw_brackets_and_plus_signs(client, key, topic):
    # Brackets unescaped, spaces as "+", Cyrillic percent-encoded: the standard's example request.
    raw = (
        f"api_key={key}&jurisdiction_id=testserver&service_code=yard-not-cleaned"
        "&lat=55.7539&long=37.6208&email=smit333%40example.test&first_name=john&last_name=smith"
        "&description=A+large+heap%0D%0Aof+garbage"
        "&attribute[where]=%D0%A3+%D0%B2%D1%85%D0%BE%D0%B4%D0%B0&attribute[kind]=building"
        "&attribute[near][]=playground&attribute[near][]=entrance"
    )
    response = client.post(url("requests", "xml"), raw, content_type=FORM_ENCODED)
    assert response.status_code == 200, response.content.decode()
    report = Report.objects.get()
    assert report.description == "A large heap\r\nof garbage"
    assert report.question_answers == {
        "where": "У входа",
        "kind": "building",
        "near": ["playground", "entrance"],
    }
    assert report.author.email == "smit333@example.test" and report.author.full_name == "john smith"


def test_the_author_is_matched_by_email_in_any_case_and_not_changed(client, key, topic):
    resident = UserFactory(email="anna@example.test", full_name="Анна Существующая", phone="")
    response = client.post(url("requests", "json"), filing(key, email="ANNA@Example.TEST", phone="+7 999"))
    assert response.status_code == 200
    report = Report.objects.get()
    assert report.author == resident
    resident.refresh_from_db()
    assert resident.full_name == "Анна Существующая" and resident.phone == ""
    assert resident.has_usable_password()


@pytest.mark.parametrize("fmt", FORMATS)
def test_multipart_with_a_photo_goes_through_the_photo_pipeline(client, key, fmt):
    # «Ямы и выбоины» needs a photo.
    data = filing(key, service_code="road-potholes")
    data["media"] = photo_file()
    response = client.post(url("requests", fmt), data)  # multipart/form-data
    assert response.status_code == 200, response.content.decode()
    report = Report.objects.get()
    (photo,) = report.photos.all()
    assert photo.role == Photo.Role.REPORT and photo.event.kind == EventKind.CREATED
    assert photo.image.name.endswith(".jpg") and photo.width == 640


def test_multipart_with_photos_and_a_multivaluelist(client, key, topic):
    data = filing(key, **{"attribute[near][]": ["playground", "entrance"]})
    data["media"] = [photo_file("one.jpg"), photo_file("two.jpg", size=(320, 240))]
    response = client.post(url("requests", "json"), data)
    assert response.status_code == 200, response.content.decode()
    report = Report.objects.get()
    assert report.question_answers["near"] == ["playground", "entrance"]
    assert sorted(p.width for p in report.photos.all()) == [320, 640]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_topic_that_needs_a_photo_refuses_a_request_without_one(client, key, fmt):
    before = (Report.objects.count(), User.objects.count())
    (description,) = errors(
        client.post(
            url("requests", fmt),
            filing(key, service_code="road-potholes", media_url="https://fms.example.test/p.jpg"),
        ),
        400,
    )
    assert "фотограф" in description
    assert nothing_written(*before)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_broken_photo_is_refused_with_its_name(client, key, fmt):
    before = (Report.objects.count(), User.objects.count())
    data = filing(key, service_code="road-potholes")
    from django.core.files.uploadedfile import SimpleUploadedFile

    data["media"] = SimpleUploadedFile(
        "broken.jpg", b"\xff\xd8\xff\xe0 not a jpeg", content_type="image/jpeg"
    )
    (description,) = errors(client.post(url("requests", fmt), data), 400)
    assert "broken.jpg" in description
    assert nothing_written(*before)


def broken_photo(name="broken.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"\xff\xd8\xff\xe0 not a jpeg", content_type="image/jpeg")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, "не больше 5 фотографий, а выбрано 6"),
        ({"description": "x" * 2001}, "2000"),
        ({"lat": "59.9386", "long": "30.3141"}, "за пределами Москвы"),
        ({"attribute[kind]": "toxic"}, "toxic"),
        ({"email": "staff@example.test"}, "жители"),
    ],
)
def test_cheap_checks_come_before_any_photo_is_decoded(client, key, topic, change, expected):
    # Six files that would each be refused as broken if they were decoded:
    # the first error must be the cheap one, not «broken-1.jpg».
    from tests.factories import organization, staff_of

    staff_of(organization("mossvet"), email="staff@example.test")
    before = (Report.objects.count(), User.objects.count())
    data = filing(key, **change)
    data["media"] = [broken_photo(f"broken-{i}.jpg") for i in range(1, 7 if not change else 2)]
    descriptions = errors(client.post(url("requests", "json"), data), 400)
    assert any(expected in d for d in descriptions), descriptions
    assert not any("broken-" in d for d in descriptions), descriptions
    assert nothing_written(*before)


def test_address_id_is_a_building_of_the_register(client, key, topic):
    building = Building.objects.filter(district__name="Арбат").order_by("pk").first()
    data = filing(key, address_id=str(building.pk))
    del data["lat"], data["long"]
    response = client.post(url("requests", "json"), data)
    assert response.status_code == 200, response.content.decode()
    report = Report.objects.get()
    assert report.building == building and report.point == building.point
    assert report.district.name == "Арбат"
    assert report.address == building.short_address


def test_address_string_alone_finds_the_building(client, key, topic):
    building = Building.objects.filter(district__name="Арбат").order_by("pk").first()
    data = filing(key, address_string=building.short_address)
    del data["lat"], data["long"]
    response = client.post(url("requests", "json"), data)
    assert response.status_code == 200, response.content.decode()
    report = Report.objects.get()
    assert report.building == building and report.point == building.point


def test_lat_long_without_an_address_is_named_by_the_nearest_building(client, key, topic):
    building = Building.objects.filter(district__name="Арбат").order_by("pk").first()
    data = filing(key, lat=str(building.point.y + 0.00005), long=str(building.point.x))
    response = client.post(url("requests", "json"), data)
    assert response.status_code == 200, response.content.decode()
    report = Report.objects.get()
    assert report.address == building.short_address
    assert report.building is None  # a yard topic is not about the building


def test_lat_long_for_a_building_topic_takes_the_nearest_building(client, key):
    Topic.objects.filter(code="entrance-hall-littered").update(photo_required=False)
    building = Building.objects.filter(district__name="Арбат").order_by("pk").first()
    data = filing(
        key,
        service_code="entrance-hall-littered",
        lat=str(building.point.y + 0.00005),
        long=str(building.point.x),
        address_string=None,
    )
    response = client.post(url("requests", "json"), data)
    assert response.status_code == 200, response.content.decode()
    report = Report.objects.get()
    assert report.building == building


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("change", "status", "expected"),
    [
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "no-such-topic"}, 404, "no-such-topic"),
        ({"lat": None, "long": None}, 400, "lat и long, address_string или address_id"),
        ({"long": None}, 400, "lat и long передаются вместе"),
        ({"lat": "north"}, 400, "lat"),
        ({"lat": "59.9386", "long": "30.3141"}, 400, "за пределами Москвы"),
        ({"address_id": "999999999", "lat": None, "long": None}, 400, "address_id"),
        ({"address_id": "12a"}, 400, "address_id"),
        ({"address_string": "Несуществующая ул., 99999", "lat": None, "long": None}, 400, "не найден"),
        ({"email": None}, 400, "email"),
        ({"email": "not-an-email"}, 400, "email"),
        ({"media_url": "ftp://example.test/p.jpg"}, 400, "media_url"),
        ({"description": "x" * 2001}, 400, "2000"),
        ({"attribute[where]": None}, 400, "where"),
        ({"attribute[kind]": "toxic"}, 400, "toxic"),
        ({"attribute[bags]": "many"}, 400, "bags"),
        ({"attribute[seen_at]": "yesterday"}, 400, "seen_at"),
        ({"attribute[where]": "строка\nвторая"}, 400, "одной строкой"),
        ({"attribute[near][]": ["playground", "school"]}, 400, "school"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_written(client, key, topic, fmt, change, status, expected):
    before = (Report.objects.count(), User.objects.count())
    descriptions = errors(client.post(url("requests", fmt), filing(key, **change)), status)
    assert any(expected in d for d in descriptions), descriptions
    assert nothing_written(*before)


def test_every_bad_answer_is_its_own_error(client, key, topic):
    descriptions = errors(
        client.post(
            url("requests", "json"),
            filing(key, **{"attribute[where]": None, "attribute[kind]": None, "attribute[bags]": "x"}),
        ),
        400,
    )
    assert len(descriptions) == 3
    assert [d.split("(")[1].split(")")[0] for d in descriptions] == ["where", "bags", "kind"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_unknown_or_revoked_api_key_is_403(client, app_key, topic, fmt):
    application, key = app_key
    before = (Report.objects.count(), User.objects.count())
    assert "api_key" in errors(client.post(url("requests", fmt), filing(None)), 403)[0]
    errors(client.post(url("requests", fmt), filing("o311_not-a-key")), 403)
    services.revoke(application)
    errors(client.post(url("requests", fmt), filing(key)), 403)
    assert nothing_written(*before)


def test_a_regenerated_key_replaces_the_old_one(client, app_key, topic):
    application, old = app_key
    new = services.regenerate_key(application)
    assert new != old and application.key_prefix == new[:11]
    errors(client.post(url("requests", "json"), filing(old)), 403)
    assert client.post(url("requests", "json"), filing(new)).status_code == 200


def test_a_switched_off_application_is_refused(client, app_key, topic):
    application, key = app_key
    application.is_active = False
    application.save()
    errors(client.post(url("requests", "json"), filing(key)), 403)


def test_an_email_of_staff_cannot_file_a_report(client, key, topic):
    from tests.factories import organization, staff_of

    staff = staff_of(organization("mossvet"), email="staff@example.test")
    assert staff.role == Role.STAFF
    descriptions = errors(client.post(url("requests", "json"), filing(key, email="staff@example.test")), 400)
    assert "жители" in descriptions[0]
    assert not Report.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_batch_client_gets_a_token_that_turns_into_the_id(client, app_key, topic, fmt):
    application, key = app_key
    application.response_type = ResponseType.BATCH
    application.save()
    (row,) = rows(client.post(url("requests", fmt), filing(key)))
    assert "service_request_id" not in row and row["token"]
    report = Report.objects.get()
    response = client.get(url(f"tokens/{row['token']}", fmt))
    assert response.status_code == 200
    (found,) = rows(response)
    assert found == {"service_request_id": str(report.pk), "token": row["token"]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_token_is_404(client, fmt):
    errors(client.get(url("tokens/abc", fmt)), 404)


def test_the_api_key_is_stored_only_as_its_hash(app_key):
    application, key = app_key
    assert key.startswith("o311_") and len(key) > 40
    assert key not in (application.key_hash, application.key_prefix)
    assert application.key_hash == services.hash_key(key)


def test_xml_answer_to_post_is_the_standard_document(client, key, topic):
    doc = body(client.post(url("requests", "xml"), filing(key)))
    assert doc.tag == "service_requests"
    (request,) = doc.findall("request")
    assert request.findtext("service_request_id") == str(Report.objects.get().pk)
    assert request.find("account_id") is not None and request.find("account_id").text is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_media_url_comes_back_on_get(client, key, fmt):
    # A topic that needs a photo: the client's media_url is shown instead of the photo's URL.
    media_url = "https://fms.example.test/photo/42.jpeg?size=full"
    data = filing(key, service_code="road-potholes", media_url=media_url)
    data["media"] = photo_file()
    (created,) = rows(client.post(url("requests", fmt), data))
    request_id = created["service_request_id"]
    (row,) = rows(client.get(url(f"requests/{request_id}", fmt), {"api_key": key}))
    assert row["media_url"] == media_url
    (listed,) = rows(client.get(url("requests", fmt), {"api_key": key, "service_request_id": request_id}))
    assert listed["media_url"] == media_url


@pytest.mark.parametrize("fmt", FORMATS)
def test_media_url_form_encoded_round_trip(client, key, topic, fmt):
    media_url = "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg"
    (created,) = rows(post_form(client, url("requests", fmt), filing(key, media_url=media_url)))
    (row,) = rows(client.get(url(f"requests/{created['service_request_id']}", fmt), {"api_key": key}))
    assert row["media_url"] == media_url


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "jurisdiction", ["testserver", "WWW.TestServer", "nashgorod.test", "moscow.example", " "]
)
def test_post_accepts_our_jurisdiction_id(client, key, topic, settings, fmt, jurisdiction):
    settings.SITE_URL = "https://www.nashgorod.test"
    settings.OPEN311_JURISDICTION_ID = "moscow.example"
    response = post_form(client, url("requests", fmt), filing(key, jurisdiction_id=jurisdiction))
    assert response.status_code == 200, response.content.decode()
    assert Report.objects.count() == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_with_another_jurisdiction_id_is_404_and_writes_nothing(client, key, topic, fmt):
    # The standard, POST Service Request: "404 - service_code or jurisdiction_id was not found".
    before = (Report.objects.count(), User.objects.count())
    (description,) = errors(
        post_form(client, url("requests", fmt), filing(key, jurisdiction_id="sfgov.org")), 404
    )
    assert "sfgov.org" in description
    # Some clients put the call's parameters in the query string, as they do the api_key.
    (description,) = errors(
        post_form(client, url("requests", fmt) + "?jurisdiction_id=sfgov.org", filing(key)), 404
    )
    assert "sfgov.org" in description
    assert nothing_written(*before)
