"""Small filters of the editorial desk's pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def age(moment: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """How long ago, as the desk shows it: «12 мин», «3 ч», «2 дн»."""
    if moment is None:
        return ""
    seconds = max(0, int(((now or timezone.now()) - moment).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} мин"
    if seconds < 86400:
        return f"{seconds // 3600} ч"
    return f"{seconds // 86400} дн"


@register.filter
def first_item(items):
    """The first element of a prefetched list, or None."""
    return items[0] if items else None


@register.filter
def verdict_label(code: str) -> str:
    """A volunteer's verdict as words («not_fixed» → «не устранено»)."""
    from volunteers.models import Inspection

    return Inspection.Verdict(code).label.lower() if code in Inspection.Verdict.values else ""
