"""The state changes of volunteers and inspections: one function each, and
nothing else writes these states. Each runs in a transaction, locks its row
(or claims it with one conditional UPDATE), checks that the change is
allowed (a DomainError if not) and records what happened: the report's
event log (issues.events, kind «inspection») for everything that concerns a
report, the row's own fields for the rest.

Points for an accepted verdict are not ours to give: `inspection_accepted`
(volunteers.signals) is sent after commit, and the loyalty app listens.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Role, User
from accounts.roles import Capability, can
from issues import services as report_services
from issues.errors import DomainError, TransitionNotAllowed
from issues.events import record_event
from issues.models import Answer, EventKind, Outcome, Photo, Report, ReportEvent, Status
from issues.photos import ProcessedPhoto, attach_photos, validate_photo_count
from places.search import distance_m
from volunteers import conf
from volunteers.models import ACTIVE_STATUSES, Application, Inspection, InspectionPhoto, Volunteer
from volunteers.signals import announce_accepted

# A report may be inspected while its answer is checked, disputed or closed.
INSPECTABLE_STATUSES = (Status.ANSWER_REVIEW, Status.ANSWERED, Status.DISPUTED, Status.RESOLVED)
# A «not fixed» or «partly» verdict can send the report back from these.
RETURNABLE_STATUSES = INSPECTABLE_STATUSES
MOOT_COMMENT = "Сообщение вернулось в работу."


class TaskUnavailable(DomainError):
    """The task went to someone else, or is no longer in the pool."""

    def __init__(self, message: str):
        super().__init__(message, code="task_unavailable")


def _require_moderator(actor) -> None:
    if not can(actor, Capability.MODERATE):
        raise DomainError("Это действие доступно только редакции.", "forbidden")


def _lock_inspection(inspection_id: int) -> Inspection:
    try:
        return Inspection.objects.select_for_update().get(pk=inspection_id)
    except Inspection.DoesNotExist:
        raise DomainError("Такой проверки нет.", "not_found") from None


def _expect(inspection: Inspection, *statuses: str) -> None:
    if inspection.status not in statuses:
        raise TransitionNotAllowed(
            f"Проверка №{inspection.pk} уже в статусе «{inspection.get_status_display()}»: "
            "её изменил кто-то другой или действие недоступно."
        )


def _event(inspection: Inspection, stage: str, *, actor=None, text: str = "", public: bool = False, **extra):
    """The report's event about this inspection; the public one names no one."""
    payload = {"inspection_id": inspection.pk, "stage": stage, **extra}
    if inspection.verdict:
        payload["verdict"] = inspection.verdict
    event = record_event(
        inspection.report, EventKind.INSPECTION, actor=actor, text=text, payload=payload, is_public=public
    )
    if not public:
        # The organization's office shows the internal events that name it:
        # an ordered check, a verdict not yet reviewed, the note to the
        # volunteer are the editorial team's alone until a verdict is accepted.
        ReportEvent.objects.filter(pk=event.pk).update(organization=None)
        event.organization = None
    return event


# --- volunteers ---------------------------------------------------------------


@transaction.atomic
def apply(user, motivation: str, district=None) -> Application:
    """A resident asks to become a volunteer."""
    if user is None or not user.is_authenticated:
        raise DomainError("Войдите, чтобы подать заявку.", "login_required")
    if user.role == Role.VOLUNTEER:
        raise DomainError("Вы уже волонтёр.", "already_volunteer")
    if user.role != Role.RESIDENT:
        raise DomainError("Волонтёром может стать только житель.", "forbidden")
    if not user.email_confirmed:
        raise DomainError("Сначала подтвердите адрес электронной почты.", "email_unconfirmed")
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is not None and volunteer.status == Volunteer.Status.SUSPENDED:
        raise DomainError("Ваше участие в проверках приостановлено редакцией.", "suspended")
    motivation = motivation.strip()
    if not motivation:
        raise DomainError("Расскажите, почему хотите стать волонтёром.", "motivation_required", "motivation")
    if Application.objects.filter(user=user, status=Application.Status.PENDING).exists():
        raise DomainError("Ваша заявка уже на рассмотрении.", "already_pending")
    try:
        # A second click racing the first: the partial unique index decides.
        with transaction.atomic():
            return Application.objects.create(user=user, motivation=motivation, district=district)
    except IntegrityError:
        raise DomainError("Ваша заявка уже на рассмотрении.", "already_pending") from None


