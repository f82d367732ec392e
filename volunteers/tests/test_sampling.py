"""The scheduled sample: a configurable share of the «done» answers of the
last days gets an inspection; running it again adds nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from issues.models import Answer, EventKind, Outcome
from volunteers import services, tasks
from volunteers.models import Inspection
from volunteers.testing import answered_report, disputed_report, moderator

pytestmark = pytest.mark.django_db


def test_every_done_answer_is_drawn_at_100_percent_and_a_second_run_adds_nothing(settings):
    settings.INSPECTION_SAMPLE_PERCENT = 100
    done = [answered_report(), answered_report()]
    answered_report(outcome=Outcome.PLANNED)
    disputed_report()  # the author's dispute is the editorial team's to handle
    created = services.sample_done_answers()
    assert len(created) == 2
    assert set(Inspection.objects.values_list("report_id", flat=True)) == {r.pk for r in done}
    assert all(i.source == Inspection.Source.SAMPLE for i in Inspection.objects.all())
    assert services.sample_done_answers() == []
    assert tasks.sample_done_answers.delay().get() == 0
    assert Inspection.objects.count() == 2
    for report in done:
        event = report.events.get(kind=EventKind.INSPECTION)
        assert event.payload["stage"] == "sampled" and not event.is_public and event.actor is None


def test_a_finished_sampled_inspection_is_not_drawn_again(settings):
    settings.INSPECTION_SAMPLE_PERCENT = 100
    answered_report()
    [pk] = services.sample_done_answers()
    services.cancel_inspection(moderator(), pk, "Не нужно")
    assert services.sample_done_answers() == []


def test_answers_older_than_the_window_are_left_alone(settings):
    settings.INSPECTION_SAMPLE_PERCENT = 100
    settings.INSPECTION_SAMPLE_DAYS = 3
    report = answered_report()
    Answer.objects.filter(report=report).update(created_at=timezone.now() - dt.timedelta(days=4))  # set-up
    assert services.sample_done_answers() == []


def test_a_report_already_under_inspection_is_skipped(settings):
    settings.INSPECTION_SAMPLE_PERCENT = 100
    report = answered_report()
    services.order_inspection(moderator(), report)
    assert services.sample_done_answers() == []
    assert report.inspections.count() == 1


def test_zero_percent_draws_nothing(settings):
    settings.INSPECTION_SAMPLE_PERCENT = 0
    answered_report()
    assert services.sample_done_answers() == []


def test_the_draw_takes_about_the_configured_share():
    # The draw itself, without building reports: a stable hash of the answer id.
    drawn = sum(services._drawn(answer_id, 10) for answer_id in range(1, 5001))
    assert 400 < drawn < 600
    assert [services._drawn(i, 10) for i in range(100)] == [services._drawn(i, 10) for i in range(100)]


def test_the_demo_command_fills_every_state_once(settings):
    from django.core.management import call_command

    from accounts.models import Role
    from tests.factories import UserFactory
    from volunteers.testing import disputed_report

    settings.INSPECTION_SAMPLE_PERCENT = 100
    UserFactory(role=Role.MODERATOR, email="moderator@demo.nashgorod.local")
    UserFactory(role=Role.VOLUNTEER, email="volunteer@demo.nashgorod.local")
    resident = UserFactory(email="resident-1@demo.nashgorod.local")
    for _ in range(2):
        disputed_report(author=resident)
    answered_report(author=resident)
    call_command("demo_inspections", verbosity=0)
    statuses = sorted(Inspection.objects.values_list("status", flat=True))
    assert statuses == ["accepted", "submitted", "taken"]
    call_command("demo_inspections", verbosity=0)
    assert Inspection.objects.count() == 3
