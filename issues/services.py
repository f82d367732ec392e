"""The report's state changes: one function each, and nothing else writes a
report's status. Each runs in a transaction, locks the report, checks the
change is allowed, saves with update_fields and records an event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.roles import Capability, can
from issues.errors import DomainError
from issues.events import record_event
from issues.models import EventKind, Photo, Report, Status, Topic
from places.geo import require_location
from places.models import Building

MAX_PHOTOS = 5
MAX_DESCRIPTION = 2000


@dataclass
class Submission:
    topic: Topic
    point: Point
    description: str = ""
    address: str = ""
    building: Building | None = None
    photos: list = None  # issues.photos.ProcessedPhoto
    key: uuid.UUID | None = None


def check_submission(author, sub: Submission):
    """Everything that can be refused before anything is written."""
    if not can(author, Capability.REPORT):
        raise DomainError("Сообщать о проблемах могут зарегистрированные жители.", "forbidden")
    if not sub.topic.is_available(timezone.localdate()):
        raise DomainError("Эта тема сейчас недоступна.", "topic_unavailable", "topic")
    if sub.topic.needs_building and sub.building is None:
        raise DomainError("Для этой темы выберите дом из списка адресов.", "building_required", "building")
    photos = sub.photos or []
    if sub.topic.photo_required and not photos:
        raise DomainError("Для этой темы нужно приложить хотя бы одно фото.", "photo_required", "photos")
    if len(photos) > MAX_PHOTOS:
        raise DomainError(f"Можно приложить не больше {MAX_PHOTOS} фото.", "too_many_photos", "photos")
    if len(sub.description) > MAX_DESCRIPTION:
        raise DomainError(
            f"Описание длиннее {MAX_DESCRIPTION} символов.", "description_too_long", "description"
        )
    return require_location(sub.building.point if sub.building else sub.point)


def submit_report(author, sub: Submission) -> tuple[Report, bool]:
    """Create a report in moderation with its first event and its photos.

    Idempotent on `sub.key`: a double click or a resent form (the same key)
    returns the report already made, with created=False.
    """
    if sub.key is not None:
        existing = Report.objects.filter(submission_key=sub.key).first()
        if existing is not None:
            return _same_author(existing, author), False
    location = check_submission(author, sub)
    point = sub.building.point if sub.building else sub.point
    try:
        with transaction.atomic():
            report = Report.objects.create(
                author=author,
                topic=sub.topic,
                point=point,
                address=sub.address or (sub.building.short_address if sub.building else ""),
                building=sub.building,
                district=location.district,
                okrug=location.okrug,
                description=sub.description.strip(),
                submission_key=sub.key or uuid.uuid4(),
            )
            event = record_event(report, EventKind.CREATED, actor=author, to_status=Status.MODERATION)
            if sub.photos:
                from issues.photos import attach_photos

                attach_photos(report, sub.photos, Photo.Role.REPORT, author, event=event)
    except IntegrityError:
        # Two requests with one key raced past the check above: the unique
        # submission_key let one of them in; return that one.
        existing = Report.objects.filter(submission_key=sub.key).first()
        if existing is None:
            raise
        return _same_author(existing, author), False
    return report, True


def _same_author(report: Report, author) -> Report:
    if report.author_id != author.pk:
        raise DomainError("Повторный ключ отправки.", "duplicate_submission_key")
    return report