@transaction.atomic
def decide_application(actor, application_id: int, approve: bool, comment: str = "") -> Application:
    """Approve (the applicant becomes a volunteer) or decline an application."""
    _require_moderator(actor)
    application = Application.objects.select_for_update().get(pk=application_id)
    if application.status != Application.Status.PENDING:
        raise TransitionNotAllowed("По этой заявке уже принято решение.")
    comment = comment.strip()
    if not approve and not comment:
        raise DomainError("Объясните заявителю, почему заявка отклонена.", "comment_required", "comment")
    user = User.objects.select_for_update().get(pk=application.user_id)
    now = timezone.now()
    if approve:
        if user.role not in (Role.RESIDENT, Role.VOLUNTEER) or not user.is_active:
            raise DomainError("Заявитель больше не житель: одобрить заявку нельзя.", "not_resident")
        volunteer, created = Volunteer.objects.get_or_create(
            user=user, defaults={"application": application, "approved_at": now}
        )
        if not created:
            # A former volunteer (declined earlier, say) comes back.
            volunteer.status, volunteer.application, volunteer.approved_at = (
                Volunteer.Status.ACTIVE,
                application,
                now,
            )
            volunteer.save(update_fields=["status", "application", "approved_at"])
        if user.role != Role.VOLUNTEER:
            user.role = Role.VOLUNTEER
            user.save(update_fields=["role"])
    application.status = Application.Status.APPROVED if approve else Application.Status.DECLINED
    application.decided_by, application.decided_at, application.comment = actor, now, comment
    application.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    return application


@transaction.atomic
def suspend(actor, volunteer_id: int, reason: str) -> Volunteer:
    """Stop a volunteer inspecting: the role goes back to resident, and the
    tasks they hold go back to the pool."""
    _require_moderator(actor)
    reason = reason.strip()
    if not reason:
        raise DomainError("Укажите причину приостановки.", "comment_required", "reason")
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer_id)
    if volunteer.status == Volunteer.Status.SUSPENDED:
        raise TransitionNotAllowed("Участие этого волонтёра уже приостановлено.")
    now = timezone.now()
    volunteer.status, volunteer.suspended_at = Volunteer.Status.SUSPENDED, now
    volunteer.suspended_by, volunteer.suspension_reason = actor, reason
    volunteer.save(update_fields=["status", "suspended_at", "suspended_by", "suspension_reason"])
    User.objects.filter(pk=volunteer.user_id, role=Role.VOLUNTEER).update(role=Role.RESIDENT)
    Inspection.objects.filter(volunteer_id=volunteer.user_id, status=Inspection.Status.TAKEN).update(
        status=Inspection.Status.OPEN, volunteer=None, taken_at=None, taken_until=None, updated_at=now
    )
    return volunteer


@transaction.atomic
def reinstate(actor, volunteer_id: int) -> Volunteer:
    """Lift a suspension."""
    _require_moderator(actor)
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer_id)
    if volunteer.status != Volunteer.Status.SUSPENDED:
        raise TransitionNotAllowed("Этот волонтёр не приостановлен.")
    user = User.objects.select_for_update().get(pk=volunteer.user_id)
    if user.role not in (Role.RESIDENT, Role.VOLUNTEER):
        raise DomainError("У пользователя теперь другая роль: восстановить нельзя.", "not_resident")
    volunteer.status, volunteer.suspended_at, volunteer.suspended_by = Volunteer.Status.ACTIVE, None, None
    volunteer.suspension_reason = ""
    volunteer.save(update_fields=["status", "suspended_at", "suspended_by", "suspension_reason"])
    if user.role != Role.VOLUNTEER:
        user.role = Role.VOLUNTEER
        user.save(update_fields=["role"])
    return volunteer


def active_volunteer(user) -> Volunteer:
    """The user's volunteer record when they may inspect now, else a DomainError."""
    if not can(user, Capability.INSPECT):
        raise DomainError("Проверки доступны только волонтёрам.", "forbidden")
    # An administrator may have given the role directly, without an
    # application: the volunteer's record is made on first use.
    volunteer, _ = Volunteer.objects.get_or_create(user=user, defaults={"approved_at": timezone.now()})
    if volunteer.status != Volunteer.Status.ACTIVE:
        raise DomainError("Ваше участие в проверках приостановлено редакцией.", "suspended")
    return volunteer


# --- creating tasks -----------------------------------------------------------


