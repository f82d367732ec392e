"""The rows of the new-reports queue, written in Python.

The queue of new reports is the desk's busiest page (every report passes
through it, and moderators reload it all day). Django's template engine
spent ~0.15 ms a row on its five cells (a lookup, an escape and a filter
per value): 60% of the page's rendering. The same HTML is built here, every
value escaped; the table around it, the header and
the pager stay in templates/moderation/queue_new.html. The rows are plain
tuples of the columns shown (moderation.selectors.new_rows), not models.

moderation/tests/test_queues.py checks the cells (the age, the thumbnail or «нет», the link).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from html import escape

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from issues.models import Photo
from moderation.templatetags.moderation_tags import age
from places.models import District

NO_PHOTO = mark_safe('<span class="muted">нет</span>')  # noqa: S308 - a constant


def new_queue_rows(rows: Iterable, *, report_url: str, now: dt.datetime) -> SafeString:
    """`rows`: moderation.selectors.new_rows() (named tuples). Every value
    is escaped: with the standard library's html.escape, which is what
    Django's escape() calls, without its lazy-string wrapper and SafeString
    (most of format_html's cost on ten values a row)."""
    url = escape(report_url)
    return mark_safe("\n".join([_new_row(row, url, now) for row in rows]))  # noqa: S308 - escaped above


def _new_row(row, url: str, now: dt.datetime) -> str:
    photo = _thumbnail(row.photo_image, row.photo_thumbnail) if row.photo_image else NO_PHOTO
    district = _district_title(row.district__name, row.district__kind) if row.district__name else ""
    number = int(row.id)  # the report's number is its pk (Report.number)
    return (
        f'<tr id="report-{number}">'
        f'<td class="age" title="{timezone.localtime(row.created_at):%d.%m.%Y %H:%M}">{escape(age(row.created_at, now))}</td>'
        f"<td>{photo}</td>"
        f'<td><a href="{url}{number}/">№{number}</a><br>{escape(row.topic__name)}</td>'
        f"<td>{escape(row.address or '—')}</td>"
        f'<td>{escape(district)}<br><span class="muted">{escape(row.okrug__abbrev or "")}</span></td>'
        "</tr>"
    )


PHOTO_STORAGE = Photo._meta.get_field("image").storage
THUMBNAIL_STORAGE = Photo._meta.get_field("thumbnail").storage
REPORT_PHOTO = capfirst(Photo.Role.REPORT.label)
DISTRICT_KINDS = dict(District.Kind.choices)


def _district_title(name: str, kind: str) -> str:
    """District.title from the row's columns: «район Тверской»."""
    return f"{DISTRICT_KINDS.get(kind, kind)} {name}"


def _thumbnail(image: str, thumbnail: str) -> str:
    """What moderation/_photo.html shows: the thumbnail (the photo itself
    for one stored without, until the sweep has made it), linked to the photo."""
    url = escape(PHOTO_STORAGE.url(image))
    thumb = escape(THUMBNAIL_STORAGE.url(thumbnail)) if thumbnail else url
    return (
        f'<a href="{url}"><img class="thumb" src="{thumb}" alt="{escape(REPORT_PHOTO)}" loading="lazy"></a>'
    )
