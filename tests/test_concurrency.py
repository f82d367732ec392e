"""Two people act on one report at the same moment: one wins, the other is
told, and the log has one event. Needs real row locks: PostGIS (CI)."""

import pytest
from django.db import connection

from accounts.models import Role
from issues import scheduler, services
from issues.errors import TransitionNotAllowed
from issues.models import EventKind, Topic
from tests.concurrency import race
from tests.factories import UserFactory, submit

pytestmark = [pytest.mark.postgis_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections are tested on PostGIS")


def test_two_moderators_publishing_at_once_yield_one_event():
    report = submit(UserFactory(), Topic.objects.get(code="yard-not-cleaned"))
    first, second = UserFactory(role=Role.MODERATOR), UserFactory(role=Role.MODERATOR)
    results = race(lambda: services.publish(first, report.pk), lambda: services.publish(second, report.pk))
    assert sum(isinstance(r, TransitionNotAllowed) for r in results) == 1
    assert report.events.filter(kind=EventKind.PUBLISHED).count() == 1


def test_publish_and_reject_at_once_one_wins():
    report = submit(UserFactory(), Topic.objects.get(code="yard-not-cleaned"))
    moderator = UserFactory(role=Role.MODERATOR)
    results = race(
        lambda: services.publish(moderator, report.pk), lambda: services.reject(moderator, report.pk, "spam")
    )
    assert sum(isinstance(r, TransitionNotAllowed) for r in results) == 1
    assert report.events.filter(kind__in=[EventKind.PUBLISHED, EventKind.REJECTED]).count() == 1


def test_two_scheduler_runs_at_once_escalate_once():
    import datetime as dt

    from django.utils import timezone

    from issues.models import Report

    report = submit(UserFactory(), Topic.objects.get(code="yard-not-cleaned"))
    services.publish(UserFactory(role=Role.MODERATOR), report.pk)
    Report.objects.filter(pk=report.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))  # test setup
    race(scheduler.mark_overdue, scheduler.mark_overdue)
    assert report.events.filter(kind=EventKind.OVERDUE).count() == 1
    assert report.events.filter(kind=EventKind.ESCALATED).count() == 1
