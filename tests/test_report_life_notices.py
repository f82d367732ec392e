"""The report's life from tests/test_report_life.py, step by step, as its
people hear of it: which users get a notice at each step and which letters
go out (issue: the report's life, notifications)."""

import datetime as dt
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import time_machine
from django.core import mail
from django.db.models import Max

from accounts.models import Role
from issues import services
from issues.models import EventKind, Outcome, Topic
from nashgorod import queue
from notifications.models import Notification
from organizations.models import Organization
from tests.factories import UserFactory, staff_of, submit

pytestmark = pytest.mark.django_db
MSK = dt.timezone(dt.timedelta(hours=3))


@pytest.fixture(autouse=True)
def _broker_not_known_down(monkeypatch):
    monkeypatch.setattr(queue, "_broker_down_until", 0.0)


@pytest.fixture
def cast():
    topic = Topic.objects.get(code="yard-not-cleaned")  # housing service, 8 working days
    housing = Organization.objects.get(kind="housing_service", districts__name="Тверской")
    return SimpleNamespace(
        topic=topic,
        housing=housing,
        resident=UserFactory(role=Role.RESIDENT),
        neighbour=UserFactory(role=Role.RESIDENT),  # follows the report once it is published
        moderator=UserFactory(role=Role.MODERATOR),
        staff=staff_of(housing),
        # Wants no work letters: the notice in the portal only.
        quiet_staff=staff_of(housing, notify_email_work=False),
        former_staff=staff_of(housing, is_active=False),
        stranger_staff=staff_of(Organization.objects.get(kind="housing_service", districts__name="Арбат")),
        supervisor=UserFactory(role=Role.SUPERVISOR, organization=housing.supervisor),
    )


@pytest.fixture
def step(django_capture_on_commit_callbacks):
    """Run one step with its after-commit hooks; record who got a notice
    ({user id: notice}) and which letters went out ([(to, subject)])."""

    @contextmanager
    def run():
        mail.outbox.clear()
        last = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
        seen = SimpleNamespace()
        with django_capture_on_commit_callbacks(execute=True):
            yield seen
        seen.notified = {n.user_id: n for n in Notification.objects.filter(pk__gt=last)}
        seen.mails = sorted((m.to[0], m.subject) for m in mail.outbox)

    return run


def subject(text):
    return f"Наш город: {text}"


