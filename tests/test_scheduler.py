"""The scheduler across weekends and a public holiday: reminders, overdue
marks, both escalation levels and auto-closing, each job run twice."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Role
from issues import scheduler, services
from issues.models import EventKind, Outcome, Report, Status, Topic
from organizations.models import Organization
from tests.factories import UserFactory, staff_of, submit

pytestmark = pytest.mark.django_db
MSK = dt.timezone(dt.timedelta(hours=3))


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=MSK), tick=False)


def events(report, kind):
    return report.events.filter(kind=kind).count()


def twice(job):
    first = job()
    second = job()
    return first, second


@pytest.fixture
def published():
    """Published Friday 30 October 2026 at 17:00: 8 working days skip two
    weekends and the 4 November holiday → due Thursday 12 November."""
    topic = Topic.objects.get(code="yard-not-cleaned")
    moderator = UserFactory(role=Role.MODERATOR)
    with at(2026, 10, 30, 17, 0):
        report = submit(UserFactory(), topic)
        services.publish(moderator, report)
    report.refresh_from_db()
    assert timezone.localtime(report.deadline).date() == dt.date(2026, 11, 12)
    return report, moderator


def test_nothing_happens_while_the_deadline_is_far(published):
    report, _ = published
    with at(2026, 11, 9, 12, 0):  # Monday, three working days left
        assert scheduler.run_all() == {"reminded": 0, "overdue": 0, "escalated_further": 0, "auto_closed": 0}


def test_the_organization_is_reminded_one_working_day_before_once(published):
    report, _ = published
    with at(2026, 11, 11, 9, 0):  # Wednesday: the deadline is tomorrow
        assert twice(scheduler.send_reminders) == (1, 0)
    assert events(report, EventKind.REMINDED) == 1


def test_reminder_before_a_deadline_after_the_weekend_comes_on_friday():
    topic = Topic.objects.get(code="yard-not-cleaned")
    with at(2026, 11, 5, 10, 0):  # Thursday 5 Nov → due Tuesday 17 Nov
        report = submit(UserFactory(), topic)
        services.publish(UserFactory(role=Role.MODERATOR), report)
    report.refresh_from_db()
    assert timezone.localtime(report.deadline).date() == dt.date(2026, 11, 17)
    with at(2026, 11, 13, 18, 0):  # Friday: next working day is Monday 16, not yet
        assert scheduler.send_reminders() == 0
    with at(2026, 11, 16, 9, 0):  # Monday: the deadline is tomorrow
        assert scheduler.send_reminders() == 1


def test_overdue_marks_and_escalates_to_the_supervisor_once(published):
    report, _ = published
    with at(2026, 11, 12, 23, 59):
        assert scheduler.mark_overdue() == 0  # not yet
    with at(2026, 11, 13, 0, 1):
        assert twice(scheduler.mark_overdue) == (1, 0)
    report.refresh_from_db()
    assert report.is_overdue and report.escalation_level == 1
    escalation = report.events.get(kind=EventKind.ESCALATED)
    assert escalation.payload["supervisor_id"] == report.organization.supervisor_id
    assert events(report, EventKind.OVERDUE) == 1


def test_still_unanswered_goes_to_the_supervisors_supervisor(published):
    report, _ = published
    with at(2026, 11, 13, 0, 1):
        scheduler.mark_overdue()
    with at(2026, 11, 15, 0, 1):  # two days later: not yet
        assert scheduler.escalate_further() == 0
    with at(2026, 11, 16, 0, 5):
        assert twice(scheduler.escalate_further) == (1, 0)
    report.refresh_from_db()
    assert report.escalation_level == 2
    levels = list(
        report.events.filter(kind=EventKind.ESCALATED).order_by("pk").values_list("payload", flat=True)
    )
    housing = report.organization
    assert [p["supervisor_id"] for p in levels] == [housing.supervisor_id, housing.supervisor.supervisor_id]


def test_answered_in_time_is_never_marked_overdue(published):
    report, moderator = published
    staff = staff_of(report.organization)
    with at(2026, 11, 10, 10, 0):
        services.answer(staff, report, Outcome.DONE, "Убрано")
    with at(2026, 11, 20, 10, 0):  # the editorial team has not checked yet: the clock is stopped
        assert scheduler.mark_overdue() == 0


def test_silence_closes_an_answered_report_when_the_window_ends(published):
    report, moderator = published
    staff = staff_of(report.organization)
    with at(2026, 11, 10, 10, 0):
        services.answer(staff, report, Outcome.DONE, "Убрано")
        services.publish_answer(moderator, report)
    with at(2026, 11, 17, 9, 59):
        assert scheduler.auto_close() == 0
    with at(2026, 11, 17, 10, 1):
        assert twice(scheduler.auto_close) == (1, 0)
    report.refresh_from_db()
    assert report.status == Status.RESOLVED and events(report, EventKind.AUTO_CLOSED) == 1


def test_jobs_touch_only_due_reports(published, django_assert_max_num_queries):
    """With nothing due, each job is one indexed query."""
    with at(2026, 11, 2, 10, 0), django_assert_max_num_queries(4):
        scheduler.run_all()


def test_organizations_are_chained_for_escalation():
    housing = Organization.objects.get(kind="housing_service", districts__name="Тверской")
    assert housing.supervisor.kind == "district_council"
    assert housing.supervisor.supervisor.kind == "prefecture"
    assert Report.objects.count() == 0
