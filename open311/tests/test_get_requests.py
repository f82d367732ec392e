"""GET requests and GET requests/{id}: what is visible, every filter of the
standard and of the extensions (page, page_size, updated_after/before), the
90-day and 1,000-item defaults, in XML and JSON."""

import datetime as dt
import re
import uuid

import pytest
from django.utils import timezone

from accounts.models import Role
from issues import services as issues_services
from issues.models import Outcome, Report, ReportEvent, Status, Topic
from open311 import services
from open311.tests.conftest import FORMATS, body, errors, rows, url
from tests.factories import UserFactory, processed_photo, staff_of, submit

pytestmark = pytest.mark.django_db
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")


@pytest.fixture
def cast():
    return {
        "resident": UserFactory(role=Role.RESIDENT),
        "moderator": UserFactory(role=Role.MODERATOR),
        "topic": Topic.objects.get(code="yard-not-cleaned"),
    }


def published(cast, **kwargs) -> Report:
    report = submit(cast["resident"], cast["topic"], **kwargs)
    issues_services.publish(cast["moderator"], report)
    report.refresh_from_db()
    return report


def age(report: Report, days: int) -> None:
    """TEST SET-UP: the report was made `days` ago."""
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content.decode()
    return [r["service_request_id"] for r in rows(response)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_published_report_with_its_answer_in_the_standard_fields(client, cast, fmt):
    report = published(cast, description="Мусор у подъезда")
    staff = staff_of(report.organization)
    issues_services.answer(staff, report, Outcome.DONE, "Территория убрана.")
    issues_services.publish_answer(cast["moderator"], report)
    report.refresh_from_db()
    response = client.get(url("requests", fmt))
    (row,) = rows(response)
    last_event = report.events.filter(is_public=True).order_by("-created_at").first()
    expected_keys = [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ]
    assert list(row) == expected_keys
    assert row["service_request_id"] == str(report.pk)
    assert row["status"] == "open"  # answered: the author has yet to confirm
    assert row["status_notes"] == "Территория убрана."
    assert row["service_code"] == "yard-not-cleaned" and row["service_name"] == report.topic.name
    assert row["description"] == "Мусор у подъезда"
    assert row["agency_responsible"] == report.organization.name
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(row[name]), row[name]
    assert (
        row["requested_datetime"] == timezone.localtime(report.created_at).replace(microsecond=0).isoformat()
    )
    assert row["expected_datetime"] == timezone.localtime(report.deadline).replace(microsecond=0).isoformat()
    assert (
        row["updated_datetime"]
        == timezone.localtime(last_event.created_at).replace(microsecond=0).isoformat()
    )
    photo = report.photos.get()
    assert row["media_url"] == f"http://testserver{photo.image.url}"
    if fmt == "json":
        assert row["lat"] == pytest.approx(55.7539) and row["long"] == pytest.approx(37.6208)
        assert row["zipcode"] is None and row["address_id"] is None
    else:
        assert float(row["lat"]) == pytest.approx(55.7539)
        assert body(response).tag == "service_requests"


def test_reports_not_published_are_visible_only_to_the_client_that_filed_them(client, cast, app_key, topic):
    application, key = app_key
    other_key = services.register_client("Другое приложение", "x@example.test")[1]
    filed = client.post(
        url("requests", "json"),
        {
            "api_key": key,
            "service_code": topic.code,
            "lat": "55.7539",
            "long": "37.6208",
            "email": "a@example.test",
            "attribute[where]": "у входа",
            "attribute[kind]": "household",
        },
    ).json()[0]["service_request_id"]
    answers = {"where": ["у входа"], "kind": ["household"]}
    in_moderation_elsewhere = submit(cast["resident"], cast["topic"], answers=answers)
    public = published(cast, answers=answers)

    assert ids(client.get(url("requests", "json"))) == [str(public.pk)]
    assert ids(client.get(url("requests", "json"), {"api_key": other_key})) == [str(public.pk)]
    mine = client.get(url("requests", "json"), {"api_key": key})
    assert ids(mine) == [str(public.pk), filed]
    assert rows(mine)[1]["status"] == "open" and rows(mine)[1]["agency_responsible"] is None

    errors(client.get(url(f"requests/{filed}", "xml")), 404)
    errors(client.get(url(f"requests/{filed}", "json"), {"api_key": other_key}), 404)
    assert ids(client.get(url(f"requests/{filed}", "json"), {"api_key": key})) == [filed]
    errors(client.get(url(f"requests/{in_moderation_elsewhere.pk}", "json"), {"api_key": key}), 404)

    issues_services.reject(cast["moderator"], int(filed), "spam", "Реклама")
    (rejected,) = rows(client.get(url(f"requests/{filed}", "xml"), {"api_key": key}))
    assert rejected["status"] == "closed" and rejected["status_notes"] == "Реклама"


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_or_malformed_request_ids_are_404_and_a_bad_key_403(client, cast, fmt):
    report = published(cast)
    assert ids(client.get(url(f"requests/{report.pk}", fmt))) == [str(report.pk)]
    errors(client.get(url(f"requests/{report.pk + 1000}", fmt)), 404)
    errors(client.get(url("requests/abc", fmt)), 404)
    errors(client.get(url(f"requests/{report.pk}", fmt), {"api_key": "wrong"}), 403)
    errors(client.get(url("requests", fmt), {"api_key": "wrong"}), 403)


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_request_id_overrides_every_other_filter(client, cast, fmt):
    old, recent, other = published(cast), published(cast), published(cast)
    age(old, 400)
    found = ids(
        client.get(
            url("requests", fmt),
            {
                "service_request_id": f"{old.pk},{recent.pk},999999",
                "status": "closed",
                "service_code": "road-potholes",
                "start_date": "2010-01-01T00:00:00Z",
                "end_date": "2010-01-02T00:00:00Z",
            },
        )
    )
    assert sorted(found) == sorted([str(old.pk), str(recent.pk)])
    assert str(other.pk) not in found
    errors(client.get(url("requests", fmt), {"service_request_id": "1,abc"}), 400)


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_code_filter_takes_a_comma_list_and_refuses_unknown_codes(client, cast, fmt):
    yard = published(cast)
    potholes = published({**cast, "topic": Topic.objects.get(code="road-potholes")})
    assert ids(client.get(url("requests", fmt), {"service_code": "yard-not-cleaned"})) == [str(yard.pk)]
    both = ids(client.get(url("requests", fmt), {"service_code": "yard-not-cleaned,road-potholes"}))
    assert sorted(both) == sorted([str(yard.pk), str(potholes.pk)])
    assert (
        "nope" in errors(client.get(url("requests", fmt), {"service_code": "yard-not-cleaned,nope"}), 404)[0]
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_dates_default_to_the_last_90_days_and_may_not_span_more(client, cast, fmt):
    new, month_old, ancient = published(cast), published(cast), published(cast)
    age(month_old, 30)
    age(ancient, 120)
    assert ids(client.get(url("requests", fmt))) == [str(new.pk), str(month_old.pk)]

    now = timezone.now()
    window = {
        "start_date": (now - dt.timedelta(days=130)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_date": (now - dt.timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    assert ids(client.get(url("requests", fmt), window)) == [str(ancient.pk)]
    # Only start_date: the 90 days after it.
    start_only = {"start_date": (now - dt.timedelta(days=125)).strftime("%Y-%m-%d")}
    assert ids(client.get(url("requests", fmt), start_only)) == [str(ancient.pk)]
    # An offset written with an unescaped "+" arrives as a space and still counts.
    local = timezone.localtime(now - dt.timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%S+03:00")
    query = f"start_date={local.replace('+', '%20')}"
    assert ids(client.get(url("requests", fmt) + "?" + query)) == [str(new.pk), str(month_old.pk)]


MSK = dt.timezone(dt.timedelta(hours=3))


def made_at(report: Report, moment: dt.datetime) -> None:
    """TEST SET-UP: the report was made at `moment`."""
    Report.objects.filter(pk=report.pk).update(created_at=moment)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_plain_end_date_includes_its_whole_day(client, cast, fmt):
    morning, evening, next_day = published(cast), published(cast), published(cast)
    made_at(morning, dt.datetime(2026, 5, 1, 0, 0, 1, tzinfo=MSK))
    made_at(evening, dt.datetime(2026, 5, 1, 23, 59, 59, 999999, tzinfo=MSK))
    made_at(next_day, dt.datetime(2026, 5, 2, 0, 0, tzinfo=MSK))
    the_day = {"start_date": "2026-05-01", "end_date": "2026-05-01"}
    assert ids(client.get(url("requests", fmt), the_day)) == [str(evening.pk), str(morning.pk)]
    # A datetime is the instant itself.
    at_midnight = {"start_date": "2026-04-30", "end_date": "2026-05-01T00:00:00+03:00"}
    assert ids(client.get(url("requests", fmt), at_midnight)) == []
    # The 90 days are counted to the end_date's midnight; its day comes on top.
    widest = {"start_date": "2026-02-01", "end_date": "2026-05-02"}
    assert ids(client.get(url("requests", fmt), widest)) == [
        str(next_day.pk),
        str(evening.pk),
        str(morning.pk),
    ]
    too_wide = {"start_date": "2026-02-01", "end_date": "2026-05-03"}
    errors(client.get(url("requests", fmt), too_wide), 400)
    # A start later in the day than the plain end's midnight is still within that day.
    afternoon = {"start_date": "2026-05-01T12:00:00+03:00", "end_date": "2026-05-01"}
    assert ids(client.get(url("requests", fmt), afternoon)) == [str(evening.pk)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_end_date_alone_starts_90_days_before_it(client, cast, fmt):
    last_day, first_in, first_out, after = published(cast), published(cast), published(cast), published(cast)
    made_at(last_day, dt.datetime(2026, 5, 1, 15, 0, tzinfo=MSK))
    made_at(first_in, dt.datetime(2026, 1, 31, 10, 0, tzinfo=MSK))  # 2026-05-01 minus 90 days
    made_at(first_out, dt.datetime(2026, 1, 30, 23, 0, tzinfo=MSK))
    made_at(after, dt.datetime(2026, 5, 2, 9, 0, tzinfo=MSK))
    found = ids(client.get(url("requests", fmt), {"end_date": "2026-05-01"}))
    assert found == [str(last_day.pk), str(first_in.pk)]
    # With a time of day the 90 days end at that instant.
    found = ids(client.get(url("requests", fmt), {"end_date": "2026-05-01T12:00:00+03:00"}))
    assert found == []
    found = ids(client.get(url("requests", fmt), {"end_date": "2026-05-01T16:00:00+03:00"}))
    assert found == [str(last_day.pk)]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "query",
    [
        {"start_date": "2010-01-01T00:00:00Z", "end_date": "2010-06-01T00:00:00Z"},  # > 90 days
        {"start_date": "2010-02-01T00:00:00Z", "end_date": "2010-01-01T00:00:00Z"},  # start after end
        {"start_date": "yesterday"},
        {"start_date": "2010-01-01T00:00:00"},  # no timezone
        {"end_date": "2010-02-30T00:00:00Z"},
        {"status": "pending"},
        {"page": "0"},
        {"page_size": "1001"},
        {"page_size": "ten"},
        {"updated_after": "2010-01-02T00:00:00Z", "updated_before": "2010-01-01T00:00:00Z"},
        {"updated_after": "yesterday"},
        {"updated_after": "2010-01-01T00:00:00"},  # no timezone
        {"updated_after": "2010-01-01T25:00:00Z"},
        {"updated_before": "2010-02-30"},
        {"updated_before": "2010-01-01T00:00:00+15:00"},
        {"updated_before": "1 Jan 2010"},
    ],
)
def test_bad_filters_are_400(client, fmt, query):
    (description,) = errors(client.get(url("requests", fmt), query), 400)
    assert any(name in description for name in query), description


@pytest.mark.parametrize("fmt", FORMATS)
def test_status_filter_open_closed_or_both(client, cast, fmt):
    open_report, closed_report = published(cast), published(cast)
    staff = staff_of(closed_report.organization)
    issues_services.answer(staff, closed_report, Outcome.DONE, "Убрано.")
    issues_services.publish_answer(cast["moderator"], closed_report)
    issues_services.confirm(cast["resident"], closed_report)
    assert ids(client.get(url("requests", fmt), {"status": "open"})) == [str(open_report.pk)]
    assert ids(client.get(url("requests", fmt), {"status": "closed"})) == [str(closed_report.pk)]
    assert len(ids(client.get(url("requests", fmt), {"status": "open,closed"}))) == 2
    (closed_row,) = rows(client.get(url("requests", fmt), {"status": "closed"}))
    assert closed_row["status_notes"] == "Убрано."


@pytest.mark.parametrize("fmt", FORMATS)
def test_at_most_1000_requests_and_pages_beyond(client, cast, fmt):
    template = published(cast)
    Report.objects.bulk_create(
        [
            Report(
                author=template.author,
                topic=template.topic,
                status=Status.IN_WORK,
                point=template.point,
                district=template.district,
                okrug=template.okrug,
                organization=template.organization,
                submission_key=uuid.uuid4(),
            )
            for _ in range(1000)
        ]
    )
    first = ids(client.get(url("requests", fmt)))
    assert len(first) == 1000
    second = ids(client.get(url("requests", fmt), {"page": "2"}))
    assert len(second) == 1 and second[0] not in first
    small = ids(client.get(url("requests", fmt), {"page": "3", "page_size": "10"}))
    assert small == first[20:30]


@pytest.mark.parametrize("fmt", FORMATS)
def test_updated_after_and_before_follow_the_last_event(client, cast, fmt):
    quiet, busy = published(cast), published(cast)
    age(quiet, 200)  # the window of requested_datetime does not apply when following updates
    long_ago = timezone.now() - dt.timedelta(days=2)
    ReportEvent.objects.filter(report=quiet).update(created_at=long_ago)  # TEST SET-UP
    cutoff = (timezone.now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(client.get(url("requests", fmt), {"updated_after": cutoff})) == [str(busy.pk)]
    assert ids(client.get(url("requests", fmt), {"updated_before": cutoff})) == [str(quiet.pk)]
    (row,) = rows(client.get(url("requests", fmt), {"updated_before": cutoff}))
    assert row["updated_datetime"] == timezone.localtime(long_ago).replace(microsecond=0).isoformat()


def test_the_list_costs_the_same_number_of_queries_for_more_reports(client, cast, django_assert_num_queries):
    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("requests", "xml")).status_code == 200
        return len(queries)

    for _ in range(2):
        published(cast, photos=[processed_photo()])
    few = count_queries()
    for _ in range(5):
        report = published(cast)
        issues_services.answer(staff_of(report.organization), report, Outcome.DONE, "Готово.")
        issues_services.publish_answer(cast["moderator"], report)
    assert count_queries() == few <= 6
