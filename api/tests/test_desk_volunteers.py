"""The editorial desk's work that the web has and the app lacked: every
queue the desk lists is reachable, the place of a new report is fixed,
inspections are ordered and their verdicts decided, and volunteers'
applications decided."""

import pytest
from django.urls import reverse

from api.tests.helpers import error_of
from issues.models import Status
from tests.factories import UserFactory
from volunteers import services, testing
from volunteers.models import Application, Inspection, Volunteer

pytestmark = pytest.mark.django_db
# Манежная площадь, still in Тверской.
MANEZH = {"lat": 55.7558, "lon": 37.6150}


def test_every_queue_the_desk_lists_can_be_opened(api, cast, reports):
    client = api(cast.moderator)
    queues = client.get(reverse("api:queues")).json()
    assert {q["slug"] for q in queues} >= {"requests", "inspections", "applications"}
    for queue in queues:
        response = client.get(queue["url"])
        assert response.status_code == 200, (queue["slug"], response.json())
        assert "results" in response.json() and "count" in response.json()


def test_the_place_of_a_new_report_is_fixed(api, cast, reports):
    report = reports.new()
    response = api(cast.moderator).post(reverse("api:change-point", args=[report.pk]), MANEZH)
    assert response.status_code == 200, response.json()
    assert abs(response.json()["point"]["lat"] - MANEZH["lat"]) < 1e-6
    report.refresh_from_db()
    assert abs(report.point.x - MANEZH["lon"]) < 1e-6
    outside = api(cast.moderator).post(
        reverse("api:change-point", args=[report.pk]), {"lat": 59.94, "lon": 30.31}
    )
    assert outside.status_code == 400 and error_of(outside)["code"] == "outside_moscow"
    assert api(cast.resident).post(reverse("api:change-point", args=[report.pk]), MANEZH).status_code == 403


def test_an_inspection_is_ordered_and_its_verdict_decided(api, cast):
    client = api(testing.moderator())
    report = testing.disputed_report()
    ordered = client.post(reverse("api:inspect", args=[report.pk]), {"note": "Проверьте двор"})
    assert ordered.status_code == 200, ordered.json()
    task = Inspection.objects.get(report=report)
    assert task.note == "Проверьте двор"
    volunteer = testing.volunteer()
    services.take_task(volunteer, task.pk)
    services.submit_verdict(
        volunteer, task.pk, "not_fixed", "Мусор на месте", [testing.photo_at(testing.NEAR_RED_SQUARE)]
    )
    queue = client.get(reverse("api:inspections")).json()
    assert [i["id"] for i in queue["results"]] == [task.pk]
    assert queue["results"][0]["verdict"] == "not_fixed" and len(queue["results"][0]["photos"]) == 1
    assert volunteer.email not in str(queue)
    decided = client.post(reverse("api:decide-inspection", args=[task.pk, "accept"]), {})
    assert decided.status_code == 200, decided.json()
    assert Inspection.objects.get(pk=task.pk).status == Inspection.Status.ACCEPTED
    again = client.post(reverse("api:decide-inspection", args=[task.pk, "accept"]), {})
    assert again.status_code == 409
    lost = client.post(reverse("api:decide-inspection", args=[task.pk, "approve"]), {})
    assert lost.status_code == 404 and error_of(lost)["code"] == "not_found"


def test_an_application_is_decided(api, cast):
    applicant = UserFactory()
    application = services.apply(applicant, "Живу рядом.")
    client = api(cast.moderator)
    listed = client.get(reverse("api:applications")).json()
    assert [a["id"] for a in listed["results"]] == [application.pk]
    assert applicant.email not in str(listed)
    url = reverse("api:decide-application", args=[application.pk])
    assert error_of(client.post(url, {"decision": "maybe"}))["field"] == "decision"
    decided = client.post(url, {"decision": "approve"})
    assert decided.status_code == 200 and decided.json()["status"] == Application.Status.APPROVED
    assert Volunteer.objects.filter(user=applicant).exists()
    assert client.post(url, {"decision": "approve"}).status_code == 409
    assert api(cast.resident).get(reverse("api:applications")).status_code == 403


def test_the_report_still_moderated_after_the_move(api, cast, reports):
    report = reports.new()
    api(cast.moderator).post(reverse("api:change-point", args=[report.pk]), MANEZH)
    report.refresh_from_db()
    assert report.status == Status.MODERATION