def _published_answer(report: Report) -> Answer | None:
    return report.answers.filter(state=Answer.State.PUBLISHED).order_by("-created_at", "-pk").first()


def _current_answer_id(report: Report) -> int | None:
    """The answer a check of this report looks at now: the one awaiting the
    editorial team, else the latest published."""
    if report.status == Status.ANSWER_REVIEW:
        answer = report.answers.filter(state=Answer.State.REVIEW).first()
    else:
        answer = _published_answer(report)
    return answer.pk if answer is not None else None


@transaction.atomic
def order_inspection(actor, report: Report | int, note: str = "") -> Inspection:
    """A moderator asks volunteers to check a disputed or doubtful answer."""
    _require_moderator(actor)
    pk = report.pk if isinstance(report, Report) else report
    report = Report.objects.select_for_update().get(pk=pk)
    if report.status not in INSPECTABLE_STATUSES:
        raise TransitionNotAllowed(
            f"Сообщение №{report.pk} в статусе «{report.get_status_display()}»: проверять пока нечего."
        )
    if report.inspections.filter(status__in=ACTIVE_STATUSES).exists():
        raise DomainError("По этому сообщению уже идёт общественная проверка.", "already_inspecting")
    inspection = Inspection.objects.create(
        report=report,
        answer_id=_current_answer_id(report),
        source=Inspection.Source.ORDERED,
        note=note.strip(),
        ordered_by=actor,
    )
    _event(inspection, "ordered", actor=actor, text=inspection.note, source=inspection.source)
    return inspection


