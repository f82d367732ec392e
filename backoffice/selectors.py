"""What the back office reads: the organization's list, a report's timeline
as the organization sees it, the supervisor's escalations and the overdue
counts of the organizations under a supervisor. Nothing here writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, Exists, F, FilteredRelation, OuterRef, Prefetch, Q, QuerySet, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.models import User
from issues import deadlines
from issues.models import (
    OPEN_STATUSES,
    EventKind,
    OrganizationRequest,
    Outcome,
    Photo,
    Report,
    ReportEvent,
    Status,
    Topic,
)
from nashgorod.compiled import BoundRows, CompiledLookup, CompiledRows
from organizations.models import Organization
from places.models import District

# The list's default: everything still open for the organization.
OFFICE_STATUSES = OPEN_STATUSES
# …and what its status filter offers (the finished ones only on request).
FILTER_STATUSES = (*OPEN_STATUSES, Status.RESOLVED)


# -- the organization's list -------------------------------------------------


def office_reports(
    organization,
    *,
    status: str = "",
    topic: Topic | int | None = None,
    district: District | int | None = None,
) -> QuerySet[Report]:
    """The organization's reports, the nearest deadline first.

    Served by the partial index report_office_open (organization, deadline)
    over the open statuses, and by report_org_status_deadline (organization,
    status, deadline) for one status."""
    reports = Report.objects.filter(organization=organization)
    reports = reports.filter(status=status) if status else reports.filter(status__in=OFFICE_STATUSES)
    if topic is not None:
        reports = reports.filter(topic=topic)
    if district is not None:
        reports = reports.filter(district=district)
    pending = OrganizationRequest.objects.filter(
        report=OuterRef("pk"), state=OrganizationRequest.State.PENDING
    )
    return (
        reports.select_related("topic", "district")
        .only(
            "id",
            "status",
            "address",
            "deadline",
            "published_at",
            "is_overdue",
            "planned_date",
            "topic__id",
            "topic__name",
            "topic__calendar_days",
            "district__id",
            "district__name",
        )
        .annotate(has_pending_request=Exists(pending))
        .order_by(F("deadline").asc(nulls_last=True), "pk")
    )


_ORGANIZATIONS = CompiledLookup(lambda: Organization.objects.all())


def organization_of(user) -> Organization | None:
    """The staff member's organization, read by SQL compiled once and kept
    on the user as user.organization is (every page of the back office
    reads it)."""
    if user.organization_id is None:
        return None
    field = User._meta.get_field("organization")
    if not field.is_cached(user):
        field.set_cached_value(user, _ORGANIZATIONS.get(user.organization_id))
    return user.organization


# What a row of the office list shows (backoffice.rows.office_rows).
OFFICE_ROW_FIELDS = (
    "id",
    "status",
    "address",
    "deadline",
    "published_at",
    "is_overdue",
    "topic__name",
    "topic__calendar_days",
    "district__name",
    "has_pending_request",
)

# office_reports() as plain rows (named tuples of OFFICE_ROW_FIELDS), its SQL
# compiled once for each set of filters (nashgorod.compiled): building,
# compiling and reading it into three models a row was a third of the list's
# CPU, every organization's home page.
OFFICE_ROWS = CompiledRows(office_reports, OFFICE_ROW_FIELDS)


def office_rows(
    organization_id: int, *, status: str = "", topic: int | None = None, district: int | None = None
) -> BoundRows:
    """The rows of office_reports() with these filters (ids; "" or None: any)."""
    filters = {"status": status, "topic": topic, "district": district}
    return OFFICE_ROWS.bind(organization=organization_id, **{k: v for k, v in filters.items() if v})


# The list's topic and district filters are the same for every page an
# organization's staff open; kept this long in the cache, a topic new to the
# organization appears in its filter within minutes.
FILTER_CHOICES_SECONDS = 300


def filter_choices(organization) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(id, name) of the topics and of the districts of the organization's
    reports, by name: the list's filters. One cache read instead of four
    queries (two index skips and two lookups) on every page of the list."""
    key = f"office-filter-choices:{organization.pk}"
    choices = cache.get(key)
    if choices is None:
        choices = (
            list(topics_of(organization).values_list("id", "name")),
            list(districts_of(organization).values_list("id", "name")),
        )
        cache.set(key, choices, FILTER_CHOICES_SECONDS)
    return choices


def topics_of(organization) -> QuerySet[Topic]:
    """The topics of the organization's reports: the topic filter's choices."""
    used = _distinct_of_organization(organization, "topic_id")
    return Topic.objects.filter(pk__in=used).only("id", "name").order_by("name")


def districts_of(organization) -> QuerySet[District]:
    used = _distinct_of_organization(organization, "district_id")
    return District.objects.filter(pk__in=used).only("id", "name", "kind").order_by("name")


_DISTINCT_COLUMNS = {"topic_id", "district_id"}


