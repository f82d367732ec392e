"""Who may see and act on a report in the back office: the helpers every
office view calls (and the API will), so that no view checks a role itself.

Capabilities decide the URL (403: the back office is not for residents,
moderators or volunteers); the organization decides the report (404: a
report of another organization is reported as missing, so that its number
tells nothing).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.access import acts_for, require, supervises
from accounts.roles import Capability, can
from issues.models import EventKind, Report, ReportEvent

NOT_FOUND = "Нет такого сообщения."


def require_staff(user) -> None:
    """Staff of a responsible organization (they answer reports)."""
    require(user, Capability.ANSWER)


def require_supervisor(user) -> None:
    """A supervisory body (a prefecture, an inspectorate, a city department)."""
    require(user, Capability.SUPERVISE)


def require_office(user) -> None:
    """Either of the two: the back office's read-only pages."""
    if not (can(user, Capability.ANSWER) or can(user, Capability.SUPERVISE)):
        raise PermissionDenied("Кабинет доступен сотрудникам организаций и контролирующим органам.")


def _get(report_id, queryset: QuerySet[Report] | None) -> Report:
    queryset = Report.objects.select_related("organization") if queryset is None else queryset
    try:
        return queryset.get(pk=int(report_id))
    except (Report.DoesNotExist, TypeError, ValueError):
        raise Http404(NOT_FOUND) from None


def get_report_for_staff(user, report_id, *, queryset: QuerySet[Report] | None = None) -> Report:
    """The report if the user answers for its organization, else Http404
    (PermissionDenied first for a user who is not staff at all).
    `queryset` lets a caller choose what to load with it."""
    require_staff(user)
    report = _get(report_id, queryset)
    if not acts_for(user, report.organization):
        raise Http404(NOT_FOUND)
    return report


def was_escalated_to(user, report: Report) -> bool:
    """The report's escalation named the user's organization: it stays
    readable to that supervisor even after a redirect took it elsewhere."""
    return (
        user.organization_id is not None
        and ReportEvent.objects.filter(
            report=report, kind=EventKind.ESCALATED, payload__supervisor_id=user.organization_id
        ).exists()
    )


def can_read(user, report: Report) -> bool:
    if acts_for(user, report.organization):
        return True
    if not can(user, Capability.SUPERVISE):
        return False
    return supervises(user, report.organization) or was_escalated_to(user, report)


def get_report_for_office(user, report_id, *, queryset: QuerySet[Report] | None = None) -> Report:
    """The report for reading: its organization's staff, or a supervisor of
    that organization (read-only; see can_answer). Http404 otherwise."""
    require_office(user)
    report = _get(report_id, queryset)
    if not can_read(user, report):
        raise Http404(NOT_FOUND)
    return report


def can_answer(user, report: Report) -> bool:
    """Whether the page offers the answer and request forms (the services
    decide again on POST)."""
    return acts_for(user, report.organization)
