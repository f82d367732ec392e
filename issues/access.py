"""Who may see a report: one helper for the public page and the API.

A published report (in work, answered, resolved …) is public. One that is
not yet or never was published (in moderation, rejected, merged as a
duplicate) exists only for its author and the editorial team; for everyone
else it is missing (404), so that its number tells nothing either.
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
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


def public_report_version(report_id) -> str | None:
    """What the report's public page depends on, as a token that changes
    with it: the report's last change (updated_at, which every change of its
    state, place, topic or deadline moves) and its last event (an event and
    its photos are written together). None when the report is not public
    (can_view for a visitor who is not logged in) or not there. One read on
    the primary key and the events' report index."""
    try:
        report_id = int(report_id)
    except (TypeError, ValueError):
        return None
    last_event = ReportEvent.objects.filter(report=OuterRef("pk")).order_by("-pk").values("pk")[:1]
    row = (
        Report.objects.filter(pk=report_id, status__in=PUBLISHED_STATUSES)
        .values_list("updated_at", Subquery(last_event))
        .first()
    )
    if row is None:
        return None
    updated_at, event_id = row
    return f"{updated_at.timestamp()}:{event_id or 0}"