def _distinct_of_organization(organization, column: str) -> list[int]:
    """The distinct values of a column among the organization's reports, by
    skipping through the (organization, column) index: one probe per value
    found instead of reading all the organization's reports (a busy
    «Жилищник» has tens of thousands; the filter took 0.4 s at 100,000
    reports and grew with them)."""
    if column not in _DISTINCT_COLUMNS:
        raise ValueError(column)
    table = Report._meta.db_table
    sql = f"""
        WITH RECURSIVE found(value) AS (
            SELECT min({column}) FROM {table} WHERE organization_id = %(org)s
            UNION ALL
            SELECT (SELECT min({column}) FROM {table} WHERE organization_id = %(org)s AND {column} > found.value)
            FROM found WHERE found.value IS NOT NULL
        )
        SELECT value FROM found WHERE value IS NOT NULL
    """  # noqa: S608 - the table and the column are constants checked above; the id is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, {"org": organization.pk})
        return [value for (value,) in cursor.fetchall()]


# -- the countdown -----------------------------------------------------------


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian plural: 1 день, 2 дня, 5 дней, 21 день, 11 дней."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _left(n: int) -> str:
    return plural(n, "остался", "осталось", "осталось")


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += deadlines.is_working_day(day)
    return count


@dataclass(frozen=True)
class Countdown:
    text: str
    overdue: bool = False
    urgent: bool = False  # the last working day or the deadline day itself


def is_overdue(report: Report, now: dt.datetime) -> bool:
    """Overdue is a fact, not a status: in work past its deadline. The
    scheduler sets the flag a little after the deadline; the clock decides
    before it runs."""
    return overdue_at(report.status, report.is_overdue, report.deadline, now)


def overdue_at(status: str, flagged: bool, deadline: dt.datetime | None, now: dt.datetime) -> bool:
    """is_overdue from the report's columns (the office list's plain rows)."""
    if status != Status.IN_WORK:
        return False
    return flagged or (deadline is not None and deadline <= now)


def countdown(report: Report, now: dt.datetime | None = None) -> Countdown | None:
    """«осталось 2 раб. дня», «срок истекает сегодня», «просрочено на 3 дня»;
    None when the clock is stopped (answered, in review, closed)."""
    return countdown_of(report.status, report.is_overdue, report.deadline, report.topic.calendar_days, now)


def countdown_of(
    status: str,
    flagged: bool,
    deadline: dt.datetime | None,
    calendar_days: bool,
    now: dt.datetime | None = None,
) -> Countdown | None:
    """countdown from the report's columns and its topic's calendar_days."""
    if status != Status.IN_WORK or deadline is None:
        return None
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = timezone.localtime(deadline).date()
    if overdue_at(status, flagged, deadline, now):
        days = (today - due).days
        if days <= 0:
            return Countdown("просрочено сегодня", overdue=True)
        return Countdown(f"просрочено на {days} {plural(days, 'день', 'дня', 'дней')}", overdue=True)
    if due == today:
        return Countdown("срок истекает сегодня", urgent=True)
    if not calendar_days:
        working = working_days_between(today, due)
        if working:
            unit = plural(working, "раб. день", "раб. дня", "раб. дней")
            return Countdown(f"{_left(working)} {working} {unit}", urgent=working <= 1)
    # Calendar days, or a planned date on a weekend with no working day left.
    days = (due - today).days
    return Countdown(f"{_left(days)} {days} {plural(days, 'день', 'дня', 'дней')}", urgent=days <= 1)


# -- a report's page -----------------------------------------------------------

ROLE_LABELS = {
    "resident": "Автор",
    "volunteer": "Волонтёр",
    "staff": "Исполнитель",
    "moderator": "Редакция",
    "administrator": "Редакция",
    "supervisor": "Контролирующий орган",
}
ESCALATION_REASONS = {
    "overdue": "срок ответа истёк",
    "repeated_return": "повторный возврат после опровержения",
    "still_overdue": "ответа нет и после первой эскалации",
}


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    label: str
    who: str
    at: dt.datetime
    text: str
    detail: str
    photos: list
    internal: bool  # not on the public page: the organization and the editorial team only


def _who(event: ReportEvent, author_id: int) -> str:
    if event.actor_id is None:
        return "Портал"
    if event.actor_id == author_id:
        return "Автор"
    return ROLE_LABELS.get(event.actor_role, "Портал")


def _detail(event: ReportEvent) -> str:
    """The part of an event's payload worth a line on the page."""
    p = event.payload or {}
    if event.kind == EventKind.PUBLISHED and p.get("organization"):
        return f"Исполнитель: {p['organization']}"
    if event.kind == EventKind.ANSWERED and p.get("outcome") in Outcome.values:
        return f"Результат: {Outcome(p['outcome']).label}"
    if event.kind == EventKind.REDIRECTED:
        return f"Из «{p.get('from', '')}» в «{p.get('to', '')}»"
    if event.kind == EventKind.POSTPONED and p.get("planned_date"):
        return f"Новый срок: {dt.date.fromisoformat(p['planned_date']):%d.%m.%Y}"
    if event.kind == EventKind.ESCALATED:
        reason = ESCALATION_REASONS.get(event.reason, event.reason)
        return f"{p.get('supervisor', '')}, уровень {p.get('level', '')} ({reason})"
    return ""


