"""What the event log says about one report: a pure function of the report's
current row and its events, shared by the event subscriber and the full
rebuild, so both count alike.

Definitions (Moscow dates):

- received: the day the report was sent (its `created` event);
- published: the day of its first `published` event;
- answered: the day of the organization's first answer that the editorial
  team did not return as a formal reply (an `answered` event not followed by
  `answer_returned`); the answer may still be under review;
- on time: that answer came no later than the deadline in force at that
  moment (set at publication, at a redirect, at a postponement);
- answer time: from the first publication to that answer, whole hours;
- confirmed / disputed / returned: the author confirmed the fix, rejected it,
  or the editorial team returned the report to the organization after a
  dispute, at any time since;
- resolved: the day the report reached «Решено»;
- in work / overdue: its status is «В работе» now, and its deadline has
  passed (the scheduler's overdue mark).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from issues import deadlines
from issues.models import EventKind, Status

# The events that change a fact; the others (reminders, escalations,
# requests, inspections) are not read.
FACT_EVENT_KINDS = (
    EventKind.CREATED,
    EventKind.PUBLISHED,
    EventKind.REDIRECTED,
    EventKind.POSTPONED,
    EventKind.ANSWERED,
    EventKind.ANSWER_RETURNED,
    EventKind.ANSWER_PUBLISHED,
    EventKind.CONFIRMED,
    EventKind.FIX_REJECTED,
    EventKind.RETURNED,
    EventKind.DISPUTE_DISMISSED,
    EventKind.AUTO_CLOSED,
)
# Events whose payload is read.
PAYLOAD_KINDS = (EventKind.POSTPONED, EventKind.ANSWERED, EventKind.ANSWER_PUBLISHED)


@dataclass(frozen=True)
class ReportRow:
    id: int
    status: str
    okrug_id: int
    district_id: int
    organization_id: int | None
    topic_id: int
    deadline: dt.datetime | None
    is_overdue: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class EventRow:
    kind: str
    created_at: dt.datetime
    to_status: str = ""
    payload: dict | None = None


@dataclass(frozen=True)
class TopicRule:
    group_id: int
    deadline_days: int
    calendar_days: bool


@dataclass(frozen=True)
class Fact:
    okrug_id: int
    district_id: int
    organization_id: int | None
    topic_id: int
    group_id: int
    status: str
    received_on: dt.date
    published_on: dt.date | None = None
    answered_on: dt.date | None = None
    resolved_on: dt.date | None = None
    answer_hours: int | None = None
    on_time: bool | None = None
    confirmed: bool = False
    disputed: bool = False
    returned: bool = False
    in_work: bool = False
    overdue: bool = False
    outcome: str = ""


FACT_FIELDS = tuple(Fact.__dataclass_fields__)


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def _planned_deadline(payload: dict | None) -> dt.datetime | None:
    raw = (payload or {}).get("planned_date")
    return deadlines.end_of_day(dt.date.fromisoformat(raw)) if raw else None


def compute_fact(report: ReportRow, events: Iterable[EventRow], rule: TopicRule) -> Fact:
    """`events` in the order they were written."""
    received = published = resolved = None
    deadline = None  # the deadline in force as the log goes
    pending = answer = None  # (time, deadline then) of the organization's answer
    confirmed = disputed = returned = False
    outcome = ""

    def from_now(moment):
        return deadlines.add_days(moment, rule.deadline_days, rule.calendar_days)

    for event in events:
        kind, moment = event.kind, event.created_at
        if kind == EventKind.CREATED and received is None:
            received = moment
        elif kind == EventKind.PUBLISHED and published is None:
            published, deadline = moment, from_now(moment)
        elif kind in (EventKind.REDIRECTED, EventKind.RETURNED):
            deadline = from_now(moment)
            returned = returned or kind == EventKind.RETURNED
        elif kind == EventKind.POSTPONED:
            deadline = _planned_deadline(event.payload) or deadline
        elif kind == EventKind.ANSWERED:
            if answer is None:
                pending = (moment, deadline)
            outcome = (event.payload or {}).get("outcome") or outcome
        elif kind == EventKind.ANSWER_RETURNED:
            if answer is None:
                pending = None
        elif kind == EventKind.ANSWER_PUBLISHED:
            if answer is None and pending is not None:
                answer = pending
            outcome = (event.payload or {}).get("outcome") or outcome
        elif kind == EventKind.CONFIRMED:
            confirmed = True
        elif kind == EventKind.FIX_REJECTED:
            disputed = True
        if event.to_status == Status.RESOLVED:
            resolved = moment
    if answer is None:
        answer = pending  # under review, not returned (yet)

    answered_on = answer_hours = on_time = None
    if answer is not None:
        answered_at, in_force = answer
        if not returned and report.deadline is not None:
            # With no return after a dispute, the report's deadline is the one
            # that was in force at the answer: the row is the better source.
            in_force = report.deadline
        answered_on = _day(answered_at)
        on_time = in_force is None or answered_at <= in_force
        if published is not None:
            answer_hours = max(0, int((answered_at - published).total_seconds() // 3600))
    in_work = report.status == Status.IN_WORK
    return Fact(
        okrug_id=report.okrug_id,
        district_id=report.district_id,
        organization_id=report.organization_id,
        topic_id=report.topic_id,
        group_id=rule.group_id,
        status=report.status,
        received_on=_day(received or report.created_at),
        published_on=_day(published),
        answered_on=answered_on,
        resolved_on=_day(resolved) if report.status == Status.RESOLVED else None,
        answer_hours=answer_hours,
        on_time=on_time,
        confirmed=confirmed and answer is not None,
        disputed=disputed and answer is not None,
        returned=returned and answer is not None,
        in_work=in_work,
        overdue=in_work and report.is_overdue,
        outcome=outcome,
    )
