"""The rows of the new-reports queue, written in Python.

The queue of new reports is the desk's busiest page (every report passes
through it, and moderators reload it all day). Django's template engine
spent ~0.15 ms a row on its five cells (a lookup, an escape and a filter
per value): 60% of the page's rendering. The same HTML is built here with
format_html, which escapes every value; the table around it, the header and
the pager stay in templates/moderation/queue_new.html. The rows are plain
tuples of the columns shown (moderation.selectors.new_rows), not models.

moderation/tests/test_queues.py checks the cells (the age, the thumbnail or «нет», the link).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from issues.models import Photo
from moderation.templatetags.moderation_tags import age
from places.models import District

NO_PHOTO = mark_safe('<span class="muted">нет</span>')  # noqa: S308 - a constant


def new_queue_rows(rows: Iterable, *, report_url: str, now: dt.datetime) -> SafeString:
    """`rows`: moderation.selectors.new_rows() (named tuples)."""
    return format_html_join(
        "\n",
        '<tr id="report-{}">'
        '<td class="age" title="{}">{}</td>'
        "<td>{}</td>"
        '<td><a href="{}{}/">№{}</a><br>{}</td>'
        "<td>{}</td>"
        '<td>{}<br><span class="muted">{}</span></td>'
        "</tr>",
        (
            (
                row.id,
                timezone.localtime(row.created_at).strftime("%d.%m.%Y %H:%M"),
                age(row.created_at, now),
                _thumbnail(row.photo_image, row.photo_thumbnail) if row.photo_image else NO_PHOTO,
                report_url,
                row.id,
                row.id,  # the report's number is its pk (Report.number)
                row.topic__name,
                row.address or "—",
                _district_title(row.district__name, row.district__kind) if row.district__name else "",
                row.okrug__abbrev or "",
            )
            for row in rows
        ),
    )


PHOTO_STORAGE = Photo._meta.get_field("image").storage
THUMBNAIL_STORAGE = Photo._meta.get_field("thumbnail").storage
REPORT_PHOTO = capfirst(Photo.Role.REPORT.label)
DISTRICT_KINDS = dict(District.Kind.choices)


def _district_title(name: str, kind: str) -> str:
    """District.title from the row's columns: «район Тверской»."""
    return f"{DISTRICT_KINDS.get(kind, kind)} {name}"


def _thumbnail(image: str, thumbnail: str) -> SafeString:
    """What moderation/_photo.html shows: the thumbnail (the photo itself
    for one stored without, until the sweep has made it), linked to the photo."""
    url = PHOTO_STORAGE.url(image)
    return format_html(
        '<a href="{}"><img class="thumb" src="{}" alt="{}" loading="lazy"></a>',
        url,
        THUMBNAIL_STORAGE.url(thumbnail) if thumbnail else url,
        REPORT_PHOTO,
    )
