"""Open data: the statistics per district and per organization for a period,
and the published reports (no personal data: no author, no address, no
text), as CSV (streamed), XLSX and JSON rows."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator

from django.http import FileResponse, HttpResponse, QueryDict, StreamingHttpResponse
from django.utils import timezone

from issues.models import Outcome, Status, Topic, TopicGroup
from organizations.models import Organization
from places.models import District, Okrug
from stats import selectors
from stats.models import ReportFact
from stats.periods import Period

TABLES = ("districts", "organizations", "reports")
API_PAGE, API_PAGE_MAX = 1000, 5000
# A worksheet holds 1,048,576 rows, and building a big one takes minutes:
# past this the XLSX is refused with a pointer to the CSV.
XLSX_MAX_ROWS = 200_000

FIGURE_COLUMNS = [
    ("received", "Поступило"),
    ("published", "Опубликовано"),
    ("answered", "Дан ответ"),
    ("answered_on_time", "Ответ в срок"),
    ("answered_late", "Ответ с опозданием"),
    ("on_time_share", "Доля ответов в срок"),
    ("median_answer_days", "Медиана времени ответа, дней"),
    ("p90_answer_days", "90-й процентиль времени ответа, дней"),
    ("confirmed", "Подтверждено жителями"),
    ("confirmed_share", "Доля подтверждённых"),
    ("disputed", "Опровергнуто жителями"),
    ("disputed_share", "Доля опровергнутых"),
    ("returned", "Возвращено исполнителю"),
    ("returned_share", "Доля возвращённых"),
    ("resolved", "Решено"),
    ("in_work", "В работе сейчас"),
    ("overdue", "Просрочено сейчас"),
    ("overdue_share", "Доля просроченных сейчас"),
]
TABLE_KEYS = {
    "districts": [("district_id", "Код района"), ("district", "Район"), ("okrug", "Округ")],
    "organizations": [
        ("organization_id", "Код организации"),
        ("organization", "Организация"),
        ("kind", "Тип"),
    ],
}
REPORT_HEADER = [
    ("id", "Номер"),
    ("topic", "Тема"),
    ("topic_group", "Группа тем"),
    ("district", "Район"),
    ("okrug", "Округ"),
    ("organization", "Исполнитель"),
    ("received", "Поступило"),
    ("published", "Опубликовано"),
    ("answered", "Дан ответ"),
    ("resolved", "Решено"),
    ("status", "Статус (код)"),
    ("status_name", "Статус"),
    ("outcome", "Результат (код)"),
    ("outcome_name", "Результат"),
]
REPORT_COLUMNS = [key for key, _ in REPORT_HEADER]


# --- the statistics tables ---------------------------------------------------------


def stats_table(table: str, period: Period, today: dt.date) -> tuple[list[str], list[list]]:
    """(header keys, rows): one row per district, or per organization with reports."""
    keys = [key for key, _ in TABLE_KEYS[table] + FIGURE_COLUMNS]
    if table == "districts":
        source = selectors.cached(
            f"export:districts:{period.cache_key}", lambda: selectors.by_district(period, today)
        )
    else:
        source = selectors.cached(
            f"export:orgs:{period.cache_key}", lambda: selectors.by_organization(period, today)
        )
    rows = []
    for row in source:
        figures = row.figures.as_dict()
        rows.append([row.id, row.name, row.note, *(figures[key] for key, _ in FIGURE_COLUMNS)])
    return keys, rows


# --- the published reports --------------------------------------------------------------


def report_scope(params: QueryDict) -> dict:
    """Optional narrowing by ?okrug=, ?district= or ?org= (ids)."""
    scope = {}
    for param, field in (("okrug", "okrug_id"), ("district", "district_id"), ("org", "organization_id")):
        raw = params.get(param, "")
        if raw.isdigit():
            scope[field] = int(raw)
    return scope


def _reports(period: Period, scope: dict):
    # The index on (published_on, report) finds the period's rows.
    return ReportFact.objects.filter(published_on__gte=period.start, published_on__lte=period.end, **scope)


def count_reports(period: Period, scope: dict) -> int:
    return _reports(period, scope).count()


def report_rows(period: Period, scope: dict, *, after: int = 0, limit: int | None = None) -> Iterator[list]:
    """The published reports of the period by number, names resolved from
    small dictionaries loaded once (no join per row)."""
    topics = dict(Topic.objects.values_list("pk", "name"))
    groups = dict(TopicGroup.objects.values_list("pk", "name"))
    districts = dict(District.objects.values_list("pk", "name"))
    okrugs = dict(Okrug.objects.values_list("pk", "name"))
    orgs = dict(Organization.objects.values_list("pk", "name"))
    statuses, outcomes = dict(Status.choices), dict(Outcome.choices)
    queryset = (
        _reports(period, scope)
        .filter(report_id__gt=after)
        .order_by("report_id")
        .values_list(
            "report_id",
            "topic_id",
            "group_id",
            "district_id",
            "okrug_id",
            "organization_id",
            "received_on",
            "published_on",
            "answered_on",
            "resolved_on",
            "status",
            "outcome",
        )
    )
    if limit is not None:
        queryset = queryset[:limit]
    for (
        pk,
        topic,
        group,
        district,
        okrug,
        org,
        received,
        published,
        answered,
        resolved,
        status,
        outcome,
    ) in queryset.iterator(chunk_size=5000):
        yield [
            pk,
            topics.get(topic, ""),
            groups.get(group, ""),
            districts.get(district, ""),
            okrugs.get(okrug, ""),
            orgs.get(org, "") if org else "",
            _iso(received),
            _iso(published),
            _iso(answered),
            _iso(resolved),
            status,
            statuses.get(status, status),
            outcome,
            outcomes.get(outcome, ""),
        ]


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


# --- formats ------------------------------------------------------------------------------


class _Echo:
    """csv.writer writes into this and gets the line back to stream it."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)  # the BOM makes Excel read UTF-8
    for row in rows:
        yield writer.writerow(["" if value is None else value for value in row])


def csv_response(filename: str, header: list[str], rows: Iterable[list]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, title: str, header: list[str], rows: Iterable[list]) -> FileResponse:
    """A write-only workbook (rows go to disk as they come) in a temporary file."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def download(table: str, fmt: str, period: Period, params: QueryDict) -> HttpResponse:
    name = f"nashgorod-{table}-{period.start.isoformat()}-{period.end.isoformat()}"
    if table == "reports":
        scope = report_scope(params)
        if fmt == "csv":
            return csv_response(name, REPORT_COLUMNS, report_rows(period, scope))
        if count_reports(period, scope) > XLSX_MAX_ROWS:
            return HttpResponse(
                f"В XLSX помещаем до {XLSX_MAX_ROWS:,} сообщений: выберите период короче или скачайте CSV.".replace(
                    ",", "\u2009"
                ),
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return xlsx_response(
            name, "Сообщения", [label for _, label in REPORT_HEADER], report_rows(period, scope)
        )
    keys, rows = stats_table(table, period, timezone.localdate())
    if fmt == "csv":
        return csv_response(name, keys, rows)
    labels = [label for _, label in TABLE_KEYS[table] + FIGURE_COLUMNS]
    return xlsx_response(name, "Районы" if table == "districts" else "Организации", labels, rows)
