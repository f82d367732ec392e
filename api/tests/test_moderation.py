"""The editorial desk in the app: the queues and every action, each the one
service call of issues.services (events written once; a second click is a
conflict)."""

import pytest
from django.urls import reverse

from api.tests.helpers import error_of
from issues.models import EventKind, Follower, OrganizationRequest, Report, Status, Topic

pytestmark = pytest.mark.django_db


def act(client, report, action, **data):
    return client.post(reverse(f"api:{action}", args=[report.pk]), data)


def test_the_queues_with_their_sizes(api, cast, reports):
    reports.new()
    reports.new()
    reports.answer_review()
    reports.redirect_request()
    counts = {q["slug"]: q["count"] for q in api(cast.moderator).get(reverse("api:queues")).json()}
    assert {"new": 2, "answers": 1, "disputes": 0, "requests": 1, "overdue": 0}.items() <= counts.items()


def test_a_queue_lists_the_oldest_first_in_few_queries(api, cast, reports, django_assert_max_num_queries):
    made = [reports.new() for _ in range(3)]
    client = api(cast.moderator)
    client.get(reverse("api:queue", args=["new"]))
    with django_assert_max_num_queries(5):
        body = client.get(reverse("api:queue", args=["new"])).json()
    assert [r["id"] for r in body["results"]] == [r.pk for r in made]
    assert error_of(client.get(reverse("api:queue", args=["lost"])))["code"] == "not_found"


def test_publishing_routes_the_report_and_a_second_click_is_a_conflict(api, cast, reports):
    report = reports.new()
    client = api(cast.moderator)
    response = act(client, report, "publish")
    assert response.status_code == 200 and response.json()["status"] == Status.IN_WORK
    assert Report.objects.get(pk=report.pk).organization == cast.housing
    again = act(client, report, "publish")
    assert again.status_code == 409 and error_of(again)["code"] == "transition_not_allowed"
    assert report.events.filter(kind=EventKind.PUBLISHED).count() == 1


def test_publishing_to_a_chosen_organization(api, cast, reports):
    report = reports.new()
    act(api(cast.moderator), report, "publish", organization=cast.other.pk)
    assert Report.objects.get(pk=report.pk).organization == cast.other


def test_rejecting_needs_a_known_reason(api, cast, reports):
    report = reports.new()
    client = api(cast.moderator)
    assert error_of(act(client, report, "reject", reason="boring"))["field"] == "reason"
    response = act(client, report, "reject", reason="spam", comment="Реклама.")
    assert response.json()["status"] == Status.REJECTED
    event = report.events.get(kind=EventKind.REJECTED)
    assert (event.reason, event.text, event.actor) == ("spam", "Реклама.", cast.moderator)


def test_merging_makes_the_author_follow_the_original(api, cast, reports):
    original = reports.in_work(author=cast.neighbour)
    duplicate = reports.new()
    client = api(cast.moderator)
    assert error_of(act(client, duplicate, "merge", into=999999))["code"] == "no_report"
    assert act(client, duplicate, "merge", into=original.pk).json()["status"] == Status.DUPLICATE
    assert Follower.objects.filter(report=original, user=cast.resident).exists()


def test_changing_the_topic(api, cast, reports):
    report = reports.new()
    other = Topic.objects.filter(is_active=True).exclude(pk=cast.topic.pk).first()
    assert act(api(cast.moderator), report, "change-topic", topic=other.pk).json()["topic"]["id"] == other.pk
    assert report.events.filter(kind=EventKind.TOPIC_CHANGED).count() == 1


def test_an_answer_is_published_or_returned(api, cast, reports):
    client = api(cast.moderator)
    first, second = reports.answer_review(), reports.answer_review()
    assert act(client, first, "publish-answer").json()["status"] == Status.ANSWERED
    assert error_of(act(client, second, "return-answer"))["field"] == "comment"
    assert (
        act(client, second, "return-answer", comment="Фото не того двора.").json()["status"] == Status.IN_WORK
    )
    assert second.events.filter(kind=EventKind.ANSWER_RETURNED).count() == 1


def test_a_dispute_is_returned_or_dismissed(api, cast, reports):
    client = api(cast.moderator)
    first, second = reports.disputed(), reports.disputed()
    assert act(client, first, "return", comment="Проверьте ещё раз.").json()["status"] == Status.IN_WORK
    assert Report.objects.get(pk=first.pk).returns_count == 1
    assert act(client, second, "dismiss", comment="Работы выполнены.").json()["status"] == Status.RESOLVED


def test_requests_are_listed_and_decided(api, cast, reports):
    redirect = reports.redirect_request()
    postpone = reports.postpone_request()
    client = api(cast.moderator)
    listed = client.get(reverse("api:requests")).json()["results"]
    assert [r["id"] for r in listed] == [redirect.pk, postpone.pk]
    refused = client.post(reverse("api:decide", args=[redirect.pk]), {"decision": "refuse"})
    assert error_of(refused)["field"] == "comment"
    granted = client.post(
        reverse("api:decide", args=[redirect.pk]), {"decision": "grant", "organization": cast.other.pk}
    )
    assert granted.status_code == 200 and Report.objects.get(pk=redirect.report_id).organization == cast.other
    client.post(reverse("api:decide", args=[postpone.pk]), {"decision": "grant"})
    assert Report.objects.get(pk=postpone.report_id).planned_date == postpone.planned_date
    states = set(OrganizationRequest.objects.values_list("state", flat=True))
    assert states == {OrganizationRequest.State.GRANTED}
    again = client.post(reverse("api:decide", args=[postpone.pk]), {"decision": "grant"})
    assert again.status_code == 409
