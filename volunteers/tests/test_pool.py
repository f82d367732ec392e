"""Inspection tasks: ordered by the editorial team, taken from the pool by one
volunteer for a limited time, given back or expired back into the pool."""

import datetime as dt

import pytest
from django.utils import timezone

from issues.errors import DomainError, TransitionNotAllowed
from issues.models import EventKind, ReportEvent
from tests.factories import UserFactory
from volunteers import services
from volunteers.models import Inspection
from volunteers.services import TaskUnavailable
from volunteers.testing import (
    answered_report,
    disputed_report,
    moderator,
    report_in_answer_review,
    report_in_work,
    taken_task,
    volunteer,
    volunteer_record,
)

pytestmark = pytest.mark.django_db


def _expire(inspection):
    # Test set-up: move the task's end into the past.
    Inspection.objects.filter(pk=inspection.pk).update(taken_until=timezone.now() - dt.timedelta(minutes=1))


def test_a_moderator_orders_an_inspection_of_a_disputed_report():
    report = disputed_report()
    editor = moderator()
    inspection = services.order_inspection(editor, report, "  Проверьте контейнерную площадку ")
    assert inspection.status == Inspection.Status.OPEN
    assert inspection.source == Inspection.Source.ORDERED
    assert inspection.note == "Проверьте контейнерную площадку"
    assert inspection.answer is not None and inspection.ordered_by == editor
    event = ReportEvent.objects.get(report=report, kind=EventKind.INSPECTION)
    assert event.actor == editor and not event.is_public
    assert event.payload == {"inspection_id": inspection.pk, "stage": "ordered", "source": "ordered"}


def test_an_inspection_of_an_answer_under_review_checks_that_answer():
    report = report_in_answer_review()
    inspection = services.order_inspection(moderator(), report)
    assert inspection.answer == report.answers.get()


def test_ordering_twice_adds_nothing():
    report = disputed_report()
    services.order_inspection(moderator(), report)
    with pytest.raises(DomainError) as exc:
        services.order_inspection(moderator(), report)
    assert exc.value.code == "already_inspecting"
    assert report.inspections.count() == 1
    assert report.events.filter(kind=EventKind.INSPECTION).count() == 1


def test_a_report_in_work_has_nothing_to_inspect():
    with pytest.raises(TransitionNotAllowed):
        services.order_inspection(moderator(), report_in_work())
    assert not Inspection.objects.exists()


def test_only_the_editorial_team_orders():
    with pytest.raises(DomainError):
        services.order_inspection(volunteer(), disputed_report())


def test_a_volunteer_takes_a_task_for_the_configured_time(settings):
    settings.INSPECTION_TAKE_HOURS = 5
    inspection = services.order_inspection(moderator(), disputed_report())
    user = volunteer()
    before = timezone.now()
    taken = services.take_task(user, inspection.pk)
    assert taken.status == Inspection.Status.TAKEN and taken.volunteer == user
    assert before + dt.timedelta(hours=5) <= taken.taken_until <= timezone.now() + dt.timedelta(hours=5)


def test_a_task_taken_by_one_volunteer_is_refused_to_another():
    inspection, first = taken_task()
    with pytest.raises(TaskUnavailable) as exc:
        services.take_task(volunteer(), inspection.pk)
    assert "другой волонтёр" in exc.value.messages[0]
    inspection.refresh_from_db()
    assert inspection.volunteer == first


def test_taking_ones_own_task_again_says_so():
    inspection, user = taken_task()
    with pytest.raises(TaskUnavailable) as exc:
        services.take_task(user, inspection.pk)
    assert "уже ваша" in exc.value.messages[0]


def test_residents_and_suspended_volunteers_cannot_take():
    inspection = services.order_inspection(moderator(), disputed_report())
    with pytest.raises(DomainError):
        services.take_task(UserFactory(), inspection.pk)
    user = volunteer()
    services.suspend(moderator(), volunteer_record(user).pk, "Жалоба")
    user.refresh_from_db()
    with pytest.raises(DomainError):
        services.take_task(user, inspection.pk)
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.OPEN


