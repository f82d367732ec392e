"""Read-only queries of the editorial desk: the queues, their counts, the
next item after an action, and what the report page shows.

Every queue is one query for its page plus one per prefetched relation,
whatever the number of rows (the tests count them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from issues.models import (
    OVERDUE_Q,
    Answer,
    EventKind,
    OrganizationRequest,
    Photo,
    Report,
    ReportEvent,
    Status,
    Topic,
)
from moderation.rows import new_queue_rows
from nashgorod.compiled import BoundRows, CompiledRows
from nashgorod.paging import CachedCountPaginator, forget_counts
from organizations.models import Kind as OrganizationKind
from organizations.models import Organization
from places.search import box_around
from volunteers import selectors as volunteer_selectors
from volunteers.models import Application, Inspection, InspectionPhoto

# Rows per queue page: each row is a few kilobytes of HTML and ~0.1 ms of
# template work; a moderator works the top of a queue, the rest is paged.
PAGE_SIZE = 20
NEARBY_METRES = 150
ORGANIZATION_SUGGESTIONS = 20


# What a thumbnail shows (the moderation/_photo.html fields), not the
# photo's EXIF point. The dimensions are read, or ImageField's post_init
# would load each deferred one with a query of its own.
PHOTO_FIELDS = ("id", "report_id", "event_id", "role", "image", "thumbnail", "width", "height")


def _photos() -> QuerySet[Photo]:
    return Photo.objects.only(*PHOTO_FIELDS).order_by("pk")


def _report_photos() -> Prefetch:
    return Prefetch("photos", queryset=_photos().filter(role=Photo.Role.REPORT), to_attr="report_photos")


def _rows(items: QuerySet, related: tuple[str, ...], fields: tuple[str, ...], *prefetch) -> QuerySet:
    """A queue page's rows: the queue's own filter and order (so that the
    page and the next-item logic never disagree), reading only the columns
    its table shows. Never a point or a boundary: building a GEOS object
    for a district's polygon on every row was most of a page's time."""
    return (
        items.select_related(None)
        .prefetch_related(None)
        .select_related(*related)
        .only(*fields)
        .prefetch_related(*prefetch)
    )


DISTRICT = ("district__name", "district__kind")


# --- the queues ------------------------------------------------------------


def new_reports() -> QuerySet[Report]:
    """In moderation, oldest first (served by the status, created_at index)."""
    return (
        Report.objects.filter(status=Status.MODERATION)
        .select_related("topic", "district", "okrug", "author")
        .prefetch_related(_report_photos())
        .order_by("created_at", "pk")
    )


def answers_to_check() -> QuerySet[Report]:
    """Answers awaiting the editorial team, the longest waiting first."""
    review = (
        Answer.objects.filter(state=Answer.State.REVIEW)
        .select_related("organization", "author")
        .prefetch_related(Prefetch("event__photos", queryset=Photo.objects.order_by("pk")))
    )
    return (
        Report.objects.filter(status=Status.ANSWER_REVIEW)
        .select_related("topic", "district", "organization")
        .prefetch_related(Prefetch("answers", queryset=review, to_attr="answers_in_review"))
        .order_by("answered_at", "pk")
    )


def disputes() -> QuerySet[Report]:
    """Fixes the author rejected. Nothing but the next transition writes a
    disputed report, so updated_at is the moment it was disputed."""
    rejections = (
        ReportEvent.objects.filter(kind=EventKind.FIX_REJECTED)
        .prefetch_related(Prefetch("photos", queryset=Photo.objects.order_by("pk")))
        .order_by("-created_at", "-pk")
    )
    return (
        Report.objects.filter(status=Status.DISPUTED)
        .select_related("topic", "district", "organization")
        .prefetch_related(Prefetch("events", queryset=rejections, to_attr="fix_rejections"))
        .order_by("updated_at", "pk")
    )


def pending_requests() -> QuerySet[OrganizationRequest]:
    """Redirect and postponement requests awaiting a decision. Only those of
    reports still in work: the services decide nothing else."""
    return (
        OrganizationRequest.objects.filter(
            state=OrganizationRequest.State.PENDING, report__status=Status.IN_WORK
        )
        .select_related(
            "report__topic",
            "report__district",
            "organization",
            "suggested_organization",
            "requested_by",
        )
        .order_by("created_at", "pk")
    )


def overdue_reports() -> QuerySet[Report]:
    """In work and overdue or escalated, the earliest deadline first."""
    return (
        Report.objects.filter(OVERDUE_Q)
        .select_related("topic", "district", "organization")
        .order_by("deadline", "pk")
    )


# --- the queue pages' rows (what each template shows) -------------------------


# What a row of the new-reports queue shows (moderation.rows.new_queue_rows).
NEW_ROW_FIELDS = (
    "id",
    "created_at",
    "address",
    "topic__name",
    "district__name",
    "district__kind",
    "okrug__abbrev",
    "photo_image",
    "photo_thumbnail",
)


def _new_rows_queryset() -> QuerySet:
    first_photo = Photo.objects.filter(report=OuterRef("pk"), role=Photo.Role.REPORT).order_by("pk")
    return (
        new_reports()
        .select_related(None)
        .prefetch_related(None)
        .annotate(
            photo_image=Subquery(first_photo.values("image")[:1]),
            photo_thumbnail=Subquery(first_photo.values("thumbnail")[:1]),
        )
    )


# The new-reports queue as plain rows (named tuples of NEW_ROW_FIELDS), its
# first photo read in the same query: no model instances, no prefetch, and
# the SQL compiled once (nashgorod.compiled). This is the desk's busiest
# page: building four models a row (the report, its topic, district and
# okrug) and the photos' prefetch was half its time, and building and
# compiling the queryset a third of what was left.
NEW_ROWS = CompiledRows(_new_rows_queryset, NEW_ROW_FIELDS)


def new_rows() -> BoundRows:
    return NEW_ROWS.bind()


def answer_rows() -> QuerySet[Report]:
    review = (
        Answer.objects.filter(state=Answer.State.REVIEW)
        .only("id", "report_id", "outcome", "planned_date", "text", "event_id")
        .prefetch_related(
            Prefetch(
                "event",
                queryset=ReportEvent.objects.only("id").prefetch_related(
                    Prefetch("photos", queryset=_photos())
                ),
            )
        )
    )
    return _rows(
        answers_to_check(),
        ("topic", "district", "organization"),
        ("id", "answered_at", "topic__name", *DISTRICT, "organization__name"),
        Prefetch("answers", queryset=review, to_attr="answers_in_review"),
    )


def dispute_rows() -> QuerySet[Report]:
    rejections = (
        ReportEvent.objects.filter(kind=EventKind.FIX_REJECTED)
        .only("id", "report_id", "text", "created_at")
        .prefetch_related(Prefetch("photos", queryset=_photos()))
        .order_by("-created_at", "-pk")
    )
    return _rows(
        disputes(),
        ("topic", "district", "organization"),
        ("id", "updated_at", "returns_count", "topic__name", *DISTRICT, "organization__name"),
        Prefetch("events", queryset=rejections, to_attr="fix_rejections"),
    )


def request_rows() -> QuerySet[OrganizationRequest]:
    return _rows(
        pending_requests(),
        ("report__topic", "report__district", "organization", "suggested_organization", "requested_by"),
        (
            "id",
            "created_at",
            "kind",
            "planned_date",
            "reason",
            "report__topic__name",
            "report__district__name",
            "report__district__kind",
            "organization__name",
            "suggested_organization__name",
            "requested_by__full_name",
            "requested_by__email",
        ),
    )


def overdue_rows() -> QuerySet[Report]:
    return _rows(
        overdue_reports(),
        ("topic", "district", "organization"),
        ("id", "deadline", "is_overdue", "escalation_level", "topic__name", *DISTRICT, "organization__name"),
    )


def verdict_rows() -> QuerySet[Inspection]:
    links = InspectionPhoto.objects.select_related("photo").only(
        "id", "inspection_id", "distance_m", "is_far", *(f"photo__{f}" for f in PHOTO_FIELDS if f != "id")
    )
    return _rows(
        volunteer_selectors.verdicts_to_review(),
        ("report__topic", "report__district", "volunteer"),
        (
            "id",
            "submitted_at",
            "verdict",
            "far_photos",
            "comment",
            "report__status",
            "report__topic__name",
            "report__district__name",
            "report__district__kind",
            "volunteer__full_name",
            "volunteer__email",
        ),
        Prefetch("inspection_photos", queryset=links),
    )


def application_rows() -> QuerySet[Application]:
    return _rows(
        volunteer_selectors.pending_applications(),
        ("user", "district"),
        (
            "id",
            "created_at",
            "motivation",
            "user__full_name",
            "user__email",
            "user__date_joined",
            *DISTRICT,
        ),
    )


@dataclass(frozen=True)
class Queue:
    slug: str
    title: str
    empty: str
    template: str
    items: Any  # () -> QuerySet, in queue order
    order: tuple[str, ...]  # the ordering of items(), pk last
    rows: Any  # () -> QuerySet: items() as the queue page shows them
    # (page, report_url=, now=) -> the rows' HTML, for a queue whose rows are
    # written in Python (moderation.rows); None: its template renders them.
    row_html: Any = None

    def key_of(self, item) -> tuple:
        return tuple(getattr(item, name) for name in self.order)

    def after(self, key: tuple, exclude: int | None = None):
        """The first item after `key` in queue order, else the first item
        (the moderator skipped some); never the item `exclude` (a report's
        pk, or a request's in the requests queue)."""
        items = self.items()
        if exclude is not None:
            items = items.exclude(pk=exclude)
        later = items.filter(_after_q(self.order, key)).first() if None not in key else None
        return later if later is not None else items.first()


def _after_q(order: tuple[str, ...], key: tuple) -> Q:
    """Rows after `key` in the order (a, b, …): a > x, or a = x and b > y …"""
    q = Q()
    for i, name in enumerate(order):
        step = Q(**{f"{name}__gt": key[i]})
        for prev, value in zip(order[:i], key[:i], strict=True):
            step &= Q(**{prev: value})
        q |= step
    return q


QUEUES: dict[str, Queue] = {
    q.slug: q
    for q in (
        Queue(
            "new",
            "Новые сообщения",
            "Все новые сообщения разобраны.",
            "moderation/queue_new.html",
            new_reports,
            ("created_at", "pk"),
            new_rows,
            new_queue_rows,
        ),
        Queue(
            "answers",
            "Ответы на проверке",
            "Ответов на проверке нет.",
            "moderation/queue_answers.html",
            answers_to_check,
            ("answered_at", "pk"),
            answer_rows,
        ),
        Queue(
            "disputes",
            "Опровержения",
            "Опровергнутых решений нет.",
            "moderation/queue_disputes.html",
            disputes,
            ("updated_at", "pk"),
            dispute_rows,
        ),
        Queue(
            "requests",
            "Запросы исполнителей",
            "Запросов на переадресацию и перенос срока нет.",
            "moderation/queue_requests.html",
            pending_requests,
            ("created_at", "pk"),
            request_rows,
        ),
        Queue(
            "overdue",
            "Просроченные и эскалированные",
            "Просроченных сообщений нет.",
            "moderation/queue_overdue.html",
            overdue_reports,
            ("deadline", "pk"),
            overdue_rows,
        ),
        Queue(
            "inspections",
            "Итоги проверок",
            "Итогов общественных проверок, ждущих решения, нет.",
            "moderation/queue_inspections.html",
            volunteer_selectors.verdicts_to_review_with_photos,
            ("submitted_at", "pk"),
            verdict_rows,
        ),
        Queue(
            "applications",
            "Заявки волонтёров",
            "Заявок волонтёров нет.",
            "moderation/queue_applications.html",
            volunteer_selectors.pending_applications,
            ("created_at", "pk"),
            application_rows,
        ),
    )
}


def queue_counts() -> dict[str, int]:
    """The size of every queue in three queries, each on an index."""
    by_status = dict(
        Report.objects.filter(status__in=[Status.MODERATION, Status.ANSWER_REVIEW, Status.DISPUTED])
        .values_list("status")
        # COUNT(*), not COUNT(id): the status index answers it without the heap.
        .annotate(n=Count("*"))
        .order_by()
    )
    return {
        "new": by_status.get(Status.MODERATION, 0),
        "answers": by_status.get(Status.ANSWER_REVIEW, 0),
        "disputes": by_status.get(Status.DISPUTED, 0),
        "requests": pending_requests().count(),
        "overdue": Report.objects.filter(OVERDUE_Q).count(),
        "inspections": volunteer_selectors.verdicts_to_review().count(),
        "applications": volunteer_selectors.pending_applications().count(),
    }


# --- the report page -------------------------------------------------------


def report_for_desk(pk: int) -> Report:
    """A report with everything its moderation page shows (Report.DoesNotExist)."""
    return Report.objects.select_related(
        "topic__group", "district", "okrug", "building", "organization", "author", "duplicate_of"
    ).get(pk=pk)


def timeline(report: Report) -> list[ReportEvent]:
    """Every event, the non-public ones too, with their photos."""
    return list(
        report.events.select_related("actor", "organization")
        .prefetch_related(Prefetch("photos", queryset=Photo.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )


def photos_of(report: Report, role: str = Photo.Role.REPORT) -> list[Photo]:
    return list(report.photos.filter(role=role).order_by("pk"))


def answer_in_review(report: Report) -> Answer | None:
    return (
        report.answers.filter(state=Answer.State.REVIEW)
        .select_related("organization", "author", "event")
        .order_by("-pk")
        .first()
    )


def latest_fix_rejection(report: Report) -> ReportEvent | None:
    return report.events.filter(kind=EventKind.FIX_REJECTED).select_related("actor").order_by("-pk").first()


def requests_of(report: Report) -> list[OrganizationRequest]:
    return list(
        report.requests.filter(state=OrganizationRequest.State.PENDING)
        .select_related("organization", "suggested_organization", "requested_by")
        .order_by("created_at", "pk")
    )


def nearby_reports(report: Report) -> list[Report]:
    """Merge suggestions: reports of the same topic within 150 m that are in
    moderation or open, nearest first."""
    point: Point = report.point
    box = box_around(point, NEARBY_METRES)
    box.srid = 4326
    statuses = [Status.MODERATION, Status.IN_WORK, Status.ANSWER_REVIEW, Status.ANSWERED, Status.DISPUTED]
    # The box lets the spatial index pick the few candidates; the distance
    # is checked on those only.
    qs = (
        Report.objects.filter(topic_id=report.topic_id, status__in=statuses, point__intersects=box)
        .filter(point__distance_lte=(point, D(m=NEARBY_METRES)))
        .exclude(pk=report.pk)
        .select_related("topic")
        .order_by("created_at", "pk")[:10]
    )
    return list(qs)


def active_topics() -> list[Topic]:
    return list(Topic.objects.filter(is_active=True).select_related("group"))


def active_organizations() -> QuerySet[Organization]:
    return Organization.objects.filter(is_active=True)


def organization_candidates(report: Report, *extra: Organization | None) -> list[Organization]:
    """The organizations a moderator most likely wants for this report: those
    serving its district, the city-wide ones, the okrug's prefecture, the
    building's managing company, plus `extra` (the proposed, the current, the chosen one). The
    autocomplete finds any other."""
    q = (
        Q(districts=report.district_id)
        | Q(city_wide=True)
        | Q(kind=OrganizationKind.PREFECTURE, okrug=report.okrug_id)
    )
    if report.building_id:
        q |= Q(buildings=report.building_id)
    found = {o.pk: o for o in active_organizations().filter(q).distinct()}
    for org in extra:
        if org is not None:
            found.setdefault(org.pk, org)
    return sorted(found.values(), key=lambda o: (o.get_kind_display(), o.name))


def search_organizations(text: str, limit: int = ORGANIZATION_SUGGESTIONS) -> list[Organization]:
    """Active organizations whose name has every word typed (or whose code
    has the text)."""
    words = text.split()
    if len(text.strip()) < 2:
        return []
    q = Q()
    for word in words:
        # SQLite folds the case of ASCII letters only: try the usual
        # spellings of a Cyrillic word («жилищник», «Жилищник», «ЖИЛИЩНИК»).
        spellings = Q(name__icontains=word)
        for variant in {word.lower(), word.capitalize(), word.upper()}:
            spellings |= Q(name__contains=variant)
        q &= spellings
    q |= Q(code__icontains=text.strip())
    return list(active_organizations().filter(q).order_by("name")[:limit])


def queue_page(queue: Queue, number):
    """A queue's page: its rows read fresh, its total kept a few seconds
    (nashgorod.paging: the count is the one query that grows with the queue)."""
    return CachedCountPaginator(queue.rows(), PAGE_SIZE, count_key=f"queue:{queue.slug}").get_page(number)


def forget_queue_counts() -> None:
    """After a desk action: every queue counts again (an action can move a
    report from one queue to another)."""
    forget_counts(*(f"queue:{slug}" for slug in QUEUES))
