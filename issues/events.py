"""The report's event log and the one hook through which other apps learn of
events: `event_recorded` is sent after the transaction that wrote the event
commits (notifications, loyalty and statistics subscribe in their ready())."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

from issues.models import EventKind, Report, ReportEvent

# Sent with sender=ReportEvent, event_id=<id>, kind=<EventKind>, report_id=<id>.
event_recorded = Signal()


def record_event(
    report: Report,
    kind: EventKind,
    *,
    actor=None,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    text: str = "",
    payload: dict | None = None,
    is_public: bool = True,
) -> ReportEvent:
    event = ReportEvent.objects.create(
        report=report,
        kind=kind,
        actor=actor,
        organization_id=report.organization_id,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        text=text,
        payload=payload or {},
        is_public=is_public,
    )
    transaction.on_commit(
        lambda: event_recorded.send(sender=ReportEvent, event_id=event.pk, kind=kind, report_id=report.pk)
    )
    return event
