"""Who hears of which event, and what follows their e-mail preferences."""

import datetime as dt
import logging

import pytest
import time_machine
from django.core import mail

from accounts.models import Role
from issues import scheduler, services
from issues.events import event_recorded
from issues.models import EventKind, Outcome, ReportEvent
from nashgorod import queue
from notifications import subscribers
from notifications.models import Category, Notification
from tests.factories import UserFactory, council_of, staff_of, submit, supervisor_of

from .helpers import mailed, notified

pytestmark = pytest.mark.django_db
MSK = dt.timezone(dt.timedelta(hours=3))


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=MSK), tick=False)


def answered(c, report, after_commit):
    after_commit(services.answer, c.staff, report, Outcome.DONE, "Убрано.")
    after_commit(services.publish_answer, c.moderator, report)


def test_the_notice_is_always_made_the_letter_follows_the_preference(cast, after_commit):
    c = cast
    c.resident.notify_email_status = False  # no status letters, but answers by e-mail
    c.resident.save()
    report = after_commit(submit, c.resident, c.topic)
    after_commit(services.publish, c.moderator, report)
    assert c.resident.pk in notified(kind=EventKind.PUBLISHED)
    assert c.resident.email not in mailed()

    answered(c, report, after_commit)
    notice = Notification.objects.get(user=c.resident, kind=EventKind.ANSWER_PUBLISHED)
    assert notice.category == Category.ANSWERS and notice.emailed_at is not None
    assert mailed().count(c.resident.email) == 1


def test_followers_hear_of_answers_and_resolution_inactive_ones_do_not(cast, published, after_commit):
    c = cast
    follower, gone = UserFactory(), UserFactory(is_active=False)
    quiet = UserFactory(notify_email_answers=False)
    for user in (follower, gone, quiet):
        services.follow_report(user, published)

    answered(c, published, after_commit)
    assert notified(kind=EventKind.ANSWER_PUBLISHED) == {c.resident.pk, follower.pk, quiet.pk}
    assert mailed() == sorted([c.resident.email, follower.email])

    mail.outbox.clear()
    after_commit(services.confirm, c.resident, published)
    assert notified(kind=EventKind.CONFIRMED) == {c.resident.pk, follower.pk, quiet.pk}
    assert mailed() == sorted([c.resident.email, follower.email, quiet.email])  # status letters are on


def test_a_rejected_report_tells_its_author_why(cast, after_commit):
    report = after_commit(submit, cast.resident, cast.topic)
    after_commit(services.reject, cast.moderator, report, "private", "Это частная парковка.")
    notice = Notification.objects.get()
    assert notice.user == cast.resident and notice.kind == EventKind.REJECTED
    assert "Это частная парковка." in notice.text
    assert [m.subject for m in mail.outbox] == [f"Наш город: Сообщение №{report.number} отклонено"]


def test_a_merged_duplicate_tells_only_its_author_and_points_to_the_original(cast, published, after_commit):
    follower = UserFactory()
    services.follow_report(follower, published)
    author = UserFactory()
    duplicate = after_commit(submit, author, cast.topic)
    after_commit(services.merge, cast.moderator, duplicate, published)
    notice = Notification.objects.get(kind=EventKind.MERGED)
    assert notice.user == author and notice.report_id == duplicate.pk
    assert notice.url == f"/reports/{published.pk}/"
    assert mailed() == [author.email]


def test_staff_hear_of_the_reminder_and_the_supervisor_of_the_escalation(cast, after_commit):
    c = cast
    council = c.housing.supervisor
    supervisors = [supervisor_of(council), supervisor_of(council, notify_email_work=False)]
    council_staff = staff_of(council)
    other_supervisor = supervisor_of(council_of("Арбат"))
    with at(2026, 10, 30, 17, 0):  # due Thursday 12 November
        report = after_commit(submit, c.resident, c.topic)
        after_commit(services.publish, c.moderator, report)
    mail.outbox.clear()

    with at(2026, 11, 11, 9, 0):
        assert after_commit(scheduler.send_reminders) == 1
    assert notified(kind=EventKind.REMINDED) == {c.staff.pk}
    assert [m.subject for m in mail.outbox] == [
        f"Наш город: Срок ответа на сообщение №{report.number} истекает"
    ]

    mail.outbox.clear()
    with at(2026, 11, 13, 0, 1):
        assert after_commit(scheduler.mark_overdue) == 1
    assert notified(kind=EventKind.ESCALATED) == {s.pk for s in supervisors}
    assert Notification.objects.filter(kind=EventKind.OVERDUE).count() == 0
    assert mailed() == [supervisors[0].email]
    notice = Notification.objects.get(user=supervisors[0])
    assert notice.title == f"Сообщение №{report.number} передано вам на контроль"
    assert c.housing.name in notice.text
    for outsider in (council_staff, other_supervisor, c.resident):
        assert not Notification.objects.filter(user=outsider, kind=EventKind.ESCALATED).exists()


