"""What the resident's and the public pages read about reports, shared by
the HTML views and the API: a report's public page with its timeline,
«Мои сообщения» and the duplicate hint. Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.geos import Point, Polygon
from django.contrib.gis.measure import D
from django.db.models import F, Max, Q, QuerySet

from accounts.models import Role
from issues.models import OPEN_STATUSES, EventKind, Photo, Report, ReportEvent, Status

NEARBY_METRES = 100


# -- «Мои сообщения» --------------------------------------------------------


def own_reports(user, status: str = "") -> QuerySet[Report]:
    """The user's reports, newest first, with the time of their last change
    (served by the index report_author_created)."""
    own = (
        Report.objects.filter(author=user)
        .select_related("topic", "topic__group", "district")
        .annotate(last_change=Max("events__created_at"))
        .order_by("-created_at")
    )
    return own.filter(status=status) if status else own


def followed_reports(user) -> QuerySet[Report]:
    """Other people's reports the user follows, newest first."""
    return (
        Report.objects.filter(followers__user=user)
        .select_related("topic", "district")
        .annotate(last_change=Max("events__created_at"))
        .order_by("-created_at")
    )


def nearby_open_reports(topic_id: int, point: Point, exclude_pk: int | None = None):
    """Open reports of one topic within 100 m: the duplicate hint."""
    # A box of about ±150 m lets the spatial index pick the candidates; the
    # exact distance is then checked on those few.
    box = Polygon.from_bbox((point.x - 0.0025, point.y - 0.0015, point.x + 0.0025, point.y + 0.0015))
    box.srid = 4326
    qs = (
        Report.objects.filter(topic_id=topic_id, status__in=OPEN_STATUSES, point__intersects=box)
        .filter(point__distance_lte=(point, D(m=NEARBY_METRES)))
        .select_related("topic")
        .order_by("-published_at")[:10]
    )
    return [r for r in qs if r.pk != exclude_pk]


# -- a report's public page -------------------------------------------------

ROLE_LABELS = {
    Role.RESIDENT: "Житель",
    Role.STAFF: "Исполнитель",
    Role.MODERATOR: "Редакция",
    Role.ADMINISTRATOR: "Редакция",
    Role.VOLUNTEER: "Волонтёр",
    Role.SUPERVISOR: "Контролирующий орган",
}
# Events whose text is written for the public: the answer.
PUBLIC_TEXT_KINDS = {EventKind.ANSWER_PUBLISHED}


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    label: str
    who: str
    at: object  # datetime
    organization: str
    text: str
    photos: list


# The verdicts of volunteer inspections, as the public timeline words them
# (volunteers.models.Inspection.Verdict; issues does not import volunteers).
INSPECTION_VERDICTS = {
    "fixed": "Проблема устранена",
    "partly": "Проблема устранена частично",
    "not_fixed": "Проблема не устранена",
}


def _who(event: ReportEvent, report: Report) -> str:
    """The actor's role, never the person."""
    if event.kind == EventKind.INSPECTION:
        # An inspection is the volunteers' (whoever of the editorial team
        # accepted it): never the volunteer, not even as the report's author.
        return "Волонтёр"
    if event.actor_id is None:
        return "Портал"
    if event.actor_id == report.author_id:
        return "Автор"
    return ROLE_LABELS.get(event.actor_role, "Портал")


def _public_text(event: ReportEvent) -> str:
    if event.kind == EventKind.INSPECTION:
        # Only the verdict: the volunteer's own words may name them.
        verdict = INSPECTION_VERDICTS.get((event.payload or {}).get("verdict", ""), "")
        return f"Итог выезда на место: {verdict.lower()}." if verdict else ""
    return event.text if event.kind in PUBLIC_TEXT_KINDS else ""


def public_report_queryset():
    """A report with what its public page shows beside it. Its photos and
    its timeline come from public_details (two plain queries: the prefetch
    machinery cost more than the queries themselves)."""
    return (
        Report.objects.select_related("topic__group", "district", "okrug", "organization")
        # Boundaries are big; the organization's contacts are not shown.
        .defer("district__boundary", "okrug__boundary", "organization__email", "organization__phone")
    )


PUBLIC_PHOTO_FIELDS = ("id", "report_id", "event_id", "role", "image", "thumbnail", "width", "height")


def public_details(report: Report) -> tuple[list[Photo], list[TimelineEntry]]:
    """The report's own photos and its public timeline, each event with its
    photos (an answer's, a dispute's, an inspection's; never the report's
    own, which are shown above): the public events in one query, all these
    photos in one more."""
    # Only the actor's role and the organization's name come with an event:
    # no user object reaches the template, so none of its fields can leak.
    events = list(
        ReportEvent.objects.filter(report=report, is_public=True)
        .annotate(actor_role=F("actor__role"), organization_name=F("organization__name"))
        .only("id", "report_id", "kind", "actor_id", "text", "payload", "created_at")
        .order_by("created_at", "pk")
    )
    own = Q(report=report, role=Photo.Role.REPORT)
    of_events = Q(event__in=[event.pk for event in events]) & ~Q(role=Photo.Role.REPORT)
    report_photos, event_photos = [], {}
    for photo in Photo.objects.filter(own | of_events if events else own).only(*PUBLIC_PHOTO_FIELDS):
        if photo.role == Photo.Role.REPORT:
            report_photos.append(photo)
        else:
            event_photos.setdefault(photo.event_id, []).append(photo)
    timeline = [
        TimelineEntry(
            kind=event.kind,
            label=event.get_kind_display(),
            who=_who(event, report),
            at=event.created_at,
            organization=event.organization_name or "",
            text=_public_text(event),
            photos=event_photos.get(event.pk, []),
        )
        for event in events
    ]
    return report_photos, timeline


def moderation_notice(report: Report) -> dict | None:
    """What the author (or an editor) sees on a report that is not public."""
    if report.is_published:
        return None
    if report.status == Status.MODERATION:
        return {
            "title": "На модерации",
            "text": "Сообщение проверяет редакция. До публикации его видите только вы.",
        }
    if report.status == Status.REJECTED:
        event = (
            ReportEvent.objects.filter(report=report, kind=EventKind.REJECTED)
            .order_by("-created_at", "-pk")
            .only("reason", "text")
            .first()
        )
        details = " ".join(part for part in (event.reason, event.text) if part) if event else ""
        return {"title": "Отклонено", "text": details or "Редакция отклонила сообщение."}
    if report.status == Status.DUPLICATE:
        return {
            "title": "Дубликат",
            "text": "Сообщение объединено с другим сообщением о той же проблеме.",
            "duplicate_of": report.duplicate_of_id,
        }
    return {"title": report.get_status_display(), "text": ""}