def office_timeline(report: Report) -> list[TimelineEntry]:
    """The public timeline plus what passed between the report's current
    organization and the editorial team: its answers, the answers returned
    with the editorial comment, its requests and their refusals, the
    reminders. Internal events of an organization the report was redirected
    from stay hidden. People appear by role only, as on the public page."""
    visible = Q(is_public=True) | Q(organization_id=report.organization_id)
    events = (
        ReportEvent.objects.filter(report=report)
        .filter(visible)
        .annotate(actor_role=F("actor__role"))
        .only("id", "kind", "actor_id", "text", "reason", "payload", "is_public", "created_at")
        .prefetch_related(
            Prefetch(
                "photos",
                queryset=Photo.objects.exclude(role=Photo.Role.REPORT).only(
                    "id", "event_id", "role", "image", "thumbnail", "width", "height"
                ),
            )
        )
        .order_by("created_at", "pk")
    )
    return [
        TimelineEntry(
            kind=event.kind,
            label=event.get_kind_display(),
            who=_who(event, report.author_id),
            at=event.created_at,
            text=event.text,
            detail=_detail(event),
            photos=list(event.photos.all()),
            internal=not event.is_public,
        )
        for event in events
    ]


def report_photos(report: Report) -> QuerySet[Photo]:
    return report.photos.filter(role=Photo.Role.REPORT).only(
        "id", "report_id", "role", "image", "thumbnail", "width", "height"
    )


def report_requests(report: Report) -> QuerySet[OrganizationRequest]:
    """The organization's requests about the report, the pending ones first."""
    return (
        report.requests.filter(organization_id=report.organization_id)
        .select_related("suggested_organization")
        .only(
            "id",
            "kind",
            "state",
            "reason",
            "planned_date",
            "comment",
            "created_at",
            "decided_at",
            "report_id",
            "suggested_organization__id",
            "suggested_organization__name",
        )
        # Pending first, then the newest.
        .order_by(Case(When(state=OrganizationRequest.State.PENDING, then=0), default=1), "-created_at")
    )


# -- supervisors -----------------------------------------------------------------


def _subtree_sql() -> str:
    table = Organization._meta.db_table
    # UNION (not UNION ALL) drops rows already found, so a cycle in the
    # supervisor chain ends the recursion instead of looping.
    return (
        f"WITH RECURSIVE subtree(id) AS ("  # noqa: S608 (the table name is the model's, not input)
        f" SELECT id FROM {table} WHERE supervisor_id = %s"
        f" UNION SELECT o.id FROM {table} o JOIN subtree s ON o.supervisor_id = s.id"
        f") SELECT id FROM subtree WHERE id <> %s"
    )


def organizations_under(supervisor) -> QuerySet[Organization]:
    """Every organization below the supervisor, directly or further down the
    chain (a prefecture: its district councils and their housing services),
    found by one recursive query on the indexed supervisor_id."""
    pk = supervisor.pk if hasattr(supervisor, "pk") else supervisor
    # The SQL is fixed text (the table name from the model); the id is a parameter.
    subtree = RawSQL(_subtree_sql(), [pk, pk])  # noqa: S611
    return Organization.objects.filter(pk__in=subtree)


def supervised_counts(supervisor) -> QuerySet[Organization]:
    """The organizations under the supervisor with their reports in work and
    the overdue among them, the most overdue first: one aggregate query. The
    join's condition keeps only reports in work, so the finished history of
    an organization is never read (index report_org_status_deadline)."""
    return (
        organizations_under(supervisor)
        .annotate(open=FilteredRelation("reports", condition=Q(reports__status=Status.IN_WORK)))
        .annotate(in_work=Count("open"), overdue=Count("open", filter=Q(open__is_overdue=True)))
        .only("id", "name", "kind")
        .order_by("-overdue", "-in_work", "name", "pk")
    )


def escalations_to(supervisor) -> QuerySet[ReportEvent]:
    """The ESCALATED events that named the supervisor, newest first."""
    pk = supervisor.pk if hasattr(supervisor, "pk") else supervisor
    return (
        ReportEvent.objects.filter(kind=EventKind.ESCALATED, payload__supervisor_id=pk)
        .select_related("report__topic", "report__organization", "organization")
        .only(
            "id",
            "created_at",
            "reason",
            "payload",
            "organization__id",
            "organization__name",
            "report__id",
            "report__status",
            "report__deadline",
            "report__address",
            "report__is_overdue",
            "report__topic__id",
            "report__topic__name",
            "report__organization__id",
            "report__organization__name",
        )
        .order_by("-created_at", "-pk")
    )
