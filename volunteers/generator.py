"""Volunteers and their inspections for a generated city (manage.py
generate_city runs `generate_inspections` once after the reports, through
settings.CITY_GENERATOR_EXTENSIONS).

A share of the reports whose latest published answer says «done» gets an
inspection, in every state the services produce: open in the pool, taken,
submitted and awaiting the editorial team, accepted, declined (and ordered
again), and accepted with the report sent back to the organization. The rows
and the report's INSPECTION events have the shapes volunteers.services
writes (stage, source, verdict, far_photos in the payload; only an accepted
verdict is public); a return writes the RETURNED event and the report fields
of issues.services.return_to_organization. Verdict photos are not generated
(the generated reports have no photos either).

Candidates are read per slice of report ids with one query and written with
COPY, so memory stays bounded at 11,000,000 reports.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from collections import Counter

from django.conf import settings
from django.db import connection, transaction

from accounts.models import Role, User
from issues import deadlines
from issues.generator import GENERATED_DOMAIN, aware, copy_rows, db_value
from issues.models import EventKind, ReportEvent, Status, Topic
from volunteers import conf
from volunteers.models import Application, Inspection, Volunteer

# The share of «done» answers inspected (the daily sample and the editorial
# team's orders together); settings.CITY_GENERATOR_INSPECTION_SHARE overrides it.
SHARE = 0.025
REPORTS_PER_VOLUNTEER = 2000
SLICE = 100_000
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

INSPECTION_COLUMNS = [
    "id",
    "report_id",
    "answer_id",
    "source",
    "status",
    "note",
    "ordered_by_id",
    "volunteer_id",
    "taken_at",
    "taken_until",
    "verdict",
    "comment",
    "submitted_at",
    "far_photos",
    "reviewed_by_id",
    "reviewed_at",
    "review_comment",
    "returned_at",
    "created_at",
    "updated_at",
]
EVENT_COLUMNS = [
    "report_id",
    "kind",
    "actor_id",
    "organization_id",
    "from_status",
    "to_status",
    "reason",
    "text",
    "payload",
    "is_public",
    "created_at",
]
NOTE = "Проверьте на месте, выполнены ли работы, указанные в ответе."
COMMENTS = {
    Inspection.Verdict.FIXED: "Был на месте: работы выполнены, как сказано в ответе.",
    Inspection.Verdict.PARTLY: "Работы сделаны только частично, часть проблемы осталась.",
    Inspection.Verdict.NOT_FIXED: "Был на месте: проблема не устранена, работ не видно.",
}
DECLINE_COMMENT = "Фотографии сделаны не на месте проблемы."
STATE_WEIGHTS_RECENT = {"open": 35, "taken": 30, "submitted": 25, "returned": 10}
STATE_WEIGHTS_OLD = {"accepted": 70, "declined": 12, "returned": 6, "open": 4, "taken": 4, "submitted": 4}


def generate_inspections(reports: range, *, now: dt.datetime, seed: int) -> dict[str, int]:
    """Volunteers, and inspections for the reports with ids in `reports`."""
    if not reports:
        return {}
    rng = random.Random(seed * 7 + 1)  # noqa: S311 - synthetic data
    moderator = User.objects.get(email=f"moderator@{GENERATED_DOMAIN}").pk
    share = float(getattr(settings, "CITY_GENERATOR_INSPECTION_SHARE", SHARE))
    counts: Counter = Counter()
    with transaction.atomic():
        volunteers = _ensure_volunteers(max(10, len(reports) // REPORTS_PER_VOLUNTEER), now, moderator, rng)
    counts["volunteers"] = len(volunteers)
    topics = {t.pk: t for t in Topic.objects.all()}
    maker = _Maker(rng, now, moderator, volunteers, topics, _next_id(Inspection))
    for first in range(reports.start, reports.stop, SLICE):
        for row in _candidates(first, min(first + SLICE, reports.stop), share):
            maker.inspect(*row)
        with transaction.atomic():
            counts += maker.flush()
    _after_write()
    return dict(counts)


def _next_id(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def _ensure_volunteers(wanted: int, now: dt.datetime, moderator: int, rng: random.Random) -> list[int]:
    """Generated residents approved as volunteers a year or more ago: the
    approved application, the Volunteer row, the role; and a few applications
    still waiting for the desk."""
    generated = User.objects.filter(email__endswith=GENERATED_DOMAIN)
    have = list(
        Volunteer.objects.filter(user__in=generated, status=Volunteer.Status.ACTIVE).values_list(
            "user_id", flat=True
        )
    )
    missing = wanted - len(have)
    if missing <= 0:
        return have
    residents = list(
        generated.filter(role=Role.RESIDENT, volunteer__isnull=True, volunteer_applications__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    missing = min(missing, len(residents))
    chosen = sorted(rng.sample(residents, min(len(residents), missing + max(1, missing // 10))))
    # Most become volunteers; the rest wait for the desk with a pending application.
    waiting, chosen = chosen[: len(chosen) - missing], chosen[len(chosen) - missing :]
    first_application = _next_id(Application)
    applications, volunteers = [], []
    for n, user_id in enumerate(chosen):
        approved = now - dt.timedelta(days=400) + dt.timedelta(hours=rng.uniform(0, 24 * 30))
        applications.append(
            (
                first_application + n,
                user_id,
                "Живу в районе давно, хочу помогать проверять, как решают проблемы.",
                None,
                Application.Status.APPROVED,
                moderator,
                approved,
                "",
                approved - dt.timedelta(hours=rng.uniform(2, 96)),
            )
        )
        lapsed = rng.choice((0, 0, 0, 1, 2))
        volunteers.append(
            (user_id, first_application + n, Volunteer.Status.ACTIVE, approved, None, None, "", lapsed)
        )
    for n, user_id in enumerate(waiting, start=len(chosen)):
        applications.append(
            (
                first_application + n,
                user_id,
                "Хочу участвовать в общественных проверках.",
                None,
                Application.Status.PENDING,
                None,
                None,
                "",
                now - dt.timedelta(hours=rng.uniform(1, 72)),
            )
        )
    application_columns = [
        "id",
        "user_id",
        "motivation",
        "district_id",
        "status",
        "decided_by_id",
        "decided_at",
        "comment",
        "created_at",
    ]
    volunteer_columns = [
        "user_id",
        "application_id",
        "status",
        "approved_at",
        "suspended_at",
        "suspended_by_id",
        "suspension_reason",
        "lapsed_count",
    ]
    copy_rows(Application._meta.db_table, application_columns, applications)
    copy_rows(Volunteer._meta.db_table, volunteer_columns, volunteers)
    for part in _parts(chosen, 900):
        User.objects.filter(pk__in=part).update(role=Role.VOLUNTEER)
    return have + chosen


def _parts(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _candidates(first: int, stop: int, share: float) -> list[tuple]:
    """Reports of the slice drawn for an inspection (a fixed hash of the id)
    whose latest published answer is «done», with the time it was published."""
    sql = """
        SELECT r.id, r.author_id, r.status, r.updated_at, r.topic_id, r.organization_id,
               r.returns_count, a.id, e.created_at
        FROM issues_report r
        JOIN issues_answer a ON a.id = (
            SELECT MAX(a2.id) FROM issues_answer a2 WHERE a2.report_id = r.id AND a2.state = 'published'
        )
        JOIN issues_reportevent e ON e.id = (
            SELECT MAX(e2.id) FROM issues_reportevent e2
            WHERE e2.report_id = r.id AND e2.kind = 'answer_published'
        )
        WHERE r.id >= %s AND r.id < %s AND r.status IN ('answered', 'resolved')
          AND (r.id * 2654435761) %% 100000 < %s
          AND a.outcome = 'done'
          AND NOT EXISTS (SELECT 1 FROM volunteers_inspection i WHERE i.report_id = r.id)
        ORDER BY r.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [first, stop, int(share * 100_000)])
        return cursor.fetchall()