def test_everyone_hears_of_the_report_at_the_right_steps(cast, step, settings):
    c = cast
    settings.SITE_URL = "https://gorod.example"
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, 0, tzinfo=MSK), tick=False) as clock:
        with step() as s:
            report = submit(c.resident, c.topic)
        assert s.notified == {} and s.mails == []  # in moderation: nobody is told yet
        no = f"№{report.number}"

        # Published: the author learns it is in work; the organization's staff get a new report.
        with step() as s:
            services.publish(c.moderator, report)
        assert set(s.notified) == {c.resident.pk, c.staff.pk, c.quiet_staff.pk}
        assert s.notified[c.resident.pk].title == f"Сообщение {no} опубликовано"
        assert s.notified[c.staff.pk].title == f"Новое сообщение {no}"
        assert s.mails == sorted(
            [
                (c.resident.email, subject(f"Сообщение {no} опубликовано")),
                (c.staff.email, subject(f"Новое сообщение {no}")),
            ]
        )
        letter = next(m for m in mail.outbox if m.to == [c.resident.email])
        assert f"https://gorod.example/reports/{report.pk}/" in letter.body
        assert c.topic.name in letter.body and "Статус: В работе" in letter.body
        assert "13.11.2026" in letter.body  # the deadline
        html, _ = letter.alternatives[0]
        assert f"https://gorod.example/reports/{report.pk}/" in html

        services.follow_report(c.neighbour, report)

        clock.shift(dt.timedelta(days=1))
        with step() as s:
            services.answer(c.staff, report, Outcome.DONE, "Территория убрана.")
        assert s.notified == {} and s.mails == []  # the editorial team checks it first

        # The answer returned: the organization hears it, the author does not.
        with step() as s:
            services.return_answer(c.moderator, report, "Ответ формальный, приложите фото.")
        assert set(s.notified) == {c.staff.pk, c.quiet_staff.pk}
        assert "Ответ формальный, приложите фото." in s.notified[c.staff.pk].text
        assert s.mails == [(c.staff.email, subject(f"Ответ на сообщение {no} возвращён"))]

        with step() as s:
            services.answer(c.staff, report, Outcome.DONE, "Территория убрана, мусор вывезен.")
        assert s.notified == {}

        # The answer published: the author and the follower.
        with step() as s:
            services.publish_answer(c.moderator, report)
        assert set(s.notified) == {c.resident.pk, c.neighbour.pk}
        assert "Территория убрана, мусор вывезен." in s.notified[c.resident.pk].text
        assert s.mails == sorted(
            [
                (c.resident.email, subject(f"Получен ответ на сообщение {no}")),
                (c.neighbour.email, subject(f"Получен ответ на сообщение {no}")),
            ]
        )

        # The author rejects the fix: the editorial team decides, nobody is told yet.
        with step() as s:
            services.reject_fix(c.resident, report, "Мусор так и лежит.")
        assert s.notified == {} and s.mails == []

        # The dispute upheld: back to the organization with a fresh deadline.
        clock.shift(dt.timedelta(days=2))
        with step() as s:
            services.return_to_organization(c.moderator, report, "Проверьте ещё раз.")
        assert set(s.notified) == {c.staff.pk, c.quiet_staff.pk}
        assert "17.11.2026" in s.notified[c.staff.pk].text  # the new deadline
        assert s.mails == [(c.staff.email, subject(f"Сообщение {no} снова в работе"))]

        with step() as s:
            services.answer(c.staff, report, Outcome.DONE, "Вывезли повторно.")
        assert s.notified == {}

        with step() as s:
            services.publish_answer(c.moderator, report)
        assert set(s.notified) == {c.resident.pk, c.neighbour.pk}
        assert len(s.mails) == 2

        # Resolved: the author and the follower.
        with step() as s:
            services.confirm(c.resident, report)
        assert set(s.notified) == {c.resident.pk, c.neighbour.pk}
        assert s.mails == sorted(
            [
                (c.resident.email, subject(f"Сообщение {no} решено")),
                (c.neighbour.email, subject(f"Сообщение {no} решено")),
            ]
        )
        assert "Статус: Решено" in mail.outbox[0].body

    def kinds_of(user):
        return list(Notification.objects.filter(user=user).order_by("pk").values_list("kind", flat=True))

    assert kinds_of(c.resident) == [
        EventKind.PUBLISHED,
        EventKind.ANSWER_PUBLISHED,
        EventKind.ANSWER_PUBLISHED,
        EventKind.CONFIRMED,
    ]
    assert kinds_of(c.neighbour) == [
        EventKind.ANSWER_PUBLISHED,
        EventKind.ANSWER_PUBLISHED,
        EventKind.CONFIRMED,
    ]
    staff_kinds = [EventKind.PUBLISHED, EventKind.ANSWER_RETURNED, EventKind.RETURNED]
    assert kinds_of(c.staff) == kinds_of(c.quiet_staff) == staff_kinds
    for outsider in (c.moderator, c.former_staff, c.stranger_staff, c.supervisor):
        assert kinds_of(outsider) == []
    # Every letter due went out once; the quiet staff member's were never due.
    assert not Notification.objects.filter(email_due=True, emailed_at__isnull=True).exists()
    assert not Notification.objects.filter(user=c.quiet_staff, email_due=True).exists()
    assert set(Notification.objects.values_list("url", flat=True)) == {f"/reports/{report.pk}/"}
