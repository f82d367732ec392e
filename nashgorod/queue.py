"""Sending Celery tasks after commit, without letting a dead broker fail the
request that has already saved the resident's work."""

from __future__ import annotations

import logging
import time

import kombu.exceptions
import redis.exceptions
from django.db import transaction

logger = logging.getLogger(__name__)

# What publishing raises when the broker cannot be reached. Kombu wraps most
# connection failures in OperationalError; the others can leak through from
# the socket or the Redis client (ConnectionError and TimeoutError are OSErrors,
# listed for the reader).
BROKER_ERRORS = (
    kombu.exceptions.OperationalError,
    ConnectionError,
    TimeoutError,
    OSError,
    redis.exceptions.RedisError,
)

# After a failure, this process stops trying for a while: a hung Redis costs
# one socket timeout (seconds), and a report with five photos must not pay it
# five times. Whatever is skipped meanwhile is left to the sweeps too.
BROKER_BACKOFF_SECONDS = 30.0
_broker_down_until = 0.0


def enqueue_on_commit(task, *args, countdown: float | None = None, **kwargs) -> None:
    """Call `task.delay(*args, **kwargs)` once the current transaction commits
    (at once outside a transaction; never if it rolls back); with a
    `countdown`, the worker runs it that many seconds later.

    If the broker is unreachable the failure is logged and swallowed, and
    for BROKER_BACKOFF_SECONDS this process does not try again: the data is
    committed by then, and every task sent this way must have a periodic
    sweep that redoes its work (stats.tasks.rebuild_recent for the
    statistics' refresh). Any other error, such as arguments that cannot be
    serialized, is a bug and propagates.
    """

    def send() -> None:
        global _broker_down_until
        name = getattr(task, "name", task)
        if time.monotonic() < _broker_down_until:
            logger.warning(
                "Broker unreachable moments ago; %s%r not queued, its sweep will redo it", name, args
            )
            return
        try:
            if countdown:
                task.apply_async(args, kwargs, countdown=countdown)
            else:
                task.delay(*args, **kwargs)
        except BROKER_ERRORS as exc:
            _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
            logger.warning("Broker unreachable; %s%r not queued, its sweep will redo it: %r", name, args, exc)

    transaction.on_commit(send)
