"""The hooks through which other apps learn of volunteers' work.

`inspection_accepted` is sent after the transaction in which the editorial
team accepted a volunteer's verdict commits (the loyalty app subscribes to it
in its ready() to award points); with sender=Inspection, inspection_id=<pk>,
volunteer_id=<user pk>. One subscriber's failure is logged and stops neither
the others nor the committed change.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

inspection_accepted = Signal()


def announce_accepted(inspection_id: int, volunteer_id: int) -> None:
    """Send `inspection_accepted` once the current transaction commits."""
    transaction.on_commit(lambda: _send_accepted(inspection_id, volunteer_id))


def _send_accepted(inspection_id: int, volunteer_id: int) -> None:
    from volunteers.models import Inspection

    results = inspection_accepted.send_robust(
        sender=Inspection, inspection_id=inspection_id, volunteer_id=volunteer_id
    )
    for receiver, result in results:
        if isinstance(result, Exception):
            logger.error("inspection %s subscriber %r failed", inspection_id, receiver, exc_info=result)