def _drawn(answer_id: int, percent: int) -> bool:
    """Whether the sample takes this answer: the same answer always gets the
    same draw (so a second run adds nothing), and without the secret key no
    organization can tell which answers will be drawn."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:inspection-sample:{answer_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 10_000 < percent * 100


def sample_done_answers(now: dt.datetime | None = None) -> list[int]:
    """Draw a share of the «done» answers published in the last days for an
    inspection, so that any answer may be checked. Safe to run twice in a row
    and twice at once: the draw is deterministic and each answer is drawn
    once (a partial unique index), each report under its own row lock."""
    now = now or timezone.now()
    percent = conf.sample_percent()
    if percent <= 0:
        return []
    candidates = (
        Answer.objects.filter(
            state=Answer.State.PUBLISHED,
            outcome=Outcome.DONE,
            created_at__gte=now - dt.timedelta(days=conf.sample_days()),
            report__status__in=(Status.ANSWERED, Status.RESOLVED),
        )
        .exclude(inspections__isnull=False)
        .values_list("pk", "report_id")
        .order_by("pk")
    )
    created = []
    for answer_id, report_id in candidates.iterator():
        if _drawn(answer_id, percent):
            inspection = _sample_one(answer_id, report_id)
            if inspection is not None:
                created.append(inspection.pk)
    return created


@transaction.atomic
def _sample_one(answer_id: int, report_id: int) -> Inspection | None:
    report = Report.objects.select_for_update().get(pk=report_id)
    if report.status not in (Status.ANSWERED, Status.RESOLVED):
        return None
    if report.inspections.filter(Q(status__in=ACTIVE_STATUSES) | Q(answer_id=answer_id)).exists():
        return None
    try:
        with transaction.atomic():
            inspection = Inspection.objects.create(
                report=report, answer_id=answer_id, source=Inspection.Source.SAMPLE
            )
    except IntegrityError:
        return None  # another run drew it first
    _event(inspection, "sampled", source=inspection.source)
    return inspection


@transaction.atomic
def cancel_inspection(actor, inspection_id: int, comment: str = "") -> Inspection:
    """The editorial team withdraws a task that no one has reported on."""
    _require_moderator(actor)
    inspection = _lock_inspection(inspection_id)
    _expect(inspection, Inspection.Status.OPEN, Inspection.Status.TAKEN)
    inspection.status = Inspection.Status.CANCELLED
    inspection.taken_until = None
    inspection.reviewed_by, inspection.reviewed_at, inspection.review_comment = (
        actor,
        timezone.now(),
        comment.strip(),
    )
    inspection.save(
        update_fields=["status", "taken_until", "reviewed_by", "reviewed_at", "review_comment", "updated_at"]
    )
    _event(inspection, "cancelled", actor=actor, text=inspection.review_comment)
    return inspection


# --- the pool -----------------------------------------------------------------


@transaction.atomic
def take_task(user, inspection_id: int) -> Inspection:
    """The task becomes the volunteer's alone until taken_until; an expired
    task counts as free even before the release job has run (_claim)."""
    volunteer = active_volunteer(user)
    # Serializes this volunteer's own takes, so two tabs cannot exceed the limit.
    Volunteer.objects.select_for_update().filter(pk=volunteer.pk).first()
    now = timezone.now()
    held = Inspection.objects.filter(volunteer=user, status=Inspection.Status.TAKEN, taken_until__gte=now)
    if held.count() >= conf.MAX_TAKEN_AT_ONCE:
        raise DomainError(
            f"У вас уже {conf.MAX_TAKEN_AT_ONCE} проверки в работе: завершите одну из них.", "too_many_tasks"
        )
    task = Inspection.objects.filter(pk=inspection_id).select_related("report").first()
    if task is None:
        raise DomainError("Такой проверки нет.", "not_found")
    if task.report.author_id == user.pk:
        raise DomainError("Своё сообщение проверять нельзя.", "own_report")
    if task.report.status not in INSPECTABLE_STATUSES:
        raise TaskUnavailable("Сообщение уже вернулось в работу: проверка больше не нужна.")
    for _attempt in range(3):
        claimed, previous = _claim(task, user, now)
        if claimed:
            break
        task.refresh_from_db()
        if task.status == Inspection.Status.TAKEN and task.volunteer_id == user.pk:
            raise TaskUnavailable("Эта проверка уже ваша.")
        if task.status == Inspection.Status.TAKEN and task.taken_until >= now:
            raise TaskUnavailable("Эту проверку только что взял другой волонтёр. Выберите другую.")
        if task.status not in (Inspection.Status.OPEN, Inspection.Status.TAKEN):
            raise TaskUnavailable("Эта проверка больше не ждёт волонтёра.")
        # Still free, but not as we saw it (the release job ran meanwhile): look again.
    else:
        raise TaskUnavailable("Эту проверку только что взял другой волонтёр. Выберите другую.")
    if previous is not None:
        # It lapsed in someone else's hands and was claimed before the release job saw it.
        Volunteer.objects.filter(user_id=previous).update(lapsed_count=F("lapsed_count") + 1)
    task.refresh_from_db()
    return task


def _claim(task: Inspection, user, now: dt.datetime) -> tuple[int, int | None]:
    """One conditional UPDATE on the state we saw: open, or expired in the
    hands of that volunteer. Of two volunteers taking the same task at once
    the database lets exactly one row change; the other changes nothing.

    Only the row's own columns are in the WHERE: a condition through a join
    would become a subquery that PostgreSQL does not re-check against the
    row the winner just committed, and both would "win"."""
    if task.status == Inspection.Status.OPEN:
        seen, previous = Q(status=Inspection.Status.OPEN), None
    elif task.status == Inspection.Status.TAKEN and task.taken_until < now:
        seen = Q(status=Inspection.Status.TAKEN, volunteer_id=task.volunteer_id, taken_until=task.taken_until)
        previous = task.volunteer_id
    else:
        return 0, None
    claimed = Inspection.objects.filter(seen, pk=task.pk).update(
        status=Inspection.Status.TAKEN,
        volunteer=user,
        taken_at=now,
        taken_until=now + conf.take_duration(),
        updated_at=now,
    )
    return claimed, previous


@transaction.atomic
def give_up_task(user, inspection_id: int) -> Inspection:
    """The volunteer cannot go after all: the task goes back to the pool now."""
    inspection = _lock_inspection(inspection_id)
    if inspection.volunteer_id != user.pk or inspection.status != Inspection.Status.TAKEN:
        raise TaskUnavailable("Эта проверка не у вас в работе.")
    _to_pool(inspection)
    return inspection


def _to_pool(inspection: Inspection) -> None:
    volunteer_id = inspection.volunteer_id
    inspection.status, inspection.volunteer = Inspection.Status.OPEN, None
    inspection.taken_at = inspection.taken_until = None
    inspection.save(update_fields=["status", "volunteer", "taken_at", "taken_until", "updated_at"])
    Volunteer.objects.filter(user_id=volunteer_id).update(lapsed_count=F("lapsed_count") + 1)


def release_expired(now: dt.datetime | None = None) -> int:
    """Tasks kept past their time go back to the pool. Each is claimed with a
    conditional UPDATE (still taken, still by the same volunteer, still
    expired), so two runs at once release each task once."""
    now = now or timezone.now()
    released = 0
    expired = Inspection.objects.filter(status=Inspection.Status.TAKEN, taken_until__lt=now).values_list(
        "pk", "volunteer_id"
    )
    for pk, volunteer_id in list(expired[:1000]):
        with transaction.atomic():
            changed = Inspection.objects.filter(
                pk=pk, status=Inspection.Status.TAKEN, volunteer_id=volunteer_id, taken_until__lt=now
            ).update(
                status=Inspection.Status.OPEN, volunteer=None, taken_at=None, taken_until=None, updated_at=now
            )
            if changed:
                Volunteer.objects.filter(user_id=volunteer_id).update(lapsed_count=F("lapsed_count") + 1)
                released += 1
    return released


def cancel_moot(now: dt.datetime | None = None) -> int:
    """Open tasks whose report went back to work (or was closed otherwise)
    leave the pool: there is nothing to check any more."""
    now = now or timezone.now()
    moot = list(
        Inspection.objects.filter(status=Inspection.Status.OPEN)
        .exclude(report__status__in=INSPECTABLE_STATUSES)
        .values_list("pk", flat=True)[:1000]
    )
    cancelled = 0
    for pk in moot:
        with transaction.atomic():
            # The status is checked again by the UPDATE itself: a task taken meanwhile stays taken.
            changed = Inspection.objects.filter(pk=pk, status=Inspection.Status.OPEN).update(
                status=Inspection.Status.CANCELLED, review_comment=MOOT_COMMENT, updated_at=now
            )
            if changed:
                inspection = Inspection.objects.select_related("report").get(pk=pk)
                _event(inspection, "cancelled", text=MOOT_COMMENT, reason="moot")
                cancelled += 1
    return cancelled


# --- the verdict --------------------------------------------------------------


@transaction.atomic
def submit_verdict(
    user, inspection_id: int, verdict: str, comment: str, photos: Sequence[ProcessedPhoto]
) -> Inspection:
    """The volunteer's finding on site, with photos from the photo pipeline.
    Photos whose original GPS lies more than FAR_METRES from the report are
    flagged for the editorial team."""
    active_volunteer(user)
    inspection = _lock_inspection(inspection_id)
    if inspection.volunteer_id != user.pk or inspection.status != Inspection.Status.TAKEN:
        raise TaskUnavailable("Эта проверка не у вас в работе: возможно, её время истекло.")
    now = timezone.now()
    if inspection.taken_until < now:
        raise TaskUnavailable("Время на эту проверку истекло: возьмите её снова, если она ещё свободна.")
    if verdict not in Inspection.Verdict.values:
        raise DomainError("Выберите итог проверки.", "verdict_required", "verdict")
    comment = comment.strip()
    if not comment:
        raise DomainError("Опишите, что вы увидели на месте.", "comment_required", "comment")
    try:
        validate_photo_count(photos, required=True)
    except DomainError as exc:
        raise DomainError(exc.messages[0], exc.code, "photos") from None
    report = inspection.report
    if report.status not in INSPECTABLE_STATUSES:
        # Returned to work meanwhile (by a dispute or another check): the answer
        # the volunteer went to see is no longer the one on the report.
        raise TaskUnavailable("Сообщение уже вернулось в работу: проверка больше не нужна.")
    inspection.status, inspection.verdict, inspection.comment = Inspection.Status.SUBMITTED, verdict, comment
    inspection.submitted_at = now
    links = []
    for item in photos:
        distance = distance_m(report.point, item.gps) if item.gps is not None else None
        links.append((item, distance, distance is not None and distance > conf.FAR_METRES))
    inspection.far_photos = sum(1 for _, _, far in links if far)
    inspection.save(
        update_fields=["status", "verdict", "comment", "submitted_at", "far_photos", "updated_at"]
    )
    event = _event(inspection, "submitted", actor=user, text=comment, far_photos=inspection.far_photos)
    stored = attach_photos(report, [item for item, _, _ in links], Photo.Role.INSPECTION, user, event=event)
    InspectionPhoto.objects.bulk_create(
        InspectionPhoto(inspection=inspection, photo=photo, distance_m=distance, is_far=far)
        for photo, (_, distance, far) in zip(stored, links, strict=True)
    )
    return inspection


def _accept(actor, inspection: Inspection, comment: str) -> None:
    now = timezone.now()
    inspection.status = Inspection.Status.ACCEPTED
    inspection.reviewed_by, inspection.reviewed_at, inspection.review_comment = actor, now, comment.strip()
    inspection.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"])
    # The public entry: the verdict and its photos, never the volunteer.
    event = _event(inspection, "accepted", actor=actor, public=True)
    Photo.objects.filter(inspection_link__inspection=inspection).update(event=event)
    announce_accepted(inspection.pk, inspection.volunteer_id)


@transaction.atomic
def accept_verdict(actor, inspection_id: int, comment: str = "") -> Inspection:
    """The editorial team accepts the verdict: it goes into the report's public
    timeline, and the volunteer's standing (and points) grow."""
    _require_moderator(actor)
    inspection = _lock_inspection(inspection_id)
    _expect(inspection, Inspection.Status.SUBMITTED)
    _accept(actor, inspection, comment)
    return inspection


