"""Who hears of a report's event, and in what words.

`on_event_recorded` is connected to issues.events.event_recorded in
NotificationsConfig.ready(); the hook is sent after the transition's
transaction commits. For each event it picks the recipients, stores one
notice per recipient (a replayed event adds nothing: one notice per user and
event) and queues one letter per notice that the user wants by e-mail.

| event                                         | who                               | e-mail if            |
| --------------------------------------------- | --------------------------------- | -------------------- |
| published, rejected, confirmed,               | the author and the followers      | notify_email_status  |
| dispute_dismissed, auto_closed                |                                   |                      |
| answer_published                              | the author and the followers      | notify_email_answers |
| merged                                        | the author                        | notify_email_status  |
| published, reminded, answer_returned,         | the staff of the organization the | notify_email_work    |
| returned, redirected                          | report is with at the event       |                      |
| escalated                                     | the supervisor's users            | notify_email_work    |

Inactive users get nothing; a user who is in two audiences gets one notice
(the first row above that names them).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from issues.models import EventKind, Outcome, Report, ReportEvent
from nashgorod.queue import enqueue_on_commit
from notifications import services
from notifications.models import Category
from notifications.services import Notice
from notifications.tasks import send_notification_email

logger = logging.getLogger(__name__)

# The report's final states reached without the editorial team's help or with it.
RESOLVED_KINDS = (EventKind.CONFIRMED, EventKind.DISPUTE_DISMISSED, EventKind.AUTO_CLOSED)


def _date(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y") if value else "—"


def _no(report: Report) -> str:
    return f"№{report.number}"


def _report_url(report_id: int) -> str:
    return reverse("public:report", args=[report_id])


def _org_name(event: ReportEvent) -> str:
    organization = event.organization or event.report.organization
    return organization.name if organization else "исполнитель"


def _join(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


# --- what the author and the followers read --------------------------------


def _resident_published(e: ReportEvent, r: Report) -> tuple[str, str]:
    return (
        f"Сообщение {_no(r)} опубликовано",
        f"Сообщение «{r.topic.name}» направлено исполнителю: {_org_name(e)}. "
        f"Срок ответа — до {_date(r.deadline)}.",
    )


def _resident_rejected(e: ReportEvent, r: Report) -> tuple[str, str]:
    return f"Сообщение {_no(r)} отклонено", _join("Редакция отклонила сообщение.", f"Причина: {e.text}")


def _resident_answer(e: ReportEvent, r: Report) -> tuple[str, str]:
    outcome = e.payload.get("outcome")
    label = Outcome(outcome).label if outcome in Outcome.values else ""
    planned = e.payload.get("planned_date")
    planned_text = f"Работы запланированы на {dt.date.fromisoformat(planned):%d.%m.%Y}." if planned else ""
    verdict = f"Подтвердите, что проблема решена, или опровергните решение до {_date(r.verdict_due)}."
    return (
        f"Получен ответ на сообщение {_no(r)}",
        f"{_org_name(e)}{f' — {label}' if label else ''}:\n{e.text}\n\n{_join(planned_text, verdict)}",
    )


def _resident_resolved(e: ReportEvent, r: Report) -> tuple[str, str]:
    why = {
        EventKind.CONFIRMED: "Автор подтвердил, что проблема решена.",
        EventKind.DISPUTE_DISMISSED: _join("Редакция отклонила опровержение решения.", e.text),
        EventKind.AUTO_CLOSED: "Автор не оценил ответ исполнителя в срок, и сообщение закрыто как решённое.",
    }[e.kind]
    return f"Сообщение {_no(r)} решено", why


def _resident_merged(e: ReportEvent, r: Report) -> tuple[str, str]:
    into = e.payload.get("into")
    return (
        f"Сообщение {_no(r)} объединено с сообщением №{into}",
        f"О такой проблеме уже сообщили. Теперь вы следите за сообщением №{into} "
        "и будете получать уведомления о нём.",
    )


# --- what the organization's staff read -------------------------------------


def _staff_published(e: ReportEvent, r: Report) -> tuple[str, str]:
    return (
        f"Новое сообщение {_no(r)}",
        _join(
            f"{r.topic.name}.", f"{r.address or r.district.name}.", f"Срок ответа — до {_date(r.deadline)}."
        ),
    )


def _staff_reminded(e: ReportEvent, r: Report) -> tuple[str, str]:
    return (
        f"Срок ответа на сообщение {_no(r)} истекает",
        f"{r.topic.name}. Ответьте до {_date(r.deadline)}.",
    )


def _staff_answer_returned(e: ReportEvent, r: Report) -> tuple[str, str]:
    return (
        f"Ответ на сообщение {_no(r)} возвращён",
        _join("Редакция вернула ответ.", e.text, f"Срок ответа прежний — до {_date(r.deadline)}."),
    )


def _staff_returned(e: ReportEvent, r: Report) -> tuple[str, str]:
    return (
        f"Сообщение {_no(r)} снова в работе",
        _join(
            "Автор опроверг решение, редакция вернула сообщение исполнителю.",
            e.text,
            f"Новый срок ответа — до {_date(r.deadline)}.",
        ),
    )


def _staff_redirected(e: ReportEvent, r: Report) -> tuple[str, str]:
    return (
        f"Сообщение {_no(r)} переадресовано вам",
        _join(
            f"{r.topic.name}.",
            f"Прежний исполнитель: {e.payload.get('from', '—')}.",
            f"Срок ответа — до {_date(r.deadline)}.",
        ),
    )


# --- what the supervisor reads ----------------------------------------------

ESCALATION_REASONS = {
    "overdue": "Исполнитель «{org}» не ответил в срок.",
    "repeated_return": "Автор дважды опроверг решение исполнителя «{org}».",
    "still_overdue": "Исполнитель «{org}» так и не ответил после передачи на контроль.",
}


def _supervisor_escalated(e: ReportEvent, r: Report) -> tuple[str, str]:
    reason = ESCALATION_REASONS.get(e.reason, "Исполнитель «{org}» не справляется.").format(org=_org_name(e))
    return f"Сообщение {_no(r)} передано вам на контроль", _join(reason, f"Тема: {r.topic.name}.")


Words = Callable[[ReportEvent, Report], tuple[str, str]]

RESIDENT_WORDS: dict[str, Words] = {
    EventKind.PUBLISHED: _resident_published,
    EventKind.REJECTED: _resident_rejected,
    EventKind.ANSWER_PUBLISHED: _resident_answer,
    **dict.fromkeys(RESOLVED_KINDS, _resident_resolved),
    EventKind.MERGED: _resident_merged,
}
AUTHOR_ONLY = {EventKind.MERGED}
STAFF_WORDS: dict[str, Words] = {
    EventKind.PUBLISHED: _staff_published,
    EventKind.REMINDED: _staff_reminded,
    EventKind.ANSWER_RETURNED: _staff_answer_returned,
    EventKind.RETURNED: _staff_returned,
    EventKind.REDIRECTED: _staff_redirected,
}
SUPERVISOR_WORDS: dict[str, Words] = {EventKind.ESCALATED: _supervisor_escalated}

NOTIFIED_KINDS = frozenset(RESIDENT_WORDS) | frozenset(STAFF_WORDS) | frozenset(SUPERVISOR_WORDS)


def recipients(event: ReportEvent) -> list[tuple[User, Notice]]:
    """Each user who hears of this event, with the notice they get."""
    report = event.report
    chosen: dict[int, tuple[User, Notice]] = {}

    def add(users, words: Words, category: str, url: str) -> None:
        title, text = words(event, report)
        notice = Notice(category=category, title=title, text=text, url=url)
        for user in users:
            chosen.setdefault(user.pk, (user, notice))

    active = User.objects.filter(is_active=True).order_by("pk")
    if event.kind in RESIDENT_WORDS:
        audience = Q(pk=report.author_id)
        if event.kind not in AUTHOR_ONLY:
            audience |= Q(followed_reports__report=report)
        category = Category.ANSWERS if event.kind == EventKind.ANSWER_PUBLISHED else Category.STATUS
        # A merged duplicate's author now follows the original: that is the page to open.
        url = _report_url(event.payload.get("into") or report.pk)
        add(active.filter(audience).distinct(), RESIDENT_WORDS[event.kind], category, url)
    if event.kind in STAFF_WORDS and event.organization_id:
        staff = active.filter(role=Role.STAFF, organization_id=event.organization_id)
        add(staff, STAFF_WORDS[event.kind], Category.WORK, _report_url(report.pk))
    if event.kind in SUPERVISOR_WORDS and event.payload.get("supervisor_id"):
        supervisors = active.filter(role=Role.SUPERVISOR, organization_id=event.payload["supervisor_id"])
        add(supervisors, SUPERVISOR_WORDS[event.kind], Category.WORK, _report_url(report.pk))
    return list(chosen.values())


def notify(event_id: int) -> list[int]:
    """Store the notices of one event and queue their letters; returns the
    ids of the notices whose letter is still due. Safe to run again for the
    same event: nothing new is stored, and a letter already sent is not
    sent again (the task claims it)."""
    event = (
        ReportEvent.objects.select_related(
            "organization", "report__topic", "report__organization", "report__district"
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None or event.kind not in NOTIFIED_KINDS:
        return []
    due = services.store_notices(event, recipients(event))
    for notification_id in due:
        enqueue_on_commit(send_notification_email, notification_id)
    return due


def on_event_recorded(sender, event_id: int, kind: str, report_id: int, **kwargs) -> None:
    """The receiver of issues.events.event_recorded."""
    if kind not in NOTIFIED_KINDS:
        return
    try:
        # A savepoint, so that a failure here leaves an enclosing transaction usable.
        with transaction.atomic():
            notify(event_id)
    except Exception:
        # The transition has committed already; a failure here must not turn
        # the resident's or the moderator's request into an error page, nor
        # keep the other subscribers of the hook from running.
        logger.exception("Notifications for event %s (%s) of report %s failed", event_id, kind, report_id)