class _Maker:
    """Builds the rows of one slice: inspections, their events, and the
    reports sent back to the organization."""

    def __init__(self, rng, now, moderator, volunteers, topics, next_id):
        self.rng, self.now, self.moderator, self.topics = rng, now, moderator, topics
        self.volunteers = volunteers
        self.ids = itertools.count(next_id)
        # Tasks each volunteer holds now: no more than the services allow.
        self.holding: Counter = Counter()
        self.inspections: list[tuple] = []
        self.events: list[tuple] = []
        self.returns: list[tuple] = []
        self.states: Counter = Counter()

    def flush(self) -> Counter:
        copy_rows(Inspection._meta.db_table, INSPECTION_COLUMNS, self.inspections)
        copy_rows(ReportEvent._meta.db_table, EVENT_COLUMNS, self.events)
        if self.returns:
            with connection.cursor() as cursor:
                cursor.executemany(
                    "UPDATE issues_report SET status = %s, returns_count = returns_count + 1, deadline = %s, "
                    "answered_at = NULL, is_overdue = FALSE, reminded_at = %s, verdict_due = NULL, "
                    "closed_at = NULL, updated_at = %s WHERE id = %s",
                    [tuple(db_value(v) for v in (Status.IN_WORK, *row)) for row in self.returns],
                )
        made = Counter(
            {
                "inspections": len(self.inspections),
                "events": len(self.events),
                "returned to organizations": len(self.returns),
            }
        )
        made.update({f"inspections {state}": n for state, n in self.states.items()})
        self.inspections, self.events, self.returns, self.states = [], [], [], Counter()
        return made

    # --- helpers -----------------------------------------------------------

    def _between(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        return start + (end - start) * self.rng.uniform(0.05, 0.95)

    def _volunteer(self, author: int, holding: bool) -> int:
        for _ in range(20):
            user = self.rng.choice(self.volunteers)
            if user != author and (not holding or self.holding[user] < conf.MAX_TAKEN_AT_ONCE):
                break
        if holding:
            self.holding[user] += 1
        return user

    def _event(self, report, org, at, stage, actor=None, text="", public=False, **payload):
        self.events.append(
            (
                report,
                EventKind.INSPECTION,
                actor,
                org,
                "",
                "",
                "",
                text,
                json.dumps({"stage": stage, **payload}, ensure_ascii=False),
                public,
                at,
            )
        )

    def _chain(self, start: dt.datetime, end: dt.datetime, hours: list[tuple[float, float]]) -> list:
        """Moments after `start`, spaced by the given ranges of hours, squeezed
        to end before `end` when they would not fit."""
        steps = [self.rng.uniform(lo, hi) for lo, hi in hours]
        room = (end - start) / HOUR
        if sum(steps) > room:
            steps = [s * room / sum(steps) * 0.98 for s in steps]
        moments, t = [], start
        for s in steps:
            t = t + dt.timedelta(hours=s)
            moments.append(t)
        return moments

    # --- one report --------------------------------------------------------

    def inspect(self, report, author, status, updated, topic_id, org, returns, answer, published):
        now, rng = self.now, self.rng
        updated, published = aware(updated), aware(published)
        recent = now - published < dt.timedelta(days=conf.sample_days())
        weights = dict(STATE_WEIGHTS_RECENT if recent else STATE_WEIGHTS_OLD)
        # A return is recent (its new deadline lies ahead), comes after the
        # report's last change and leaves time for the inspection since the
        # answer; a second return would escalate: left out.
        end, earliest = now, max(updated, published + 4 * HOUR, now - 20 * HOUR)
        if returns or earliest >= now - 10 * dt.timedelta(minutes=1):
            weights.pop("returned")
        state = rng.choices(list(weights), list(weights.values()))[0]
        if state in ("open", "taken", "submitted"):
            # Still in the pool or in hands: drawn lately, or ordered lately on an older answer.
            lo = max(published, now - 4 * DAY)
            created = self._between(lo, now - min(HOUR, (now - lo) / 2))
        elif state == "returned":
            end = self._between(earliest, now - 10 * dt.timedelta(minutes=1))
            created = self._between(max(published, end - 6 * DAY), end - 3 * HOUR)
        else:
            created = published + dt.timedelta(hours=rng.uniform(2, 60))
            if rng.random() < 0.2:  # ordered by the desk on a doubt, later
                created = published + dt.timedelta(hours=rng.uniform(24, 240))
            created = min(created, now - 3 * DAY)
        sample = created - published <= dt.timedelta(days=conf.sample_days()) and rng.random() < 0.8
        ctx = (report, author, org, answer)
        self._one(ctx, state, created, sample, end)
        if state == "returned":
            self._return(report, org, status, topic_id, returns, end)

    def _one(self, ctx, state, created, sample, end):
        report, author, org, answer = ctx
        rng, now = self.rng, self.now
        pk = next(self.ids)
        source = Inspection.Source.SAMPLE if sample else Inspection.Source.ORDERED
        row = dict.fromkeys(INSPECTION_COLUMNS)
        row.update(
            id=pk,
            report_id=report,
            answer_id=answer,
            source=source,
            status=state if state != "returned" else Inspection.Status.ACCEPTED,
            note="" if sample else NOTE,
            ordered_by_id=None if sample else self.moderator,
            verdict="",
            comment="",
            far_photos=0,
            review_comment="",
            created_at=created,
            updated_at=created,
        )
        if sample:
            self._event(report, org, created, "sampled", inspection_id=pk, source=source)
        else:
            self._event(
                report, org, created, "ordered", self.moderator, NOTE, inspection_id=pk, source=source
            )
        self.states[state] += 1
        if state == "open":
            self.inspections.append(tuple(row[c] for c in INSPECTION_COLUMNS))
            return
        take_hours = conf.take_duration() / HOUR
        if state == "taken":
            taken = self._between(max(created, now - (take_hours - 2) * HOUR), now)
            moments = [taken]
        else:
            moments = self._chain(created, end, [(1, 30), (1, take_hours - 1), (1, 48)])
        volunteer = self._volunteer(author, holding=state == "taken")
        row.update(volunteer_id=volunteer, taken_at=moments[0], taken_until=moments[0] + conf.take_duration())
        row["updated_at"] = moments[0]
        if state != "taken":
            if state == "returned":
                verdict = rng.choice((Inspection.Verdict.NOT_FIXED,) * 2 + (Inspection.Verdict.PARTLY,))
            else:
                verdict = rng.choices(list(Inspection.Verdict), [85, 10, 5])[0]
            submitted = moments[1]
            row.update(
                verdict=verdict, comment=COMMENTS[verdict], submitted_at=submitted, updated_at=submitted
            )
            self._event(
                report,
                org,
                submitted,
                "submitted",
                volunteer,
                COMMENTS[verdict],
                inspection_id=pk,
                far_photos=0,
                verdict=verdict,
            )
            if state in ("accepted", "declined", "returned"):
                reviewed = end if state == "returned" else moments[2]
                comment = DECLINE_COMMENT if state == "declined" else ""
                row.update(
                    reviewed_by_id=self.moderator,
                    reviewed_at=reviewed,
                    review_comment=comment,
                    updated_at=reviewed,
                )
                if state == "returned":
                    row["returned_at"] = reviewed
                self._event(
                    report,
                    org,
                    reviewed,
                    "declined" if state == "declined" else "accepted",
                    self.moderator,
                    comment,
                    public=state != "declined",
                    inspection_id=pk,
                    verdict=verdict,
                )
        self.inspections.append(tuple(row[c] for c in INSPECTION_COLUMNS))
        if state == "declined":
            # decline_verdict(reopen=True): a fresh task for the same report, ordered at once.
            reviewed = row["reviewed_at"]
            again = "accepted" if now - reviewed > 6 * DAY else "open"
            self._one(ctx, again, reviewed, False, now)

    def _return(self, report, org, status, topic_id, returns, at):
        """issues.services.return_to_organization on the verdict: back in work
        with a fresh deadline (and the reminder, if it is already due)."""
        verdict_text = "не устранено"
        pk = self.inspections[-1][0]
        verdict = self.inspections[-1][INSPECTION_COLUMNS.index("verdict")]
        if verdict == Inspection.Verdict.PARTLY:
            verdict_text = "устранено частично"
        topic = self.topics[topic_id]
        deadline = deadlines.add_days(at, topic.deadline_days, topic.calendar_days)
        self.events.append(
            (
                report,
                EventKind.RETURNED,
                self.moderator,
                org,
                status,
                Status.IN_WORK,
                "",
                f"По итогам общественной проверки: {verdict_text}.",
                json.dumps({"returns": returns + 1, "inspection_id": pk}),
                True,
                at,
            )
        )
        reminded, updated = None, at
        if deadline <= deadlines.add_days(self.now, 1):
            reminded = updated = self._between(at, self.now)
            self.events.append(
                (
                    report,
                    EventKind.REMINDED,
                    None,
                    org,
                    "",
                    "",
                    "",
                    "",
                    json.dumps({"deadline": deadline.isoformat()}),
                    False,
                    reminded,
                )
            )
        self.returns.append((deadline, reminded, updated, report))


def _after_write() -> None:
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Application, Inspection]):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            for model in (Inspection, Volunteer, Application):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
