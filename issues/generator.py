"""A realistic city of N reports for benchmarks (manage.py generate_city).

Reports are placed at the register's buildings and the real places of
«Наш город» works (with a little jitter), on topics routed the way the portal
routes them, created on a weekday/hour-of-day curve (three times the load
between 11:00 and 14:00 on weekdays), and carried through full event
histories in every state: resolved, answered, disputed, in work, overdue and
escalated. Rows are written with COPY on PostgreSQL (plain INSERTs elsewhere),
batch by batch, with ids chosen here so that answers point at their events and
published answers' payloads at their answers, as the services write them.

Histories are computed here, not through issues.services: this is bulk data
for measurements, consistent with what the services would have written. The
apps below issues add their own rows afterwards (volunteers' inspections, the
points ledger) through settings.CITY_GENERATOR_EXTENSIONS, which this module
loads by name and never imports.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gzip
import itertools
import json
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import Role, User
from issues import deadlines
from issues.models import Answer, EventKind, Outcome, Report, ReportEvent, Status, Topic
from organizations.models import Kind, Organization
from organizations.routing import route_topic
from places.geo import DistrictIndex
from places.importers import data_path
from places.models import Building, District

GENERATED_DOMAIN = "gen.nashgorod.invalid"
WORKS_FILE = "moscow_nashgorod_works_2022_2024.geojson.gz"
# Relative load by hour of day on a weekday (peak 11:00-14:00 is ~3x).
HOUR_WEIGHTS = [
    0.2,
    0.1,
    0.05,
    0.05,
    0.05,
    0.1,
    0.3,
    0.6,
    1.0,
    1.3,
    1.6,
    3.0,
    3.0,
    3.0,
    1.8,
    1.6,
    1.5,
    1.4,
    1.3,
    1.1,
    0.9,
    0.7,
    0.5,
    0.3,
]
WEEKEND_FACTOR = 0.55
# What happens after submission: (weight, steps); steps stop at "now".
SCENARIOS = [
    (6, ["reject"]),
    (2, ["merge"]),
    (58, ["publish", "answer", "publish_answer", "confirm"]),
    (8, ["publish", "answer", "publish_answer", "auto_close"]),
    (5, ["publish", "answer", "return_answer", "answer", "publish_answer", "confirm"]),
    (
        6,
        [
            "publish",
            "answer",
            "publish_answer",
            "reject_fix",
            "return",
            "answer",
            "publish_answer",
            "confirm",
        ],
    ),
    (3, ["publish", "answer", "publish_answer", "reject_fix", "dismiss"]),
    (7, ["publish", "late"]),  # never answered in time: overdue, escalated, then answered late
    (5, ["publish", "overdue_forever"]),
]
REPORT_COLUMNS = [
    "id",
    "author_id",
    "topic_id",
    "status",
    "point",
    "address",
    "building_id",
    "district_id",
    "okrug_id",
    "description",
    "organization_id",
    "duplicate_of_id",
    "submission_key",
    "created_at",
    "updated_at",
    "published_at",
    "deadline",
    "planned_date",
    "answered_at",
    "closed_at",
    "is_overdue",
    "escalation_level",
    "escalated_at",
    "next_escalation_at",
    "reminded_at",
    "verdict_due",
    "returns_count",
    "question_answers",
]
EVENT_COLUMNS = [
    "id",
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
ANSWER_COLUMNS = [
    "id",
    "report_id",
    "organization_id",
    "author_id",
    "outcome",
    "text",
    "planned_date",
    "state",
    "moderator_comment",
    "created_at",
    "event_id",
]
# Positions in an answer row (answers are lists while their history is written).
_A = {name: i for i, name in enumerate(ANSWER_COLUMNS)}


@dataclass
class _Place:
    x: float
    y: float
    district_id: int
    okrug_id: int
    building_id: int | None = None
    address: str = ""


@dataclass
class _World:
    places: list[_Place]
    topics: list[Topic]
    topic_weights: list[float]
    housing_by_district: dict[int, int]
    company_by_building: dict[int, int]
    supervisor: dict[int, int | None]
    org_names: dict[int, str]
    route_cache: dict = field(default_factory=dict)


def _load_world(rng: random.Random) -> _World:
    index = DistrictIndex()
    places: list[_Place] = []
    for b in (
        Building.objects.exclude(district=None)
        .select_related("district")
        .only("id", "point", "address", "district_id", "district__okrug_id")
    ):
        places.append(
            _Place(
                b.point.x,
                b.point.y,
                b.district_id,
                b.district.okrug_id,
                b.pk,
                b.address.removeprefix("г. Москва, "),
            )
        )
    with gzip.open(data_path(WORKS_FILE), "rt", encoding="utf-8") as fh:
        for feature in json.load(fh)["features"]:
            coords = feature["geometry"]["coordinates"]
            if not coords:
                continue
            lon, lat = coords[0] if isinstance(coords[0], list) else coords
            from django.contrib.gis.geos import Point

            loc = index.locate(Point(lon, lat, srid=4326))
            if loc is not None:
                # Real report places weigh like several buildings.
                place = _Place(
                    lon,
                    lat,
                    loc.district.pk,
                    loc.okrug.pk,
                    None,
                    (feature["properties"].get("WorkPlaceDescription") or "").strip()[:300],
                )
                places.extend([place] * 3)
    today = timezone.localdate()
    topics = [t for t in Topic.objects.select_related("season") if t.is_available(today)]
    # Cumulative weights, summed once rather than for every report (the same draws).
    weights = list(itertools.accumulate(3.0 if t.needs_building else 1.0 for t in topics))
    housing = dict(Organization.objects.filter(kind=Kind.HOUSING_SERVICE).values_list("districts", "pk"))
    through = Organization.buildings.through
    company = dict(through.objects.values_list("building_id", "organization_id"))
    supervisor = dict(Organization.objects.values_list("pk", "supervisor_id"))
    names = dict(Organization.objects.values_list("pk", "name"))
    return _World(places, topics, weights, housing, company, supervisor, names)


def _organization(world: _World, topic: Topic, place: _Place) -> int | None:
    if topic.needs_building and place.building_id:
        org = world.company_by_building.get(place.building_id)
        return org or world.housing_by_district.get(place.district_id)
    key = (topic.pk, place.district_id)
    if key not in world.route_cache:
        org = route_topic(topic, District(pk=place.district_id), None)
        world.route_cache[key] = org.pk if org else None
    return world.route_cache[key]


class _Clock:
    """Creation times on the weekly curve, and cached working-day deadlines."""

    def __init__(self, days: int, now: dt.datetime):
        self.now = now
        start = now - dt.timedelta(days=days)
        self.hours = []
        weights = []
        moment = timezone.localtime(start).replace(minute=0, second=0, microsecond=0)
        while moment < now:
            weight = HOUR_WEIGHTS[moment.hour] * (WEEKEND_FACTOR if moment.weekday() >= 5 else 1.0)
            self.hours.append(moment)
            weights.append(weight)
            moment += dt.timedelta(hours=1)
        self.cumulative = []
        total = 0.0
        for w in weights:
            total += w
            self.cumulative.append(total)
        self._deadlines: dict = {}

    def created(self, rng: random.Random) -> dt.datetime:
        i = bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])
        return self.hours[min(i, len(self.hours) - 1)] + dt.timedelta(seconds=rng.randrange(3600))

    def deadline(self, start: dt.datetime, topic: Topic) -> dt.datetime:
        key = (timezone.localtime(start).date(), topic.deadline_days, topic.calendar_days)
        if key not in self._deadlines:
            self._deadlines[key] = deadlines.add_days(start, topic.deadline_days, topic.calendar_days)
        return self._deadlines[key]


def _ensure_people(residents: int, organizations: set[int]) -> tuple[list[int], dict[int, int], int]:
    password = make_password(None)
    # Residents are r0, r1, ... (some of them became volunteers since: they still file reports).
    people = User.objects.filter(email__endswith=GENERATED_DOMAIN, role__in=(Role.RESIDENT, Role.VOLUNTEER))
    existing = people.count()
    # In slices: 11,000,000 reports want ~900,000 residents, too many model instances at once.
    for first in range(existing, residents, 50_000):
        User.objects.bulk_create(
            (
                User(
                    email=f"r{n}@{GENERATED_DOMAIN}",
                    full_name=f"Житель {n}",
                    role=Role.RESIDENT,
                    email_confirmed=True,
                    password=password,
                )
                for n in range(first, min(residents, first + 50_000))
            ),
            batch_size=5000,
        )
    resident_ids = list(people.order_by("pk").values_list("pk", flat=True)[:residents])
    staff = dict(
        User.objects.filter(email__endswith=GENERATED_DOMAIN, role=Role.STAFF).values_list(
            "organization_id", "pk"
        )
    )
    missing = [o for o in organizations if o not in staff]
    User.objects.bulk_create(
        [
            User(
                email=f"staff{o}@{GENERATED_DOMAIN}",
                full_name=f"Сотрудник {o}",
                role=Role.STAFF,
                organization_id=o,
                email_confirmed=True,
                password=password,
            )
            for o in missing
        ],
        batch_size=5000,
    )
    staff.update(
        User.objects.filter(email__endswith=GENERATED_DOMAIN, role=Role.STAFF).values_list(
            "organization_id", "pk"
        )
    )
    moderator, _ = User.objects.get_or_create(
        email=f"moderator@{GENERATED_DOMAIN}",
        defaults={
            "full_name": "Редактор",
            "role": Role.MODERATOR,
            "email_confirmed": True,
            "password": password,
        },
    )
    return resident_ids, staff, moderator.pk


@dataclass
class _Ids:
    """The ids of the rows being written, chosen here so that events, answers
    and payloads can refer to each other inside one COPY."""

    event: Iterator[int]
    answer: Iterator[int]


def _history(
    report: dict,
    steps: list[str],
    topic: Topic,
    clock: _Clock,
    rng: random.Random,
    staff: dict,
    moderator: int,
    world: _World,
    first_report_id: int,
    ids: _Ids,
) -> tuple[list[tuple], list[list]]:
    """Fill the report's fields and return its events and answers, with the
    payloads issues.services writes."""
    now = clock.now
    t = report["created_at"]
    org = report["organization_id"]
    supervisor = world.supervisor
    events: list[tuple] = []
    answers: list[list] = []
    status = ""

    def event(kind, actor, to=None, text="", public=True, payload=None, reason="", at=None):
        nonlocal status
        frm = status if to else ""
        events.append(
            (
                next(ids.event),
                report["id"],
                kind,
                actor,
                report["organization_id"],
                frm,
                to or "",
                reason,
                text,
                json.dumps(payload or {}, ensure_ascii=False),
                public,
                at or t,
            )
        )
        if to:
            status = to

    def escalate(level: int, sup: int, reason: str) -> None:
        report["escalation_level"], report["escalated_at"] = level, t
        event(
            EventKind.ESCALATED,
            None,
            payload={"supervisor": world.org_names.get(sup, ""), "supervisor_id": sup, "level": level},
            reason=reason,
        )

    def answered() -> None:
        outcome, text = _answer(report, answers, staff.get(org), t, rng, ids)
        report["answered_at"] = t
        event(
            EventKind.ANSWERED,
            staff.get(org),
            Status.ANSWER_REVIEW,
            text=text,
            public=False,
            payload={"outcome": outcome},
        )
        answers[-1][_A["event_id"]] = events[-1][0]

    event(EventKind.CREATED, report["author_id"], Status.MODERATION)
    for step in steps:
        previous = t
        t = t + dt.timedelta(hours=rng.uniform(1, 70) if step != "publish" else rng.uniform(0.5, 20))
        if step in ("late", "overdue_forever"):
            deadline = report["deadline"]
            if deadline >= now:
                break
            t = deadline + dt.timedelta(minutes=5)
            report["is_overdue"] = True
            event(EventKind.OVERDUE, None, payload={"deadline": deadline.isoformat()})
            answer_at = t + dt.timedelta(days=rng.uniform(1, 10)) if step == "late" else None
            sup = supervisor.get(org)
            if sup:
                escalate(1, sup, "overdue")
                further = t + dt.timedelta(days=3)
                if supervisor.get(sup):
                    report["next_escalation_at"] = further
                # The scheduler escalates further whatever is still unanswered then
                # (a late answer too, if it came after that, or has not come yet).
                unanswered = step == "overdue_forever" or answer_at > further
                if unanswered and further < now and supervisor.get(sup):
                    t = further
                    report["next_escalation_at"] = None
                    escalate(2, supervisor[sup], "still_overdue")
            if answer_at is not None:
                t = answer_at
                if t < now:
                    answered()
            continue
        if step == "answer" and report["deadline"] and t > report["deadline"]:
            # These scenarios answer in time; the late ones are "late" above.
            t = max(
                report["deadline"] - dt.timedelta(hours=rng.uniform(1, 20)),
                previous + dt.timedelta(minutes=30),
            )
        if t >= now:
            break
        if step == "publish":
            report["published_at"] = t
            report["deadline"] = clock.deadline(t, topic)
            event(EventKind.PUBLISHED, moderator, Status.IN_WORK)
        elif step == "reject":
            report["closed_at"] = t
            event(EventKind.REJECTED, moderator, Status.REJECTED, reason="no_problem", public=True)
        elif step == "merge":
            report["organization_id"] = None
            # An earlier report of this run: ids below it may belong to a deleted city.
            target = rng.randrange(first_report_id, report["id"]) if report["id"] > first_report_id else None
            if target is None:
                break
            report["duplicate_of_id"], report["closed_at"] = target, t
            event(EventKind.MERGED, moderator, Status.DUPLICATE, payload={"into": target})
        elif step == "answer":
            answered()
        elif step == "return_answer":
            answers[-1][_A["state"]] = Answer.State.RETURNED
            answers[-1][_A["moderator_comment"]] = "Ответ формальный"
            report["answered_at"] = None
            event(EventKind.ANSWER_RETURNED, moderator, Status.IN_WORK, text="Ответ формальный", public=False)
        elif step == "publish_answer":
            reply = answers[-1]
            reply[_A["state"]] = Answer.State.PUBLISHED
            report["verdict_due"] = t + dt.timedelta(days=7)
            planned = reply[_A["planned_date"]]
            if reply[_A["outcome"]] == Outcome.PLANNED:
                report["planned_date"] = planned
            event(
                EventKind.ANSWER_PUBLISHED,
                moderator,
                Status.ANSWERED,
                text=reply[_A["text"]],
                payload={
                    "outcome": reply[_A["outcome"]],
                    "answer": reply[_A["id"]],
                    "organization": world.org_names.get(org, ""),
                    "planned_date": planned.isoformat() if planned else None,
                },
            )
        elif step in ("confirm", "auto_close", "dismiss"):
            if step == "auto_close":
                t = report["verdict_due"]
                if t >= now:
                    break
            kind = {
                "confirm": EventKind.CONFIRMED,
                "auto_close": EventKind.AUTO_CLOSED,
                "dismiss": EventKind.DISPUTE_DISMISSED,
            }[step]
            actor = {"confirm": report["author_id"], "auto_close": None, "dismiss": moderator}[step]
            report["closed_at"], report["verdict_due"] = t, None
            event(kind, actor, Status.RESOLVED)
        elif step == "reject_fix":
            report["verdict_due"] = None
            event(EventKind.FIX_REJECTED, report["author_id"], Status.DISPUTED, text="Проблема не решена")
        elif step == "return":
            report["returns_count"] += 1
            report["deadline"], report["answered_at"] = clock.deadline(t, topic), None
            event(EventKind.RETURNED, moderator, Status.IN_WORK, payload={"returns": report["returns_count"]})
    report["status"] = status
    if status == Status.IN_WORK:
        # The scheduler has already reminded the organization where it would
        # have: from the start (Moscow time) of the working day before the
        # deadline's, when the deadline falls within the next working day.
        remind_at = timezone.make_aware(
            dt.datetime.combine(deadlines.previous_working_day(report["deadline"]), dt.time.min)
        )
        if remind_at < now:
            report["reminded_at"] = remind_at
            event(
                EventKind.REMINDED,
                None,
                public=False,
                payload={"deadline": report["deadline"].isoformat()},
                at=remind_at,
            )
    report["updated_at"] = max(e[-1] for e in events)
    return events, answers


def _answer(report, answers, staff_id, t, rng, ids: _Ids) -> tuple[str, str]:
    outcome = Outcome.PLANNED if rng.random() < 0.15 else Outcome.DONE
    planned = (timezone.localtime(t).date() + dt.timedelta(days=30)) if outcome == Outcome.PLANNED else None
    text = "Работы выполнены." if outcome == Outcome.DONE else "Работы запланированы."
    answers.append(
        [
            next(ids.answer),
            report["id"],
            report["organization_id"],
            staff_id,
            outcome,
            text,
            planned,
            Answer.State.REVIEW,
            "",
            t,
            None,  # event_id: the ANSWERED event, set by the caller
        ]
    )
    return outcome, text


@dataclass
class CitySummary:
    """What a run wrote: counts by kind of row (the extensions add theirs, e.g.
    inspections, ledger entries) and the seconds each stage took."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def reports(self) -> int:
        return self.counts.get("reports", 0)

    def add(self, counts: dict[str, int]) -> None:
        for key, value in counts.items():
            self.counts[key] = self.counts.get(key, 0) + value


