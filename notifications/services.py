"""Notices: storing them, the unread count, read marks and the letters.

Who gets which notice is decided in notifications.subscribers; this module
does not know about events beyond storing which one a notice came from.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from smtplib import SMTPRecipientsRefused

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from issues.models import Status
from notifications.models import EMAIL_PREFERENCE, Notification

logger = logging.getLogger(__name__)

DEFAULT_SITE_URL = "http://localhost:8000"
# The bell counts up to this many and then shows "99+": a staff member with
# thousands of unread notices must not cost a long count on every page.
UNREAD_COUNT_CAP = 100
UNREAD_COUNT_SECONDS = 60


@dataclass(frozen=True)
class Notice:
    """What one recipient reads about an event."""

    category: str
    title: str
    text: str
    url: str


def wants_email(user, category: str) -> bool:
    field = EMAIL_PREFERENCE.get(category)
    return bool(user.is_active and user.email and field and getattr(user, field))


def store_notices(event, notices: Iterable[tuple[object, Notice]]) -> list[int]:
    """One notice per recipient of the event, in one INSERT; a recipient who
    has one for this event already is skipped by the unique constraint.
    Returns the ids of the event's notices whose letter is due and unsent,
    including those of an earlier run whose letter never went."""
    title_length = Notification._meta.get_field("title").max_length
    rows = [
        Notification(
            user=user,
            report_id=event.report_id,
            event=event,
            kind=event.kind,
            category=notice.category,
            title=notice.title[:title_length],
            text=notice.text,
            url=notice.url,
            email_due=wants_email(user, notice.category),
        )
        for user, notice in notices
    ]
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    _forget_unread_counts({user.pk for user, _ in notices})
    return list(
        Notification.objects.filter(event=event, email_due=True, emailed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- the bell and the list --------------------------------------------------


def unread(user):
    return Notification.objects.filter(user=user, read_at__isnull=True)


def unread_count(user, cap: int = UNREAD_COUNT_CAP) -> int:
    """Unread notices, counted up to `cap`: SELECT COUNT(*) FROM (… LIMIT cap)
    on the (user, read_at) index. The bell of every logged-in page shows it,
    so it is kept UNREAD_COUNT_SECONDS in the cache: what changes it here
    (a notice stored, notices read) forgets it once committed; anything else
    (the admin) shows within that time."""
    key = _unread_key(user.pk, cap)
    count = cache.get(key)
    if count is None:
        count = unread(user)[:cap].count()
        cache.set(key, count, UNREAD_COUNT_SECONDS)
    return count


def mark_read(user, ids: Iterable[int]) -> int:
    ids = list(ids)
    if not ids:
        return 0
    marked = unread(user).filter(pk__in=ids).update(read_at=timezone.now())
    _forget_unread_counts({user.pk})
    return marked


def mark_all_read(user) -> int:
    marked = unread(user).update(read_at=timezone.now())
    _forget_unread_counts({user.pk})
    return marked


def _unread_key(user_id: int, cap: int) -> str:
    return f"notifications:unread:{user_id}:{cap}"


def _forget_unread_counts(user_ids: Iterable[int]) -> None:
    keys = [_unread_key(pk, UNREAD_COUNT_CAP) for pk in user_ids]
    if keys:
        # Now, for what this request reads next; and once committed, for a
        # count another request read and kept in between.
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def get_own_notification(user, notification_id: int) -> Notification:
    """The user's notice, or Http404: another user's notice does not exist for them."""
    notice = Notification.objects.filter(pk=notification_id, user=user).first()
    if notice is None:
        raise Http404("Нет такого уведомления.")
    return notice


# --- letters ------------------------------------------------------------------


def site_url() -> str:
    return (getattr(settings, "SITE_URL", "") or DEFAULT_SITE_URL).rstrip("/")


def absolute(path: str) -> str:
    return f"{site_url()}{path}" if path.startswith("/") else path


def _status_label(notice: Notification) -> str:
    event, report = notice.event, notice.report
    if event is not None and event.to_status:
        return Status(event.to_status).label
    return report.get_status_display() if report is not None else ""


def render_email(notice: Notification) -> tuple[str, str, str]:
    """Subject, plain-text body and HTML body of a notice's letter."""
    context = {
        "notice": notice,
        "user": notice.user,
        "report": notice.report,
        "status": _status_label(notice),
        "link": absolute(notice.url) if notice.url else absolute(reverse("notifications:list")),
        "settings_link": absolute(reverse("accounts:profile")),
    }
    subject = render_to_string("notifications/email/notice_subject.txt", context)
    text = render_to_string("notifications/email/notice.txt", context)
    html = render_to_string("notifications/email/notice.html", context)
    return " ".join(subject.split()), text, html


def _pending(notification_id: int):
    return Notification.objects.filter(pk=notification_id, email_due=True, emailed_at__isnull=True)


def send_email(notification_id: int) -> bool:
    """Send a notice's letter once. Returns False when there is nothing to
    send: sent already, never due, or the user has since turned such letters
    off. Raises the mail server's error (SMTPException, OSError) after
    releasing its claim, so that a retry or the sweep can try again."""
    notice = (
        _pending(notification_id).select_related("user", "report__topic", "report__district", "event").first()
    )
    if notice is None:
        return False
    if not wants_email(notice.user, notice.category):
        _pending(notification_id).update(email_due=False)
        return False
    subject, text, html = render_email(notice)
    # The claim: of two workers (a retry and the sweep, say) one updates the
    # row and sends; the other finds emailed_at set and stops. A worker that
    # dies between the claim and the mail server loses that one letter
    # rather than ever sending it twice.
    claimed_at = timezone.now()
    if not _pending(notification_id).update(emailed_at=claimed_at):
        return False
    try:
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [notice.user.email], html_message=html)
    except OSError:  # SMTPException is an OSError
        Notification.objects.filter(pk=notification_id, emailed_at=claimed_at).update(emailed_at=None)
        raise
    return True


def send_pending_emails(
    older_than: dt.timedelta = dt.timedelta(minutes=2),
    newer_than: dt.timedelta = dt.timedelta(days=2),
    limit: int = 200,
) -> int:
    """The sweep: letters whose task never ran (a dead broker after commit)
    or gave up. Younger notices are left to their task; a letter still
    failing after `newer_than` is given up on (the notice stays in the
    portal). Safe to run twice at once: send_email claims each letter."""
    now = timezone.now()
    ids = list(
        Notification.objects.filter(
            email_due=True,
            emailed_at__isnull=True,
            created_at__lt=now - older_than,
            created_at__gte=now - newer_than,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for notification_id in ids:
        try:
            sent += send_email(notification_id)
        except SMTPRecipientsRefused:
            # One bad address must not hold up the letters behind it.
            logger.warning("Sweep: the mail server refused the recipient of notice %s", notification_id)
        except OSError:
            # The mail server itself is failing: the next sweep tries again.
            logger.exception("Sweep: stopped at notice %s, the mail server failed", notification_id)
            break
    return sent
