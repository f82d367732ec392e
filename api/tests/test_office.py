"""The back office in the app: the organization's list, a report as it sees
it, the answer with photos, redirect and postponement requests; a
supervisor's escalations and organizations."""

import datetime as dt

import pytest
from django.urls import reverse

from api.tests.helpers import error_of, jpeg
from issues import services
from issues.models import Answer, EventKind, OrganizationRequest, Photo, Report, Status

pytestmark = pytest.mark.django_db


def test_staff_see_their_open_reports_with_the_countdown(api, cast, reports, django_assert_max_num_queries):
    mine = [reports.in_work() for _ in range(3)]
    reports.new()
    client = api(cast.staff)
    client.get(reverse("api:office-reports"))
    with django_assert_max_num_queries(5):
        body = client.get(reverse("api:office-reports")).json()
    assert {r["id"] for r in body["results"]} == {r.pk for r in mine}
    assert body["results"][0]["countdown"] and body["results"][0]["overdue"] is False
    assert api(cast.other_staff).get(reverse("api:office-reports")).json()["count"] == 0
    filtered = client.get(reverse("api:office-reports"), {"status": "resolved"}).json()
    assert filtered["count"] == 0


def test_a_report_of_the_organization_with_its_internal_timeline(api, cast, reports):
    report = reports.answer_review()
    body = api(cast.staff).get(reverse("api:office-report", args=[report.pk])).json()
    assert body["can_answer"] is True
    answered = next(e for e in body["timeline"] if e["kind"] == "answered")
    assert answered["internal"] is True and answered["text"] == "Убрано." and answered["photos"]


def test_a_supervisor_reads_but_another_organization_does_not_see(api, cast, reports):
    report = reports.in_work()
    url = reverse("api:office-report", args=[report.pk])
    assert api(cast.supervisor).get(url).json()["can_answer"] is False
    assert api(cast.other_staff).get(url).status_code == 404
    assert api(cast.resident).get(url).status_code == 403


def test_the_answer_with_photos_goes_to_the_editorial_team(api, cast, reports):
    report = reports.in_work()
    response = api(cast.staff).post(
        reverse("api:answer", args=[report.pk]),
        {"outcome": "done", "text": "Двор убран.", "photos": [jpeg()]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    reply = Answer.objects.get(pk=response.json()["id"])
    assert (reply.author, reply.state, reply.text) == (cast.staff, Answer.State.REVIEW, "Двор убран.")
    assert Report.objects.get(pk=report.pk).status == Status.ANSWER_REVIEW
    assert reply.event.photos.filter(role=Photo.Role.ANSWER).count() == 1


def test_an_answer_done_needs_a_photo_and_a_second_answer_is_a_conflict(api, cast, reports):
    report = reports.in_work()
    client = api(cast.staff)
    url = reverse("api:answer", args=[report.pk])
    missing = client.post(url, {"outcome": "done", "text": "Убрано."}, format="multipart")
    assert missing.status_code == 400 and error_of(missing)["field"] == "photos"
    planned = {
        "outcome": "planned",
        "text": "Весной.",
        "planned_date": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
    }
    assert client.post(url, planned, format="multipart").status_code == 201
    assert client.post(url, planned, format="multipart").status_code == 409
    assert Answer.objects.filter(report=report).count() == 1


def test_another_organization_cannot_answer(api, cast, reports):
    report = reports.in_work()
    response = api(cast.other_staff).post(
        reverse("api:answer", args=[report.pk]), {"outcome": "planned", "text": "x"}, format="multipart"
    )
    assert response.status_code == 404 and not Answer.objects.exists()


def test_redirect_and_postponement_requests(api, cast, reports):
    report = reports.in_work()
    client = api(cast.staff)
    made = client.post(
        reverse("api:request-redirect", args=[report.pk]),
        {"reason": "Не наша территория.", "suggested_organization": cast.other.pk},
    )
    assert made.status_code == 201 and made.json()["kind"] == "redirect"
    again = client.post(reverse("api:request-redirect", args=[report.pk]), {"reason": "Ещё раз."})
    assert again.status_code == 409 and error_of(again)["code"] == "request_pending"
    planned = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    postponed = client.post(
        reverse("api:request-postponement", args=[report.pk]), {"planned_date": planned, "reason": "Сезон."}
    )
    assert postponed.status_code == 201
    assert OrganizationRequest.objects.filter(report=report, state="pending").count() == 2
    assert (
        report.events.filter(kind__in=[EventKind.REDIRECT_REQUESTED, EventKind.POSTPONE_REQUESTED]).count()
        == 2
    )


def test_a_supervisor_sees_escalations_and_the_organizations_under_it(api, cast, reports):
    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now() - dt.timedelta(days=30)):
        report = reports.in_work()
    services.mark_overdue(report.pk)
    client = api(cast.supervisor)
    escalations = client.get(reverse("api:escalations")).json()["results"]
    assert [e["report"] for e in escalations] == [report.pk]
    assert escalations[0]["reason"] == "overdue" and escalations[0]["reason_label"]
    organizations = client.get(reverse("api:supervised")).json()["results"]
    housing = next(o for o in organizations if o["id"] == cast.housing.pk)
    assert housing["overdue"] == 1 and housing["in_work"] == 1
    assert api(cast.staff).get(reverse("api:escalations")).status_code == 403
