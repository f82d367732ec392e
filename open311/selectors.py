"""What Open311 reads: the services (topics), the visible requests and
their updates, each list in a fixed number of queries.

Which requests are visible: the published ones (in work, answered,
resolved … — issues.access's rule for the public page), and, to the client
application that filed it (its api_key sent with the call), a request in
moderation, rejected or merged, so that the client can follow what became of
it. Everyone else gets 404 for those, as on the public page.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from issues.models import (
    FINAL_STATUSES,
    PUBLISHED_STATUSES,
    Answer,
    EventKind,
    Photo,
    Report,
    ReportEvent,
    Topic,
    TopicQuestion,
)
from open311.models import ClientApplication
from open311.params import RequestsQuery, UpdatesQuery


def available_topics() -> list[Topic]:
    """Topics one can report on today, with their question counts."""
    today = timezone.localdate()
    topics = (
        Topic.objects.filter(is_active=True)
        .select_related("group", "season")
        .annotate(question_count=Count("questions"))
        .order_by("group__position", "group__name", "position", "name")
    )
    return [t for t in topics if t.is_available(today)]


def service_definition(service_code: str) -> tuple[Topic, list[TopicQuestion]] | None:
    topic = Topic.objects.filter(code=service_code, is_active=True).first()
    if topic is None:
        return None
    return topic, list(topic.questions.order_by("order", "pk"))


def service_definitions() -> list[tuple[Topic, list[TopicQuestion]]]:
    """Every active topic with its questions in order (what services/{code} shows), by code."""
    topics = (
        Topic.objects.filter(is_active=True)
        .prefetch_related(
            Prefetch("questions", queryset=TopicQuestion.objects.order_by("order", "pk"), to_attr="ordered")
        )
        .order_by("code")
    )
    return [(topic, topic.ordered) for topic in topics]


def visible(client: ClientApplication | None) -> Q:
    condition = Q(status__in=PUBLISHED_STATUSES)
    if client is not None:
        condition |= Q(open311__client=client)
    return condition


def _last_public_event():
    return Subquery(
        ReportEvent.objects.filter(report=OuterRef("pk"), is_public=True)
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )


def with_details(queryset: QuerySet[Report]) -> QuerySet[Report]:
    """Everything a request's row shows, loaded in a fixed number of queries."""
    return (
        queryset.select_related("topic", "organization", "building", "open311")
        .defer("organization__email", "organization__phone")
        .annotate(last_event_at=_last_public_event())
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.filter(state=Answer.State.PUBLISHED).order_by("-created_at", "-pk"),
                to_attr="published_answers",
            ),
            Prefetch(
                "events",
                queryset=ReportEvent.objects.filter(kind=EventKind.REJECTED).order_by("-created_at", "-pk"),
                to_attr="rejections",
            ),
            Prefetch(
                "photos",
                queryset=Photo.objects.filter(role=Photo.Role.REPORT).only(
                    "id", "report_id", "image", "width", "height"
                ),
                to_attr="report_photos",
            ),
        )
    )


def requests(client: ClientApplication | None, query: RequestsQuery) -> list[Report]:
    reports = Report.objects.filter(visible(client))
    if query.ids:
        # The standard: service_request_id overrides every other argument.
        return list(
            with_details(reports.filter(pk__in=query.ids)).order_by("-created_at", "-pk")[: len(query.ids)]
        )
    if query.service_codes:
        reports = reports.filter(topic__code__in=query.service_codes)
    if query.statuses and set(query.statuses) != {"open", "closed"}:
        closed = Q(status__in=FINAL_STATUSES)
        reports = reports.filter(closed if query.statuses == ["closed"] else ~closed)
    if query.window.start is not None:
        reports = reports.filter(created_at__gte=query.window.start)
    if query.window.end is not None:
        reports = reports.filter(created_at__lte=query.window.end)
    if query.updated.start is not None:
        # Updated after X: a public event after X (served by the events' created_at index).
        reports = reports.filter(
            Exists(
                ReportEvent.objects.filter(
                    report=OuterRef("pk"), is_public=True, created_at__gt=query.updated.start
                )
            )
        )
    if query.updated.end is not None:
        # Updated before Y: its last public event is at or before Y.
        reports = reports.exclude(
            Exists(
                ReportEvent.objects.filter(
                    report=OuterRef("pk"), is_public=True, created_at__gt=query.updated.end
                )
            )
        )
    return list(query.page.slice(with_details(reports).order_by("-created_at", "-pk")))


def request(client: ClientApplication | None, report_id: str) -> Report | None:
    if not report_id.isdigit() or len(report_id) > 18:
        return None
    return with_details(Report.objects.filter(visible(client), pk=int(report_id))).first()


def request_by_token(token: str):
    from open311.models import ServiceRequest

    return ServiceRequest.objects.filter(token=token).only("token", "report_id").first()


# -- updates (FixMyStreet's servicerequestupdates) ------------------------------


def updates(client: ClientApplication | None, query: UpdatesQuery) -> tuple[list[ReportEvent], dict]:
    """Public status changes (the answer's publication is one) of visible requests in the window, oldest first,
    and the published answers' photos by answer id."""
    events = (
        ReportEvent.objects.filter(is_public=True)
        .exclude(to_status="")
        .filter(report__in=Report.objects.filter(visible(client)).values("pk"))
        .select_related("organization")
        .defer("organization__email", "organization__phone")
        .order_by("created_at", "pk")
    )
    if query.window.start is not None:
        events = events.filter(created_at__gte=query.window.start)
    if query.window.end is not None:
        events = events.filter(created_at__lte=query.window.end)
    events = list(query.page.slice(events))
    answer_ids = [e.payload.get("answer") for e in events if e.kind == EventKind.ANSWER_PUBLISHED]
    photos: dict[int, Photo] = {}
    answer_ids = [a for a in answer_ids if isinstance(a, int)]
    if answer_ids:
        # The "after" photos hang on the organization's answer event.
        answers = dict(Answer.objects.filter(pk__in=answer_ids).values_list("event_id", "pk"))
        for photo in Photo.objects.filter(event_id__in=list(answers), role=Photo.Role.ANSWER).order_by("pk"):
            photos.setdefault(answers[photo.event_id], photo)
    return events, photos


def known_service_codes(codes: list[str]) -> list[str]:
    return list(Topic.objects.filter(code__in=codes).values_list("code", flat=True))
