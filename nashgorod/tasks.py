from celery import shared_task
from django.core.cache import cache
from django.utils import timezone


@shared_task
def heartbeat() -> str:
    """Proves the scheduler ticks and the worker runs: the time is kept in the
    cache and shown on the health page."""
    now = timezone.now().isoformat()
    cache.set("nashgorod:heartbeat", now, timeout=None)
    return now
