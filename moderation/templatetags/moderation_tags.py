"""Small filters of the editorial desk's pages."""

from __future__ import annotations

import datetime as dt
import functools

from django import template
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

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


@register.simple_tag(takes_context=True)
def desk_nav(context) -> str:
    """The desk's navigation (moderation/_base.html): the same few links on
    every desk page but for the one marked current, so each variant is built
    once per process (eleven {% url %} a page were a tenth of a queue page)."""
    queue = context.get("queue")
    match = getattr(context.get("request"), "resolver_match", None)
    volunteers = match is not None and match.url_name == "volunteers"
    return _desk_nav(bool(queue), getattr(queue, "slug", None), volunteers, get_script_prefix())


@functools.cache
def _desk_nav(in_queue: bool, slug: str | None, volunteers: bool, script_prefix: str) -> str:
    from moderation.selectors import QUEUES

    links = [(reverse("moderation:desk"), "Редакция", not in_queue)]
    links += [(reverse("moderation:queue", args=[q.slug]), q.title, slug == q.slug) for q in QUEUES.values()]
    links.append((reverse("moderation:volunteers"), "Волонтёры", volunteers))
    current = mark_safe(' class="current"')  # noqa: S308 - a constant
    return format_html_join(
        "\n  ", '<a href="{}"{}>{}</a>', ((url, current if mark else "", title) for url, title, mark in links)
    )
