"""Test data for the public map and the public report page: reports made
through the submission service, then put into a published status.

The publish transition arrives with another issue; until then, `publish()`
sets the published state with a queryset update, as TEST SET-UP ONLY. When
the service exists, publish() should call it instead.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.gis.geos import Point
from django.utils import timezone

from issues.models import Report, Status, Topic
from issues.services import Submission, submit_report
from organizations.models import Kind, Organization

# Places in different districts, with their names (see tests/factories.py).
RED_SQUARE = Point(37.6208, 55.7539, srid=4326)  # Тверской, ЦАО
ACADEMIC_STREET = Point(37.5240, 55.8180, srid=4326)  # Коптево, САО
YASENEVO = Point(37.5500, 55.6200, srid=4326)  # Ясенево, ЮЗАО


def plain_topics():
    """Topics a test can report without photos or a building."""
    return Topic.objects.filter(
        photo_required=False, needs_building=False, is_active=True, season__isnull=True
    ).select_related("group")


def plain_topic(group_code: str | None = None) -> Topic:
    topics = plain_topics().order_by("pk")
    if group_code:
        topics = topics.filter(group__code=group_code)
    return topics.first()


def submit(
    author, point: Point = RED_SQUARE, *, topic: Topic | None = None, description: str = "", **kwargs
) -> Report:
    report, _ = submit_report(
        author,
        Submission(topic=topic or plain_topic(), point=point, description=description, **kwargs),
    )
    return report


def publish(reports, status: str = Status.IN_WORK, organization: Organization | None = None) -> None:
    """TEST SET-UP: put reports into a published status as if the editorial
    team had published them and routed them to an organization (the district
    council of the report's district unless one is given). Not the real
    transition: no event is written."""
    now = timezone.now()
    for report in reports:
        org = (
            organization
            or Organization.objects.filter(kind=Kind.DISTRICT_COUNCIL, districts=report.district_id).first()
        )
        Report.objects.filter(pk=report.pk).update(
            status=status, published_at=now, deadline=now + timedelta(days=8), organization=org
        )
        report.refresh_from_db()


def jittered(point: Point, rng: random.Random, metres: float = 50) -> Point:
    """A point within about `metres` of the given one."""
    d = metres / 111_000
    return Point(point.x + rng.uniform(-d, d) * 1.8, point.y + rng.uniform(-d, d), srid=4326)
