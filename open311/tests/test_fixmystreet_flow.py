"""A FixMyStreet installation sends a report here and follows it, end to
end through the Django test client, in XML (what FixMyStreet reads) and in
JSON: discovery → services → the service definition → POST requests with
answers and a photo → GET requests/{id} → the editorial team publishes, the
organization answers, the answer is published → servicerequestupdates lists
the updates → the author confirms (or stays silent) → the request is closed.
And the updates feed's own rules: which events, whose, which window."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Role
from issues import services as issues_services
from issues.models import EventKind, Outcome, Report, Topic
from open311 import services
from open311.tests.conftest import FORMATS, body, errors, photo_file, rows, url
from tests.factories import UserFactory, processed_photo, staff_of, submit

pytestmark = pytest.mark.django_db
MSK = dt.timezone(dt.timedelta(hours=3))


def updates(client, fmt, **params):
    response = client.get(url("servicerequestupdates", fmt), params)
    assert response.status_code == 200, response.content.decode()
    if fmt == "xml":
        assert body(response).tag == "service_request_updates"
    return rows(response, "request_update")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("verdict", ["confirm", "silence"])
def test_a_fixmystreet_client_files_and_follows_a_report(client, app_key, topic, fmt, verdict):
    application, key = app_key
    Topic.objects.filter(pk=topic.pk).update(photo_required=True)
    moderator = UserFactory(role=Role.MODERATOR)
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, 0, tzinfo=MSK), tick=False) as clock:
        discovery = body(client.get(url("discovery", fmt)))
        endpoint = (
            discovery["endpoints"][0]["url"]
            if fmt == "json"
            else discovery.findtext("endpoints/endpoint/url")
        )
        assert endpoint == "http://testserver/open311/v2"

        services_doc = body(client.get(url("services", fmt)))
        service = (
            next(s for s in services_doc if s["service_code"] == topic.code)
            if fmt == "json"
            else next(s for s in services_doc.findall("service") if s.findtext("service_code") == topic.code)
        )
        metadata = service["metadata"] if fmt == "json" else service.findtext("metadata") == "true"
        assert metadata is True

        definition = body(client.get(url(f"services/{topic.code}", fmt)))
        required = (
            [a["code"] for a in definition["attributes"] if a["required"]]
            if fmt == "json"
            else [
                a.findtext("code")
                for a in definition.findall("attributes/attribute")
                if a.findtext("required") == "true"
            ]
        )
        assert required == ["where", "kind"]

        response = client.post(
            url("requests", fmt),
            {
                "api_key": key,
                "jurisdiction_id": "testserver",
                "service_code": topic.code,
                "lat": "55.7539",
                "long": "37.6208",
                "email": "fms-user@example.test",
                "first_name": "Пётр",
                "last_name": "Иванов",
                "description": "Мусор у третьего подъезда",
                "attribute[where]": "третий подъезд",
                "attribute[kind]": "building",
                "attribute[near][]": ["entrance"],
                "attribute[fixmystreet_id]": "1001",
                "media": photo_file(),
            },
        )
        assert response.status_code == 200, response.content.decode()
        (created,) = rows(response)
        request_id = created["service_request_id"]
        report = Report.objects.get(pk=int(request_id))
        assert report.photos.count() == 1 and report.question_answers["near"] == ["entrance"]

        (row,) = rows(client.get(url(f"requests/{request_id}", fmt), {"api_key": key}))
        assert row["status"] == "open" and row["agency_responsible"] is None

        clock.shift(dt.timedelta(hours=1))
        issues_services.publish(moderator, report)
        report.refresh_from_db()
        clock.shift(dt.timedelta(days=1))
        staff = staff_of(report.organization)
        issues_services.answer(
            staff, report, Outcome.DONE, "Строительный мусор вывезен.", photos=[processed_photo()]
        )
        clock.shift(dt.timedelta(hours=2))
        issues_services.publish_answer(moderator, report)

        # FixMyStreet asks for the updates of the last hours with its key.
        window = {
            "api_key": key,
            "start_date": "2026-11-02T00:00:00Z",
            "end_date": "2026-11-04T00:00:00Z",
        }
        feed = updates(client, fmt, **window)
        assert [u["external_status_code"] for u in feed] == ["moderation", "in_work", "answered"]
        assert {u["service_request_id"] for u in feed} == {request_id}
        assert [u["status"] for u in feed] == ["open", "open", "open"]
        answer = feed[-1]
        assert answer["description"] == "Строительный мусор вывезен."
        after_photo = report.photos.get(role="answer")
        assert answer["media_url"] == f"http://testserver{after_photo.image.url}"
        assert answer["updated_datetime"] == "2026-11-03T13:00:00+03:00"
        assert feed[1]["description"].endswith(f"{report.organization.name}.")
        assert [u["update_id"] for u in feed] == sorted([u["update_id"] for u in feed], key=int) and all(
            isinstance(u["update_id"], str) for u in feed
        )
        assert list(feed[0]) == [
            "update_id",
            "service_request_id",
            "status",
            "external_status_code",
            "updated_datetime",
            "description",
            "media_url",
        ]

        (row,) = rows(client.get(url(f"requests/{request_id}", fmt)))
        assert row["status"] == "open" and row["status_notes"] == "Строительный мусор вывезен."
        assert row["agency_responsible"] == report.organization.name

        if verdict == "confirm":
            clock.shift(dt.timedelta(hours=5))
            issues_services.confirm(report.author, report)
            closing = EventKind.CONFIRMED
        else:
            clock.shift(dt.timedelta(days=issues_services.VERDICT_WINDOW_DAYS, minutes=1))
            assert issues_services.auto_close(report.pk)
            closing = EventKind.AUTO_CLOSED
        (row,) = rows(client.get(url("requests", fmt), {"service_request_id": request_id}))
        assert row["status"] == "closed"
        closed_at = report.events.get(kind=closing).created_at
        assert row["updated_datetime"] == timezone.localtime(closed_at).isoformat()
        last = updates(
            client, fmt, api_key=key, start_date=closed_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        )
        assert [(u["status"], u["external_status_code"]) for u in last] == [("closed", "resolved")]


def test_updates_of_reports_in_moderation_reach_only_their_client(client, app_key, topic):
    application, key = app_key
    other_key = services.register_client("Чужое", "c@example.test")[1]
    moderator = UserFactory(role=Role.MODERATOR)
    response = client.post(
        url("requests", "json"),
        {
            "api_key": key,
            "service_code": topic.code,
            "lat": "55.7539",
            "long": "37.6208",
            "email": "x@example.test",
            "attribute[where]": "у входа",
            "attribute[kind]": "household",
        },
    )
    request_id = response.json()[0]["service_request_id"]
    assert updates(client, "json") == []
    assert updates(client, "json", api_key=other_key) == []
    assert [u["external_status_code"] for u in updates(client, "json", api_key=key)] == ["moderation"]
    issues_services.reject(moderator, int(request_id), "no_problem", "На фото не видно проблемы")
    feed = updates(client, "xml", api_key=key)
    assert [(u["status"], u["description"]) for u in feed] == [
        ("open", "Сообщение отправлено"),
        ("closed", "На фото не видно проблемы"),
    ]
    assert updates(client, "xml") == []


def test_updates_leave_out_what_the_public_does_not_see(client):
    resident, moderator = UserFactory(), UserFactory(role=Role.MODERATOR)
    report = submit(resident, Topic.objects.get(code="road-potholes"))
    issues_services.publish(moderator, report)
    report.refresh_from_db()
    staff = staff_of(report.organization)
    issues_services.answer(staff, report, Outcome.DONE, "Формально")
    issues_services.return_answer(moderator, report, "Приложите фото")  # not public
    issues_services.request_postponement(staff, report, timezone.localdate() + dt.timedelta(days=30), "Сезон")
    kinds = [u["external_status_code"] for u in updates(client, "json")]
    assert kinds == ["moderation", "in_work"]
    assert not report.events.filter(kind=EventKind.ANSWERED, is_public=True).exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_update_without_a_photo_has_an_empty_media_url(client, fmt):
    report = submit(UserFactory(), Topic.objects.get(code="road-potholes"))
    issues_services.publish(UserFactory(role=Role.MODERATOR), report)
    response = client.get(url("servicerequestupdates", fmt))
    assert response.status_code == 200
    if fmt == "json":
        feed = response.json()
        assert [u["media_url"] for u in feed] == [None, None]
        assert '"media_url":null' in response.content.decode()
    else:
        elements = body(response).findall("request_update/media_url")
        assert len(elements) == 2 and all(e.text is None and len(e) == 0 for e in elements)
        assert "<media_url />" in response.content.decode()


@pytest.mark.parametrize("fmt", FORMATS)
def test_updates_window_defaults_to_90_days_and_refuses_bad_dates(client, fmt):
    resident, moderator = UserFactory(), UserFactory(role=Role.MODERATOR)
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, tzinfo=MSK), tick=False):
        old = submit(resident, Topic.objects.get(code="road-potholes"))
        issues_services.publish(moderator, old)
    new = submit(resident, Topic.objects.get(code="road-potholes"))
    issues_services.publish(moderator, new)
    assert {u["service_request_id"] for u in updates(client, fmt)} == {str(new.pk)}
    june = updates(client, fmt, start_date="2026-05-31T00:00:00Z", end_date="2026-06-02T00:00:00Z")
    assert {u["service_request_id"] for u in june} == {str(old.pk)}
    # A plain end_date covers its whole day: the events of 2026-06-01 12:00.
    june_first = updates(client, fmt, start_date="2026-05-31", end_date="2026-06-01")
    assert {u["service_request_id"] for u in june_first} == {str(old.pk)}
    paged = updates(client, fmt, start_date="2026-05-31", page_size="1", page="2")
    assert [u["external_status_code"] for u in paged] == ["in_work"]
    errors(client.get(url("servicerequestupdates", fmt), {"start_date": "June"}), 400)
    errors(
        client.get(
            url("servicerequestupdates", fmt),
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
        ),
        400,
    )
    errors(client.get(url("servicerequestupdates", fmt), {"api_key": "bad"}), 403)
