"""The letters: sent once, after commit, retried on a mail server failure,
swept up when the broker lost them, and only while the user wants them."""

import datetime as dt
import smtplib

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from issues import services
from nashgorod import queue
from nashgorod.celery import app as celery_app
from notifications import services as notices
from notifications import tasks
from notifications.models import Notification
from tests.factories import submit

from .helpers import mailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost_letters(cast, after_commit, monkeypatch):
    """A report published while the broker was down: its two notices are
    stored, their letters never queued. Returns the publication time."""
    report = after_commit(submit, cast.resident, cast.topic)
    monkeypatch.setattr(queue, "_broker_down_until", float("inf"))
    after_commit(services.publish, cast.moderator, report)
    monkeypatch.setattr(queue, "_broker_down_until", 0.0)
    assert mail.outbox == []
    assert Notification.objects.filter(email_due=True, emailed_at__isnull=True).count() == 2
    return timezone.now()


def test_the_letter_has_the_number_topic_status_and_an_absolute_link(cast, published, settings):
    notice = Notification.objects.get(user=cast.resident)
    notice.emailed_at = None
    notice.save()
    settings.SITE_URL = "https://gorod.example/"
    assert tasks.send_notification_email.delay(notice.pk).get() is True
    (letter,) = mail.outbox
    assert letter.to == [cast.resident.email]
    assert letter.subject == f"Наш город: Сообщение №{published.number} опубликовано"
    assert f"Сообщение №{published.number}" in letter.body
    assert f"Тема: {cast.topic.name}" in letter.body and "Статус: В работе" in letter.body
    assert f"https://gorod.example/reports/{published.pk}/" in letter.body
    assert "https://gorod.example/accounts/" in letter.body  # where to change the preferences
    html, mimetype = letter.alternatives[0]
    assert mimetype == "text/html" and cast.topic.name in html


def test_without_site_url_the_link_points_to_localhost(cast, published, settings):
    if hasattr(settings, "SITE_URL"):
        del settings.SITE_URL
    notice = Notification.objects.get(user=cast.resident)
    Notification.objects.filter(pk=notice.pk).update(emailed_at=None)
    notices.send_email(notice.pk)
    assert f"http://localhost:8000/reports/{published.pk}/" in mail.outbox[0].body


def test_a_letter_is_sent_once_however_often_its_task_runs(cast, published):
    notice = Notification.objects.get(user=cast.resident)
    assert notice.emailed_at is not None  # sent after the publication committed
    assert tasks.send_notification_email.delay(notice.pk).get() is False
    assert mail.outbox == []


def test_of_two_workers_racing_for_a_letter_one_sends_it(cast, lost_letters, monkeypatch):
    notice = Notification.objects.get(user=cast.resident)
    render = notices.render_email

    def render_while_another_worker_sends(n):
        # The other worker gets in between this one's read and its claim.
        monkeypatch.setattr(notices, "render_email", render)
        assert notices.send_email(n.pk) is True
        return render(n)

    monkeypatch.setattr(notices, "render_email", render_while_another_worker_sends)
    assert notices.send_email(notice.pk) is False
    assert mailed() == [cast.resident.email]


def test_a_mail_server_failure_releases_the_letter_for_the_retry(cast, lost_letters, monkeypatch):
    notice = Notification.objects.get(user=cast.resident)
    real = notices.send_mail
    calls = []

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real(*args, **kwargs)

    monkeypatch.setattr(notices, "send_mail", flaky)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        notices.send_email(notice.pk)
    notice.refresh_from_db()
    assert notice.emailed_at is None and mail.outbox == []  # released, not lost

    assert tasks.send_notification_email.delay(notice.pk).get() is True
    assert len(calls) == 2 and mailed() == [cast.resident.email]


def test_the_task_retries_on_a_mail_server_failure(cast, lost_letters, monkeypatch):
    notice = Notification.objects.get(user=cast.resident)
    real = notices.send_mail
    failures = [ConnectionRefusedError("smtp down"), smtplib.SMTPServerDisconnected("closed")]

    def flaky(*args, **kwargs):
        if failures:
            raise failures.pop(0)
        return real(*args, **kwargs)

    monkeypatch.setattr(notices, "send_mail", flaky)
    # Eagerly, a retry runs again in place, unless the failure propagates first.
    monkeypatch.setattr(celery_app.conf, "task_eager_propagates", False)
    result = tasks.send_notification_email.apply(args=[notice.pk])
    assert result.get() is True
    assert failures == [] and mailed() == [cast.resident.email]
    assert tasks.send_notification_email.max_retries == 5


def test_a_letter_no_longer_wanted_is_not_sent(cast, lost_letters):
    cast.resident.notify_email_status = False
    cast.resident.save()
    with time_machine.travel(lost_letters + dt.timedelta(minutes=3)):
        assert tasks.send_pending_emails.delay().get() == 1  # the staff member's letter only
    assert mailed() == [cast.staff.email]
    notice = Notification.objects.get(user=cast.resident)
    assert notice.email_due is False and notice.emailed_at is None  # the sweep will not try again


def test_an_inactive_users_letter_is_not_sent(cast, lost_letters):
    cast.staff.is_active = False
    cast.staff.save()
    with time_machine.travel(lost_letters + dt.timedelta(minutes=3)):
        notices.send_pending_emails()
    assert mailed() == [cast.resident.email]


def test_the_sweep_sends_a_lost_letter_once(cast, lost_letters):
    with time_machine.travel(lost_letters + dt.timedelta(minutes=1)):
        assert tasks.send_pending_emails.delay().get() == 0  # still its task's to send
    with time_machine.travel(lost_letters + dt.timedelta(minutes=3)):
        assert tasks.send_pending_emails.delay().get() == 2
        assert tasks.send_pending_emails.delay().get() == 0
    assert mailed() == sorted([cast.resident.email, cast.staff.email])
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_the_sweep_gives_up_on_old_letters(cast, lost_letters):
    with time_machine.travel(lost_letters + dt.timedelta(days=3)):
        assert notices.send_pending_emails() == 0
    assert mail.outbox == []


def test_the_sweep_stops_when_the_mail_server_is_down(cast, lost_letters, monkeypatch):
    calls = []

    def down(*args, **kwargs):
        calls.append(args)
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(notices, "send_mail", down)
    with time_machine.travel(lost_letters + dt.timedelta(minutes=3)):
        assert notices.send_pending_emails() == 0
    assert len(calls) == 1  # it does not knock on a dead server for every letter
    assert Notification.objects.filter(email_due=True, emailed_at__isnull=True).count() == 2


def test_the_sweep_goes_past_a_refused_address(cast, lost_letters, monkeypatch):
    real = notices.send_mail

    def picky(subject, body, sender, to, **kwargs):
        if to == [cast.resident.email]:
            raise smtplib.SMTPRecipientsRefused({to[0]: (550, b"No such user")})
        return real(subject, body, sender, to, **kwargs)

    monkeypatch.setattr(notices, "send_mail", picky)
    with time_machine.travel(lost_letters + dt.timedelta(minutes=3)):
        assert notices.send_pending_emails() == 1
    assert mailed() == [cast.staff.email]
