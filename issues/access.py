"""Who may see a report: one helper for the public page and the API.

A published report (in work, answered, resolved …) is public. One that is
not yet or never was published (in moderation, rejected, merged as a
duplicate) exists only for its author and the editorial team; for everyone
else it is missing (404), so that its number tells nothing either.
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.http import Http404

from accounts.roles import Capability, can
from issues.models import PUBLISHED_STATUSES, Report


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


def public_report_version(report_id) -> datetime.datetime | None:
    """When the report last changed, if anyone may see it (can_view for a
    visitor who is not logged in); None when it is not public or not there.
    One indexed read, for pages that keep what they render per version."""
    try:
        report_id = int(report_id)
    except (TypeError, ValueError):
        return None
    return (
        Report.objects.filter(pk=report_id, status__in=PUBLISHED_STATUSES)
        .values_list("updated_at", flat=True)
        .first()
    )