def generate_city(
    n: int,
    seed: int = 2011,
    days: int = 365,
    batch: int = 20_000,
    progress: Callable[[int], None] = lambda done: None,
    extensions: list[str] | None = None,
    stage: Callable[[str], None] = lambda name: None,
) -> CitySummary:
    """Write n reports in batches, then run the apps' extensions once over them.

    An extension is a dotted path (settings.CITY_GENERATOR_EXTENSIONS: the apps
    below issues add their rows, e.g. inspections and points, without issues
    importing them): a function (reports: range, *, now, seed) -> counts."""
    started = time.monotonic()
    summary = CitySummary(counts={"reports": 0, "events": 0, "answers": 0})
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    world = _load_world(rng)
    clock = _Clock(days, timezone.now())
    organizations = (
        set(world.housing_by_district.values())
        | set(world.company_by_building.values())
        | set(Organization.objects.filter(is_active=True).values_list("pk", flat=True))
    )
    residents, staff, moderator = _ensure_people(max(100, n // 12), organizations)
    start_id = _next_id(Report)
    ids = _Ids(event=itertools.count(_next_id(ReportEvent)), answer=itertools.count(_next_id(Answer)))
    scenarios = [steps for _, steps in SCENARIOS]
    scenario_weights = list(itertools.accumulate(w for w, _ in SCENARIOS))
    for chunk_start in range(0, n, batch):
        reports, events, answers = [], [], []
        for i in range(chunk_start, min(n, chunk_start + batch)):
            rid = start_id + i
            place = rng.choice(world.places)
            topic = rng.choices(world.topics, cum_weights=world.topic_weights)[0]
            if topic.needs_building and place.building_id is None:
                topic = next(t for t in world.topics if not t.needs_building)
            created = clock.created(rng)
            report = {
                "id": rid,
                "author_id": rng.choice(residents),
                "topic_id": topic.pk,
                "status": Status.MODERATION,
                "point": f"SRID=4326;POINT({place.x + rng.uniform(-2e-4, 2e-4):.6f} "
                f"{place.y + rng.uniform(-1e-4, 1e-4):.6f})",
                "address": place.address,
                "building_id": place.building_id if topic.needs_building else None,
                "district_id": place.district_id,
                "okrug_id": place.okrug_id,
                "description": "",
                "organization_id": _organization(world, topic, place),
                "duplicate_of_id": None,
                "submission_key": uuid.UUID(int=rng.getrandbits(128), version=4),
                "created_at": created,
                "updated_at": created,
                "published_at": None,
                "deadline": None,
                "planned_date": None,
                "answered_at": None,
                "closed_at": None,
                "is_overdue": False,
                "escalation_level": 0,
                "escalated_at": None,
                "next_escalation_at": None,
                "reminded_at": None,
                "verdict_due": None,
                "returns_count": 0,
                "question_answers": "{}",
            }
            steps = rng.choices(scenarios, cum_weights=scenario_weights)[0]
            if report["organization_id"] is None and "publish" in steps:
                steps = ["reject"]
            ev, an = _history(report, steps, topic, clock, rng, staff, moderator, world, start_id, ids)
            reports.append(tuple(report[c] for c in REPORT_COLUMNS))
            events.extend(ev)
            answers.extend(an)
        _write(reports, events, answers)
        summary.add({"reports": len(reports), "events": len(events), "answers": len(answers)})
        progress(summary.reports)
    _after_write()
    summary.seconds["reports"] = time.monotonic() - started
    made = range(start_id, start_id + summary.reports)
    paths = getattr(settings, "CITY_GENERATOR_EXTENSIONS", ()) if extensions is None else extensions
    for path in paths:
        stage(path)
        began = time.monotonic()
        summary.add(import_string(path)(made, now=clock.now, seed=seed) or {})
        summary.seconds[path] = time.monotonic() - began
    return summary


def _next_id(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def copy_rows(table: str, columns: list[str], rows: Iterable[tuple]) -> int:
    """Write rows (tuples in the order of `columns`, JSON as text, points as
    EWKT) with COPY on PostgreSQL; elsewhere (the SpatiaLite test database)
    with plain INSERTs, keeping the given times (bulk_create would stamp
    auto_now_add fields with the present). Used by the apps' extensions too."""
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join("GeomFromEWKT(%s)" if c == "point" else "%s" for c in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 - our own names
        rows = iter(rows)
        while part := [tuple(db_value(v) for v in row) for row in itertools.islice(rows, 1000)]:
            cursor.executemany(sql, part)
            count += len(part)
    return count


def db_value(value):
    """A value for a raw query's parameters: psycopg takes Python values as
    they are; SQLite wants datetimes and UUIDs stored the way Django stores them."""
    if connection.vendor == "postgresql":
        return value
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    if isinstance(value, uuid.UUID):
        return value.hex
    return value


def aware(value: dt.datetime | str) -> dt.datetime:
    """A datetime read by a raw query: SQLite hands back naive UTC (or text,
    from an aggregate), PostgreSQL an aware one."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, dt.UTC)


@transaction.atomic
def _write(reports, events, answers) -> None:
    copy_rows(Report._meta.db_table, REPORT_COLUMNS, reports)
    copy_rows(ReportEvent._meta.db_table, EVENT_COLUMNS, events)
    copy_rows(Answer._meta.db_table, ANSWER_COLUMNS, answers)


def _after_write() -> None:
    """Sequences past the ids we chose; fresh planner statistics."""
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Report, ReportEvent, Answer]):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            for model in (Report, ReportEvent, Answer):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