@transaction.atomic
def decline_verdict(actor, inspection_id: int, comment: str, reopen: bool = True) -> Inspection:
    """The verdict does not hold (photos elsewhere, nothing to see); with
    `reopen`, a fresh task for the same report goes to the pool."""
    _require_moderator(actor)
    comment = comment.strip()
    if not comment:
        raise DomainError("Объясните волонтёру, почему проверка отклонена.", "comment_required", "comment")
    inspection = _lock_inspection(inspection_id)
    _expect(inspection, Inspection.Status.SUBMITTED)
    inspection.status = Inspection.Status.DECLINED
    inspection.reviewed_by, inspection.reviewed_at, inspection.review_comment = actor, timezone.now(), comment
    inspection.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"])
    _event(inspection, "declined", actor=actor, text=comment)
    if reopen:
        _reorder(actor, inspection)
    return inspection


def _reorder(actor, declined: Inspection) -> Inspection | None:
    """A fresh task for the declined one's report, unless the report is no
    longer inspectable or another moderator ordered one meanwhile (the
    report's row lock orders us after order_inspection; the partial unique
    index is the last word)."""
    report = Report.objects.select_for_update().get(pk=declined.report_id)
    if report.status not in INSPECTABLE_STATUSES:
        return None
    if report.inspections.filter(status__in=ACTIVE_STATUSES).exists():
        return None
    try:
        with transaction.atomic():
            again = Inspection.objects.create(
                report=report,
                answer=declined.answer,
                source=Inspection.Source.ORDERED,
                note=declined.note,
                ordered_by=actor,
            )
    except IntegrityError:
        return None
    _event(again, "ordered", actor=actor, text=again.note, source=again.source)
    return again


