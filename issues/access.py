"""Who may see a report: one helper for the public page and the API.

A published report (in work, answered, resolved …) is public. One that is
not yet or never was published (in moderation, rejected, merged as a
duplicate) exists only for its author and the editorial team; for everyone
else it is missing (404), so that its number tells nothing either.
"""

from __future__ import annotations

import functools

from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from accounts.roles import Capability, can
from issues.models import PUBLISHED_STATUSES, Report, ReportEvent


def can_view(user, report: Report) -> bool:
    if report.is_published:
        return True
    if user is None or not user.is_authenticated:
        return False
    return report.author_id == user.pk or can(user, Capability.MODERATE)


def get_report_for_view(user, report_id, *, queryset: QuerySet[Report] | None = None) -> Report:
    """The report the user may see, or Http404. `queryset` lets a caller
    choose what to load with it (select_related, prefetch_related)."""
    queryset = Report.objects.all() if queryset is None else queryset
    try:
        report = queryset.get(pk=int(report_id))
    except (Report.DoesNotExist, TypeError, ValueError):
        raise Http404("Нет такого сообщения.") from None
    if not can_view(user, report):
        raise Http404("Нет такого сообщения.")
    return report


# The largest primary key (a bigint): a bigger number in the URL is no report.
MAX_ID = 2**63 - 1


def public_report_version(report_id) -> str | None:
    """What the report's public page depends on, as a token that changes
    with it: the report's last change (updated_at, which every change of its
    state, place, topic or deadline moves) and its last event (an event and
    its photos are written together). None when the report is not public
    (can_view for a visitor who is not logged in) or not there. One read on
    the primary key and the events' report index, in SQL written once: it is
    asked on every anonymous view of a report page, and building the query
    through the ORM cost twice the rest of a cached page's work."""
    try:
        report_id = int(report_id)
    except (TypeError, ValueError):
        return None
    if not 0 < report_id <= MAX_ID:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(), [report_id, *PUBLISHED_STATUSES])
        row = cursor.fetchone()
    if row is None:
        return None
    updated_at, event_id = row
    # A token for a cache key (no spaces): SQLite's driver gives the column as text.
    stamp = updated_at.timestamp() if hasattr(updated_at, "timestamp") else str(updated_at).replace(" ", "T")
    return f"{stamp}:{event_id or 0}"


@functools.cache
def _version_sql() -> str:
    quote = connection.ops.quote_name
    report, event = quote(Report._meta.db_table), quote(ReportEvent._meta.db_table)
    statuses = ", ".join(["%s"] * len(PUBLISHED_STATUSES))
    # Only table names and placeholders are formatted in; the values are parameters.
    return (
        f"SELECT r.updated_at, (SELECT e.id FROM {event} e WHERE e.report_id = r.id ORDER BY e.id DESC LIMIT 1) "  # noqa: S608
        f"FROM {report} r WHERE r.id = %s AND r.status IN ({statuses})"
    )
