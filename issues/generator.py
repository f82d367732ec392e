"""A realistic city of N reports for benchmarks (manage.py generate_city).

Reports are placed at the register's buildings and the real places of
«Наш город» works (with a little jitter), on topics routed the way the portal
routes them, created on a weekday/hour-of-day curve (three times the load
between 11:00 and 14:00 on weekdays), and carried through full event
histories in every state: resolved, answered, disputed, in work, overdue and
escalated. Rows are written with COPY on PostgreSQL (bulk_create elsewhere).

Histories are computed here, not through issues.services: this is bulk data
for measurements, consistent with what the services would have written.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gzip
import json
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

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
ANSWER_COLUMNS = [
    "report_id",
    "organization_id",
    "author_id",
    "outcome",
    "text",
    "planned_date",
    "state",
    "moderator_comment",
    "created_at",
]


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
    weights = [3.0 if t.needs_building else 1.0 for t in topics]
    housing = dict(Organization.objects.filter(kind=Kind.HOUSING_SERVICE).values_list("districts", "pk"))
    through = Organization.buildings.through
    company = dict(through.objects.values_list("building_id", "organization_id"))
    supervisor = dict(Organization.objects.values_list("pk", "supervisor_id"))
    return _World(places, topics, weights, housing, company, supervisor)


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
    existing = User.objects.filter(email__endswith=GENERATED_DOMAIN).count()
    if existing < residents:
        User.objects.bulk_create(
            [
                User(
                    email=f"r{n}@{GENERATED_DOMAIN}",
                    full_name=f"Житель {n}",
                    role=Role.RESIDENT,
                    email_confirmed=True,
                    password=password,
                )
                for n in range(existing, residents)
            ],
            batch_size=5000,
        )
    resident_ids = list(
        User.objects.filter(email__endswith=GENERATED_DOMAIN, role=Role.RESIDENT).values_list(
            "pk", flat=True
        )[:residents]
    )
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


def _history(
    report: dict,
    steps: list[str],
    topic: Topic,
    clock: _Clock,
    rng: random.Random,
    staff: dict,
    moderator: int,
    supervisor: dict,
    last_report_id: int,
) -> tuple[list[tuple], list[tuple]]:
    """Fill the report's fields and return its events and answers."""
    now = clock.now
    t = report["created_at"]
    org = report["organization_id"]
    events = [
        (
            report["id"],
            EventKind.CREATED,
            report["author_id"],
            None,
            "",
            Status.MODERATION,
            "",
            "",
            "{}",
            True,
            t,
        )
    ]
    answers: list[tuple] = []
    status = Status.MODERATION

    def event(kind, actor, to=None, text="", public=True, payload="{}", reason=""):
        nonlocal status
        frm = status if to else ""
        events.append(
            (
                report["id"],
                kind,
                actor,
                report["organization_id"],
                frm,
                to or "",
                reason,
                text,
                payload,
                public,
                t,
            )
        )
        if to:
            status = to

    for step in steps:
        previous = t
        t = t + dt.timedelta(hours=rng.uniform(1, 70) if step != "publish" else rng.uniform(0.5, 20))
        if step in ("late", "overdue_forever"):
            deadline = report["deadline"]
            if deadline >= now:
                break
            t = deadline + dt.timedelta(minutes=5)
            report["is_overdue"] = True
            event(EventKind.OVERDUE, None)
            sup = supervisor.get(org)
            if sup:
                report["escalation_level"], report["escalated_at"] = 1, t
                event(
                    EventKind.ESCALATED,
                    None,
                    payload=json.dumps({"supervisor_id": sup, "level": 1}),
                    reason="overdue",
                )
                further = t + dt.timedelta(days=3)
                if supervisor.get(sup):
                    report["next_escalation_at"] = further
                if step == "overdue_forever" and further < now and supervisor.get(sup):
                    t = further
                    report["escalation_level"], report["escalated_at"] = 2, t
                    report["next_escalation_at"] = None
                    event(
                        EventKind.ESCALATED,
                        None,
                        payload=json.dumps({"supervisor_id": supervisor[sup], "level": 2}),
                        reason="still_overdue",
                    )
            if step == "late":
                t = t + dt.timedelta(days=rng.uniform(1, 10))
                if t < now:
                    _answer(report, answers, staff.get(org), t, rng)
                    event(EventKind.ANSWERED, staff.get(org), Status.ANSWER_REVIEW, public=False)
                    report["answered_at"] = t
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
            target = rng.randrange(1, last_report_id) if last_report_id > 1 else None
            if target is None:
                break
            report["duplicate_of_id"], report["closed_at"] = target, t
            event(EventKind.MERGED, moderator, Status.DUPLICATE, payload=json.dumps({"into": target}))
        elif step == "answer":
            _answer(report, answers, staff.get(org), t, rng)
            report["answered_at"] = t
            event(EventKind.ANSWERED, staff.get(org), Status.ANSWER_REVIEW, public=False)
        elif step == "return_answer":
            answers[-1] = answers[-1][:6] + (Answer.State.RETURNED, "Ответ формальный") + answers[-1][8:]
            report["answered_at"] = None
            event(EventKind.ANSWER_RETURNED, moderator, Status.IN_WORK, text="Ответ формальный", public=False)
        elif step == "publish_answer":
            answers[-1] = answers[-1][:6] + (Answer.State.PUBLISHED,) + answers[-1][7:]
            report["verdict_due"] = t + dt.timedelta(days=7)
            event(
                EventKind.ANSWER_PUBLISHED,
                moderator,
                Status.ANSWERED,
                text=answers[-1][4],
                payload=json.dumps({"outcome": answers[-1][3]}),
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
            event(EventKind.RETURNED, moderator, Status.IN_WORK)
    report["status"] = status
    if status == Status.IN_WORK:
        # The scheduler has already reminded the organization where it would have.
        remind_at = deadlines.end_of_day(deadlines.previous_working_day(report["deadline"])) - dt.timedelta(
            hours=15
        )
        if remind_at < now:
            report["reminded_at"] = remind_at
            events.append(
                (
                    report["id"],
                    EventKind.REMINDED,
                    None,
                    report["organization_id"],
                    "",
                    "",
                    "",
                    "",
                    "{}",
                    False,
                    remind_at,
                )
            )
    report["updated_at"] = max(e[-1] for e in events)
    return events, answers


def _answer(report, answers, staff_id, t, rng):
    outcome = Outcome.PLANNED if rng.random() < 0.15 else Outcome.DONE
    planned = (timezone.localtime(t).date() + dt.timedelta(days=30)) if outcome == Outcome.PLANNED else None
    text = "Работы выполнены." if outcome == Outcome.DONE else "Работы запланированы."
    answers.append(
        (
            report["id"],
            report["organization_id"],
            staff_id,
            outcome,
            text,
            planned,
            Answer.State.REVIEW,
            "",
            t,
        )
    )


def generate_city(
    n: int,
    seed: int = 2011,
    days: int = 365,
    batch: int = 20_000,
    progress: Callable[[int], None] = lambda done: None,
) -> int:
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    world = _load_world(rng)
    clock = _Clock(days, timezone.now())
    organizations = (
        set(world.housing_by_district.values())
        | set(world.company_by_building.values())
        | set(Organization.objects.filter(is_active=True).values_list("pk", flat=True))
    )
    residents, staff, moderator = _ensure_people(max(100, n // 12), organizations)
    start_id = (Report.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    made = 0
    for chunk_start in range(0, n, batch):
        reports, events, answers = [], [], []
        for i in range(chunk_start, min(n, chunk_start + batch)):
            rid = start_id + i
            place = rng.choice(world.places)
            topic = rng.choices(world.topics, world.topic_weights)[0]
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
            }
            steps = rng.choices([s for _, s in SCENARIOS], [w for w, _ in SCENARIOS])[0]
            if report["organization_id"] is None and "publish" in steps:
                steps = ["reject"]
            ev, an = _history(report, steps, topic, clock, rng, staff, moderator, world.supervisor, rid)
            reports.append(tuple(report[c] for c in REPORT_COLUMNS))
            events.extend(ev)
            answers.extend(an)
        _write(reports, events, answers)
        made += len(reports)
        progress(made)
    _after_write()
    return made


def _rows_as_models(model, columns, rows) -> Iterator:
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        if "point" in values:
            from django.contrib.gis.geos import GEOSGeometry

            values["point"] = GEOSGeometry(values["point"])
        if "payload" in values:
            values["payload"] = json.loads(values["payload"])
        yield model(**values)


@transaction.atomic
def _write(reports, events, answers) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            for table, columns, rows in (
                (Report._meta.db_table, REPORT_COLUMNS, reports),
                (ReportEvent._meta.db_table, EVENT_COLUMNS, events),
                (Answer._meta.db_table, ANSWER_COLUMNS, answers),
            ):
                with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        return
    Report.objects.bulk_create(_rows_as_models(Report, REPORT_COLUMNS, reports), batch_size=2000)
    ReportEvent.objects.bulk_create(_rows_as_models(ReportEvent, EVENT_COLUMNS, events), batch_size=2000)
    Answer.objects.bulk_create(_rows_as_models(Answer, ANSWER_COLUMNS, answers), batch_size=2000)


def _after_write() -> None:
    """Sequences past the ids we chose; fresh planner statistics."""
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Report, ReportEvent, Answer]):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            for model in (Report, ReportEvent, Answer):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
