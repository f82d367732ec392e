"""The report's state changes: one function each, and nothing else writes a
report's status. Each runs in a transaction, locks the report, checks the
change is allowed, saves with update_fields and records an event."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.access import acts_for
from accounts.roles import Capability, can
from issues import deadlines
from issues.errors import DomainError, TransitionNotAllowed
from issues.events import record_event
from issues.models import (
    Answer,
    EventKind,
    Follower,
    OrganizationRequest,
    Outcome,
    Photo,
    Report,
    Status,
    Topic,
)
from issues.photos import attach_photos, validate_photo_count
from issues.questions import clean_answers
from organizations.routing import route_topic
from places.geo import Location, require_location
from places.models import Building

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
    answers: dict | None = None  # the topic's questions: code -> list of raw values (issues.questions)
    location: Location | None = None  # where the report's point lies, if already looked up


def check_submission(author, sub: Submission):
    """Everything that can be refused before anything is written."""
    if not can(author, Capability.REPORT):
        raise DomainError("Сообщать о проблемах могут зарегистрированные жители.", "forbidden")
    if not sub.topic.is_available(timezone.localdate()):
        raise DomainError("Эта тема сейчас недоступна.", "topic_unavailable", "topic")
    if sub.topic.needs_building and sub.building is None:
        raise DomainError("Для этой темы выберите дом из списка адресов.", "building_required", "building")
    validate_photo_count(sub.photos or [], required=sub.topic.photo_required)
    if len(sub.description) > MAX_DESCRIPTION:
        raise DomainError(
            f"Описание длиннее {MAX_DESCRIPTION} символов.", "description_too_long", "description"
        )
    if sub.location is not None:
        return sub.location
    return require_location(sub.building.point if sub.building else sub.point)


def submit_report(author, sub: Submission) -> tuple[Report, bool]:
    """Create a report in moderation with its first event and its photos.

    Idempotent on `sub.key`: a double click or a resent form (the same key)
    returns the report already made, with created=False. A new report comes
    with its topic, district and `last_change` (its first event's time) as
    selectors.own_reports would read them, so it needs no second read.
    """
    if sub.key is not None:
        existing = Report.objects.filter(submission_key=sub.key).first()
        if existing is not None:
            return _same_author(existing, author), False
    location = check_submission(author, sub)
    answers = clean_answers(sub.topic, sub.answers or {})
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
                question_answers=answers,
                submission_key=sub.key or uuid.uuid4(),
            )
            event = record_event(report, EventKind.CREATED, actor=author, to_status=Status.MODERATION)
            report.last_change = event.created_at
            if sub.photos:
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


def follow_report(user, report: Report) -> bool:
    """The resident follows someone else's report instead of filing a
    duplicate; returns False when already following (a second click)."""
    if report.author_id == user.pk:
        return False
    _, created = Follower.objects.get_or_create(user=user, report=report)
    return created


# ---------------------------------------------------------------------------
# The report's life after submission. Each function below is the one way its
# change happens: it locks the report, checks the actor and the status, saves
# with update_fields and writes the event in the same transaction.
# ---------------------------------------------------------------------------

VERDICT_WINDOW_DAYS = getattr(settings, "VERDICT_WINDOW_DAYS", 7)
# How long after the first escalation an unanswered report goes one level up.
FURTHER_ESCALATION_DAYS = getattr(settings, "FURTHER_ESCALATION_DAYS", 3)
REJECT_REASONS = {
    "not_city": "Вопрос не относится к ведению городских служб",
    "no_problem": "На фото не видно проблемы",
    "wrong_topic": "Тема не соответствует проблеме",
    "obscene": "Нецензурная или оскорбительная лексика",
    "private": "Частная территория",
    "spam": "Реклама или спам",
    "other": "Другое",
}


def _lock(report: Report | int) -> Report:
    pk = report.pk if isinstance(report, Report) else report
    return Report.objects.select_for_update().get(pk=pk)


def _expect(report: Report, *statuses: str) -> None:
    if report.status not in statuses:
        raise TransitionNotAllowed(
            f"Сообщение №{report.pk} уже в статусе «{report.get_status_display()}»: "
            "его изменил кто-то другой или действие недоступно."
        )


def _require_moderator(actor) -> None:
    if not can(actor, Capability.MODERATE):
        raise DomainError("Это действие доступно только редакции.", "forbidden")


def _require_staff_of(actor, report: Report) -> None:
    if not acts_for(actor, report.organization):
        raise DomainError("Отвечать может только сотрудник организации-исполнителя.", "forbidden")


def _require_author(actor, report: Report) -> None:
    if actor is None or report.author_id != actor.pk:
        raise DomainError("Оценить ответ может только автор сообщения.", "forbidden")


def _move(report: Report, to_status: str, fields: dict, kind: EventKind, actor, **event):
    from_status = report.status
    report.status = to_status
    for name, value in fields.items():
        setattr(report, name, value)
    report.save(update_fields=["status", "updated_at", *fields])
    if from_status == Status.IN_WORK and to_status != Status.IN_WORK:
        # The organization answered while asking for a redirect or more time:
        # the question is moot, and must not wait in the editorial queue for ever.
        report.requests.filter(state=OrganizationRequest.State.PENDING).update(
            state=OrganizationRequest.State.REFUSED,
            decided_at=timezone.now(),
            comment="Запрос закрыт: исполнитель дал ответ.",
        )
    return record_event(report, kind, actor=actor, from_status=from_status, to_status=to_status, **event)


def _deadline_from(report: Report, start: dt.datetime) -> dt.datetime:
    return deadlines.add_days(start, report.topic.deadline_days, report.topic.calendar_days)


def proposed_organization(report: Report):
    return route_topic(report.topic, report.district, report.building)


@transaction.atomic
def publish(actor, report: Report | int, organization=None) -> Report:
    """Moderation → in work: routed to an organization, the deadline starts."""
    _require_moderator(actor)
    report = _lock(report)
    _expect(report, Status.MODERATION)
    organization = organization or proposed_organization(report)
    if organization is None:
        raise DomainError("Не найдена организация-исполнитель: выберите её вручную.", "no_organization")
    now = timezone.now()
    report.organization = organization
    _move(
        report,
        Status.IN_WORK,
        {"organization": organization, "published_at": now, "deadline": _deadline_from(report, now)},
        EventKind.PUBLISHED,
        actor,
        payload={"organization": organization.name},
    )
    return report


@transaction.atomic
def reject(actor, report: Report | int, reason: str, comment: str = "") -> Report:
    _require_moderator(actor)
    if reason not in REJECT_REASONS:
        raise DomainError("Выберите причину отклонения из списка.", "reason_required", "reason")
    report = _lock(report)
    _expect(report, Status.MODERATION)
    _move(
        report,
        Status.REJECTED,
        {"closed_at": timezone.now()},
        EventKind.REJECTED,
        actor,
        reason=reason,
        text=comment or REJECT_REASONS[reason],
    )
    return report


@transaction.atomic
def merge(actor, report: Report | int, into: Report) -> Report:
    """A duplicate: its author follows the original from now on."""
    _require_moderator(actor)
    report = _lock(report)
    _expect(report, Status.MODERATION)
    if into.pk == report.pk or into.status in (Status.REJECTED, Status.DUPLICATE):
        raise DomainError("Объединять можно только с другим действующим сообщением.", "bad_merge_target")
    _move(
        report,
        Status.DUPLICATE,
        {"duplicate_of": into, "closed_at": timezone.now()},
        EventKind.MERGED,
        actor,
        payload={"into": into.pk},
    )
    if into.author_id != report.author_id:
        Follower.objects.get_or_create(report=into, user_id=report.author_id)
    return report


@transaction.atomic
def change_topic(actor, report: Report | int, topic: Topic) -> Report:
    _require_moderator(actor)
    report = _lock(report)
    _expect(report, Status.MODERATION)
    if topic.pk == report.topic_id:
        return report
    old = report.topic.name
    report.topic = topic
    report.save(update_fields=["topic", "updated_at"])
    record_event(report, EventKind.TOPIC_CHANGED, actor=actor, payload={"from": old, "to": topic.name})
    return report


@transaction.atomic
def change_point(
    actor, report: Report | int, point: Point, building: Building | None = None, address: str = ""
) -> Report:
    _require_moderator(actor)
    location = require_location(point)
    report = _lock(report)
    _expect(report, Status.MODERATION)
    report.point, report.building = point, building
    report.district, report.okrug = location.district, location.okrug
    # The old address text would describe the old place.
    report.address = building.short_address if building is not None else address.strip()
    report.save(update_fields=["point", "building", "district", "okrug", "address", "updated_at"])
    record_event(
        report,
        EventKind.POINT_CHANGED,
        actor=actor,
        payload={"lat": point.y, "lon": point.x, "district": location.district.name},
    )
    return report


@transaction.atomic
def answer(
    actor, report: Report | int, outcome: str, text: str, photos=None, planned_date: dt.date | None = None
) -> Answer:
    """The organization answers: the clock stops while the editorial team checks."""
    report = _lock(report)
    _require_staff_of(actor, report)
    _expect(report, Status.IN_WORK)
    if outcome not in Outcome.values:
        raise DomainError("Выберите результат.", "outcome_required", "outcome")
    if not text.strip():
        raise DomainError("Напишите текст ответа.", "text_required", "text")
    if outcome == Outcome.PLANNED and planned_date is None:
        raise DomainError("Для запланированных работ укажите дату.", "planned_date_required", "planned_date")
    event = _move(
        report,
        Status.ANSWER_REVIEW,
        {"answered_at": timezone.now()},
        EventKind.ANSWERED,
        actor,
        text=text.strip(),
        is_public=False,
        payload={"outcome": outcome},
    )
    reply = Answer.objects.create(
        report=report,
        organization=report.organization,
        author=actor,
        outcome=outcome,
        text=text.strip(),
        planned_date=planned_date,
        event=event,
    )
    if photos:
        attach_photos(report, photos, Photo.Role.ANSWER, actor, event=event)
    return reply


def _answer_in_review(report: Report) -> Answer:
    reply = report.answers.filter(state=Answer.State.REVIEW).order_by("-pk").first()
    if reply is None:
        raise TransitionNotAllowed("Нет ответа, ожидающего проверки.")
    return reply


@transaction.atomic
def publish_answer(actor, report: Report | int, comment: str = "") -> Report:
    _require_moderator(actor)
    report = _lock(report)
    _expect(report, Status.ANSWER_REVIEW)
    reply = _answer_in_review(report)
    reply.state, reply.moderator_comment = Answer.State.PUBLISHED, comment
    reply.save(update_fields=["state", "moderator_comment"])
    now = timezone.now()
    fields = {"verdict_due": now + dt.timedelta(days=VERDICT_WINDOW_DAYS), "is_overdue": report.is_overdue}
    if reply.outcome == Outcome.PLANNED:
        fields["planned_date"] = reply.planned_date
    _move(
        report,
        Status.ANSWERED,
        fields,
        EventKind.ANSWER_PUBLISHED,
        actor,
        text=reply.text,
        payload={
            "outcome": reply.outcome,
            "answer": reply.pk,
            "organization": report.organization.name,
            "planned_date": reply.planned_date.isoformat() if reply.planned_date else None,
        },
    )
    return report


@transaction.atomic
def return_answer(actor, report: Report | int, comment: str) -> Report:
    """A formal reply with nothing done goes back; the deadline stays."""
    _require_moderator(actor)
    if not comment.strip():
        raise DomainError("Объясните исполнителю, почему ответ возвращён.", "comment_required", "comment")
    report = _lock(report)
    _expect(report, Status.ANSWER_REVIEW)
    reply = _answer_in_review(report)
    reply.state, reply.moderator_comment = Answer.State.RETURNED, comment
    reply.save(update_fields=["state", "moderator_comment"])
    _move(
        report,
        Status.IN_WORK,
        {"answered_at": None},
        EventKind.ANSWER_RETURNED,
        actor,
        text=comment,
        is_public=False,
    )
    return report


@transaction.atomic
def confirm(actor, report: Report | int) -> Report:
    report = _lock(report)
    _require_author(actor, report)
    _expect(report, Status.ANSWERED)
    _move(
        report,
        Status.RESOLVED,
        {"closed_at": timezone.now(), "verdict_due": None},
        EventKind.CONFIRMED,
        actor,
    )
    return report


@transaction.atomic
def reject_fix(actor, report: Report | int, comment: str, photos=None) -> Report:
    report = _lock(report)
    _require_author(actor, report)
    _expect(report, Status.ANSWERED)
    if not comment.strip():
        raise DomainError("Опишите, что не так с решением.", "comment_required", "comment")
    event = _move(
        report, Status.DISPUTED, {"verdict_due": None}, EventKind.FIX_REJECTED, actor, text=comment.strip()
    )
    if photos:
        attach_photos(report, photos, Photo.Role.DISPUTE, actor, event=event)
    return report


@transaction.atomic
def return_to_organization(
    actor, report: Report | int, comment: str = "", *, inspection_id: int | None = None
) -> Report:
    """A dispute upheld: back to the organization with a fresh deadline; the
    second time, the supervisor is told too. A volunteer inspection that found
    the problem not fixed (inspection_id) may also send back an answered or
    resolved report: the author need not have disputed it."""
    if actor is not None:
        _require_moderator(actor)
    report = _lock(report)
    if inspection_id is None:
        _expect(report, Status.DISPUTED)
    else:
        _expect(report, Status.DISPUTED, Status.ANSWERED, Status.RESOLVED)
    now = timezone.now()
    returns = report.returns_count + 1
    payload = {"returns": returns}
    if inspection_id is not None:
        payload["inspection_id"] = inspection_id
    _move(
        report,
        Status.IN_WORK,
        {
            "returns_count": returns,
            "deadline": _deadline_from(report, now),
            "answered_at": None,
            "is_overdue": False,
            "reminded_at": None,
            "verdict_due": None,
            "closed_at": None,
        },
        EventKind.RETURNED,
        actor,
        text=comment,
        payload=payload,
    )
    if returns >= 2:
        _escalate(report, reason="repeated_return")
    return report


@transaction.atomic
def dismiss_dispute(actor, report: Report | int, comment: str) -> Report:
    _require_moderator(actor)
    report = _lock(report)
    _expect(report, Status.DISPUTED)
    _move(
        report,
        Status.RESOLVED,
        {"closed_at": timezone.now()},
        EventKind.DISPUTE_DISMISSED,
        actor,
        text=comment,
    )
    return report


@transaction.atomic
def request_redirect(actor, report: Report | int, reason: str, suggested=None) -> OrganizationRequest:
    return _request(
        actor, report, OrganizationRequest.Kind.REDIRECT, reason, suggested_organization=suggested
    )


@transaction.atomic
def request_postponement(
    actor, report: Report | int, planned_date: dt.date, reason: str
) -> OrganizationRequest:
    if planned_date is None or planned_date <= timezone.localdate():
        raise DomainError("Плановая дата должна быть в будущем.", "bad_planned_date", "planned_date")
    return _request(actor, report, OrganizationRequest.Kind.POSTPONE, reason, planned_date=planned_date)


def _request(actor, report, kind, reason, **extra) -> OrganizationRequest:
    report = _lock(report)
    _require_staff_of(actor, report)
    _expect(report, Status.IN_WORK)
    if not reason.strip():
        raise DomainError("Укажите причину.", "reason_required", "reason")
    if report.requests.filter(kind=kind, state=OrganizationRequest.State.PENDING).exists():
        raise DomainError("Такой запрос уже ждёт решения редакции.", "request_pending")
    request = OrganizationRequest.objects.create(
        report=report,
        kind=kind,
        organization=report.organization,
        requested_by=actor,
        reason=reason.strip(),
        **extra,
    )
    event_kind = (
        EventKind.REDIRECT_REQUESTED
        if kind == OrganizationRequest.Kind.REDIRECT
        else EventKind.POSTPONE_REQUESTED
    )
    record_event(
        report, event_kind, actor=actor, text=reason.strip(), is_public=False, payload={"request": request.pk}
    )
    return request


def _lock_request(request_id: int, kind: str) -> OrganizationRequest:
    request = (
        OrganizationRequest.objects.select_for_update().select_related("report").get(pk=request_id, kind=kind)
    )
    if request.state != OrganizationRequest.State.PENDING:
        raise TransitionNotAllowed("По этому запросу уже принято решение.")
    return request


def _decide(request: OrganizationRequest, actor, granted: bool, comment: str) -> None:
    request.state = OrganizationRequest.State.GRANTED if granted else OrganizationRequest.State.REFUSED
    request.decided_by, request.decided_at, request.comment = actor, timezone.now(), comment
    request.save(update_fields=["state", "decided_by", "decided_at", "comment"])


@transaction.atomic
def decide_redirect(actor, request_id: int, grant: bool, organization=None, comment: str = "") -> Report:
    """Granted: the report goes to another organization with a fresh deadline."""
    _require_moderator(actor)
    request = _lock_request(request_id, OrganizationRequest.Kind.REDIRECT)
    report = _lock(request.report_id)
    _expect(report, Status.IN_WORK)
    if not grant:
        _decide(request, actor, False, comment)
        record_event(report, EventKind.REDIRECT_REFUSED, actor=actor, text=comment, is_public=False)
        return report
    organization = organization or request.suggested_organization
    if organization is None or organization.pk == report.organization_id:
        raise DomainError("Выберите другую организацию-исполнителя.", "organization_required", "organization")
    _decide(request, actor, True, comment)
    old = report.organization.name
    now = timezone.now()
    report.organization = organization
    report.deadline = _deadline_from(report, now)
    report.is_overdue, report.reminded_at, report.escalation_level = False, None, 0
    report.next_escalation_at = None
    report.save(
        update_fields=[
            "next_escalation_at",
            "organization",
            "deadline",
            "is_overdue",
            "reminded_at",
            "escalation_level",
            "updated_at",
        ]
    )
    record_event(
        report,
        EventKind.REDIRECTED,
        actor=actor,
        text=comment,
        payload={"from": old, "to": organization.name},
    )
    return report


@transaction.atomic
def decide_postponement(actor, request_id: int, grant: bool, comment: str = "") -> Report:
    """Granted: the planned date becomes the deadline and is shown publicly."""
    _require_moderator(actor)
    request = _lock_request(request_id, OrganizationRequest.Kind.POSTPONE)
    report = _lock(request.report_id)
    _expect(report, Status.IN_WORK)
    _decide(request, actor, grant, comment)
    if not grant:
        record_event(report, EventKind.POSTPONE_REFUSED, actor=actor, text=comment, is_public=False)
        return report
    report.planned_date = request.planned_date
    report.deadline = deadlines.end_of_day(request.planned_date)
    report.is_overdue, report.reminded_at = False, None
    report.save(update_fields=["planned_date", "deadline", "is_overdue", "reminded_at", "updated_at"])
    record_event(
        report,
        EventKind.POSTPONED,
        actor=actor,
        text=comment,
        payload={"planned_date": request.planned_date.isoformat()},
    )
    return report


# --- the scheduler's transitions (actor None: the system) -------------------


def _escalate(report: Report, reason: str) -> None:
    """Tell the next supervisor up the chain (called with the report locked)."""
    org = report.organization
    for _ in range(report.escalation_level):
        org = org.supervisor if org is not None else None
    supervisor = org.supervisor if org is not None else None
    if supervisor is None:
        return
    report.escalation_level += 1
    report.escalated_at = timezone.now()
    # The second level is due later, and only where there is one to go to
    # (a managing company's inspectorate answers to nobody above it).
    report.next_escalation_at = (
        report.escalated_at + dt.timedelta(days=FURTHER_ESCALATION_DAYS)
        if report.escalation_level == 1 and supervisor.supervisor_id is not None
        else None
    )
    report.save(update_fields=["escalation_level", "escalated_at", "next_escalation_at", "updated_at"])
    record_event(
        report,
        EventKind.ESCALATED,
        reason=reason,
        payload={
            "supervisor": supervisor.name,
            "supervisor_id": supervisor.pk,
            "level": report.escalation_level,
        },
    )


@transaction.atomic
def remind(report_id: int) -> bool:
    report = _lock(report_id)
    if report.status != Status.IN_WORK or report.reminded_at is not None:
        return False
    report.reminded_at = timezone.now()
    report.save(update_fields=["reminded_at"])
    record_event(
        report, EventKind.REMINDED, is_public=False, payload={"deadline": report.deadline.isoformat()}
    )
    return True


@transaction.atomic
def mark_overdue(report_id: int) -> bool:
    """Past the deadline with no answer: overdue, and escalated once."""
    report = _lock(report_id)
    if report.status != Status.IN_WORK or report.is_overdue or report.deadline > timezone.now():
        return False
    report.is_overdue = True
    report.save(update_fields=["is_overdue", "updated_at"])
    record_event(report, EventKind.OVERDUE, payload={"deadline": report.deadline.isoformat()})
    if report.escalation_level == 0:
        _escalate(report, reason="overdue")
    return True


@transaction.atomic
def escalate_further(report_id: int, now: dt.datetime) -> bool:
    """Still unanswered a further period after the first escalation: the
    supervisor's supervisor is told."""
    report = _lock(report_id)
    if (
        report.status != Status.IN_WORK
        or not report.is_overdue
        or report.escalation_level != 1
        or report.next_escalation_at is None
        or report.next_escalation_at > now
    ):
        return False
    _escalate(report, reason="still_overdue")
    return report.escalation_level == 2


@transaction.atomic
def auto_close(report_id: int) -> bool:
    report = _lock(report_id)
    if report.status != Status.ANSWERED or report.verdict_due is None or report.verdict_due > timezone.now():
        return False
    _move(
        report,
        Status.RESOLVED,
        {"closed_at": timezone.now(), "verdict_due": None},
        EventKind.AUTO_CLOSED,
        None,
    )
    return True