@transaction.atomic
def return_on_verdict(actor, inspection_id: int, comment: str = "") -> Report:
    """One action for a «not fixed» or «partly» verdict: accept it and send the
    report back to the organization (a returned answer if it still awaits the
    editorial team, else back to work with a new deadline)."""
    _require_moderator(actor)
    inspection = _lock_inspection(inspection_id)
    if not inspection.needs_return:
        raise DomainError(
            "Вернуть исполнителю можно только по итогу «не устранено» или «частично».", "verdict"
        )
    if inspection.status == Inspection.Status.ACCEPTED and inspection.returned_at is not None:
        raise TransitionNotAllowed("По этой проверке сообщение уже возвращено исполнителю.")
    _expect(inspection, Inspection.Status.SUBMITTED, Inspection.Status.ACCEPTED)
    report = Report.objects.select_for_update().get(pk=inspection.report_id)
    if report.status not in RETURNABLE_STATUSES:
        raise TransitionNotAllowed(
            f"Сообщение №{report.pk} уже в статусе «{report.get_status_display()}»: вернуть его нельзя."
        )
    if inspection.answer_id is not None and _current_answer_id(report) != inspection.answer_id:
        raise TransitionNotAllowed(
            f"По сообщению №{report.pk} уже другой ответ исполнителя: проверка касалась прежнего. "
            "Назначьте новую проверку, если нужно."
        )
    text = f"По итогам общественной проверки: {inspection.get_verdict_display().lower()}."
    if comment.strip():
        text += f"\n{comment.strip()}"
    if inspection.status == Inspection.Status.SUBMITTED:
        _accept(actor, inspection, comment)
    if report.status == Status.ANSWER_REVIEW:
        report = report_services.return_answer(actor, report.pk, text)
    else:
        report = report_services.return_to_organization(actor, report.pk, text, inspection_id=inspection.pk)
    inspection.returned_at = timezone.now()
    inspection.save(update_fields=["returned_at", "updated_at"])
    return report
