"""The statistics' tasks: thin, safe to run twice at once and twice in
a row (stats.counters does the work under its lock and changes nothing the
second time)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError

from nashgorod.queue import enqueue_on_commit
from stats import counters

# rebuild_recent runs every minute and looks this far back, so that a run
# that failed or was skipped is covered by the next ones.
RECENT_MINUTES = getattr(settings, "STATS_RECENT_MINUTES", 10)


# While set, a refresh_new_events is queued and not yet started: the events
# announced meanwhile are left to it. It expires, so that a task lost with a
# dead broker holds back the next ones for a minute at most.
REFRESH_PENDING_KEY = "stats:refresh-pending"
REFRESH_PENDING_SECONDS = 60
# The refresh waits this long, so that the events of the next moments join
# it: at the peak of filings one task then serves dozens of reports. The
# statistics page is that much later; nobody reads it to the second.
REFRESH_DELAY_SECONDS = getattr(settings, "STATS_REFRESH_DELAY_SECONDS", 1.0)


# A lost lock wait or a deadlock is retried; rebuild_recent covers the rest.
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def refresh_new_events() -> int:
    # First: an event announced from now on queues another run, which will
    # see it even if this one's read of the log is already past.
    cache.delete(REFRESH_PENDING_KEY)
    return counters.refresh_new_events()


@shared_task
def rebuild_recent(minutes: int = RECENT_MINUTES) -> int:
    """The reports with events in the last minutes, in case an announcement
    or its task was lost (a dead broker, a worker killed mid-task)."""
    return counters.rebuild_recent(minutes)


def on_event_recorded(sender, event_id: int, kind: str, report_id: int, **kwargs) -> None:
    """issues.events.event_recorded (sent after the event's commit): the
    report's fact is refreshed by a worker, not in the resident's request,
    by one task for all the events announced before a worker takes it up."""
    if cache.add(REFRESH_PENDING_KEY, True, timeout=REFRESH_PENDING_SECONDS):
        enqueue_on_commit(refresh_new_events, countdown=REFRESH_DELAY_SECONDS)
