"""Small helpers of the notifications tests."""

import datetime as dt

from django.core import mail
from django.utils import timezone

from notifications.models import Category, Notification


def notified(**filters) -> set[int]:
    """Ids of the users who have a notice matching the filters."""
    return set(Notification.objects.filter(**filters).values_list("user_id", flat=True))


def mailed() -> list[str]:
    return sorted(m.to[0] for m in mail.outbox)


def make_notice(user, minutes_ago: int = 0, **fields) -> Notification:
    """A notice made directly, for the pages that show them."""
    fields.setdefault("title", "Сообщение №1 опубликовано")
    fields.setdefault("kind", "published")
    fields.setdefault("category", Category.STATUS)
    fields.setdefault("url", "/reports/1/")
    return Notification.objects.create(
        user=user, created_at=timezone.now() - dt.timedelta(minutes=minutes_ago), **fields
    )
