"""The report's event log and the one hook through which other apps learn of
events: `event_recorded` is sent after the transaction that wrote the event
commits (notifications, loyalty and statistics subscribe in their ready())."""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

from issues.models import EventKind, Report, ReportEvent

logger = logging.getLogger(__name__)

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
    transaction.on_commit(lambda: _announce(event.pk, kind, report.pk))
    return event


def _announce(event_id: int, kind: str, report_id: int) -> None:
    """One subscriber's failure neither stops the others nor undoes the
    committed change; it is logged."""
    results = event_recorded.send_robust(
        sender=ReportEvent, event_id=event_id, kind=kind, report_id=report_id
    )
    for receiver, result in results:
        if isinstance(result, Exception):
            logger.error("event %s subscriber %r failed", event_id, receiver, exc_info=result)
