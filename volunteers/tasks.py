"""Periodic jobs of volunteer inspections (the schedule is in
nashgorod/celery.py). Thin: the work and its claims are in
volunteers.services, and each is safe to run twice in a row or at once."""

from __future__ import annotations

from celery import shared_task

from volunteers import services


@shared_task
def sample_done_answers() -> int:
    """Daily: draw a share of the «done» answers of the last days for an
    inspection. A second run draws the same answers and adds nothing."""
    return len(services.sample_done_answers())


@shared_task
def release_expired_tasks() -> int:
    """Every few minutes: tasks kept past their time go back to the pool, and
    open tasks whose report went back to work leave it."""
    return services.release_expired() + services.cancel_moot()
