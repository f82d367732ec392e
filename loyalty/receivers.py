"""Subscribers to the events of other apps (connected in LoyaltyConfig.ready()).

They run after the event's transaction has committed. The award is a few
queries, so it is made at once rather than queued: no task can be lost to a
dead broker. A failure is logged and leaves the committed change alone;
`manage.py award_missed_points` replays the recent answers and accepted
inspections (awards are made
once, so a replay of an honoured event adds nothing).
"""

from __future__ import annotations

import logging

from issues.models import EventKind
from loyalty import services

logger = logging.getLogger(__name__)


def on_event_recorded(sender, event_id: int, kind: str, report_id: int, **kwargs) -> None:
    """issues.events.event_recorded: an answer published with a confirming outcome pays its author."""
    if kind != EventKind.ANSWER_PUBLISHED:
        return
    try:
        services.award_for_answer(event_id)
    except Exception:
        logger.exception("Points for event %s of report %s failed", event_id, report_id)


def on_inspection_accepted(sender, inspection_id: int, volunteer_id: int, **kwargs) -> None:
    """volunteers.signals.inspection_accepted: the volunteer is paid for the
    inspection (the volunteer is read from the inspection itself)."""
    try:
        services.award_for_inspection(inspection_id)
    except Exception:
        logger.exception("Points for inspection %s of volunteer %s failed", inspection_id, volunteer_id)