def test_a_second_return_escalates_to_the_supervisor(cast, published, after_commit):
    c = cast
    supervisor = supervisor_of(c.housing.supervisor)
    for _ in range(2):
        answered(c, published, after_commit)
        after_commit(services.reject_fix, c.resident, published, "Не сделано.")
        after_commit(services.return_to_organization, c.moderator, published)
    assert Notification.objects.filter(user=c.staff, kind=EventKind.RETURNED).count() == 2
    escalation = Notification.objects.get(kind=EventKind.ESCALATED)
    assert escalation.user == supervisor and "дважды" in escalation.text


def test_a_redirect_tells_the_new_organization_not_the_old(cast, published, after_commit):
    c = cast
    council = council_of("Тверской")
    council_staff = staff_of(council)
    request = after_commit(services.request_redirect, c.staff, published, "Это территория управы", council)
    mail.outbox.clear()
    after_commit(services.decide_redirect, c.moderator, request.pk, grant=True)
    assert notified(kind=EventKind.REDIRECTED) == {council_staff.pk}
    assert c.housing.name in Notification.objects.get(kind=EventKind.REDIRECTED).text
    assert mailed() == [council_staff.email]


@pytest.mark.parametrize("ending", ["dismiss", "silence"])
def test_a_dismissed_dispute_and_silence_resolve_for_the_author(cast, published, after_commit, ending):
    c = cast
    with at(2026, 11, 2, 10, 0):
        answered(c, published, after_commit)
    if ending == "dismiss":
        after_commit(services.reject_fix, c.resident, published, "Не сделано.")
        after_commit(services.dismiss_dispute, c.moderator, published, "На фото видно, что убрано.")
        kind = EventKind.DISPUTE_DISMISSED
    else:
        with at(2026, 11, 10, 10, 1):  # the seven-day window has ended
            assert after_commit(scheduler.auto_close) == 1
        kind = EventKind.AUTO_CLOSED
    notice = Notification.objects.get(kind=kind)
    assert notice.user == c.resident and notice.title == f"Сообщение №{published.number} решено"


def test_a_replayed_event_makes_no_second_notice_and_no_second_letter(cast, published):
    event = published.events.get(kind=EventKind.PUBLISHED)
    before = list(Notification.objects.order_by("pk").values_list("pk", "user_id", "emailed_at"))
    assert len(before) == 2  # the author and the staff member
    for _ in range(2):
        subscribers.on_event_recorded(
            sender=ReportEvent, event_id=event.pk, kind=event.kind, report_id=published.pk
        )
    assert list(Notification.objects.order_by("pk").values_list("pk", "user_id", "emailed_at")) == before
    assert mail.outbox == []


def test_a_replay_sends_the_letter_that_a_dead_broker_lost_once(
    cast, after_commit, monkeypatch, django_capture_on_commit_callbacks
):
    report = after_commit(submit, cast.resident, cast.topic)
    monkeypatch.setattr(queue, "_broker_down_until", float("inf"))
    after_commit(services.publish, cast.moderator, report)
    assert mail.outbox == [] and Notification.objects.filter(emailed_at__isnull=True).count() == 2

    monkeypatch.setattr(queue, "_broker_down_until", 0.0)
    event = report.events.get(kind=EventKind.PUBLISHED)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            event_recorded.send(sender=ReportEvent, event_id=event.pk, kind=event.kind, report_id=report.pk)
    assert mailed() == sorted([cast.resident.email, cast.staff.email])
    assert Notification.objects.count() == 2


def test_a_failing_subscriber_does_not_fail_the_transition(cast, after_commit, monkeypatch, caplog):
    report = after_commit(submit, cast.resident, cast.topic)

    def broken(*args, **kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr(subscribers.services, "store_notices", broken)
    with caplog.at_level(logging.ERROR, logger="notifications.subscribers"):
        after_commit(services.publish, cast.moderator, report)
    report.refresh_from_db()
    assert report.status == "in_work" and Notification.objects.count() == 0
    assert "Notifications for event" in caplog.text


def test_events_nobody_hears_of_cost_no_query(cast, django_assert_num_queries):
    with django_assert_num_queries(0):
        subscribers.on_event_recorded(sender=ReportEvent, event_id=1, kind=EventKind.ANSWERED, report_id=1)


def test_the_role_decides_not_the_organization_alone(cast, published, after_commit):
    """A moderator or a resident attached to the organization by mistake is
    not its staff."""
    c = cast
    odd = UserFactory(role=Role.VOLUNTEER, organization=c.housing)
    after_commit(services.answer, c.staff, published, Outcome.DONE, "Убрано.")
    after_commit(services.return_answer, c.moderator, published, "Нет фото.")
    assert notified(kind=EventKind.ANSWER_RETURNED) == {c.staff.pk}
    assert odd.pk not in notified()
