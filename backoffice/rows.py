"""The rows of the organization's back office list, written in Python.

The list is every organization's home page, reloaded all day by its staff.
Django's template engine spent most of the page's rendering on its 20 rows
(six cells, a countdown, a status label, dates); the same HTML is built here,
every value escaped. The filters, the header and the
pager stay in templates/backoffice/staff_list.html, as the new-reports
queue's do with moderation.rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from html import escape

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from backoffice.selectors import countdown_of, overdue_at
from issues.models import STATUS_LABELS

PENDING_TAG = mark_safe(' <span class="tag">запрос у редакции</span>')  # noqa: S308 - a constant
NO_DEADLINE = mark_safe('<span class="muted">—</span>')  # noqa: S308 - a constant


def office_rows(rows: Iterable, *, report_url: str, now: dt.datetime) -> SafeString:
    """`rows`: backoffice.selectors.office_rows() (named tuples). Every
    value is escaped: with the standard library's html.escape, which
    Django's escape() calls, without format_html's lazy-string wrapper and
    SafeString on each of ~15 values a row."""
    url = escape(report_url)
    zone = timezone.get_current_timezone()  # once, not for each of ~60 dates
    return mark_safe("\n".join([_row(row, url, now, zone) for row in rows]))  # noqa: S308 - escaped in _row


def _row(row, url: str, now: dt.datetime, zone: dt.tzinfo) -> str:
    clock = countdown_of(row.status, row.is_overdue, row.deadline, row.topic__calendar_days, now)
    number = int(row.id)
    overdue = " overdue" if overdue_at(row.status, row.is_overdue, row.deadline, now) else ""
    district = escape(row.district__name or "")
    pending = PENDING_TAG if row.has_pending_request else ""
    status = escape(row.status)
    return (
        f'<tr id="report-{number}" class="report-row{overdue}">'
        f'<td><a href="{url}{number}/">{number}</a></td>'
        f"<td>{escape(row.topic__name)}</td>"
        f'<td>{escape(row.address or "—")}<br><span class="muted">{district}</span></td>'
        f'<td><span class="status status-{status}">{escape(STATUS_LABELS.get(row.status, row.status))}</span>{pending}</td>'
        f"<td>{_date(row.deadline, zone) or NO_DEADLINE}{_countdown(clock) if clock else ''}</td>"
        f"<td>{_date(row.published_at, zone)}</td>"
        "</tr>"
    )


def _countdown(clock) -> str:
    modifier = " overdue" if clock.overdue else " urgent" if clock.urgent else ""
    return f' <span class="countdown{modifier}">{escape(clock.text)}</span>'


def _date(moment: dt.datetime | None, zone: dt.tzinfo) -> str:
    return moment.astimezone(zone).strftime("%d.%m.%Y") if moment else ""
