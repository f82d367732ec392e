"""Read-only queries of volunteer inspections: the pool with distances, a
volunteer's tasks and standing, the editorial desk's queues. Each list is a
fixed number of queries whatever its length (the tests count them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from issues.models import Photo
from volunteers.models import Application, Inspection, Volunteer
from volunteers.services import INSPECTABLE_STATUSES

POOL_LIMIT = 200


def _report_photos() -> Prefetch:
    return Prefetch(
        "report__photos",
        queryset=Photo.objects.filter(role=Photo.Role.REPORT).order_by("pk"),
        to_attr="report_photos",
    )


def pool(point: Point | None = None, limit: int = POOL_LIMIT, for_user=None) -> list[Inspection]:
    """Tasks a volunteer may take now: open, or taken past their time. With a
    point, nearest first and each with its `distance` (metres, from the
    database: geodesic on PostGIS and SpatiaLite alike); else oldest first.
    With `for_user`, without the reports they wrote (theirs to take never)."""
    now = timezone.now()
    tasks = (
        Inspection.objects.filter(
            Q(status=Inspection.Status.OPEN) | Q(status=Inspection.Status.TAKEN, taken_until__lt=now),
            report__status__in=INSPECTABLE_STATUSES,
        )
        .select_related("report__topic", "report__district")
        .defer("report__district__boundary")
    )
    if for_user is not None:
        tasks = tasks.exclude(report__author=for_user)
    if point is not None:
        tasks = tasks.annotate(distance=Distance("report__point", point)).order_by("distance", "pk")
    else:
        tasks = tasks.order_by("created_at", "pk")
    return list(tasks[:limit])


def held_by(user) -> list[Inspection]:
    """The tasks the volunteer holds now, the most urgent first."""
    return list(
        Inspection.objects.filter(
            volunteer=user, status=Inspection.Status.TAKEN, taken_until__gte=timezone.now()
        )
        .select_related("report__topic", "report__district")
        .defer("report__district__boundary")
        .order_by("taken_until", "pk")
    )


def inspections_of(user) -> QuerySet[Inspection]:
    """Everything the volunteer reported on, newest first."""
    return (
        Inspection.objects.filter(volunteer=user)
        .exclude(status=Inspection.Status.TAKEN)
        .select_related("report__topic", "report__district")
        .defer("report__district__boundary")
        .order_by("-submitted_at", "-pk")
    )


@dataclass(frozen=True)
class Standing:
    accepted: int
    declined: int
    awaiting: int
    held: int
    lapsed: int
    suspended: bool
    since: object  # datetime of approval, or None

    @property
    def reviewed(self) -> int:
        return self.accepted + self.declined

    @property
    def acceptance_percent(self) -> int | None:
        return round(100 * self.accepted / self.reviewed) if self.reviewed else None

    @property
    def level(self) -> str:
        """A word for the standing, for the volunteer's page."""
        if self.suspended:
            return "участие приостановлено"
        if self.accepted >= 50 and (self.acceptance_percent or 0) >= 90:
            return "опытный волонтёр"
        if self.accepted >= 10:
            return "активный волонтёр"
        return "новичок"


def standing(user) -> Standing:
    """Counts of the volunteer's inspections by outcome, in one query."""
    now = timezone.now()
    counts = Inspection.objects.filter(volunteer=user).aggregate(
        accepted=Count("pk", filter=Q(status=Inspection.Status.ACCEPTED)),
        declined=Count("pk", filter=Q(status=Inspection.Status.DECLINED)),
        awaiting=Count("pk", filter=Q(status=Inspection.Status.SUBMITTED)),
        held=Count("pk", filter=Q(status=Inspection.Status.TAKEN, taken_until__gte=now)),
    )
    record = Volunteer.objects.filter(user=user).first()
    return Standing(
        **counts,
        lapsed=record.lapsed_count if record else 0,
        suspended=record is not None and record.status == Volunteer.Status.SUSPENDED,
        since=record.approved_at if record else None,
    )


def latest_application(user) -> Application | None:
    return Application.objects.filter(user=user).order_by("-created_at", "-pk").first()


# --- the editorial desk -------------------------------------------------------


def verdicts_to_review() -> QuerySet[Inspection]:
    """Verdicts awaiting the editorial team, the longest waiting first
    (served by the inspection_review_queue partial index)."""
    return (
        Inspection.objects.filter(status=Inspection.Status.SUBMITTED)
        .select_related("report__topic", "report__district", "report__organization", "volunteer")
        .defer("report__district__boundary")
        .order_by("submitted_at", "pk")
    )


def verdicts_to_review_with_photos() -> QuerySet[Inspection]:
    """The desk's queue page: the verdicts with their photos and links."""
    return verdicts_to_review().prefetch_related("inspection_photos__photo")


def pending_applications() -> QuerySet[Application]:
    """Applications awaiting a decision, oldest first (volunteer_application_queue)."""
    return (
        Application.objects.filter(status=Application.Status.PENDING)
        .select_related("user", "district")
        .defer("district__boundary")
        .order_by("created_at", "pk")
    )


def volunteers_with_standing() -> QuerySet[Volunteer]:
    """Every volunteer with the counts of their inspections, in one query."""
    return (
        Volunteer.objects.select_related("user")
        .annotate(
            accepted=Count(
                "user__inspections", filter=Q(user__inspections__status=Inspection.Status.ACCEPTED)
            ),
            declined=Count(
                "user__inspections", filter=Q(user__inspections__status=Inspection.Status.DECLINED)
            ),
        )
        .order_by("status", "user__full_name", "pk")
    )


def inspections_of_report(report) -> list[Inspection]:
    """A report's inspections for its desk page, with their photos and links."""
    return list(
        report.inspections.select_related("volunteer", "ordered_by", "reviewed_by")
        .prefetch_related("inspection_photos__photo")
        .order_by("-created_at", "-pk")
    )