def test_a_volunteer_does_not_inspect_their_own_report():
    user = volunteer()
    report = disputed_report(author=user)
    inspection = services.order_inspection(moderator(), report)
    with pytest.raises(DomainError) as exc:
        services.take_task(user, inspection.pk)
    assert exc.value.code == "own_report"


def test_a_volunteer_holds_at_most_three_tasks():
    user = volunteer()
    for _ in range(3):
        taken_task(user=user)
    fourth = services.order_inspection(moderator(), disputed_report())
    with pytest.raises(DomainError) as exc:
        services.take_task(user, fourth.pk)
    assert exc.value.code == "too_many_tasks"


def test_an_expired_task_can_be_taken_by_another_before_the_release_job_runs():
    inspection, first = taken_task()
    _expire(inspection)
    second = volunteer()
    taken = services.take_task(second, inspection.pk)
    assert taken.volunteer == second
    assert volunteer_record(first).lapsed_count == 1


def test_the_release_job_returns_expired_tasks_and_a_second_run_changes_nothing():
    expired, first = taken_task()
    kept, _ = taken_task()
    _expire(expired)
    assert services.release_expired() == 1
    assert services.release_expired() == 0
    expired.refresh_from_db()
    kept.refresh_from_db()
    assert (
        expired.status == Inspection.Status.OPEN and expired.volunteer is None and expired.taken_until is None
    )
    assert kept.status == Inspection.Status.TAKEN
    assert volunteer_record(first).lapsed_count == 1


def test_the_late_volunteer_cannot_file_a_verdict_on_an_expired_task():
    from volunteers.testing import NEAR_RED_SQUARE, photo_at

    inspection, user = taken_task()
    _expire(inspection)
    with pytest.raises(TaskUnavailable):
        services.submit_verdict(user, inspection.pk, "fixed", "Всё убрано", [photo_at(NEAR_RED_SQUARE)])
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.TAKEN and inspection.verdict == ""


def test_a_volunteer_gives_a_task_back():
    inspection, user = taken_task()
    with pytest.raises(TaskUnavailable):
        services.give_up_task(volunteer(), inspection.pk)
    services.give_up_task(user, inspection.pk)
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.OPEN and inspection.volunteer is None


def test_open_tasks_of_reports_back_in_work_leave_the_pool():
    from issues import services as report_services

    report = disputed_report()
    inspection = services.order_inspection(moderator(), report)
    report_services.return_to_organization(moderator(), report, "Без проверки")
    assert services.cancel_moot() == 1
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.CANCELLED
    # The report's log says why the task left the pool (internal, no one named).
    event = report.events.get(kind=EventKind.INSPECTION, payload__stage="cancelled")
    assert event.payload["reason"] == "moot" and event.actor is None and not event.is_public
    assert services.cancel_moot() == 0
    with pytest.raises(DomainError):
        services.take_task(volunteer(), inspection.pk)


def test_a_moderator_cancels_an_open_task():
    report = answered_report()
    inspection = services.order_inspection(moderator(), report)
    services.cancel_inspection(moderator(), inspection.pk, "Ошибся сообщением")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.CANCELLED
    assert report.events.filter(kind=EventKind.INSPECTION, payload__stage="cancelled").count() == 1
    with pytest.raises(TransitionNotAllowed):
        services.cancel_inspection(moderator(), inspection.pk)
    # The report may be inspected again.
    services.order_inspection(moderator(), report)


def test_a_volunteer_made_by_an_administrator_can_take_tasks_at_once():
    from accounts.models import Role

    user = UserFactory(role=Role.VOLUNTEER)  # the role given in the admin, no application
    inspection = services.order_inspection(moderator(), disputed_report())
    assert services.take_task(user, inspection.pk).volunteer == user
    assert volunteer_record(user).status == "active"
