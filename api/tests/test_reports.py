"""Filing a report from the app, «Мои сообщения», a report's page and the
author's verdict: DB side effects of each, and the retried submission."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from api.tests.helpers import error_of, jpeg
from issues.models import EventKind, Follower, Photo, Report, ReportEvent, Status, Topic
from tests.factories import RED_SQUARE, SAINT_PETERSBURG

pytestmark = pytest.mark.django_db
URL = reverse("api:reports")


def form(chosen, **extra):
    data = {"topic": chosen.pk, "lat": RED_SQUARE.y, "lon": RED_SQUARE.x, "description": "Мусор во дворе."}
    data.update(extra)
    return data


def test_a_report_is_filed_with_its_photos_and_first_event(api, cast):
    key = uuid.uuid4()
    response = api(cast.resident).post(
        URL, form(cast.topic, submission_key=key, photos=[jpeg(), jpeg("b.jpg")]), format="multipart"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    report = Report.objects.get(pk=body["id"])
    assert body["created"] is True and body["status"] == Status.MODERATION
    assert body["url"] == reverse("api:report", args=[report.pk])
    assert report.author == cast.resident and report.submission_key == key
    assert report.district.name == "Тверской"
    assert report.photos.filter(role=Photo.Role.REPORT).count() == 2
    assert list(report.events.values_list("kind", "actor")) == [(EventKind.CREATED, cast.resident.pk)]


def test_a_new_report_is_answered_as_my_reports_lists_it_without_a_second_read(api, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(cast.resident)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(URL, form(cast.topic, photos=[jpeg()]), format="multipart")
    assert response.status_code == 201, response.json()
    sql = [q["sql"] for q in captured.captured_queries]
    # Neither «Мои сообщения»'s query nor the throttle's retry lookup (the
    # filing is under the limit): the service's own key check is the one.
    assert not any("MAX(" in s for s in sql), sql
    assert sum('"issues_report"."submission_key" =' in s for s in sql) == 1, sql
    listed = client.get(URL).json()["results"][0]
    assert {name: response.json()[name] for name in listed} == listed
    assert listed["district"] == "Тверской" and listed["topic"]["name"] == cast.topic.name


def test_a_retried_submission_returns_the_first_report_and_makes_nothing_new(api, cast):
    client, key = api(cast.resident), uuid.uuid4()
    first = client.post(URL, form(cast.topic, submission_key=key, photos=[jpeg()]), format="multipart")
    again = client.post(URL, form(cast.topic, submission_key=key, photos=[jpeg()]), format="multipart")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["created"] is False
    assert Report.objects.filter(submission_key=key).count() == 1
    assert ReportEvent.objects.filter(report_id=first.json()["id"]).count() == 1
    assert Photo.objects.filter(report_id=first.json()["id"]).count() == 1


def test_the_key_may_come_in_the_idempotency_key_header(api, cast):
    client, key = api(cast.resident), str(uuid.uuid4())
    first = client.post(URL, form(cast.topic, photos=[jpeg()]), format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(URL, form(cast.topic, photos=[jpeg()]), format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert Report.objects.filter(submission_key=key).count() == 1


def test_another_users_key_is_a_conflict(api, cast):
    key = uuid.uuid4()
    api(cast.resident).post(URL, form(cast.topic, submission_key=key, photos=[jpeg()]), format="multipart")
    response = api(cast.neighbour).post(
        URL, form(cast.topic, submission_key=key, photos=[jpeg()]), format="multipart"
    )
    assert response.status_code == 409
    assert error_of(response)["code"] == "duplicate_submission_key"
    assert Report.objects.filter(author=cast.neighbour).count() == 0


def test_a_topic_that_needs_a_photo_refuses_a_report_without_one(api, cast):
    response = api(cast.resident).post(URL, form(cast.topic), format="multipart")
    assert response.status_code == 400
    error = error_of(response)
    assert error["field"] == "photos"
    assert Report.objects.count() == 0


def test_a_file_that_is_not_a_photo_is_named_with_its_code(api, cast):
    bad = SimpleUploadedFile("notes.jpg", b"not an image at all", content_type="image/jpeg")
    response = api(cast.resident).post(URL, form(cast.topic, photos=[bad]), format="multipart")
    assert response.status_code == 400
    error = error_of(response)
    assert error["field"] == "photos" and error["code"].startswith("photo_")
    assert "notes.jpg" in error["message"]
    assert Report.objects.count() == 0 and Photo.objects.count() == 0


def test_a_point_outside_moscow_is_refused(api, cast):
    data = form(cast.topic, lat=SAINT_PETERSBURG.y, lon=SAINT_PETERSBURG.x, photos=[jpeg()])
    response = api(cast.resident).post(URL, data, format="multipart")
    assert response.status_code == 400
    assert error_of(response)["code"] == "outside_moscow"
    assert Report.objects.count() == 0


def test_an_unknown_topic_is_a_field_error(api, cast):
    response = api(cast.resident).post(
        URL, form(cast.topic, topic=999999, photos=[jpeg()]), format="multipart"
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["field"] == "topic" and error["code"] == "invalid_choice"


def test_the_address_alone_finds_the_building(api, cast):
    topic = Topic.objects.filter(needs_building=True, is_active=True, season__isnull=True).first()
    data = {"topic": topic.pk, "address": "Тверская 13", "photos": [jpeg()]}
    response = api(cast.resident).post(URL, data, format="multipart")
    assert response.status_code == 201, response.json()
    report = Report.objects.get(pk=response.json()["id"])
    assert report.building is not None and "Тверская" in report.address


def test_my_reports_lists_mine_newest_first_with_a_status_filter(api, cast, reports):
    old = reports.new()
    published = reports.in_work()
    reports.new(author=cast.neighbour)
    client = api(cast.resident)
    body = client.get(URL).json()
    assert body["count"] == 2 and [r["id"] for r in body["results"]] == [published.pk, old.pk]
    assert body["results"][0]["status_label"] == "В работе" and body["results"][0]["last_change"]
    only = client.get(URL, {"status": "in_work"}).json()
    assert [r["id"] for r in only["results"]] == [published.pk]
    assert error_of(client.get(URL, {"status": "lost"}))["field"] == "status"


def test_following_lists_the_reports_followed(api, cast, reports):
    theirs = reports.in_work(author=cast.neighbour)
    client = api(cast.resident)
    response = client.post(reverse("api:follow", args=[theirs.pk]))
    assert response.json() == {"following": True, "created": True}
    assert client.post(reverse("api:follow", args=[theirs.pk])).json()["created"] is False
    assert Follower.objects.filter(report=theirs, user=cast.resident).count() == 1
    body = client.get(URL, {"following": "true"}).json()
    assert [r["id"] for r in body["results"]] == [theirs.pk]


def test_my_reports_cost_the_same_queries_for_two_reports_or_twenty(
    api, cast, reports, django_assert_max_num_queries
):
    for _ in range(2):
        reports.in_work()
    client = api(cast.resident)
    client.get(URL)  # the session, the token
    with django_assert_max_num_queries(4):
        assert client.get(URL).json()["count"] == 2
    for _ in range(18):
        reports.new()
    with django_assert_max_num_queries(4):
        assert len(client.get(URL).json()["results"]) == 20


def test_a_published_report_is_public_with_its_timeline(api, cast, reports):
    report = reports.answered()
    body = api().get(reverse("api:report", args=[report.pk])).json()
    assert body["status"] == Status.ANSWERED and body["organization"] == cast.housing.name
    assert [e["kind"] for e in body["timeline"]] == ["created", "published", "answer_published"]
    assert {e["who"] for e in body["timeline"]} <= {"Автор", "Редакция", "Исполнитель", "Портал"}
    assert body["timeline"][-1]["text"] == "Убрано."
    assert body["photos"] and body["photos"][0]["url"].startswith("http://testserver/media/")
    assert body["can_verdict"] is False and body["verdict_due"] is None
    mine = api(cast.resident).get(reverse("api:report", args=[report.pk])).json()
    assert mine["can_verdict"] is True and mine["verdict_due"]


def test_a_report_in_moderation_is_missing_for_everyone_but_its_author_and_the_desk(api, cast, reports):
    report = reports.new()
    url = reverse("api:report", args=[report.pk])
    assert api(cast.resident).get(url).json()["notice"]["title"] == "На модерации"
    assert api(cast.moderator).get(url).status_code == 200
    for user in (None, cast.neighbour, cast.staff):
        response = api(user).get(url)
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_the_author_confirms_the_fix(api, cast, reports):
    report = reports.answered()
    response = api(cast.resident).post(reverse("api:confirm", args=[report.pk]))
    assert response.status_code == 200 and response.json()["status"] == Status.RESOLVED
    assert report.events.filter(kind=EventKind.CONFIRMED, actor=cast.resident).count() == 1
    again = api(cast.resident).post(reverse("api:confirm", args=[report.pk]))
    assert again.status_code == 409 and error_of(again)["code"] == "transition_not_allowed"
    assert report.events.filter(kind=EventKind.CONFIRMED).count() == 1


def test_the_author_rejects_the_fix_with_a_comment_and_a_photo(api, cast, reports):
    report = reports.answered()
    response = api(cast.resident).post(
        reverse("api:reject-fix", args=[report.pk]),
        {"comment": "Мусор так и лежит.", "photos": [jpeg()]},
        format="multipart",
    )
    assert response.status_code == 200 and response.json()["status"] == Status.DISPUTED
    event = report.events.get(kind=EventKind.FIX_REJECTED)
    assert event.text == "Мусор так и лежит." and event.photos.filter(role=Photo.Role.DISPUTE).count() == 1


def test_rejecting_a_fix_needs_a_comment(api, cast, reports):
    report = reports.answered()
    response = api(cast.resident).post(reverse("api:reject-fix", args=[report.pk]), {"comment": " "})
    assert response.status_code == 400 and error_of(response)["field"] == "comment"
    assert Report.objects.get(pk=report.pk).status == Status.ANSWERED


def test_only_the_author_may_give_the_verdict(api, cast, reports):
    report = reports.answered()
    response = api(cast.neighbour).post(reverse("api:confirm", args=[report.pk]))
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    assert Report.objects.get(pk=report.pk).status == Status.ANSWERED


def test_nearby_open_reports_of_the_topic(api, cast, reports):
    report = reports.in_work()
    body = (
        api()
        .get(reverse("api:nearby"), {"topic": cast.topic.pk, "lat": RED_SQUARE.y, "lon": RED_SQUARE.x})
        .json()
    )
    assert [r["id"] for r in body["results"]] == [report.pk]
    assert body["results"][0]["followed"] is False


def test_a_malformed_idempotency_key_is_refused_not_ignored(api, cast):
    # Ignored, it let every retry file one more report.
    client = api(cast.resident)
    for _ in range(2):
        response = client.post(
            URL, form(cast.topic, photos=[jpeg()]), format="multipart", HTTP_IDEMPOTENCY_KEY="retry-1"
        )
        assert response.status_code == 400
        assert error_of(response)["field"] == "Idempotency-Key"
    assert Report.objects.count() == 0


def test_filing_locates_the_point_once_and_reads_the_catalog_once_per_process(api, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from issues.models import QuestionType, TopicQuestion

    TopicQuestion.objects.create(
        topic=cast.topic, code="floor", datatype=QuestionType.NUMBER, description="Этаж", required=False
    )

    def file():
        with CaptureQueriesContext(connection) as captured:
            response = api(cast.resident).post(URL, form(cast.topic, photos=[jpeg()]), format="multipart")
        assert response.status_code == 201, response.json()
        return [q["sql"] for q in captured.captured_queries]

    sql = file()
    assert sum("ST_Covers" in s for s in sql) == 1
    # The catalog (every active topic, then their questions) once; the form,
    # its topic field and the service's own check all read that copy.
    assert sum(s.startswith('SELECT "issues_topic"."id"') for s in sql) == 1
    assert sum(s.startswith('SELECT "issues_topicquestion"') for s in sql) == 1
    again = file()
    assert not [s for s in again if 'FROM "issues_topic"' in s or 'FROM "issues_topicquestion"' in s], again
    assert Report.objects.latest("pk").topic == cast.topic


def test_a_topic_the_administrator_hides_is_refused_from_the_next_filing_on(api, cast):
    first = api(cast.resident).post(URL, form(cast.topic, photos=[jpeg()]), format="multipart")
    assert first.status_code == 201  # the catalog is now this process's copy
    cast.topic.is_active = False
    cast.topic.save(update_fields=["is_active"])  # what the admin's form does
    response = api(cast.resident).post(URL, form(cast.topic, photos=[jpeg()]), format="multipart")
    assert response.status_code == 400
    assert error_of(response)["field"] == "topic"
    assert Report.objects.count() == 1


def test_a_topic_hidden_without_a_signal_is_refused_once_the_change_is_announced(api, cast):
    from issues.topics import catalog_changed

    assert (
        api(cast.resident).post(URL, form(cast.topic, photos=[jpeg()]), format="multipart").status_code == 201
    )
    Topic.objects.filter(pk=cast.topic.pk).update(is_active=False)  # no save(), no signal
    catalog_changed()
    response = api(cast.resident).post(URL, form(cast.topic, photos=[jpeg()]), format="multipart")
    assert response.status_code == 400
    assert error_of(response)["field"] == "topic"


def test_a_building_and_a_point_elsewhere_file_the_report_in_the_building_s_district(api, cast):
    from places.models import Building

    topic = Topic.objects.filter(needs_building=True, is_active=True, season__isnull=True).first()
    building = Building.objects.exclude(district__name="Тверской").exclude(district=None).first()
    data = {"topic": topic.pk, "building": building.pk, "lat": RED_SQUARE.y, "lon": RED_SQUARE.x}
    response = api(cast.resident).post(URL, {**data, "photos": [jpeg()]}, format="multipart")
    assert response.status_code == 201, response.json()
    report = Report.objects.get(pk=response.json()["id"])
    assert report.building == building and report.district == building.district
