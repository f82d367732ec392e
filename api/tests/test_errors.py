"""One error shape for every failure: {"error": {code, message, field, details}}."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from api.exceptions import handle
from api.tests.helpers import error_of, jpeg
from issues.errors import DomainError, TransitionNotAllowed
from issues.photos import PhotoError, PhotoErrorCode
from places.geo import OutsideMoscow
from tests.factories import RED_SQUARE, SAINT_PETERSBURG

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("exc", "status", "code", "field"),
    [
        (DomainError("Нельзя.", "topic_unavailable", "topic"), 400, "topic_unavailable", "topic"),
        (DomainError("Только редакция.", "forbidden"), 403, "forbidden", None),
        (TransitionNotAllowed(), 409, "transition_not_allowed", None),
        (
            PhotoError("Файл «a.jpg» пуст.", PhotoErrorCode.NOT_IMAGE, "a.jpg"),
            400,
            "photo_not_image",
            "photos",
        ),
        (OutsideMoscow(), 400, "outside_moscow", None),
        (Http404("Нет такого сообщения."), 404, "not_found", None),
        (PermissionDenied("Недостаточно прав: moderate"), 403, "permission_denied", None),
    ],
)
def test_the_handler_gives_every_django_and_domain_error_one_shape(exc, status, code, field):
    response = handle(exc, {})
    assert response.status_code == status
    assert set(response.data["error"]) == {"code", "message", "field", "details"}
    assert (response.data["error"]["code"], response.data["error"]["field"]) == (code, field)
    assert response.data["error"]["message"]


def test_a_bug_outside_a_request_is_left_to_django(db):
    assert handle(ZeroDivisionError(), {}) is None


def test_a_bug_is_a_500_in_the_apis_shape_logged_with_its_traceback(api, cast, monkeypatch, caplog):
    from api.views import auth

    def broken(self, request):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(auth.MeView, "get", broken)
    client = api(cast.resident)
    client.raise_request_exception = False
    with caplog.at_level("ERROR", logger="django.request"):
        response = client.get(reverse("api:me"))
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert error_of(response)["code"] == "server_error" and error_of(response)["message"]
    assert "a bug" not in response.content.decode()  # no traceback leaks to the client
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelname == "ERROR" and record.exc_info[0] is ZeroDivisionError


def test_a_bug_raises_when_django_is_told_to_propagate(api, cast, monkeypatch, settings):
    from api.views import auth

    settings.DEBUG_PROPAGATE_EXCEPTIONS = True
    monkeypatch.setattr(auth.MeView, "get", lambda self, request: 1 / 0)
    client = api(cast.resident)
    with pytest.raises(ZeroDivisionError):
        client.get(reverse("api:me"))


def test_a_serializer_error_names_the_field_and_lists_them_all(api, cast):
    response = api(cast.resident).post(reverse("api:reports"), {"lat": "север"}, format="multipart")
    assert response.status_code == 400
    error = error_of(response)
    assert error["field"] in ("topic", "lat")
    assert set(error["details"]["fields"]) == {"topic", "lat"}
    assert error["details"]["fields"]["topic"] == [{"message": "Обязательное поле.", "code": "required"}]


def test_a_domain_error_of_a_service_names_its_field(api, cast, reports):
    report = reports.in_work()
    response = api(cast.staff).post(
        reverse("api:request-postponement", args=[report.pk]),
        {"planned_date": dt.date.today().isoformat(), "reason": "Сезонные работы."},
    )
    assert response.status_code == 400
    assert (error_of(response)["code"], error_of(response)["field"]) == ("bad_planned_date", "planned_date")


def test_too_many_photos_is_the_pipelines_code(api, cast):
    data = {
        "topic": cast.topic.pk,
        "lat": RED_SQUARE.y,
        "lon": RED_SQUARE.x,
        "photos": [jpeg() for _ in range(6)],
    }
    response = api(cast.resident).post(reverse("api:reports"), data, format="multipart")
    assert response.status_code == 400
    error = error_of(response)
    assert error["field"] == "photos" and error["code"] in ("too_many_photos", "max_length")


def test_outside_moscow_from_reverse_geocoding(api):
    response = api().get(reverse("api:reverse"), {"lat": SAINT_PETERSBURG.y, "lon": SAINT_PETERSBURG.x})
    assert response.status_code == 400 and error_of(response)["code"] == "outside_moscow"


def test_a_missing_object_and_a_missing_page(api, cast):
    assert error_of(api().get(reverse("api:report", args=[999999])))["code"] == "not_found"
    assert error_of(api().get(reverse("api:topics"), {"page": 999}))["code"] == "not_found"
    response = api().get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    # An id with an encoded newline (Schemathesis found it) is the API's 404 too, not HTML.
    response = api().get("/api/v1/stats/districts/m%0A%C3%A8/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert error_of(response)["code"] == "not_found"


def test_a_permission_refusal(api, cast):
    response = api(cast.resident).get(reverse("api:queues"))
    assert response.status_code == 403 and error_of(response)["code"] == "permission_denied"


def test_a_wrong_method_a_wrong_media_type_and_broken_json(api, cast):
    client = api(cast.resident)
    assert error_of(client.put(reverse("api:me")))["code"] == "method_not_allowed"
    response = client.post(reverse("api:mark-read"), "<ids/>", content_type="application/xml")
    assert response.status_code == 415 and error_of(response)["code"] == "unsupported_media_type"
    response = client.post(reverse("api:mark-read"), "{not json", content_type="application/json")
    assert response.status_code == 400 and error_of(response)["code"] == "parse_error"


def test_a_transition_that_is_no_longer_allowed_is_a_conflict(api, cast, reports):
    report = reports.in_work()
    response = api(cast.moderator).post(reverse("api:publish", args=[report.pk]), {})
    assert response.status_code == 409 and error_of(response)["code"] == "transition_not_allowed"


def test_a_bad_throttle_rate_stops_the_start(settings):
    from api.checks import throttle_rates

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"reports": "many/hour"}}
    assert [e.id for e in throttle_rates(None)] == ["api.E001"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"reports": "5/hour"}}
    assert throttle_rates(None) == []


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/reports/99999999999999999999999/", {}),
        ("/api/v1/stats/okrugs/99999999999999999999/", {}),
        ("/api/v1/topics/", {"group": "99999999999999999999999"}),
        ("/api/v1/reports/nearby/", {"topic": "99999999999999999999999", "lat": 55.75, "lon": 37.62}),
    ],
)
def test_an_id_too_big_for_the_database_is_not_a_server_error(api, cast, url, params):
    response = api(cast.resident).get(url, params)
    assert response.status_code in (400, 404)
    error_of(response)


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "42", "null"])
def test_a_json_body_that_is_not_an_object_is_a_bad_request(api, cast, body):
    # The report's submission key was read from the body before validation:
    # a list or a string was a server error.
    response = api(cast.resident).post(reverse("api:reports"), body, content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] in ("invalid", "null")


def test_a_body_with_too_many_fields_is_a_400_not_a_500(api, cast):
    """Django refuses to parse more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields
    (TooManyFieldsSent, found by Schemathesis): a bad request, in the API's shape."""
    client = api(cast.resident)
    client.raise_request_exception = False
    body = "&".join(f"ids={n}" for n in range(2000))

    response = client.post(
        "/api/v1/notifications/read/", body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"
