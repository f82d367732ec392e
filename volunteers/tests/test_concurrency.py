"""The pool under concurrency: threads against PostgreSQL (real row locks and
conditional UPDATEs across connections). Skipped on SpatiaLite."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from tests.concurrency import race
from volunteers import services
from volunteers.models import Inspection, Volunteer
from volunteers.services import TaskUnavailable
from volunteers.testing import answered_report, disputed_report, moderator, taken_task, volunteer

pytestmark = [pytest.mark.postgis_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections are tested on PostGIS")


def test_two_volunteers_taking_the_same_task_at_once_one_gets_it():
    for _ in range(3):  # a few rounds: the race must hold every time, not once by luck
        inspection = services.order_inspection(moderator(), disputed_report())
        first, second = volunteer(), volunteer()
        results = race(
            lambda i=inspection, u=first: services.take_task(u, i.pk),
            lambda i=inspection, u=second: services.take_task(u, i.pk),
        )
        winners = [r for r in results if isinstance(r, Inspection)]
        losers = [r for r in results if isinstance(r, TaskUnavailable)]
        assert len(winners) == 1 and len(losers) == 1, results
        assert "другой волонтёр" in losers[0].messages[0]
        inspection.refresh_from_db()
        assert inspection.status == Inspection.Status.TAKEN
        assert inspection.volunteer_id == winners[0].volunteer_id


def test_two_volunteers_taking_an_expired_task_at_once_one_gets_it():
    inspection, holder = taken_task()
    Inspection.objects.filter(pk=inspection.pk).update(taken_until=timezone.now() - dt.timedelta(minutes=1))
    first, second = volunteer(), volunteer()
    results = race(
        lambda: services.take_task(first, inspection.pk), lambda: services.take_task(second, inspection.pk)
    )
    assert sum(isinstance(r, Inspection) for r in results) == 1, results
    assert Volunteer.objects.get(user=holder).lapsed_count == 1


def test_a_take_racing_the_release_job_leaves_the_task_with_the_taker():
    inspection, holder = taken_task()
    Inspection.objects.filter(pk=inspection.pk).update(taken_until=timezone.now() - dt.timedelta(minutes=1))
    newcomer = volunteer()
    race(lambda: services.take_task(newcomer, inspection.pk), services.release_expired)
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.TAKEN and inspection.volunteer == newcomer
    # The holder lapsed once, whichever of the two saw it first.
    assert Volunteer.objects.get(user=holder).lapsed_count == 1


def test_two_release_runs_at_once_release_each_task_once():
    tasks = [taken_task()[0] for _ in range(3)]
    Inspection.objects.update(taken_until=timezone.now() - dt.timedelta(minutes=1))
    results = race(services.release_expired, services.release_expired)
    assert sum(results) == 3, results
    assert Inspection.objects.filter(pk__in=[t.pk for t in tasks], status=Inspection.Status.OPEN).count() == 3
    assert sum(Volunteer.objects.values_list("lapsed_count", flat=True)) == 3


def test_two_sampling_runs_at_once_create_no_duplicates(settings):
    settings.INSPECTION_SAMPLE_PERCENT = 100
    reports = [answered_report() for _ in range(4)]
    results = race(services.sample_done_answers, services.sample_done_answers)
    assert sum(len(r) for r in results) == 4, results
    assert Inspection.objects.count() == 4
    assert set(Inspection.objects.values_list("report_id", flat=True)) == {r.pk for r in reports}
    assert services.sample_done_answers() == []


def test_a_second_click_on_accept_awards_one_acceptance():
    from volunteers.testing import NEAR_RED_SQUARE, photo_at

    inspection, user = taken_task()
    services.submit_verdict(user, inspection.pk, "fixed", "Убрано", [photo_at(NEAR_RED_SQUARE)])
    editor = moderator()
    results = race(
        lambda: services.accept_verdict(editor, inspection.pk),
        lambda: services.accept_verdict(editor, inspection.pk),
    )
    assert sum(isinstance(r, Inspection) for r in results) == 1, results
    assert inspection.report.events.filter(kind="inspection", is_public=True).count() == 1
