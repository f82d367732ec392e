"""The rows of the organization's back office list, written in Python.

The list is every organization's home page, reloaded all day by its staff.
Django's template engine spent most of the page's rendering on its 20 rows
(six cells, a countdown, a status label, dates); the same HTML is built here
with format_html, which escapes every value. The filters, the header and the
pager stay in templates/backoffice/staff_list.html, as the new-reports
queue's do with moderation.rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from backoffice.selectors import countdown, is_overdue
from issues.models import Report

PENDING_TAG = mark_safe(' <span class="tag">запрос у редакции</span>')  # noqa: S308 - a constant
NO_DEADLINE = mark_safe('<span class="muted">—</span>')  # noqa: S308 - a constant


def office_rows(reports: Iterable[Report], *, report_url: str, now: dt.datetime) -> SafeString:
    return format_html_join("\n", "{}", ((_row(report, report_url, now),) for report in reports))


def _row(report: Report, report_url: str, now: dt.datetime) -> SafeString:
    clock = countdown(report, now)
    return format_html(
        '<tr id="report-{}" class="report-row{}">'
        '<td><a href="{}{}/">{}</a></td>'
        "<td>{}</td>"
        '<td>{}<br><span class="muted">{}</span></td>'
        '<td><span class="status status-{}">{}</span>{}</td>'
        "<td>{}{}</td>"
        "<td>{}</td>"
        "</tr>",
        report.pk,
        " overdue" if is_overdue(report, now) else "",
        report_url,
        report.pk,
        report.pk,
        report.topic.name,
        report.address or "—",
        report.district.name if report.district_id else "",
        report.status,
        report.get_status_display(),
        PENDING_TAG if report.has_pending_request else "",
        _date(report.deadline) or NO_DEADLINE,
        _countdown(clock) if clock else "",
        _date(report.published_at),
    )


def _countdown(clock) -> SafeString:
    modifier = " overdue" if clock.overdue else " urgent" if clock.urgent else ""
    return format_html(' <span class="countdown{}">{}</span>', modifier, clock.text)


def _date(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y") if moment else ""
