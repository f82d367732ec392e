"""A volunteer's inspections in the app: the pool, taking a task (one
volunteer gets it), giving it back, the verdict with photos."""

import pytest
from django.urls import reverse

from api.tests.helpers import error_of, jpeg
from issues.models import Photo
from tests.factories import RED_SQUARE
from volunteers import services, testing
from volunteers.models import Inspection

pytestmark = pytest.mark.django_db


@pytest.fixture
def task():
    return services.order_inspection(testing.moderator(), testing.disputed_report(), "Проверьте двор")


@pytest.fixture
def volunteer():
    return testing.volunteer()


def test_the_pool_nearest_first_with_the_distance(api, task, volunteer):
    body = api(volunteer).get(reverse("api:task-pool"), {"lat": RED_SQUARE.y, "lon": RED_SQUARE.x}).json()
    assert [t["id"] for t in body["results"]] == [task.pk]
    assert body["results"][0]["distance_m"] < 50 and body["results"][0]["note"] == "Проверьте двор"
    assert error_of(api(volunteer).get(reverse("api:task-pool"), {"lat": RED_SQUARE.y}))["field"] == "lon"


def test_taking_a_task_makes_it_mine_and_a_second_volunteer_is_refused(api, task, volunteer):
    response = api(volunteer).post(reverse("api:take", args=[task.pk]))
    assert response.status_code == 200 and response.json()["status"] == "taken"
    assert Inspection.objects.get(pk=task.pk).volunteer == volunteer
    assert [t["id"] for t in api(volunteer).get(reverse("api:tasks-held")).json()["results"]] == [task.pk]
    other = testing.volunteer()
    assert api(other).post(reverse("api:take", args=[task.pk])).status_code == 404
    assert Inspection.objects.get(pk=task.pk).volunteer == volunteer


def test_giving_a_task_back(api, task, volunteer):
    api(volunteer).post(reverse("api:take", args=[task.pk]))
    assert api(volunteer).post(reverse("api:give-up", args=[task.pk])).json()["status"] == "open"


def test_the_verdict_with_photos(api, task, volunteer):
    client = api(volunteer)
    client.post(reverse("api:take", args=[task.pk]))
    url = reverse("api:verdict", args=[task.pk])
    missing = client.post(url, {"verdict": "not_fixed", "comment": "Мусор на месте."}, format="multipart")
    assert missing.status_code == 400 and error_of(missing)["field"] == "photos"
    done = client.post(
        url, {"verdict": "not_fixed", "comment": "Мусор на месте.", "photos": [jpeg()]}, format="multipart"
    )
    assert done.status_code == 200 and done.json()["status"] == "submitted"
    task.refresh_from_db()
    assert (task.verdict, task.comment) == ("not_fixed", "Мусор на месте.")
    assert task.report.photos.filter(role=Photo.Role.INSPECTION).count() == 1


def test_residents_are_not_volunteers(api, cast, task):
    assert api(cast.resident).get(reverse("api:task-pool")).status_code == 403
    assert api().get(reverse("api:task-pool")).status_code == 401


def test_the_pool_leaves_out_the_volunteers_own_reports(api, task, volunteer):
    # As on the web: a volunteer never checks their own report.
    own = services.order_inspection(
        testing.moderator(), testing.disputed_report(author=volunteer), "Проверьте"
    )
    listed = [t["id"] for t in api(volunteer).get(reverse("api:task-pool")).json()["results"]]
    assert listed == [task.pk] and own.pk not in listed


def test_a_task_on_its_own(api, task, volunteer):
    # The web's task page: a task of the pool, or one the volunteer holds.
    response = api(volunteer).get(reverse("api:task", args=[task.pk]))
    assert response.status_code == 200 and response.json()["note"] == "Проверьте двор"
    api(volunteer).post(reverse("api:take", args=[task.pk]))
    assert api(volunteer).get(reverse("api:task", args=[task.pk])).json()["status"] == "taken"
    hidden = api(testing.volunteer()).get(reverse("api:task", args=[task.pk]))
    assert hidden.status_code == 404 and error_of(hidden)["code"] == "not_found"
