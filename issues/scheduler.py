"""The scheduler's periodic jobs (Celery beat; the schedule is in
nashgorod/celery.py). Each job selects the ids that are due through an index,
then calls the one service function for the change, which locks the report
and checks again: two runs at once, or twice in a row, change each report
once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from celery import shared_task
from django.utils import timezone

from issues import deadlines, services
from issues.models import Report, Status

BATCH = 500


def _run(ids: Iterable[int], change: Callable[[int], bool]) -> int:
    return sum(1 for pk in ids if change(pk))


def due_for_reminder(now: dt.datetime):
    """In work, not yet reminded, due by the end of the next working day."""
    next_working_day = deadlines.add_days(now, 1)
    return (
        Report.objects.filter(
            status=Status.IN_WORK, deadline__gt=now, deadline__lte=next_working_day, reminded_at__isnull=True
        )
        .order_by()
        .values_list("pk", flat=True)
    )


def due_for_overdue(now: dt.datetime):
    return Report.objects.filter(status=Status.IN_WORK, deadline__lte=now, is_overdue=False).values_list(
        "pk", flat=True
    )


def due_for_further_escalation(now: dt.datetime):
    return (
        Report.objects.filter(
            status=Status.IN_WORK, is_overdue=True, escalation_level=1, next_escalation_at__lte=now
        )
        .order_by()
        .values_list("pk", flat=True)
    )


def due_for_auto_close(now: dt.datetime):
    return (
        Report.objects.filter(status=Status.ANSWERED, verdict_due__lte=now)
        .order_by()
        .values_list("pk", flat=True)
    )


@shared_task
def send_reminders() -> int:
    return _run(list(due_for_reminder(timezone.now())[: BATCH * 20]), services.remind)


@shared_task
def mark_overdue() -> int:
    return _run(list(due_for_overdue(timezone.now())[: BATCH * 20]), services.mark_overdue)


@shared_task
def escalate_further() -> int:
    now = timezone.now()
    return _run(
        list(due_for_further_escalation(now)[: BATCH * 20]), lambda pk: services.escalate_further(pk, now)
    )


@shared_task
def auto_close() -> int:
    return _run(list(due_for_auto_close(timezone.now())[: BATCH * 20]), services.auto_close)


def run_all() -> dict[str, int]:
    """Every job once, in order (the benchmark and the tests use this)."""
    return {
        "reminded": send_reminders(),
        "overdue": mark_overdue(),
        "escalated_further": escalate_further(),
        "auto_closed": auto_close(),
    }
